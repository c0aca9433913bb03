"""Case actions. Short ones (one small transaction) are `async def` and run on the event loop:
the hop to a worker thread cost more than the work. Those that write go through `short`, which
moves them to a worker thread when another writer holds SQLite's lock, so the loop never waits.

Each route is one line over the domain services; authorization and audit live there.
Anything that can take long stays in the threadpool (plain `def`) so it never stalls the loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from modconsole.domain import cases
from modconsole.schemas import CaseDetail, CasePublic, ClaimResult, NotePublic

from ..deps import ActorDep, SvcDep, short
from .bodies import CasePath, EscalateIn, NoteIn, ResolveIn

router = APIRouter()


@router.get("/cases/{case_id}", tags=["cases"])
async def case_show(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> CaseDetail:
    """A case in context; never the reporter."""
    return await short(svc, cases.show, svc, actor, case_id)  # a refusal is written


@router.post("/cases/{case_id}/claim", tags=["cases"])
async def case_claim(case_id: CasePath, actor: ActorDep, svc: SvcDep, force: bool = False) -> ClaimResult:
    """Take or renew the lease; 409 names the holder. (Run on the event loop: a claim is one
    short transaction, cheaper than the hop to a thread; several workers share the load.)"""
    return await short(svc, cases.claim, svc, actor, case_id, force=force)


@router.post("/cases/{case_id}/release", status_code=204, tags=["cases"])
async def case_release(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> Response:
    """Give the lease back."""
    await short(svc, cases.release, svc, actor, case_id)
    return Response(status_code=204)


@router.post("/cases/{case_id}/notes", tags=["cases"])
async def case_note(case_id: CasePath, note: NoteIn, actor: ActorDep, svc: SvcDep) -> NotePublic:
    """Add a staff note."""
    return await short(svc, cases.note, svc, actor, case_id, note.body)


@router.post("/cases/{case_id}/resolve", tags=["cases"])
async def case_resolve(case_id: CasePath, body: ResolveIn, actor: ActorDep, svc: SvcDep) -> CasePublic:
    """Dismiss, hide or remove."""
    return await short(svc, cases.resolve, svc, actor, case_id, body.action, body.reason)


@router.post("/cases/{case_id}/escalate", tags=["cases"])
async def case_escalate(case_id: CasePath, body: EscalateIn, actor: ActorDep, svc: SvcDep) -> CasePublic:
    """To a senior or to the clinical team."""
    return await short(svc, cases.escalate, svc, actor, case_id, body.to, body.reason)
