"""API bearer tokens: issued by an admin for a staff member or a service account, stored as
their SHA-256 (the token itself is shown once), with an expiry, revocable.

A forged, expired or revoked token, or one of a deactivated staff member, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound, Unauthenticated

from .auth import Actor
from .models import ApiToken, Staff
from .service import Services

PREFIX = "mct_"
DEFAULT_DAYS = 90
MAX_DAYS = 730


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
    """The actor a bearer token stands for; Unauthenticated otherwise (nothing else is said)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        raise Unauthenticated("missing or malformed token")
    with svc.store.read_conn() as conn:  # Core: every API request passes here
        row = conn.execute(_BY_HASH, {"h": digest(token)}).first()
    if row is None:
        raise Unauthenticated("unknown token")
    revoked_at, expires_at, staff_id, name, role, active = row
    if revoked_at is not None:
        raise Unauthenticated("this token was revoked")
    if expires_at <= svc.now():
        raise Unauthenticated("this token has expired")
    if not active:
        raise Unauthenticated("this staff member is deactivated")
    return Actor(id=staff_id, name=name, role=role)
