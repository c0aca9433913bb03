"""The shift dashboard and handover notes (seniors, admins).

Each route is one line over the domain services; authorization and audit live there.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from modconsole.domain import shift
from modconsole.schemas import HandoverPublic, ShiftDashboard

from ..deps import ActorDep, SvcDep

router = APIRouter()


class HandoverIn(BaseModel):
    body: str = Field(max_length=5000)


@router.get("/shift", tags=["shift"])
def shift_dashboard(actor: ActorDep, svc: SvcDep, hours: int = 12) -> ShiftDashboard:
    """Depths and breaches per queue at each hour mark, holders, handover notes."""
    return shift.dashboard(svc, actor, hours)


@router.post("/shift/handover", tags=["shift"])
def shift_handover(body: HandoverIn, actor: ActorDep, svc: SvcDep) -> HandoverPublic:
    """A note for the next shift."""
    return shift.handover(svc, actor, body.body)
