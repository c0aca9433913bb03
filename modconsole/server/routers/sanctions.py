"""Sanctions.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter

from modconsole.domain import sanctions
from modconsole.schemas import SanctionPublic

from ..deps import ActorDep, SvcDep
from .bodies import SanctionIn

router = APIRouter()


@router.post("/sanctions", tags=["sanctions"])
def sanction_apply(body: SanctionIn, actor: ActorDep, svc: SvcDep) -> SanctionPublic:
    return sanctions.apply(svc, actor, member=body.member, kind=body.kind, duration=body.duration, reason=body.reason,
                           other=body.other, case_id=body.case_id)
