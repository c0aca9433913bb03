"""The audit log: listing and verifying the chain (admin).

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from modconsole.domain import audit as audit_mod
from modconsole.schemas import AuditEntryPublic, AuditKeyRotation, AuditVerifyResult

from ..deps import ActorDep, SvcDep

router = APIRouter()


@router.get("/audit", tags=["audit"])
def audit_list(actor: ActorDep, svc: SvcDep, limit: Annotated[int, Query(ge=0, le=10_000)] = 100,
               before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> list[AuditEntryPublic]:
    """The newest entries first (admin)."""
    return audit_mod.list_entries(svc, actor, limit=limit, before=before)


@router.get("/audit/verify", tags=["audit"])
def audit_verify(actor: ActorDep, svc: SvcDep,
                 anchor_entries: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
                 anchor_head: Annotated[str | None, Query(max_length=64)] = None) -> AuditVerifyResult:
    """Walk the hash chain; names the first bad entry (admin). With an anchor recorded earlier
    outside the database, also detects that the newest entries were removed."""
    return audit_mod.verify_chain(svc, actor, anchor_entries, anchor_head)


@router.post("/audit/rotate-key", tags=["audit"])
def audit_rotate_key(actor: ActorDep, svc: SvcDep) -> AuditKeyRotation:
    """A new version of the audit key, kept beside the old ones in the server's key file (admin);
    the rotation is itself an entry."""
    return audit_mod.rotate_key(svc, actor)
