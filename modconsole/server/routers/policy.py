"""Policy settings: SLAs, lease, the harassment rule (admin).

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter

from modconsole.domain import settings

from ..deps import ActorDep, SvcDep
from .bodies import PolicyIn

router = APIRouter()


@router.get("/policy", tags=["policy"])
def policy_show(actor: ActorDep, svc: SvcDep) -> dict[str, int | str]:
    return settings.show(svc, actor)


@router.put("/policy/{key}", tags=["policy"])
def policy_set(key: str, body: PolicyIn, actor: ActorDep, svc: SvcDep) -> dict[str, int | str]:
    return settings.set_value(svc, actor, key, body.value)
