"""Sanctions: apply, lift, and confirming ban evasion (which bans every linked profile).

Each route is one line over the domain services; authorization and audit live there.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from modconsole.domain import bulk, sanctions
from modconsole.schemas import BulkResult, BulkRow, SanctionPublic

from ..deps import ActorDep, SvcDep
from .bodies import CasePath, Id, ReasonIn, SanctionIn

router = APIRouter()


@router.post("/sanctions", tags=["sanctions"])
def sanction_apply(body: SanctionIn, actor: ActorDep, svc: SvcDep) -> SanctionPublic:
    """Apply a sanction; the answer carries its statement of reasons."""
    return sanctions.apply(svc, actor, member=body.member, kind=body.kind, duration=body.duration, reason=body.reason,
                           other=body.other, case_id=body.case_id, rule=body.rule)


@router.post("/sanctions/preview", tags=["sanctions"])
def sanction_preview(body: SanctionIn, actor: ActorDep, svc: SvcDep) -> SanctionPublic:
    """The same checks as applying, and the statement of reasons; nothing is applied (id 0)."""
    return sanctions.preview(svc, actor, member=body.member, kind=body.kind, duration=body.duration, reason=body.reason,
                             other=body.other, case_id=body.case_id, rule=body.rule)


class BulkIn(BaseModel):
    rows: list[BulkRow] = Field(max_length=bulk.MAX_ROWS)
    dry_run: bool = False


@router.post("/sanctions/bulk", tags=["sanctions"])
def sanction_bulk(body: BulkIn, actor: ActorDep, svc: SvcDep) -> BulkResult:
    """Check every row, then apply all or none (rows applied by an earlier run are skipped)."""
    return bulk.run(svc, actor, body.rows, body.dry_run)


@router.post("/sanctions/{sanction_id}/lift", tags=["sanctions"])
def sanction_lift(sanction_id: Id, body: ReasonIn, actor: ActorDep, svc: SvcDep) -> SanctionPublic:
    """Lift a sanction (senior, admin)."""
    return sanctions.lift(svc, actor, sanction_id, body.reason)


@router.post("/cases/{case_id}/confirm-evasion", tags=["sanctions"])
def evasion_confirm(case_id: CasePath, body: ReasonIn, actor: ActorDep, svc: SvcDep) -> list[SanctionPublic]:
    """Confirm a ban-evasion case (senior, admin): every linked profile is banned permanently."""
    return sanctions.confirm_evasion(svc, actor, case_id, body.reason)
