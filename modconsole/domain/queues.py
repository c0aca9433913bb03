"""Reading the queues: ordered, filtered and paged in SQL — nothing loads a whole queue.

Order: breached cases first, then the rest; within each, higher priority first, then the SLA
closest to running out. Priorities are few (1–4), so the listing walks up to eight index
ranges — (breached?, priority) — each an ordered, LIMITed range scan on
`(queue, active, priority, sla_due_at)`: the top 50 of a million cases costs what it costs of ten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from modconsole.errors import InvalidInput
from modconsole.schemas import CasePublic, QueueCount, SignalPublic

from .models import CASE_STATES, QUEUES, Case, Signal, Staff

PRIORITIES = (4, 3, 2, 1)


def effective_state(case: Case, now: datetime) -> str:
    """resolved, claimed (a lease that has not run out), escalated or open."""
    if not case.active:
        return "resolved"
    if case.claimed_by is not None and case.claim_expires_at is not None and case.claim_expires_at > now:
        return "claimed"
    return case.state


def _live_claim(now: datetime) -> ColumnElement[bool]:
    return and_(Case.claimed_by.is_not(None), Case.claim_expires_at > now)  # type: ignore[union-attr,operator]


def state_filter(state: str, now: datetime) -> ColumnElement[bool]:
    if state not in CASE_STATES:
        raise InvalidInput(f"unknown state {state!r}: one of {', '.join(CASE_STATES)}")
    if state == "resolved":
        return Case.active.is_(False)  # type: ignore[attr-defined]
    if state == "claimed":
        return and_(Case.active.is_(True), _live_claim(now))  # type: ignore[attr-defined]
    return and_(Case.active.is_(True), Case.state == state, ~_live_claim(now))  # type: ignore[attr-defined]


def _scope(queue: str | None, visible: frozenset[str] | None, escalated_to: str | None = None) -> list[ColumnElement[bool]]:
    if queue is not None:
        if queue not in QUEUES:
            raise InvalidInput(f"unknown queue {queue!r}: one of {', '.join(QUEUES)}")
        if visible is not None and queue not in visible and escalated_to:
            return [Case.queue == queue, Case.escalated_to == escalated_to]
        return [Case.queue == queue]
    if visible is None:
        return []
    if escalated_to:
        return [or_(Case.queue.in_(sorted(visible)), Case.escalated_to == escalated_to)]  # type: ignore[attr-defined]
    return [Case.queue.in_(sorted(visible))]  # type: ignore[attr-defined]


def list_cases(
    session: Session,
    now: datetime,
    *,
    queue: str | None = None,
    state: str | None = None,
    visible: frozenset[str] | None = None,
    member: str | None = None,
    limit: int = 50,
    offset: int = 0,
    escalated_to: str | None = None,
    claimed_by: int | None = None,
) -> list[Case]:
    """Cases in board order. `limit=0` means all (streamed in pages by the caller's choice)."""
    if limit < 0 or offset < 0:
        raise InvalidInput("limit and offset must be zero or more")
    scope = _scope(queue, visible, escalated_to)
    if member is not None:
        scope.append(Case.member_id == member)
    if claimed_by is not None:
        scope.append(Case.claimed_by == claimed_by)
    if state == "resolved":
        stmt = select(Case).where(*scope, state_filter("resolved", now)).order_by(Case.resolved_at.desc(), Case.id.desc())  # type: ignore[union-attr]
        stmt = stmt.offset(offset)
        if limit:
            stmt = stmt.limit(limit)
        return list(session.execute(stmt).scalars())
    extra = [state_filter(state, now)] if state else []
    want = limit or None
    out: list[Case] = []
    skip = offset
    for breached in (True, False):
        for priority in PRIORITIES:
            due = Case.sla_due_at < now if breached else Case.sla_due_at >= now
            where = [*scope, Case.active.is_(True), Case.priority == priority, due, *extra]  # type: ignore[attr-defined]
            if skip:
                count = session.execute(select(func.count()).select_from(Case).where(*where)).scalar_one()
                if count <= skip:
                    skip -= count
                    continue
            stmt = select(Case).where(*where).order_by(Case.sla_due_at, Case.id).offset(skip)
            skip = 0
            if want is not None:
                stmt = stmt.limit(want - len(out))
            out.extend(session.execute(stmt).scalars())
            if want is not None and len(out) >= want:
                return out
    return out


def counts(
    session: Session, now: datetime, visible: frozenset[str] | None, escalated_to: str | None = None
) -> list[QueueCount]:
    """Unresolved and breached cases per queue the role can see (with the escalations it receives)."""
    scope = _scope(None, visible, escalated_to)
    rows = session.execute(
        select(Case.queue, func.count(), func.sum(sql_case((Case.sla_due_at < now, 1), else_=0)))
        .where(Case.active.is_(True), *scope)  # type: ignore[attr-defined]
        .group_by(Case.queue)
    ).all()
    found = {q: (n, int(b or 0)) for q, n, b in rows}
    queues = [q for q in QUEUES if visible is None or q in visible or q in found]
    return [QueueCount(queue=q, open=found.get(q, (0, 0))[0], breached=found.get(q, (0, 0))[1]) for q in queues]


def staff_names(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(select(Staff.id, Staff.name)).all()}


def signal_public(sig: Signal) -> SignalPublic:
    span = (sig.span_start, sig.span_end) if sig.span_start is not None and sig.span_end is not None else None
    return SignalPublic(
        id=sig.id or 0, source=sig.source, category=sig.category, severity=sig.severity,
        detail=sig.detail, content_id=sig.content_id, span=span, created_at=sig.created_at,
    )


def case_public(case: Case, now: datetime, names: dict[int, str], signals: list[Signal] | None = None) -> CasePublic:
    """The case as interfaces see it; without `signals`, the summary kept on the row."""
    state = effective_state(case, now)
    listed = [signal_public(s) for s in signals] if signals is not None else [
        SignalPublic.model_validate(e) for e in (case.top_signals or [])
    ]
    return CasePublic(
        id=case.id or 0, queue=case.queue, state=state, priority=case.priority,
        subject_type=case.subject_type, subject_id=case.subject_id, member=case.member_id,
        signals=listed,
        created_at=case.created_at, sla_due_at=case.sla_due_at,
        breached=case.active and case.sla_due_at < now,
        claimed_by=names.get(case.claimed_by) if state == "claimed" and case.claimed_by else None,
        claim_expires_at=case.claim_expires_at if state == "claimed" else None,
        escalated_to=case.escalated_to, resolution=case.resolution,
    )


def publics(session: Session, cases: list[Case], now: datetime, names: dict[int, str] | None = None) -> list[CasePublic]:
    names = names if names is not None else staff_names(session)
    return [case_public(c, now, names) for c in cases]
