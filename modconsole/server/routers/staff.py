"""Staff members and their API tokens (admin), and who a token stands for.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from modconsole.domain import staff, tokens
from modconsole.schemas import StaffPublic

from ..deps import ActorDep, SvcDep
from .bodies import StaffIn, TokenOut

router = APIRouter()


@router.get("/whoami", tags=["staff"])
def whoami(actor: ActorDep, svc: SvcDep) -> StaffPublic:
    """The staff member the token stands for."""
    return staff.public_of(svc, actor)


@router.get("/staff", tags=["staff"])
def staff_list(actor: ActorDep, svc: SvcDep) -> list[StaffPublic]:
    return staff.list_all(svc, actor)


class RoleIn(BaseModel):
    role: str


class ActiveIn(BaseModel):
    active: bool


@router.put("/staff/{name}/role", tags=["staff"])
def staff_role(name: str, body: RoleIn, actor: ActorDep, svc: SvcDep) -> StaffPublic:
    """Change a role (admin); the last active admin keeps theirs."""
    return staff.set_role(svc, actor, name, body.role)


@router.put("/staff/{name}/active", tags=["staff"])
def staff_active(name: str, body: ActiveIn, actor: ActorDep, svc: SvcDep) -> StaffPublic:
    """Deactivate (tokens stop working at once) or reactivate (admin)."""
    return staff.set_active(svc, actor, name, body.active)


@router.post("/staff", tags=["staff"])
def staff_add(body: StaffIn, actor: ActorDep, svc: SvcDep) -> StaffPublic:
    return staff.add(svc, actor, body.name, body.role)


@router.post("/staff/{name}/token", tags=["staff"])
def staff_token(name: str, actor: ActorDep, svc: SvcDep, days: int = tokens.DEFAULT_DAYS) -> TokenOut:
    """Issue a token (admin); shown once."""
    return TokenOut(token=tokens.issue(svc, actor, name, days))


@router.delete("/staff/{name}/tokens", tags=["staff"])
def staff_token_revoke(name: str, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    """Revoke every live token of a staff member (admin)."""
    return {"revoked": tokens.revoke_all(svc, actor, name)}
