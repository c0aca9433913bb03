"""The state of the shift, for seniors and admins: queue depths and SLA breaches over the last
hours, who holds which cases now, and handover notes from one shift to the next.

Depth at an instant t is the number of cases of the queue created at or before t and not
resolved by t; breached, those of them whose SLA was due by t. Both are computed for every
hour mark of the window in one grouped query (one pass over the cases that could count),
so the dashboard costs the same whether it is looked at every minute or once a shift.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from modconsole.errors import InvalidInput
from modconsole.schemas import HandoverPublic, ShiftDashboard

from . import auth
from .auth import Actor
from .models import Case, HandoverNote
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
        columns: list[Any] = [Case.queue]
        for t in marks:
            alive = and_(Case.created_at <= t, or_(Case.resolved_at.is_(None), Case.resolved_at > t))  # type: ignore[union-attr,operator]
            columns.append(func.sum(case((alive, 1), else_=0)))
            columns.append(func.sum(case((and_(alive, Case.sla_due_at <= t), 1), else_=0)))
        rows = s.execute(select(*columns).where(or_(Case.resolved_at.is_(None), Case.resolved_at > marks[0]))  # type: ignore[union-attr,operator]
                         .group_by(Case.queue)).all()
        visible = auth.visible_queues(actor.role)  # seniors never see the clinical team's deletion queue
        series: dict[str, dict[str, list[int]]] = {}
        for row in rows:
            if visible is not None and row[0] not in visible:
                continue
            values = [int(v or 0) for v in row[1:]]
            series[row[0]] = {"open": values[0::2], "breached": values[1::2]}
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


def _notes(svc: Services, s: Session) -> list[HandoverPublic]:
    rows = s.execute(select(HandoverNote).order_by(HandoverNote.id.desc()).limit(NOTES)).scalars().all()
    names = svc.staff_names(s, {r.staff_id for r in rows if r.staff_id})
    return [HandoverPublic(id=r.id or 0, author=names.get(r.staff_id or 0, "?"), at=r.at, body=r.body) for r in rows]


def handover(svc: Services, actor: Actor, body: str) -> HandoverPublic:
    """Leave a note for the next shift (seniors, admins; audited, the text is not in the audit)."""
    text = reason_text(body, "a handover note needs some text", limit=5000)

    def change(s: Session) -> tuple[HandoverPublic, dict[str, Any]]:
        row = HandoverNote(staff_id=actor.id, at=svc.now(), body=text)
        s.add(row)
        s.flush()
        return HandoverPublic(id=row.id or 0, author=actor.name, at=row.at, body=text), {"note_id": row.id}

    return svc.perform(actor, "shift.handover", change, target_type="shift")


