"""Sanctions (SPEC §4): who may apply which, and what is in force at an instant.

This module holds the rules the foundation needs (the role rules, in-force queries used by
ingest's evasion check and by the demo). Statements of reasons, the ladder, effective status
and lifting arrive with the sanctions issue.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from modconsole.errors import Forbidden, InvalidInput, NotFound
from modconsole.schemas import SanctionPublic

from .auth import Actor
from .models import Case, Member, NoContactOrder, Outbox, Sanction
from .service import Services

KINDS = ("warning", "comment_mute", "mute", "ban", "no_contact")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_TEMPORARY = timedelta(days=365)


def parse_duration(text: str | None) -> timedelta | None:
    """'72h', '7d', '30m', '2w' to a timedelta; 'permanent' (or None) to None. Raises InvalidInput."""
    if text is None or text.strip().lower() in ("permanent", "perm", "forever"):
        return None
    m = _DURATION.match(text.lower())
    if not m or int(m.group(1)) <= 0:
        raise InvalidInput(f"not a duration: {text!r} (use e.g. 24h, 72h, 7d, 30d or permanent)")
    span = timedelta(**{_UNITS[m.group(2)]: min(int(m.group(1)), 10**7)})
    if span > MAX_TEMPORARY:
        raise InvalidInput(f"{text!r} is longer than {MAX_TEMPORARY.days} days: a longer sanction is a permanent one")
    return span


def to_public(s: Sanction) -> SanctionPublic:
    return SanctionPublic(
        id=s.id or 0, member=s.member_id, kind=s.kind, other_member=s.other_member_id, starts_at=s.starts_at,
        ends_at=s.ends_at, reason=s.reason, case_id=s.case_id, lifted_at=s.lifted_at,
    )


def in_force(session: Session, member_id: str, at: datetime) -> list[Sanction]:
    return list(
        session.execute(
            select(Sanction).where(
                Sanction.member_id == member_id, Sanction.lifted_at.is_(None), Sanction.starts_at <= at,  # type: ignore[union-attr]
                or_(Sanction.ends_at.is_(None), Sanction.ends_at > at),  # type: ignore[union-attr,operator]
            )
        ).scalars()
    )


def apply(
    svc: Services, actor: Actor, *, member: str, kind: str, duration: str | None, reason: str,
    other: str | None = None, case_id: int | None = None,
) -> SanctionPublic:
    """Apply a sanction. Moderators: warning, comment_mute, mute, temporary ban; seniors and
    admins also permanent bans and no-contact orders. Raises Forbidden, InvalidInput, NotFound."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown sanction {kind!r}: one of {', '.join(KINDS)}")
    if not (reason or "").strip():
        raise InvalidInput("a sanction needs a reason")
    span = None if kind in ("warning", "no_contact") else parse_duration(duration)
    if kind in ("comment_mute", "mute") and span is None:
        raise InvalidInput(f"a {kind} needs a duration (e.g. 24h, 72h, 7d)")
    if kind == "no_contact" and not other:
        raise InvalidInput("a no-contact order needs the other member (--other)")

    def change(s: Session) -> tuple[SanctionPublic, dict[str, Any]]:
        if actor.role == "moderator" and kind == "ban" and span is None:
            raise Forbidden(f"{actor.name} (moderator) may not ban permanently: a senior decides permanent bans")
        if actor.role == "moderator" and kind == "no_contact":
            raise Forbidden(f"{actor.name} (moderator) may not issue a no-contact order: a senior decides them")
        if s.get(Member, member) is None:
            raise NotFound(f"no member {member}")
        if other is not None and s.get(Member, other) is None:
            raise NotFound(f"no member {other}")
        if case_id is not None and s.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id}")
        now = svc.now()
        row = Sanction(
            member_id=member, kind=kind, other_member_id=other, starts_at=now,
            ends_at=None if span is None else now + span, reason=reason.strip(), case_id=case_id,
            created_by=actor.id, created_at=now,
        )
        s.add(row)
        s.flush()
        if kind == "no_contact" and other:
            a, b = sorted((member, other))
            s.add(NoContactOrder(member_a=a, member_b=b, sanction_id=row.id, starts_at=now))
        s.add(Outbox(kind="sanction", member_id=member, created_at=now, payload={
            "sanction_id": row.id, "kind": kind, "other": other,
            "ends_at": row.ends_at.isoformat() if row.ends_at else None,
        }))
        return to_public(row), {"sanction_id": row.id, "kind": kind, "member": member, "other": other,
                                "ends_at": row.ends_at.isoformat() if row.ends_at else None, "case_id": case_id}

    return svc.perform(actor, "sanction.apply", change, target_type="member", target_id=member, reason=reason.strip())
