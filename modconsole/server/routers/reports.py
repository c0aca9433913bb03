"""Compliance reports (admin): statements of reasons and the transparency report.

Each route is one line over the domain services; authorization and audit live there.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from modconsole.domain import reports

from ..deps import ActorDep, SvcDep
from .bodies import UtcTime

router = APIRouter()


@router.get("/reports/sor", tags=["reports"])
def report_sor(since: UtcTime, until: UtcTime, actor: ActorDep, svc: SvcDep) -> list[dict[str, Any]]:
    """Statements of reasons in the DSA Transparency Database's fields, checked."""
    return reports.statements(svc, actor, since, until)


@router.get("/reports/transparency", tags=["reports"])
def report_transparency(since: UtcTime, until: UtcTime, actor: ActorDep, svc: SvcDep) -> dict[str, Any]:
    """Notices, actions, handling times, SLA breaches and appeals for the period."""
    return reports.transparency(svc, actor, since, until)

