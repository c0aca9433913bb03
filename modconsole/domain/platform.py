"""What the platform reads back (SPEC §6): a member's effective status, and the outbox.

Effective status is derived from the sanctions in force at the instant asked, so expiry needs
no job:
- ban: cannot log in, post, comment or message;
- mute ("tonneau"): cannot post or comment; may still message members it already talked with;
- comment_mute ("tonnelet"): cannot comment; everything else works;
- no_contact: cannot message (nor comment on, reply to or mention) the other member;
- warning: no effect;
- a temporary closure (a deletion request decided by the clinical team): like a ban, until
  its end or until reopened; `closed` says so.
The outbox is read in id order after a cursor and acknowledged by id, so the platform can
retry safely: an item stays unacknowledged (and is read again) until it says it was carried out.
Its kinds:
- `message`: a text to deliver to `member` (payload: template, lang, body; a sanction's or an
  appeal's notice carries its statement of reasons);
- `content`: something to do with `content` (payload `action`: hide, remove, restore,
  hide_until_edited — shown again when the member edits the personal details out — or show);
- `sanction`: a sanction to enforce or to stop enforcing (payload: sanction_id, action apply
  or lift, kind, other member, ends_at). The effective status says the same at any instant.

The platform account gets what it enforces, never staff text (SPEC §1: it reads no case, note
or audit entry): in the status, each sanction in force as `EnforcedSanction` (id, kind, times,
other member, house rule, the statement of reasons the member was sent), without the staff's
reason, lift reason, case id or who decided; in the outbox, only the payload keys of
`PLATFORM_KEYS` (the message bodies it delivers stay, the case ids do not). To appeal, the
platform names the sanction id it got, or the content id of a hide or removal. Staff roles
(and an admin reading the outbox) see everything as before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound
from modconsole.schemas import EffectiveStatus, OutboxItem

from . import deletion, sanctions
from .auth import Actor
from .models import Content, Member, NoContactOrder, Outbox
from .service import Services

MAX_OUTBOX_PAGE = 1000

# What the platform account reads of an outbox payload (SPEC §1: it may not read cases, notes or
# the audit log): what to deliver or carry out, and the ids it refers to things by. Anything
# else a payload holds (the case id, for staff tracing the item back) is staff-only; an admin
# reading the outbox sees the payload whole. A new payload key reaches the platform only once
# it is listed here (tests/contract/test_platform_view.py checks every kind of item).
PLATFORM_KEYS = frozenset({
    "template", "lang", "body", "as_other_member",  # message: what to deliver, in which language
    "action", "until", "why",  # content / account / sanction: what to do (why: "lifted" | "appeal")
    "sanction_id", "kind", "other", "ends_at",  # sanction: what to enforce, and its id (named in appeals)
    "appeal", "appeals", "request",  # the platform's own ids of the appeal or deletion request
})


def _have_talked(s: Session, a: str, b: str) -> bool:
    row = s.execute(
        select(Content.id).where(
            Content.kind == "message",
            or_(and_(Content.author_id == a, Content.recipient_id == b), and_(Content.author_id == b, Content.recipient_id == a)),
        ).limit(1)
    ).first()
    return row is not None


def status(svc: Services, actor: Actor, member_id: str, at: datetime | None = None, with_member: str | None = None) -> EffectiveStatus:
    """Raises NotFound, Forbidden (audited)."""
    svc.check(actor, "member.status", target_type="member", target_id=member_id)
    when = at or svc.now()
    with svc.store.read() as s:
        if s.get(Member, member_id) is None:
            raise NotFound(f"no member {member_id}")
        if with_member is not None and s.get(Member, with_member) is None:
            raise NotFound(f"no member {with_member}")
        force = sanctions.in_force(s, member_id, when)
        kinds = {x.kind for x in force}
        closed = deletion.closed_at(s, member_id, when) is not None
        banned = "ban" in kinds or closed
        result = EffectiveStatus(
            member=member_id, at=when, can_login=not banned, can_post=not (banned or "mute" in kinds),
            can_comment=not (banned or kinds & {"mute", "comment_mute"}),
            in_force=[sanctions.to_enforced(x) if actor.role == "platform" else sanctions.to_public(x) for x in force],
            closed=closed,
        )
        if with_member is not None:
            a, b = sorted((member_id, with_member))
            ordered = s.execute(
                select(NoContactOrder.id).where(
                    NoContactOrder.member_a == a, NoContactOrder.member_b == b, NoContactOrder.starts_at <= when,
                    or_(NoContactOrder.lifted_at.is_(None), NoContactOrder.lifted_at > when),  # type: ignore[union-attr,operator]
                )
            ).first()
            can = not banned and ordered is None and ("mute" not in kinds or _have_talked(s, member_id, with_member))
            result.can_message, result.with_member = can, with_member
        return result


def outbox(svc: Services, actor: Actor, after: int = 0, limit: int = 100) -> list[OutboxItem]:
    """Unacknowledged items with an id above `after`, oldest first."""
    if not 1 <= limit <= MAX_OUTBOX_PAGE:
        raise InvalidInput(f"limit must be 1 to {MAX_OUTBOX_PAGE}")
    svc.check(actor, "outbox.read")
    with svc.store.read() as s:
        rows = s.execute(
            select(Outbox).where(Outbox.id > after, Outbox.acked_at.is_(None)).order_by(Outbox.id).limit(limit)  # type: ignore[union-attr,operator]
        ).scalars()
        view = platform_payload if actor.role == "platform" else (lambda p: p)
        return [OutboxItem(id=r.id or 0, kind=r.kind, member=r.member_id, content=r.content_id, payload=view(r.payload),
                           created_at=r.created_at) for r in rows]


def platform_payload(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """An outbox payload as the platform account reads it: only the keys in PLATFORM_KEYS."""
    if payload is None:
        return None
    return {k: v for k, v in payload.items() if k in PLATFORM_KEYS}


def acknowledge(svc: Services, actor: Actor, ids: list[int]) -> int:
    """Mark items carried out; returns how many were newly acknowledged (repeats are harmless)."""
    if not ids or len(ids) > MAX_OUTBOX_PAGE:
        raise InvalidInput(f"acknowledge 1 to {MAX_OUTBOX_PAGE} ids at a time")

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        n = s.execute(
            update(Outbox).where(Outbox.id.in_(ids), Outbox.acked_at.is_(None)).values(acked_at=svc.now())  # type: ignore[union-attr]
        ).rowcount
        return n, {"acknowledged": n, "first": min(ids), "last": max(ids)}

    return svc.perform(actor, "outbox.ack", change, target_type="outbox")
