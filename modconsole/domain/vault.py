"""The registration vault: members' email, real name and phone, apart from moderation data.

Only this module reads or writes the `registration` table. Ingest stores what the platform
sends; reading goes through `read`, for `clinical` and `admin` only, with a written reason,
and every read (and every refused attempt) is audited. The audit entry names the member and
the reason, never the data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from modconsole.errors import InvalidInput, NotFound
from modconsole.schemas import VaultRecord

from .auth import Actor
from .models import Member, Registration
from .service import Services


def store_registrations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace registration rows (ingest); a later event overrides an earlier one."""
    t = Registration.__table__  # type: ignore[attr-defined]
    latest = {r["member_id"]: r for r in rows}
    ids = list(latest)
    existing = set()
    for i in range(0, len(ids), 500):
        existing.update(session.execute(select(t.c.member_id).where(t.c.member_id.in_(ids[i : i + 500]))).scalars())
    new = [r for m, r in latest.items() if m not in existing]
    old = [{"b_" + k: v for k, v in r.items()} for m, r in latest.items() if m in existing]
    if new:
        session.execute(insert(t), new)
    if old:
        session.execute(
            update(t).where(t.c.member_id == bindparam("b_member_id"))
            .values(email=bindparam("b_email"), real_name=bindparam("b_real_name"), phone=bindparam("b_phone")),
            old,
        )


def read(svc: Services, actor: Actor, member_id: str, reason: str) -> VaultRecord:
    """A member's registration data, for clinical and admin staff, with a reason; audited."""
    if not (reason or "").strip():
        raise InvalidInput("reading the vault needs a reason (--reason TEXT)")

    def change(session: Session) -> tuple[VaultRecord, dict[str, Any]]:
        if session.get(Member, member_id) is None:
            raise NotFound(f"no member {member_id}")
        reg = session.get(Registration, member_id)
        record = VaultRecord(
            member=member_id, email=reg.email if reg else None, real_name=reg.real_name if reg else None,
            phone=reg.phone if reg else None,
        )
        return record, {"found": reg is not None}

    return svc.perform(actor, "vault.read", change, target_type="member", target_id=member_id, reason=reason.strip())
