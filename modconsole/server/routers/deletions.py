"""Deletion requests (clinical only), temporary closures, erasure proofs, and the vault.

Each route is one line over the domain services; authorization and audit live there. Reading
the vault is a POST: it carries a reason, and it is an audited act, not a cacheable read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from modconsole.domain import deletion, vault
from modconsole.schemas import DeletionPublic, VaultRecord

from ..deps import ActorDep, SvcDep
from .bodies import CasePath, ReasonIn, UtcTime

router = APIRouter()


class DeletionDecisionIn(BaseModel):
    decision: str
    reason: str = Field(max_length=2000)
    until: UtcTime | None = None


class VerifyIn(BaseModel):
    search: list[str] = Field(default_factory=list, max_length=20)


@router.get("/deletions", tags=["deletions"])
def deletion_list(actor: ActorDep, svc: SvcDep, state: str = "pending",
                  limit: Annotated[int, Query(ge=0, le=10_000)] = 0,
                  after: Annotated[str | None, Query(max_length=128)] = None) -> list[DeletionPublic]:
    """Requests to decide (or in another state), oldest first, with the member's recent risk;
    at most `limit` (0: all), after the request `after` (the last request id of the page before)."""
    return deletion.list_requests(svc, actor, state, limit, after)


@router.get("/deletions/{case_id}", tags=["deletions"])
def deletion_show(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> DeletionPublic:
    return deletion.show(svc, actor, case_id)


@router.post("/deletions/{case_id}/decide", tags=["deletions"])
def deletion_decide(case_id: CasePath, body: DeletionDecisionIn, actor: ActorDep, svc: SvcDep) -> DeletionPublic:
    """approve | decline | contacted | close_temporarily; approving erases, with its proof."""
    return deletion.decide(svc, actor, case_id, body.decision, body.reason, body.until)


@router.post("/deletions/{case_id}/verify", tags=["deletions"])
def deletion_verify(case_id: CasePath, body: VerifyIn, actor: ActorDep, svc: SvcDep) -> dict[str, Any]:
    """The erasure's proof, and a new search for the strings given (never stored)."""
    return deletion.verify(svc, actor, case_id, body.search)


@router.post("/members/{member_id}/reopen", tags=["deletions"])
def member_reopen(member_id: str, body: ReasonIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    """End a temporary closure now."""
    return {"reopened": deletion.reopen(svc, actor, member_id, body.reason)}


@router.post("/members/{member_id}/vault", tags=["deletions"])
def vault_show(member_id: str, body: ReasonIn, actor: ActorDep, svc: SvcDep) -> VaultRecord:
    """Registration data (clinical, admin), with a reason; audited."""
    return vault.read(svc, actor, member_id, body.reason)
