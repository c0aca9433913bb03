"""Opening and joining cases from signals, in batches (used by ingest and by staff actions).

One open case per subject: the key `family:subject_type:subject_id` is unique while a case is
unresolved. The moderation queues share one family, so a post with a slur that later gets an
urgent report is one case, moved to the more urgent queue; deletion requests, appeals and
members' questions each keep cases of their own. An appeal's case is narrower still: one per
member and contested decision (`scope`, see `appeals`), so two appeals of one member on two
decisions are two cases, each decided on its own. A joining signal may raise the priority and
bring the SLA forward, never push it back. The SLA clock starts when the signal reaches the
console.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from .models import Case, CaseEvent, Signal
from .policy import ISOLATED_QUEUES, QUEUE_RANK, Policy

IN_CHUNK = 500
TOP_SIGNALS = 10  # kept on the case row, so the board needs one query per page


@dataclass(slots=True)
class SignalDraft:
    """A signal about to be stored: what it is about and why."""

    queue: str
    source: str
    severity: int
    subject_type: str  # content | member
    subject_id: str
    member_id: str | None
    detail: str | None = None
    content_id: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    matched: str | None = None
    ref: str | None = None
    scope: str | None = None  # narrows the subject's case to one matter (an appeal: what it contests)

    @property
    def open_key(self) -> str:
        family = self.queue if self.queue in ISOLATED_QUEUES else "mod"
        if self.scope is None:
            return f"{family}:{self.subject_type}:{self.subject_id}"
        return scoped_key(family, self.subject_type, self.subject_id, self.scope)


def scoped_key(family: str, subject_type: str, subject_id: str, scope: str) -> str:
    """The open key of one matter of a subject. The subject id is length-prefixed, since ids
    may hold ':' ("u1" contesting "sanction:5" must never share a key with a member "u1:sanction:5")."""
    return f"{family}:{subject_type}:{len(subject_id)}:{subject_id}:{scope}"


def appeal_scope(sanction_ref: str | None, case_ref: str | None) -> str:
    """What an appeal contests, as the platform named it: "sanction:<id>" (the sanction wins
    when both are given, as `appeals` reads it) or "case:<case or content id>", spaces around
    the id ignored. Appeals of one member with the same scope share their open case."""
    if sanction_ref is not None and sanction_ref.strip():
        return f"sanction:{sanction_ref.strip()}"
    return f"case:{(case_ref or '').strip()}"


@dataclass(slots=True)
class Applied:
    opened: int = 0
    joined: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # open key -> case id


def chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:  # type: ignore[type-arg]
    for i in range(0, len(items), size):
        yield items[i : i + size]


def summary_entry(signal_id: int, row: dict) -> dict:
    """A signal as the board shows it; never the matched member text."""
    span = [row["span_start"], row["span_end"]] if row.get("span_start") is not None else None
    at = row["created_at"]
    return {
        "id": signal_id, "source": row["source"], "category": row["category"], "severity": row["severity"],
        "detail": row["detail"], "content_id": row["content_id"], "span": span,
        "created_at": at.isoformat() if hasattr(at, "isoformat") else at,
    }


def top_signals(entries: list[dict]) -> list[dict]:
    """The most severe signals first, oldest first among equals, at most TOP_SIGNALS."""
    return sorted(entries, key=lambda e: (-e["severity"], e["id"]))[:TOP_SIGNALS]


def apply_signals(session: Session, drafts: list[SignalDraft], now: datetime, policy: Policy) -> Applied:
    """Store the drafts: each joins the open case of its subject or opens one. Returns counts.

    `joined` counts signals that reached a case which was already open before this call.
    """
    if not drafts:
        return Applied()
    by_key: dict[str, list[SignalDraft]] = {}
    for d in drafts:
        by_key.setdefault(d.open_key, []).append(d)

    existing: dict[str, Case] = {}
    keys = list(by_key)
    for part in chunks(keys):
        # FOR UPDATE (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes): concurrent batches
        # joining one case must not overwrite each other's priority, SLA or signal count.
        stmt = select(Case).where(Case.open_key.in_(part)).order_by(Case.id).with_for_update()  # type: ignore[union-attr]
        for case in session.execute(stmt).scalars():
            existing[case.open_key or ""] = case

    new_rows: list[dict] = []
    updates: list[dict] = []
    applied = Applied()
    for key, group in by_key.items():
        top = max(group, key=lambda d: (d.severity, -QUEUE_RANK.get(d.queue, 99)))
        best_queue = min((d.queue for d in group), key=lambda q: QUEUE_RANK.get(q, 99))
        severity = max(d.severity for d in group)
        due = min(now + policy.sla(d.queue) for d in group)
        case = existing.get(key)
        if case is None:
            applied.opened += 1
            new_rows.append(
                {
                    "queue": best_queue, "state": "open", "active": True, "priority": severity,
                    "subject_type": top.subject_type, "subject_id": top.subject_id,
                    "member_id": next((d.member_id for d in group if d.member_id), None),
                    "open_key": key, "created_at": now, "updated_at": now, "sla_due_at": due,
                    "signal_count": len(group),
                }
            )
        else:
            applied.joined += len(group)
            queue = min((case.queue, best_queue), key=lambda q: QUEUE_RANK.get(q, 99))
            updates.append(
                {
                    "b_id": case.id, "b_queue": queue, "b_priority": max(case.priority, severity),
                    "b_due": min(case.sla_due_at, due), "b_now": now,
                    "b_count": case.signal_count + len(group),
                    "b_member": case.member_id or next((d.member_id for d in group if d.member_id), None),
                }
            )

    ids: dict[str, int] = {k: c.id for k, c in existing.items() if c.id is not None}
    table = Case.__table__  # type: ignore[attr-defined]
    if new_rows:
        result = session.execute(
            insert(table).returning(table.c.id, table.c.open_key, sort_by_parameter_order=True), new_rows
        )
        for case_id, key in result:
            ids[key] = case_id
    signal_rows = []
    event_rows = []
    for key, group in by_key.items():
        case_id = ids[key]
        for d in group:
            signal_rows.append(
                {
                    "case_id": case_id, "source": d.source, "category": d.queue, "severity": d.severity,
                    "detail": (d.detail or "")[:200] or None, "content_id": d.content_id,
                    "span_start": d.span_start, "span_end": d.span_end,
                    "matched": d.matched[:400] if d.matched else None, "ref": d.ref, "created_at": now,
                }
            )
        event_rows.append(
            {
                "case_id": case_id, "at": now, "staff_id": None,
                "action": "joined" if key in existing else "opened",
                "detail": {"signals": len(group), "sources": sorted({d.source for d in group})},
            }
        )
    sig = Signal.__table__  # type: ignore[attr-defined]
    signal_ids = session.execute(insert(sig).returning(sig.c.id, sort_by_parameter_order=True), signal_rows).scalars().all()
    session.execute(insert(CaseEvent.__table__), event_rows)  # type: ignore[attr-defined]

    fresh: dict[int, list[dict]] = {}
    for sid, row in zip(signal_ids, signal_rows, strict=True):
        fresh.setdefault(row["case_id"], []).append(summary_entry(sid, row))
    by_id = {u["b_id"]: u for u in updates}
    for row in new_rows:
        case_id = ids[row["open_key"]]
        by_id[case_id] = {
            "b_id": case_id, "b_queue": row["queue"], "b_priority": row["priority"], "b_due": row["sla_due_at"],
            "b_now": now, "b_count": row["signal_count"], "b_member": row["member_id"],
        }
    old_tops = {c.id: c.top_signals or [] for c in existing.values()}
    for case_id, u in by_id.items():
        u["b_top"] = top_signals(old_tops.get(case_id, []) + fresh.get(case_id, []))
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            queue=bindparam("b_queue"), priority=bindparam("b_priority"), sla_due_at=bindparam("b_due"),
            updated_at=bindparam("b_now"), signal_count=bindparam("b_count"), member_id=bindparam("b_member"),
            top_signals=bindparam("b_top"),
        ),
        list(by_id.values()),
    )
    applied.ids = ids
    return applied
