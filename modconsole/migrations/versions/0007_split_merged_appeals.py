"""Each appeal its own case: split appeal cases that carry several appeals (data only)

Before this revision every appeal of a member joined the one open appeal case of that member
(open key `appeal:member:<member>`), whatever it contested; only the first appeal of the case
was ever decided, the others stayed pending for ever. From now on an appeal's case is keyed by
the member and what the appeal names (`casework.appeal_scope`), and this migration brings an
existing store there:

- an open appeal case keeps the appeals contesting the same thing as its oldest appeal (the
  first to reach the console), and its open key becomes theirs;
- every other pending appeal (of an open case contesting something else, or left pending on a
  case already decided) moves to the open case of what it contests: a new `appeal` case, as
  ingest opens one (subject the member, priority of its signals, signal count and summary,
  an "opened" history entry, `created_at` when the appeal reached the console), whose SLA is the
  one of the case it came from (the member has waited since then); or, when another appeal on
  the same thing has already been moved, that case (a "joined" entry, the SLA brought forward
  if need be, never pushed back);
- the appeal's signal (ref `appeal:<id>`) moves with it (one is written if it is missing), the
  case it left gets a "split" history entry naming the appeals and their new cases, and the
  signal counts and summaries of both cases are counted again.

Decided appeals stay where they are. Nothing else changes (no audit entry: this is the
store's own repair, recorded in the cases' history). Downgrade leaves the split cases as they
are: the older code reads them as ordinary appeal cases.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TOP_SIGNALS = 10
FAR = datetime.max.replace(tzinfo=UTC)

case_t = sa.table(
    'moderation_case',
    sa.column('id', sa.Integer), sa.column('queue', sa.String), sa.column('state', sa.String),
    sa.column('active', sa.Boolean), sa.column('priority', sa.Integer), sa.column('subject_type', sa.String),
    sa.column('subject_id', sa.String), sa.column('member_id', sa.String), sa.column('open_key', sa.String),
    sa.column('created_at', UTCDateTime), sa.column('updated_at', UTCDateTime), sa.column('sla_due_at', UTCDateTime),
    sa.column('signal_count', sa.Integer), sa.column('top_signals', sa.JSON),
)
appeal_t = sa.table(
    'appeal',
    sa.column('id', sa.String), sa.column('member_id', sa.String), sa.column('sanction_ref', sa.String),
    sa.column('case_ref', sa.String), sa.column('state', sa.String), sa.column('created_at', UTCDateTime),
    sa.column('case_id', sa.Integer),
)
signal_t = sa.table(
    'signal',
    sa.column('id', sa.Integer), sa.column('case_id', sa.Integer), sa.column('source', sa.String),
    sa.column('category', sa.String), sa.column('severity', sa.Integer), sa.column('detail', sa.String),
    sa.column('content_id', sa.String), sa.column('span_start', sa.Integer), sa.column('span_end', sa.Integer),
    sa.column('matched', sa.String), sa.column('ref', sa.String), sa.column('created_at', UTCDateTime),
)
event_t = sa.table(
    'case_event',
    sa.column('id', sa.Integer), sa.column('case_id', sa.Integer), sa.column('at', UTCDateTime),
    sa.column('staff_id', sa.Integer), sa.column('action', sa.String), sa.column('detail', sa.JSON),
)


def _key(member: str, sanction_ref: str | None, case_ref: str | None) -> str:
    """The open key ingest gives an appeal from this revision on (kept here as it was written,
    so that later changes to the code do not change what this migration did)."""
    if sanction_ref is not None and sanction_ref.strip():
        scope = f"sanction:{sanction_ref.strip()}"
    else:
        scope = f"case:{(case_ref or '').strip()}"
    return f"appeal:member:{len(member)}:{member}:{scope}"


def _summary(row: Any) -> dict[str, Any]:
    span = [row.span_start, row.span_end] if row.span_start is not None else None
    return {
        "id": row.id, "source": row.source, "category": row.category, "severity": row.severity,
        "detail": row.detail, "content_id": row.content_id, "span": span,
        "created_at": row.created_at.isoformat() if row.created_at is not None else None,
    }


def _recount(conn: sa.Connection, case_id: int, now: datetime) -> None:
    rows = conn.execute(sa.select(signal_t).where(signal_t.c.case_id == case_id).order_by(signal_t.c.id)).all()
    top = sorted((_summary(r) for r in rows), key=lambda e: (-e["severity"], e["id"]))[:TOP_SIGNALS]
    values: dict[str, Any] = {"signal_count": len(rows), "top_signals": top, "updated_at": now}
    if rows:
        values["priority"] = max(r.severity for r in rows)
    conn.execute(sa.update(case_t).where(case_t.c.id == case_id).values(**values))


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    cases = {c.id: c for c in conn.execute(sa.select(case_t).where(case_t.c.queue == 'appeal'))}
    if not cases:
        return
    signals = {r.ref: r for r in conn.execute(
        sa.select(signal_t).where(signal_t.c.category == 'appeal', signal_t.c.ref.like('appeal:%')))}
    by_case: dict[int, list[Any]] = {}
    for a in conn.execute(sa.select(appeal_t).where(appeal_t.c.case_id.is_not(None))):
        if a.case_id in cases:
            by_case.setdefault(a.case_id, []).append(a)

    def arrival(a: Any) -> tuple[Any, ...]:  # the order the appeals reached the console
        sig = signals.get(f"appeal:{a.id}")
        return (sig.id if sig is not None else 2**62, a.created_at or FAR, a.id)

    open_at: dict[str, int] = {}  # open key -> the open appeal case carrying it
    moves: list[tuple[Any, int, str]] = []  # (appeal, the case it leaves, its key)
    for case_id in sorted(by_case, key=lambda cid: (not cases[cid].active, cid)):  # open cases first: they keep their keys
        case = cases[case_id]
        carried = sorted(by_case[case_id], key=arrival)
        keep = _key(carried[0].member_id, carried[0].sanction_ref, carried[0].case_ref) if case.active else None
        if keep is not None and keep not in open_at:
            open_at[keep] = case_id
            if case.open_key != keep:
                conn.execute(sa.update(case_t).where(case_t.c.id == case_id).values(open_key=keep))
        else:
            keep = None
        for a in carried:
            k = _key(a.member_id, a.sanction_ref, a.case_ref)
            if a.state == 'pending' and k != keep:
                moves.append((a, case_id, k))

    left: dict[int, list[tuple[str, int]]] = {}
    touched: set[int] = set()
    for a, old_id, k in moves:
        old = cases[old_id]
        sig = signals.get(f"appeal:{a.id}")
        if sig is not None and sig.case_id != old_id:
            sig = None  # a signal of that name elsewhere is not this appeal's
        arrived = sig.created_at if sig is not None else (old.created_at or now)
        target = open_at.get(k)
        if target is None:
            target = conn.execute(sa.insert(case_t).values(
                queue='appeal', state='open', active=True, priority=sig.severity if sig is not None else 1,
                subject_type='member', subject_id=a.member_id, member_id=a.member_id, open_key=k,
                created_at=arrived, updated_at=now, sla_due_at=old.sla_due_at, signal_count=0, top_signals=[],
            ).returning(case_t.c.id)).scalar_one()
            open_at[k] = target
            action = 'opened'
        else:
            due = conn.execute(sa.select(case_t.c.sla_due_at).where(case_t.c.id == target)).scalar_one()
            if old.sla_due_at < due:
                conn.execute(sa.update(case_t).where(case_t.c.id == target).values(sla_due_at=old.sla_due_at))
            action = 'joined'
        conn.execute(sa.update(appeal_t).where(appeal_t.c.id == a.id).values(case_id=target))
        if sig is not None:
            conn.execute(sa.update(signal_t).where(signal_t.c.id == sig.id).values(case_id=target))
        else:
            what = f"contests sanction {a.sanction_ref}" if a.sanction_ref else f"contests case {a.case_ref}"
            conn.execute(sa.insert(signal_t).values(
                case_id=target, source='appeal', category='appeal', severity=1, detail=what[:200],
                ref=f"appeal:{a.id}"[:160], created_at=arrived))
        conn.execute(sa.insert(event_t).values(
            case_id=target, at=now, staff_id=None, action=action,
            detail={"signals": 1, "sources": ["appeal"], "split_from": old_id, "by": "migration 0007"}))
        left.setdefault(old_id, []).append((a.id, target))
        touched.update((old_id, target))
    for old_id, gone in left.items():
        conn.execute(sa.insert(event_t).values(
            case_id=old_id, at=now, staff_id=None, action='split',
            detail={"appeals": [aid for aid, _ in gone], "to": sorted({t for _, t in gone}), "by": "migration 0007"}))
    for case_id in sorted(touched):
        _recount(conn, case_id, now)


def downgrade() -> None:
    pass  # the split cases stay split (see the docstring)
