"""The API's routes: each one line over the domain services (authorization and audit live there).

Short case actions (one small transaction) are `async def` and run on the event loop: the hop
to a worker thread cost more than the work. Anything that can take long (lists, counts over a
big store, ingest, audit verification) stays in the threadpool so it never stalls the loop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from modconsole.domain import audit as audit_mod
from modconsole.domain import (
    cases,
    ingest,
    lexicons,
    members,
    messages,
    platform,
    sanctions,
    settings,
    staff,
    tokens,
)
from modconsole.domain import changes as changes_mod
from modconsole.errors import InvalidInput, ModconsoleError
from modconsole.schemas import (
    AuditEntryPublic,
    AuditVerifyResult,
    CaseDetail,
    CasePublic,
    Changes,
    ClaimResult,
    EffectiveStatus,
    IngestResult,
    LexiconTermPublic,
    MemberDetail,
    NotePublic,
    OutboxItem,
    QueueCount,
    SanctionPublic,
    StaffPublic,
)

from .deps import ActorDep, SvcDep

MAX_EVENTS_BYTES = 16 * 1024 * 1024
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PayloadTooLarge(ModconsoleError):
    title = "Payload too large"
    status = 413


class NoteIn(BaseModel):
    body: str = Field(max_length=20_000)


class ResolveIn(BaseModel):
    action: str
    reason: str | None = None


class EscalateIn(BaseModel):
    to: str
    reason: str


class StaffIn(BaseModel):
    name: str
    role: str


class LexiconIn(BaseModel):
    term: str
    category: str
    lang: str
    severity: int = 2


class PolicyIn(BaseModel):
    value: str


class SanctionIn(BaseModel):
    member: str
    kind: str
    reason: str
    duration: str | None = None
    other: str | None = None
    case_id: Id | None = None


class MessageIn(BaseModel):
    template: str | None = None
    body: str | None = None
    case_id: Id | None = None


class TokenOut(BaseModel):
    token: str


router = APIRouter()
CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/healthz", tags=["meta"])
def healthz() -> dict[str, str]:
    """Liveness; no authentication."""
    return {"status": "ok"}


@router.get("/whoami", tags=["staff"])
def whoami(actor: ActorDep, svc: SvcDep) -> StaffPublic:
    """The staff member the token stands for."""
    return staff.public_of(svc, actor)


@router.get("/queue", tags=["queue"])
def queue_list(actor: ActorDep, svc: SvcDep, queue: str | None = None, state: str | None = None, member: str | None = None,
               limit: Annotated[int, Query(ge=0, le=100_000)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
               mine: bool = False) -> list[CasePublic]:
    """Cases in board order, paged."""
    return cases.list_queue(svc, actor, queue=queue, state=state, member=member, limit=limit, offset=offset, mine=mine)


@router.get("/queue/counts", tags=["queue"])
def queue_counts(actor: ActorDep, svc: SvcDep) -> list[QueueCount]:
    """Unresolved and breached cases per visible queue."""
    return cases.queue_counts(svc, actor)


@router.get("/changes", tags=["queue"])
async def changes(actor: ActorDep, svc: SvcDep, since: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
                  wait: Annotated[float, Query(ge=0, le=60)] = 25.0) -> Changes:
    """Long-poll: the cases touched after the cursor `since`, answered as soon as there are some
    (or after `wait` seconds with none). Without `since`: the current cursor, at once."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        result = await run_in_threadpool(changes_mod.since, svc, actor, since)
        if result.cases or since is None or loop.time() >= deadline:
            return result
        await asyncio.sleep(changes_mod.POLL_S)


@router.get("/cases/{case_id}", tags=["cases"])
async def case_show(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> CaseDetail:
    """A case in context; never the reporter."""
    return cases.show(svc, actor, case_id)


@router.post("/cases/{case_id}/claim", tags=["cases"])
async def case_claim(case_id: CasePath, actor: ActorDep, svc: SvcDep, force: bool = False) -> ClaimResult:
    """Take or renew the lease; 409 names the holder. (Run on the event loop: a claim is one
    short transaction, cheaper than the hop to a thread; several workers share the load.)"""
    return cases.claim(svc, actor, case_id, force=force)


@router.post("/cases/{case_id}/release", status_code=204, tags=["cases"])
async def case_release(case_id: CasePath, actor: ActorDep, svc: SvcDep) -> Response:
    """Give the lease back."""
    cases.release(svc, actor, case_id)
    return Response(status_code=204)


@router.post("/cases/{case_id}/notes", tags=["cases"])
async def case_note(case_id: CasePath, note: NoteIn, actor: ActorDep, svc: SvcDep) -> NotePublic:
    """Add a staff note."""
    return cases.note(svc, actor, case_id, note.body)


@router.post("/cases/{case_id}/resolve", tags=["cases"])
async def case_resolve(case_id: CasePath, body: ResolveIn, actor: ActorDep, svc: SvcDep) -> CasePublic:
    """Dismiss, hide or remove."""
    return cases.resolve(svc, actor, case_id, body.action, body.reason)


@router.post("/cases/{case_id}/escalate", tags=["cases"])
async def case_escalate(case_id: CasePath, body: EscalateIn, actor: ActorDep, svc: SvcDep) -> CasePublic:
    """To a senior or to the clinical team."""
    return cases.escalate(svc, actor, case_id, body.to, body.reason)


@router.post("/events", tags=["events"])
async def post_events(request: Request, actor: ActorDep, svc: SvcDep) -> IngestResult:
    """One event (a JSON object) or a batch (JSON Lines, or a JSON array); the rules of `ingest`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_EVENTS_BYTES:
        raise PayloadTooLarge(f"at most {MAX_EVENTS_BYTES // 2**20} MiB per request")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_EVENTS_BYTES:
            raise PayloadTooLarge(f"at most {MAX_EVENTS_BYTES // 2**20} MiB per request")
    lines = _event_lines(raw)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(ingest.ingest_lines, svc, actor, lines)


def _event_lines(raw: bytes) -> list[tuple[int, bytes | str]]:
    import json

    text = raw.lstrip()
    if text.startswith(b"["):
        try:
            items = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(f"the body is not a JSON array of events: {str(exc)[:100]}") from None
        return [(i, json.dumps(item)) for i, item in enumerate(items, 1)]
    return list(enumerate(raw.splitlines(), 1))


@router.get("/staff", tags=["staff"])
def staff_list(actor: ActorDep, svc: SvcDep) -> list[StaffPublic]:
    return staff.list_all(svc, actor)


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


@router.get("/audit", tags=["audit"])
def audit_list(actor: ActorDep, svc: SvcDep, limit: Annotated[int, Query(ge=0, le=10_000)] = 100,
               before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> list[AuditEntryPublic]:
    """The newest entries first (admin)."""
    return audit_mod.list_entries(svc, actor, limit=limit, before=before)


@router.get("/audit/verify", tags=["audit"])
def audit_verify(actor: ActorDep, svc: SvcDep) -> AuditVerifyResult:
    """Walk the hash chain; names the first bad entry (admin)."""
    return audit_mod.verify_chain(svc, actor)


@router.get("/lexicon", tags=["lexicon"])
def lexicon_list(actor: ActorDep, svc: SvcDep) -> list[LexiconTermPublic]:
    return lexicons.list_terms(svc, actor)


@router.post("/lexicon", tags=["lexicon"])
def lexicon_add(body: LexiconIn, actor: ActorDep, svc: SvcDep) -> LexiconTermPublic:
    return lexicons.add(svc, actor, body.term, body.category, body.lang, body.severity)


@router.delete("/lexicon/{term}", tags=["lexicon"])
def lexicon_remove(term: str, actor: ActorDep, svc: SvcDep, lang: str | None = None) -> dict[str, int]:
    return {"removed": lexicons.remove(svc, actor, term, lang)}


@router.get("/policy", tags=["policy"])
def policy_show(actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    return settings.show(svc, actor)


@router.put("/policy/{key}", tags=["policy"])
def policy_set(key: str, body: PolicyIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    return settings.set_value(svc, actor, key, body.value)


@router.get("/members/{member_id}", tags=["members"])
def member_show(member_id: str, actor: ActorDep, svc: SvcDep) -> MemberDetail:
    return members.show(svc, actor, member_id)


@router.post("/members/{member_id}/messages", tags=["members"])
def member_message(member_id: str, body: MessageIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    return {"outbox_id": messages.send(svc, actor, member_id, template=body.template, body=body.body, case_id=body.case_id)}


class AckIn(BaseModel):
    ids: list[Id] = Field(min_length=1, max_length=1000)


@router.get("/members/{member_id}/status", tags=["platform"])
async def member_status(member_id: str, actor: ActorDep, svc: SvcDep, at: datetime | None = None,
                  with_member: Annotated[str | None, Query(alias="with")] = None) -> EffectiveStatus:
    """can_login, can_post, can_comment (and can_message with another member) at an instant."""
    return platform.status(svc, actor, member_id, at, with_member)


@router.get("/outbox", tags=["platform"])
def outbox_read(actor: ActorDep, svc: SvcDep, after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[OutboxItem]:
    """Unacknowledged messages, removals and sanctions to carry out, oldest first."""
    return platform.outbox(svc, actor, after, limit)


@router.post("/outbox/ack", tags=["platform"])
def outbox_ack(body: AckIn, actor: ActorDep, svc: SvcDep) -> dict[str, int]:
    """Acknowledge items carried out; repeating an acknowledgement is harmless."""
    return {"acknowledged": platform.acknowledge(svc, actor, body.ids)}


@router.post("/sanctions", tags=["sanctions"])
def sanction_apply(body: SanctionIn, actor: ActorDep, svc: SvcDep) -> SanctionPublic:
    return sanctions.apply(svc, actor, member=body.member, kind=body.kind, duration=body.duration, reason=body.reason,
                           other=body.other, case_id=body.case_id)

