"""Live updates: what changed since a cursor, waiting up to a timeout for something to change.

The cursor is the id of the newest case-history entry; every case change (opened, joined,
claimed, released, resolved, escalated…) appends one, so "anything new?" is one indexed
`max(id)` and the cases touched are found by id range. Used by the API's long-poll
(`GET /changes`), which a console or the platform keeps open.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from modconsole.schemas import Changes

from . import auth, queues
from .auth import Actor
from .models import Case, CaseEvent
from .service import Services

MAX_CASES = 100
POLL_S = 0.2


def head(svc: Services) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.max(CaseEvent.id))).scalar() or 0)


def since(svc: Services, actor: Actor, cursor: int | None) -> Changes:
    """The cases touched after `cursor` that the actor may see (None: just the current cursor)."""
    svc.check(actor, "queue.list")
    now = svc.now()
    with svc.store.read() as s:
        top = int(s.execute(select(func.max(CaseEvent.id))).scalar() or 0)
        if cursor is None or top <= cursor:
            return Changes(cursor=top if cursor is None else max(cursor, top))
        ids = list(s.execute(
            select(CaseEvent.case_id).where(CaseEvent.id > cursor, CaseEvent.id <= top).distinct().limit(MAX_CASES * 5)
        ).scalars())
        touched = [c for c in s.execute(select(Case).where(Case.id.in_(ids))).scalars() if auth.can_view_case(actor.role, c)]  # type: ignore[union-attr]
        touched.sort(key=lambda c: (-c.priority, c.sla_due_at))
        names = svc.staff_names(s, {c.claimed_by for c in touched if c.claimed_by})
        return Changes(cursor=top, cases=queues.publics(s, touched[:MAX_CASES], now, names))


def wait(svc: Services, actor: Actor, cursor: int | None, timeout: float) -> Changes:
    """Like `since`, but waits up to `timeout` seconds for a change (blocking; for threads)."""
    deadline = time.monotonic() + max(0.0, min(timeout, 60.0))
    while True:
        result = since(svc, actor, cursor)
        if result.cases or cursor is None or time.monotonic() >= deadline:
            return result
        time.sleep(POLL_S)
