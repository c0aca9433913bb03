"""Appeals (EU DSA Art. 20): list, show, decide (uphold or reverse).

Each route is one line over the domain services; authorization and audit live there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from modconsole.domain import appeals
from modconsole.schemas import AppealPublic

from ..deps import ActorDep, SvcDep
from .bodies import AppealDecisionIn, CasePath

router = APIRouter()


@router.get("/appeals", tags=["appeals"])
def appeal_list(actor: ActorDep, svc: SvcDep, state: str = "pending",
                limit: Annotated[int, Query(ge=0, le=10_000)] = 200,
                after: Annotated[str | None, Query(max_length=128)] = None) -> list[AppealPublic]:
    """Appeals in that state (pending, upheld, reversed, all), oldest first; at most `limit`
    (0: all), after the appeal `after` (the last appeal id of the page before)."""
    return appeals.list_appeals(svc, actor, state, limit, after)


@router.get("/appeals/{case_id}", tags=["appeals"])
def appeal_show(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> AppealPublic:
    """One appeal, by its case id."""
    return appeals.show(svc, actor, case_id)


@router.post("/appeals/{case_id}/decide", tags=["appeals"])
def appeal_decide(case_id: CasePath, body: AppealDecisionIn, actor: ActorDep, svc: SvcDep) -> AppealPublic:
    """Uphold or reverse; the member is told, with the reason."""
    return appeals.decide(svc, actor, case_id, body.decision, body.reason)
