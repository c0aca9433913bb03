"""API bearer tokens: issued by an admin for a staff member or a service account, stored as
their SHA-256 (the token itself is shown once), with an expiry, revocable.

A forged, expired or revoked token, or one of a deactivated staff member, authenticates nobody,
and every one of them gets the same answer (`BAD_TOKEN`): a caller cannot tell which it was.
The kind is kept on the exception (`kind`) for the audit of failed authentications.

Deactivating a staff member revokes their live tokens in the deactivation's own transaction
(a listener on the ORM flush, below, so no way of deactivating can forget it): reactivating
them later brings none back, they need a new token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, event, inspect, select, update
from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound, Unauthenticated

from .auth import Actor
from .models import ApiToken, Staff
from .service import Services

PREFIX = "mct_"
DEFAULT_DAYS = 90
MAX_DAYS = 730
BAD_TOKEN = "a valid API token is needed (missing, unknown, expired or revoked): ask an admin for one"
KINDS = ("missing", "malformed", "unknown", "revoked", "expired", "deactivated")


def bad_token(kind: str) -> Unauthenticated:
    """The one refusal of every bad token; `kind` (one of KINDS) is for the audit, never the caller."""
    exc = Unauthenticated(BAD_TOKEN)
    exc.kind = kind  # type: ignore[attr-defined]
    return exc


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(svc: Services, actor: Actor, name: str, days: int = DEFAULT_DAYS) -> str:
    """A new token for staff member `name` (admin only); returns the token, shown this once."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a token lasts 1 to {MAX_DAYS} days (got {days})")
    token = PREFIX + secrets.token_urlsafe(32)

    def change(s: Session) -> tuple[str, dict[str, Any]]:
        staff = s.execute(select(Staff).where(Staff.name == name)).scalar()
        if staff is None:
            raise NotFound(f"no staff member named {name!r}")
        now = svc.now()
        row = ApiToken(staff_id=staff.id or 0, token_hash=digest(token), created_at=now, expires_at=now + timedelta(days=days))
        s.add(row)
        s.flush()
        return token, {"token_id": row.id, "staff_id": staff.id, "days": days}

    return svc.perform(actor, "staff.token", change, target_type="staff", target_id=name)


def revoke_all(svc: Services, actor: Actor, name: str) -> int:
    """Revoke every live token of staff member `name` (admin only); returns how many."""

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        staff = s.execute(select(Staff).where(Staff.name == name)).scalar()
        if staff is None:
            raise NotFound(f"no staff member named {name!r}")
        n = s.execute(
            update(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None)).values(revoked_at=svc.now())  # type: ignore[union-attr]
        ).rowcount
        return n, {"revoked": n}

    return svc.perform(actor, "staff.token", change, target_type="staff", target_id=name)


_BY_HASH = (
    select(ApiToken.revoked_at, ApiToken.expires_at, Staff.id, Staff.name, Staff.role, Staff.active)
    .join(Staff, Staff.id == ApiToken.staff_id)  # type: ignore[arg-type]
    .where(ApiToken.token_hash == bindparam("h"))
)


def authenticate(svc: Services, token: str | None) -> Actor:
    """The actor a bearer token stands for; otherwise `bad_token(kind)`: the same Unauthenticated
    whatever was wrong."""
    if not token:
        raise bad_token("missing")
    if not token.startswith(PREFIX) or len(token) > 200:
        raise bad_token("malformed")
    with svc.store.read_conn() as conn:  # Core: every API request passes here
        row = conn.execute(_BY_HASH, {"h": digest(token)}).first()
    if row is None:
        raise bad_token("unknown")
    revoked_at, expires_at, staff_id, name, role, active = row
    if revoked_at is not None:
        raise bad_token("revoked")
    if expires_at <= svc.now():
        raise bad_token("expired")
    if not active:
        raise bad_token("deactivated")
    return Actor(id=staff_id, name=name, role=role)


@event.listens_for(Session, "before_flush")
def _revoke_on_deactivation(session: Session, _context: Any, _instances: Any) -> None:
    """A Staff row whose `active` goes from true to false loses its live tokens, in the same
    transaction (revoked at the time of the deactivation). Costs nothing on the token check."""
    for obj in session.dirty:
        if not isinstance(obj, Staff) or obj.active or obj.id is None:
            continue
        history = inspect(obj).attrs.active.history
        if not history.deleted or not any(history.deleted):
            continue
        session.execute(  # the wall clock: the store's (a test's fixed clock) is not reachable from here
            update(ApiToken).where(ApiToken.staff_id == obj.id, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
            .values(revoked_at=datetime.now(UTC))
        )
