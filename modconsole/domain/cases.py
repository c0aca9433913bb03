"""Staff actions on cases: show, claim, release, note, resolve, escalate; and the queue listing.

Claims are leases (policy: 15 minutes) taken with one conditional UPDATE, so two staff
claiming at once cannot both win on SQLite or PostgreSQL: the loser is told who holds it.
Resolving or escalating needs the case not to be held by someone else; notes do not (a note
is how a shift hands over).
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select, update
from sqlmodel import Session

from modconsole.errors import ClaimHeld, Conflict, Forbidden, InvalidInput, NotFound
from modconsole.schemas import (
    CaseDetail,
    CaseEventPublic,
    CasePublic,
    ClaimResult,
    ContentPublic,
    MemberPublic,
    NotePublic,
    QueueCount,
    ReportPublic,
)

from . import auth, erasure, queues
from .auth import Actor
from .clock import iso
from .models import (
    QUEUES,
    Appeal,
    Case,
    CaseEvent,
    CaseNote,
    Claim,
    Content,
    DeletionRequest,
    Member,
    Outbox,
    Question,
    Report,
    Signal,
    Staff,
)
from .service import Services

RESOLUTIONS = ("dismiss", "hide", "remove")
ESCALATION_TARGETS = ("senior", "clinical")
MAX_NOTE = 10_000
CONTEXT_MESSAGES = 20


def _get(session: Session, case_id: int, *, lock: bool = False) -> Case:
    """The case; with `lock`, its row is locked until the transaction ends (PostgreSQL), so two
    staff resolving or escalating at once are serialized and the second sees the first's change."""
    if case_id > 2**63 - 1:
        raise NotFound(f"no case {case_id}")
    case = session.get(Case, case_id, with_for_update=lock)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def _history(session: Session, case: Case, now, staff_id: int | None, action: str, **detail) -> None:  # type: ignore[no-untyped-def]
    session.add(CaseEvent(case_id=case.id or 0, at=now, staff_id=staff_id, action=action, detail=detail or None))


def _holder(session: Session, case: Case) -> str:
    if case.claimed_by is None:
        return "nobody"
    staff = session.get(Staff, case.claimed_by)
    return staff.name if staff else f"staff #{case.claimed_by}"


def _ensure_not_held_by_other(session: Session, case: Case, actor: Actor, now) -> None:  # type: ignore[no-untyped-def]
    if queues.effective_state(case, now) == "claimed" and case.claimed_by != actor.id:
        holder = _holder(session, case)
        raise ClaimHeld(f"case {case.id} is held by {holder} until {iso(case.claim_expires_at)}", holder, iso(case.claim_expires_at))


def _ensure_active(case: Case) -> None:
    if not case.active:
        raise Conflict(f"case {case.id} is already resolved ({case.resolution})")


# --- reads ----------------------------------------------------------------------------------


def list_queue(
    svc: Services, actor: Actor, *, queue: str | None = None, state: str | None = None,
    member: str | None = None, limit: int = 50, offset: int = 0, mine: bool = False,
) -> list[CasePublic]:
    """The board order of SPEC §3 for the queues the actor's role can see; `mine`: the cases
    the actor holds a live claim on."""
    svc.check(actor, "queue.list", target_type="queue", target_id=queue)
    visible = auth.visible_queues(actor.role)
    if queue is not None and queue not in QUEUES:
        raise InvalidInput(f"unknown queue {queue!r}: one of {', '.join(QUEUES)}")
    if queue is not None and visible is not None and queue not in visible and not auth.escalations_seen(actor.role):
        refusal = Forbidden(f"{actor.name} ({actor.role}) may not see the {queue} queue")
        svc.record_refusal(actor, "queue.list", refusal, target_type="queue", target_id=queue)
        raise refusal
    now = svc.now()
    with svc.store.read() as s:
        cases = queues.list_cases(s, now, queue=queue, state="claimed" if mine else state, visible=visible, member=member,
                                  limit=limit, offset=offset, escalated_to=auth.escalations_seen(actor.role),
                                  claimed_by=actor.id if mine else None)
        names = svc.staff_names(s, {c.claimed_by for c in cases if c.claimed_by is not None})
        return queues.publics(s, cases, now, names)


def queue_counts(svc: Services, actor: Actor) -> list[QueueCount]:
    svc.check(actor, "queue.list")
    with svc.store.read() as s:
        return queues.counts(s, svc.now(), auth.visible_queues(actor.role), auth.escalations_seen(actor.role))


def content_public(session: Session, c: Content, handles: dict[str, str | None] | None = None) -> ContentPublic:
    handle = None
    if c.author_id:
        if handles is not None and c.author_id in handles:
            handle = handles[c.author_id]
        else:
            m = session.get(Member, c.author_id)
            handle = m.handle if m else None
    return ContentPublic(
        id=c.id, kind=c.kind, author=c.author_id, author_handle=handle, body=c.body, created_at=c.created_at,
        recipient=c.recipient_id, thread=c.thread, parent=c.parent_id, wall_of=c.wall_of,
        visibility=c.visibility, placeholder=c.placeholder,
    )


def _context(session: Session, content: Content) -> list[ContentPublic]:
    """What a moderator needs around the content: its parent, or the conversation of a message."""
    out: list[ContentPublic] = []
    if content.parent_id:
        parent = session.get(Content, content.parent_id)
        if parent is not None:
            out.append(content_public(session, parent))
    if content.kind == "message" and content.author_id and content.recipient_id:
        a, b = content.author_id, content.recipient_id
        rows = session.execute(
            select(Content)
            .where(or_(and_(Content.author_id == a, Content.recipient_id == b), and_(Content.author_id == b, Content.recipient_id == a)))
            .where(Content.id != content.id)
            .order_by(Content.created_at.desc())  # type: ignore[union-attr]
            .limit(CONTEXT_MESSAGES)
        ).scalars().all()
        out.extend(content_public(session, c) for c in reversed(rows))
    return out


def show(svc: Services, actor: Actor, case_id: int) -> CaseDetail:
    """Everything about a case a moderator may see; never who reported it."""
    svc.check(actor, "case.show", target_type="case", target_id=case_id)
    now = svc.now()
    with svc.store.read() as s:
        case = _get(s, case_id)
        try:
            auth.check_case_view(actor, case)
        except Forbidden as refusal:
            svc.record_refusal(actor, "case.show", refusal, target_type="case", target_id=case_id)
            raise
        names = queues.staff_names(s)
        sigs = s.execute(select(Signal).where(Signal.case_id == case_id).order_by(Signal.id).limit(500)).scalars().all()
        detail = CaseDetail(case=queues.case_public(case, now, names, list(sigs)))
        member_id = case.member_id or (case.subject_id if case.subject_type == "member" else None)
        if member_id:
            m = s.get(Member, member_id)
            if m is not None:
                detail.subject_member = MemberPublic(
                    id=m.id, handle=m.handle, created_at=m.created_at, language=m.language, placeholder=m.placeholder
                )
        # A member case still has content in question (the message that tripped the harassment
        # rule, the content behind a no-contact breach): show the latest one, with its conversation.
        content_id = case.subject_id if case.subject_type == "content" else next(
            (x.content_id for x in reversed(sigs) if x.content_id), None
        )
        if content_id is not None:
            content = s.get(Content, content_id)
            if content is not None:
                detail.content = content_public(s, content)
                detail.context = _context(s, content)
        reports = s.execute(select(Report).where(Report.case_id == case_id).order_by(Report.created_at)).scalars().all()
        detail.reports = [ReportPublic(id=r.id, reason=r.reason, note=erasure.shown_report_note(r.note), created_at=r.created_at)
                          for r in reports]
        notes = s.execute(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)).scalars().all()
        detail.notes = [NotePublic(id=n.id or 0, author=names.get(n.staff_id, "?"), body=n.body, created_at=n.created_at) for n in notes]
        events = s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).scalars().all()
        detail.history = [
            CaseEventPublic(at=e.at, actor=names.get(e.staff_id) if e.staff_id else "system", action=e.action, detail=e.detail)
            for e in events
        ]
        for model, label in ((Question, "questions"), (DeletionRequest, "deletion_requests"), (Appeal, "appeals")):
            rows = s.execute(select(model).where(model.case_id == case_id)).scalars().all()
            if rows:
                detail.extra[label] = [
                    {k: v for k, v in r.model_dump(mode="json").items() if k not in ("extra",)} for r in rows
                ]
        return detail


# --- claims -----------------------------------------------------------------------------------


def claim(svc: Services, actor: Actor, case_id: int, *, force: bool = False) -> ClaimResult:
    """Take (or renew) the lease on a case. Raises ClaimHeld naming the holder, Forbidden, NotFound.

    `force` (senior, admin) takes a case over from whoever holds it: reassigning a claim.
    """
    if force:
        svc.check(actor, "case.reassign", target_type="case", target_id=case_id)
    else:
        _refuse_if_held(svc, actor, case_id)
    policy = svc.policy()

    def change(s: Session) -> tuple[ClaimResult, dict]:
        now = svc.now()
        case = _get(s, case_id)
        auth.check_case_action(actor, case, "case.claim")
        _ensure_active(case)
        previous = case.claimed_by if queues.effective_state(case, now) == "claimed" else None
        expires = now + policy.lease
        cond = [Case.id == case_id, Case.active.is_(True)]  # type: ignore[attr-defined]
        if not force:
            cond.append(or_(Case.claimed_by.is_(None), Case.claimed_by == actor.id, Case.claim_expires_at <= now))  # type: ignore[union-attr,operator]
        won = s.execute(
            update(Case).where(*cond).values(claimed_by=actor.id, claim_expires_at=expires, updated_at=now)
        ).rowcount
        if won != 1:
            s.expire(case)
            fresh = _get(s, case_id)
            holder = _holder(s, fresh)
            raise ClaimHeld(
                f"case {case_id} is held by {holder} until {iso(fresh.claim_expires_at)}", holder, iso(fresh.claim_expires_at)
            )
        renewed = previous == actor.id
        if renewed:
            s.execute(
                update(Claim).where(Claim.case_id == case_id, Claim.staff_id == actor.id, Claim.released_at.is_(None))  # type: ignore[union-attr]
                .values(expires_at=expires)
            )
        else:
            if previous is not None:
                s.execute(
                    update(Claim).where(Claim.case_id == case_id, Claim.released_at.is_(None)).values(released_at=now)  # type: ignore[union-attr]
                )
            s.add(Claim(case_id=case_id, staff_id=actor.id or 0, claimed_at=now, expires_at=expires))
            _history(s, case, now, actor.id, "reassigned" if previous else "claimed", **({"from_staff": previous} if previous else {}))
        return ClaimResult(case_id=case_id, claimed_by=actor.name, expires_at=expires), {
            "renewed": renewed, "forced": bool(force and previous and previous != actor.id)
        }

    return svc.perform(actor, "case.reassign" if force else "case.claim", change, target_type="case", target_id=case_id)


_CASE_ROW = select(Case.__table__).where(Case.id == bindparam("cid"))  # type: ignore[attr-defined]


def _refuse_if_held(svc: Services, actor: Actor, case_id: int) -> None:
    """The common losing claim, told without a write transaction of its own: a read shows the
    case held by someone else, the refusal is audited, ClaimHeld names the holder. Anything
    else (free case, own lease, a role or queue rule) goes through the full conditional UPDATE."""
    if not auth.allowed(actor.role, "case.claim"):
        return
    now = svc.now()
    if case_id > 2**63 - 1:
        return
    with svc.store.read_conn() as conn:  # Core, not the ORM: this is the API's hottest path
        case = conn.execute(_CASE_ROW, {"cid": case_id}).first()
        if case is None or queues.effective_state(case, now) != "claimed" or case.claimed_by == actor.id:  # type: ignore[arg-type]
            return
        try:
            auth.check_case_action(actor, case, "case.claim")  # type: ignore[arg-type]
        except Forbidden:
            return  # the full path refuses it, with the reason that comes first
        names = svc.staff_names(conn, {case.claimed_by})  # type: ignore[arg-type]
        holder = names.get(case.claimed_by, f"staff #{case.claimed_by}")
        expires = iso(case.claim_expires_at)
    held = ClaimHeld(f"case {case_id} is held by {holder} until {expires}", holder, expires)
    svc.record_refusal(actor, "case.claim", held, target_type="case", target_id=case_id)
    raise held


def release(svc: Services, actor: Actor, case_id: int) -> None:
    """Give the lease back. Raises Conflict when the actor does not hold it."""

    def change(s: Session) -> tuple[None, dict]:
        now = svc.now()
        case = _get(s, case_id, lock=True)
        auth.check_case_view(actor, case)
        if queues.effective_state(case, now) != "claimed" or case.claimed_by != actor.id:
            raise Conflict(f"case {case_id} is not claimed by {actor.name}")
        _release(s, case, now)
        _history(s, case, now, actor.id, "released")
        return None, {}

    svc.perform(actor, "case.release", change, target_type="case", target_id=case_id)


def _release(s: Session, case: Case, now) -> None:  # type: ignore[no-untyped-def]
    case.claimed_by = None
    case.claim_expires_at = None
    case.updated_at = now
    s.add(case)
    s.execute(update(Claim).where(Claim.case_id == case.id, Claim.released_at.is_(None)).values(released_at=now))  # type: ignore[union-attr]


# --- notes, resolution, escalation -----------------------------------------------------------------


def note(svc: Services, actor: Actor, case_id: int, body: str) -> NotePublic:
    text = (body or "").strip()
    if not text:
        raise InvalidInput("a note needs some text")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE} characters (this one has {len(text)})")

    def change(s: Session) -> tuple[NotePublic, dict]:
        now = svc.now()
        case = _get(s, case_id)
        auth.check_case_action(actor, case, "case.note")
        n = CaseNote(case_id=case_id, staff_id=actor.id or 0, body=text, created_at=now)
        s.add(n)
        s.flush()
        _history(s, case, now, actor.id, "noted", note_id=n.id)
        return NotePublic(id=n.id or 0, author=actor.name, body=text, created_at=now), {"note_id": n.id}

    return svc.perform(actor, "case.note", change, target_type="case", target_id=case_id)


def resolve(svc: Services, actor: Actor, case_id: int, action: str, reason: str | None = None) -> CasePublic:
    """Close a case: dismiss (no violation), hide or remove its content (sent to the outbox)."""
    if action not in RESOLUTIONS:
        raise InvalidInput(f"unknown resolution {action!r}: one of {', '.join(RESOLUTIONS)}")

    def change(s: Session) -> tuple[CasePublic, dict]:
        now = svc.now()
        case = _get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "case.resolve")
        if case.queue in ("appeal", "deletion"):
            raise Conflict(
                f"case {case_id} is in the {case.queue} queue: it is decided with "
                f"`modconsole {'appeal' if case.queue == 'appeal' else 'deletion'} decide`, not resolved"
            )
        _ensure_active(case)
        _ensure_not_held_by_other(s, case, actor, now)
        detail: dict = {"resolution": action}
        if action in ("hide", "remove"):
            if case.subject_type != "content":
                raise InvalidInput(f"case {case_id} is about member {case.subject_id}, not content: {action} needs a content case")
            content = s.get(Content, case.subject_id)
            if content is None:
                raise NotFound(f"content {case.subject_id} of case {case_id} is not in the store")
            content.visibility = "hidden" if action == "hide" else "removed"
            s.add(content)
            s.add(Outbox(kind="content", member_id=content.author_id, content_id=content.id,
                         payload={"case_id": case_id, "action": action}, created_at=now))
            detail["content_id"] = content.id
        _release(s, case, now)
        case.state = "resolved"
        case.active = False
        case.open_key = None
        case.resolved_at = now
        case.resolution = action
        s.add(case)
        _history(s, case, now, actor.id, "resolved", resolution=action)
        s.flush()
        return queues.case_public(case, now, queues.staff_names(s)), detail

    return svc.perform(actor, "case.resolve", change, target_type="case", target_id=case_id, reason=reason)


def escalate(svc: Services, actor: Actor, case_id: int, to: str, reason: str) -> CasePublic:
    if to not in ESCALATION_TARGETS:
        raise InvalidInput(f"cannot escalate to {to!r}: one of {', '.join(ESCALATION_TARGETS)}")
    if not (reason or "").strip():
        raise InvalidInput("an escalation needs a reason")

    def change(s: Session) -> tuple[CasePublic, dict]:
        now = svc.now()
        case = _get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "case.escalate")
        _ensure_active(case)
        _ensure_not_held_by_other(s, case, actor, now)
        if case.escalated_to == to:
            raise Conflict(f"case {case_id} is already escalated to {to}")
        _release(s, case, now)
        case.state = "escalated"
        case.escalated_to = to
        s.add(case)
        _history(s, case, now, actor.id, "escalated", to=to)
        s.flush()
        return queues.case_public(case, now, queues.staff_names(s)), {"to": to}

    return svc.perform(actor, "case.escalate", change, target_type="case", target_id=case_id, reason=reason.strip())
