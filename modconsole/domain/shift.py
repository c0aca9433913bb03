"""The state of the shift, for seniors and admins: queue depths and SLA breaches over the last
hours, who holds which cases now, and handover notes from one shift to the next.

Depth at an instant t is the number of cases of the queue created at or before t and not
resolved by t; breached, those of them whose SLA was due by t. With a million cases, most of
them unresolved, evaluating that per case and per hour mark takes seconds, so each mark's
figures are put together from index range counts (`ix_case_shift`, `ix_case_queue_breach`):

    open(t)     = unresolved − unresolved created after t + resolved after t, created by t
    breached(t) = unresolved due by t − unresolved created after t, due by t
                  + resolved after t, created and due by t

where "unresolved" counts the cases not resolved now (`resolved_at` unset, which every write
keeps equal to `active`). Only the unresolved count reads every unresolved case; the other
terms read the cases created, due or resolved in the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from modconsole.errors import InvalidInput
from modconsole.schemas import HandoverPublic, ShiftDashboard

from . import auth
from .auth import Actor
from .models import QUEUES, Case, HandoverNote
from .service import Services, reason_text

MAX_HOURS = 72
NOTES = 10


def dashboard(svc: Services, actor: Actor, hours: int = 12) -> ShiftDashboard:
    """Raises Forbidden (audited) for moderators, clinical staff and the platform."""
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"hours must be 1 to {MAX_HOURS}")
    svc.check(actor, "shift.view")
    now = svc.now()
    marks = [now - timedelta(hours=h) for h in range(hours, -1, -1)]
    with svc.store.read() as s:
        counts = _series(s, marks)
        visible = auth.visible_queues(actor.role)  # seniors never see the clinical team's deletion queue
        series: dict[str, dict[str, list[int]]] = {}
        for queue, values in counts.items():
            if visible is not None and queue not in visible:
                continue
            series[queue] = values
        held = s.execute(select(Case.claimed_by, Case.id, Case.queue).where(
            Case.active.is_(True), Case.claimed_by.is_not(None), Case.claim_expires_at > now)  # type: ignore[attr-defined,union-attr,operator]
            .order_by(Case.claimed_by, Case.id)).all()
        names = svc.staff_names(s, {h[0] for h in held})
        holders: dict[str, list[dict[str, Any]]] = {}
        for staff_id, case_id, queue in held:
            if visible is not None and queue not in visible:
                continue
            holders.setdefault(names.get(staff_id, f"staff #{staff_id}"), []).append({"case": case_id, "queue": queue})
        notes = _notes(svc, s)
    return ShiftDashboard(at=now, hours=marks, series=dict(sorted(series.items())), holders=holders, notes=notes)


def _series(s: Session, marks: list[datetime]) -> dict[str, dict[str, list[int]]]:
    """Per queue with a case that counts in the window, its open and breached counts at each mark."""
    in_queues = Case.queue.in_(QUEUES)  # type: ignore[attr-defined]
    unresolved = Case.resolved_at.is_(None)  # type: ignore[union-attr]

    def grouped(*columns: Any, where: list[Any]) -> dict[str, tuple[int, ...]]:
        rows = s.execute(select(Case.queue, *columns).where(in_queues, *where).group_by(Case.queue)).all()
        return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}

    open_now = {q: v[0] for q, v in grouped(func.count(), where=[unresolved]).items()}
    # unresolved cases created after each mark: counted between consecutive marks (each case
    # read once), then summed from the newest; and those of them already due by that mark
    # (due before they were created: none the domain makes, looked for all the same)
    created_between: list[dict[str, int]] = []
    for i, t in enumerate(marks):
        later = marks[i + 1] if i + 1 < len(marks) else None
        where = [unresolved, Case.created_at > t] + ([Case.created_at <= later] if later is not None else [])
        created_between.append({q: v[0] for q, v in grouped(func.count(), where=where).items()})
    # unresolved cases due by each mark: counted between consecutive marks, summed from the oldest
    due_between: list[dict[str, int]] = []
    for i, t in enumerate(marks):
        where = [Case.active.is_(True), Case.sla_due_at <= t] + ([Case.sla_due_at > marks[i - 1]] if i else [])  # type: ignore[attr-defined]
        due_between.append({q: v[0] for q, v in grouped(func.count(), where=where).items()})
    due_first = s.execute(select(Case.queue, Case.created_at, Case.sla_due_at).where(
        in_queues, unresolved, Case.created_at > marks[0], Case.sla_due_at < Case.created_at)).all()
    found = set(open_now)
    series: dict[str, dict[str, list[int]]] = {}
    for i, t in enumerate(marks):
        resolved_after = grouped(func.sum(case((Case.created_at <= t, 1), else_=0)),
                                 func.sum(case((and_(Case.created_at <= t, Case.sla_due_at <= t), 1), else_=0)),
                                 where=[Case.resolved_at > t])  # type: ignore[operator]
        if i == 0:
            found |= set(resolved_after)
        for queue in found:
            n_after = sum(between.get(queue, 0) for between in created_between[i:])
            due_after = sum(1 for q, created, due in due_first if q == queue and due <= t < created)
            alive_after, due_alive_after = resolved_after.get(queue, (0, 0))
            values = series.setdefault(queue, {"open": [], "breached": []})
            values["open"].append(open_now.get(queue, 0) - n_after + alive_after)
            due_by = sum(between.get(queue, 0) for between in due_between[:i + 1])
            values["breached"].append(due_by - due_after + due_alive_after)
    return series


def _notes(svc: Services, s: Session) -> list[HandoverPublic]:
    rows = s.execute(select(HandoverNote).order_by(HandoverNote.id.desc()).limit(NOTES)).scalars().all()
    names = svc.staff_names(s, {r.staff_id for r in rows if r.staff_id})
    return [HandoverPublic(id=r.id or 0, author=names.get(r.staff_id or 0, "?"), at=r.at, body=r.body) for r in rows]


def handover(svc: Services, actor: Actor, body: str) -> HandoverPublic:
    """Leave a note for the next shift (moderators, seniors, admins; audited, the text is not in the audit)."""
    text = reason_text(body, "a handover note needs some text", limit=5000)

    def change(s: Session) -> tuple[HandoverPublic, dict[str, Any]]:
        row = HandoverNote(staff_id=actor.id, at=svc.now(), body=text)
        s.add(row)
        s.flush()
        return HandoverPublic(id=row.id or 0, author=actor.name, at=row.at, body=text), {"note_id": row.id}

    return svc.perform(actor, "shift.handover", change, target_type="shift")


