"""Deletion requests, reviewed by the clinical team (SPEC §5).

The member asking to delete their account, erase their data or close their account for a while
may be at risk, so the clinical team sees each request with the member's recent risk cases
(urgent, self_harm) and self-assessments beside it, and decides:
- `approve`: for `account` and `data`, the member is erased (see `erasure`) and the platform
  told (outbox `account` item: delete the account, or erase its data); for `temporary_close`,
  the account is closed as below;
- `decline` (with a reason, kept for the team; the platform is told the request was declined,
  not why — the team contacts the member);
- `contacted`: the team reached out; the request stays open;
- `close_temporarily` (any scope): the member cannot log in from now until `until`, or until
  `deletion reopen`; the effective status and the outbox say so.
Only `clinical` lists, decides and reopens; every other role is refused and the refusal
audited. Every decision is audited with its reason; the erasure's entry lists the audit
reasons it blanked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlmodel import Session

from modconsole.errors import Conflict, InvalidInput, NotFound
from modconsole.schemas import DeletionPublic, SelfAssessmentPublic

from . import audit, auth, erasure, queues
from .appeals import after_row
from .auth import Actor
from .models import Case, Closure, DeletionRequest, Erasure, Member, Outbox, SelfAssessment
from .service import Services, reason_text

DECISIONS = ("approve", "decline", "contacted", "close_temporarily")
STATES = ("pending", "contacted", "approved", "declined", "closed", "all")
RECENT = 10


def _closed_at(at: datetime) -> list[Any]:
    return [
        Closure.starts_at <= at,
        or_(Closure.ends_at.is_(None), Closure.ends_at > at),  # type: ignore[union-attr,operator]
        or_(Closure.reopened_at.is_(None), Closure.reopened_at > at),  # type: ignore[union-attr,operator]
    ]


def closed_at(s: Session, member_id: str, at: datetime) -> Closure | None:
    """The closure in force at that instant, if any."""
    return s.execute(select(Closure).where(Closure.member_id == member_id, *_closed_at(at))
                     .order_by(Closure.id.desc()).limit(1)).scalars().first()


def _public(s: Session, svc: Services, req: DeletionRequest, now: datetime, full: bool) -> DeletionPublic:
    return _publics(s, svc, [req], now, full)[0]


def _publics(s: Session, svc: Services, reqs: Sequence[DeletionRequest], now: datetime, full: bool) -> list[DeletionPublic]:
    """The requests as interfaces see them; with `full`, each with the member's recent risk
    cases (open ones in board order, then resolved ones, newest first: RECENT of each),
    self-assessments (RECENT, newest first) and erasure. A few queries for the whole list, not
    a few per request."""
    members = sorted({r.member_id for r in reqs})
    handles = dict(_in(s, select(Member.id, Member.handle), Member.id, members))
    names = svc.staff_names(s, {r.decided_by for r in reqs if r.decided_by} or None)
    closures: dict[str, Closure] = {}
    for c in _in(s, select(Closure).where(*_closed_at(now)).order_by(Closure.id), Closure.member_id, members, scalars=True):
        closures[c.member_id] = c  # the newest in force
    risk: dict[str, list[Case]] = {}
    assessments: dict[str, list[SelfAssessment]] = {}
    erasures: dict[str, list[Erasure]] = {}
    if full:
        risk = _risk_cases(s, now, members)
        names = svc.staff_names(s, {c.claimed_by for cs in risk.values() for c in cs if c.claimed_by} or None)
        assessments = _newest(s, SelfAssessment, SelfAssessment.member_id, members,
                              [SelfAssessment.created_at.desc()])  # type: ignore[union-attr]
        erasures = _newest(s, Erasure, Erasure.member_id, members, [Erasure.id.desc()], keep=1)  # type: ignore[union-attr]
    out = []
    for req in reqs:
        pub = DeletionPublic(
            id=req.case_id or 0, request=req.id, member=req.member_id, handle=handles.get(req.member_id),
            scope=req.scope, note=req.note, created_at=req.created_at, state=req.state,
            decided_by=names.get(req.decided_by) if req.decided_by else None, decided_at=req.decided_at,
            decision_reason=req.decision_reason,
        )
        closure = closures.get(req.member_id)
        if closure is not None:
            pub.closed_until = closure.ends_at.isoformat() if closure.ends_at else "until reopened"
        if full:
            pub.risk_cases = queues.publics(s, risk.get(req.member_id, []), now, names)
            pub.self_assessments = [SelfAssessmentPublic(instrument=x.instrument, score=x.score, suicidal=x.suicidal,
                                                         created_at=x.created_at) for x in assessments.get(req.member_id, [])]
            er = (erasures.get(req.member_id) or [None])[0]
            if er is not None:
                pub.erasure = {"at": er.at.isoformat(), "removed": er.removed, "proof": er.proof}
        out.append(pub)
    return out


def _in(s: Session, stmt: Any, column: Any, values: list[str], scalars: bool = False) -> list[Any]:
    """`stmt` restricted to `column IN values`, in chunks (bound parameters are limited)."""
    rows: list[Any] = []
    for i in range(0, len(values), CHUNK):
        result = s.execute(stmt.where(column.in_(values[i:i + CHUNK])))
        rows += result.scalars().all() if scalars else result.all()
    return rows


def _newest(s: Session, model: Any, member_col: Any, members: list[str], order: list[Any],
            keep: int = RECENT, where: Sequence[Any] = ()) -> dict[str, list[Any]]:
    """Per member, the first `keep` rows of `model` in `order` (one windowed query a chunk of
    members), in that order."""
    rank = func.row_number().over(partition_by=member_col, order_by=order).label("rank")
    out: dict[str, list[Any]] = {}
    for i in range(0, len(members), CHUNK):
        ranked = select(model.id.label("rid"), rank).where(member_col.in_(members[i:i + CHUNK]), *where).subquery()
        stmt = (select(model).join(ranked, model.id == ranked.c.rid).where(ranked.c.rank <= keep)
                .order_by(member_col, ranked.c.rank))
        for row in s.execute(stmt).scalars():
            out.setdefault(getattr(row, member_col.key), []).append(row)
    return out


RISK_QUEUES = frozenset({"urgent", "self_harm"})
CHUNK = 500


def _risk_cases(s: Session, now: datetime, members: list[str]) -> dict[str, list[Case]]:
    """Per member, the open urgent / self-harm cases in board order (breached first, then
    priority, SLA, id), then the resolved ones, newest first: RECENT of each, as
    `queues.list_cases(…, visible=RISK_QUEUES, member=m, limit=RECENT)` and the same with
    `state="resolved"` give them, for all the members at once."""
    scope = [Case.queue.in_(sorted(RISK_QUEUES))]  # type: ignore[attr-defined]
    open_cases = _newest(s, Case, Case.member_id, members, [
        sql_case((Case.sla_due_at < now, 0), else_=1), Case.priority.desc(), Case.sla_due_at, Case.id,  # type: ignore[attr-defined]
    ], where=[*scope, Case.active.is_(True), Case.priority.in_(queues.PRIORITIES)])  # type: ignore[attr-defined]
    resolved = _newest(s, Case, Case.member_id, members, [Case.resolved_at.desc(), Case.id.desc()],  # type: ignore[union-attr]
                       where=[*scope, queues.state_filter("resolved", now)])
    return {m: open_cases.get(m, []) + resolved.get(m, []) for m in members}


def list_requests(svc: Services, actor: Actor, state: str = "pending", limit: int = 0,
                  after: str | None = None) -> list[DeletionPublic]:
    """Requests (pending and contacted by default: the ones to decide), oldest first, each with
    the member's recent risk cases and self-assessments; `limit` at most (0: all), after the
    request `after` (a request id, the last of the page before) when given, so a screen pages
    through them. Clinical only (refusals audited)."""
    if state not in STATES:
        raise InvalidInput(f"unknown state {state!r}: one of {', '.join(STATES)}")
    if limit < 0:
        raise InvalidInput("limit must be zero or more")
    svc.check(actor, "deletion.list")
    now = svc.now()
    with svc.store.read() as s:
        q = select(DeletionRequest).where(DeletionRequest.case_id.is_not(None))  # type: ignore[union-attr]
        if state == "pending":
            q = q.where(DeletionRequest.state.in_(("pending", "contacted")))  # type: ignore[attr-defined]
        elif state != "all":
            q = q.where(DeletionRequest.state == state)
        if after is not None:
            cursor = s.get(DeletionRequest, after)
            if cursor is None:
                raise InvalidInput(f"no deletion request {after!r} to page after")
            q = q.where(after_row(DeletionRequest.created_at, DeletionRequest.id, cursor.created_at, cursor.id,
                                  svc.store.is_sqlite))
        q = q.order_by(DeletionRequest.created_at, DeletionRequest.id)
        rows = s.execute(q.limit(limit) if limit else q).scalars().all()
        return _publics(s, svc, rows, now, True)


def show(svc: Services, actor: Actor, case_id: int) -> DeletionPublic:
    svc.check(actor, "deletion.list", target_type="case", target_id=case_id)
    with svc.store.read() as s:
        return _public(s, svc, _request_of(s, case_id), svc.now(), True)


def _find_request(s: Session, case_id: int) -> DeletionRequest | None:
    if not 0 < case_id <= 2**63 - 1:
        return None
    return s.execute(select(DeletionRequest).where(DeletionRequest.case_id == case_id)).scalars().first()


def _request_of(s: Session, case_id: int) -> DeletionRequest:
    req = _find_request(s, case_id)
    if req is None:
        raise NotFound(f"no deletion request with case id {case_id} (see `modconsole deletion list`)")
    return req


def decide(svc: Services, actor: Actor, case_id: int, decision: str, reason: str, until: datetime | None = None) -> DeletionPublic:
    """Decide a request (clinical). Raises Forbidden (audited), InvalidInput, Conflict, NotFound."""
    if decision not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}: --approve, --decline, --contacted or --close-temporarily")
    reason = reason_text(reason, "a decision on a deletion request needs a reason")
    if until is not None and decision != "close_temporarily":
        raise InvalidInput("--until goes with --close-temporarily")
    erased: dict[str, Any] = {}

    def change(s: Session) -> tuple[DeletionPublic, dict[str, Any]]:
        from . import cases as cases_mod

        now = svc.now()
        if until is not None and until <= now:
            raise InvalidInput("--until must be in the future")
        case = cases_mod._get(s, case_id, lock=True)
        auth.check_case_action(actor, case, "deletion.decide")
        req = _request_of(s, case_id)
        if req.state not in ("pending", "contacted") or not case.active:
            raise Conflict(f"request {req.id} (case {case_id}) was already decided: {req.state}")
        cases_mod._ensure_not_held_by_other(s, case, actor, now)
        member = s.get(Member, req.member_id)
        if member is None:
            raise NotFound(f"no member {req.member_id}")
        detail: dict[str, Any] = {"request": req.id, "scope": req.scope, "decision": decision}
        closing = decision == "close_temporarily" or (decision == "approve" and req.scope == "temporary_close")
        if decision == "contacted":
            req.state = "contacted"
            cases_mod._history(s, case, now, actor.id, "contacted")
        else:
            req.state = {"approve": "approved", "decline": "declined"}.get(decision, "closed")
            if closing:
                req.state = "closed"
                if closed_at(s, member.id, now) is None:
                    s.add(Closure(member_id=member.id, request_id=req.id, starts_at=now, ends_at=until, created_by=actor.id))
                s.add(Outbox(kind="account", member_id=member.id, created_at=now, payload={
                    "action": "close", "until": until.isoformat() if until else None, "request": req.id}))
            elif decision == "approve":
                removed, blanked, strings = erasure.erase(s, member)
                erased.update(removed=removed, strings=strings, blanked=blanked)
                detail["blanked_reasons"] = blanked
                detail["removed"] = removed
                s.add(Outbox(kind="account", member_id=member.id, created_at=now, payload={
                    "action": "delete" if req.scope == "account" else "erase_data", "request": req.id}))
            else:
                s.add(Outbox(kind="account", member_id=member.id, created_at=now, payload={
                    "action": "request_declined", "request": req.id}))
            cases_mod._release(s, case, now)
            case.state, case.active, case.open_key, case.resolved_at = "resolved", False, None, now
            case.resolution = f"deletion_{req.state}"
            s.add(case)
            cases_mod._history(s, case, now, actor.id, "resolved", resolution=case.resolution)
        req.decision = decision[:16]
        req.decided_by, req.decided_at = actor.id, now
        req.decision_reason = None if decision == "approve" and req.scope != "temporary_close" else reason
        s.add(req)
        s.flush()
        return _public(s, svc, req, now, False), detail

    erases = False
    if decision == "approve":  # an erasure's own reason must not quote what it erases
        with svc.store.read() as s:
            req0 = _find_request(s, case_id)
            member0 = s.get(Member, req0.member_id) if req0 is not None else None
            if req0 is not None and member0 is not None and req0.scope in ("account", "data"):
                erases = True
                reason = erasure.scrub_text(reason, erasure.personal_strings(s, member0)) or erasure.ERASED
    action = audit.ERASURE_ACTION if erases else "deletion.decide"
    # an approval's audit entry is the erasure's: its detail lists the reasons it blanked
    result = svc.perform(actor, "deletion.decide", change, target_type="case", target_id=case_id, reason=reason,
                         audit_action=action)
    if erased:
        _after_erasure(svc, actor, result, erased)
        with svc.store.read() as s:
            return _public(s, svc, _request_of(s, case_id), svc.now(), True)
    return result


def _after_erasure(svc: Services, actor: Actor, result: DeletionPublic, erased: dict[str, Any]) -> None:
    """Clean the SQLite file, prove the erasure with the strings still in memory, keep the proof."""
    file_report: dict[str, Any] = {}
    db_file = None
    if svc.store.is_sqlite:
        file_report = erasure.clean_sqlite_file(svc.store._write_engine)
        db_file = svc.store.engine.url.database
    with svc.store.read() as s:
        proof = erasure.search(s, erased["strings"], db_file, result.member)
    proof.update(file_report)
    with svc.store.write() as s:
        s.add(Erasure(member_id=result.member, request_id=result.request, at=svc.now(), by=actor.id,
                      removed=erased["removed"], proof=proof))
    erased.clear()


def reopen(svc: Services, actor: Actor, member_id: str, reason: str) -> int:
    """End a temporary closure now (clinical). Returns how many closures ended."""
    reason = reason_text(reason, "reopening an account needs a reason")

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        now = svc.now()
        closure = closed_at(s, member_id, now)
        if closure is None:
            raise Conflict(f"member {member_id} has no closure in force")
        closure.reopened_at, closure.reopened_by = now, actor.id
        s.add(closure)
        s.add(Outbox(kind="account", member_id=member_id, created_at=now, payload={"action": "reopen"}))
        return 1, {"member": member_id, "closure": closure.id}

    return svc.perform(actor, "deletion.decide", change, target_type="member", target_id=member_id, reason=reason,
                       audit_action="account.reopen")


def verify(svc: Services, actor: Actor, case_id: int, extra: list[str] | None = None) -> dict[str, Any]:
    """The stored proof of the member's erasure, and a new search of the whole store (and the
    SQLite file) for any strings given now (e.g. the email from the member's letter; a phone
    number is looked for in any writing)."""
    svc.check(actor, "deletion.list", target_type="case", target_id=case_id)
    with svc.store.read() as s:
        req = _request_of(s, case_id)
        er = s.execute(select(Erasure).where(Erasure.member_id == req.member_id).order_by(Erasure.id.desc())).scalars().first()
        member = s.get(Member, req.member_id)
        result: dict[str, Any] = {"request": req.id, "member": req.member_id, "state": req.state,
                                  "erased": er is not None, "pseudonymised": bool(member and member.pseudonymised)}
        if er is not None:
            result["erased_at"], result["removed"], result["proof_at_erasure"] = er.at.isoformat(), er.removed, er.proof
        if er is None and member is not None:  # before approval: where the member's data are now
            result["search_now"] = erasure.search(s, erasure.personal_strings(s, member),
                                                  svc.store.engine.url.database if svc.store.is_sqlite else None, member.id)
        elif extra:
            given = [x for x in extra if len(x.strip()) >= erasure.MIN_STRING]
            phones = [p for x in given if len(re.sub(r"\D", "", x)) >= 8 and (p := erasure.phone_pattern(x))]
            result["search_now"] = erasure.search(s, {"given": given, "phone_pattern": phones},
                                                  svc.store.engine.url.database if svc.store.is_sqlite else None, req.member_id)
        now_clean = result.get("search_now", {}).get("clean", True)
        result["clean"] = bool(er is not None and (er.proof or {}).get("clean") and now_clean)
        return result


