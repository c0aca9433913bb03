"""One router per resource; `ROUTERS` in the order the OpenAPI document lists them."""

from __future__ import annotations

from . import (
    appeals,
    audit,
    cases,
    deletions,
    events,
    lexicon,
    members,
    meta,
    platform,
    policy,
    queue,
    reports,
    sanctions,
    shift,
    staff,
)

ROUTERS = [
    meta.router, staff.router, queue.router, cases.router, events.router, audit.router, lexicon.router,
    policy.router, members.router, platform.router, sanctions.router, appeals.router, deletions.router, reports.router,
    shift.router,
]
