"""Staff members and the store's first admin.

Names (SPEC §1: who acted is shown in every history and audit entry, so a name must say one
person, unmistakably):
- a new name is 2 to 32 characters of lower-case ASCII letters, digits, '.', '_' and '-',
  starting with a letter or a digit (NAME_RULE): no capitals, spaces, control, bidi or
  zero-width characters, nothing that renders like another name in the console;
- names are unique without regard to case: `lea` is refused beside an existing `Lea` (stores
  made before this rule may hold mixed-case names, and even `Lea` beside `lea`; they keep
  working, nothing is renamed, but no new clash can be made);
- RESERVED names are refused: the names the history and the audit log show for automatic
  actions or for nobody (`system`, `nobody`, …), and the `erased-` prefix of the pseudonyms
  erasure gives members;
- a name is looked up exactly as written (`--as`, `staff token NAME`, …): `--as LEA` is
  nobody unless a staff member is literally called `LEA`, so changing the case never reaches
  someone else. Since new names are lower case, their exact lookup is the lower-case one.
"""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from modconsole.errors import Conflict, InvalidInput
from modconsole.schemas import StaffPublic

from . import audit
from .auth import Actor
from .models import ROLES, Staff
from .service import SYSTEM, Services

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
NAME_RULE = "2 to 32 lower-case letters a-z, digits, '.', '_' or '-', starting with a letter or a digit"
RESERVED = frozenset({SYSTEM.name, "nobody", "unknown", "anonymous", "automatic", "auto"})
RESERVED_PREFIXES = ("erased-",)


def to_public(staff: Staff) -> StaffPublic:
    assert staff.id is not None
    return StaffPublic(id=staff.id, name=staff.name, role=staff.role, active=staff.active, created_at=staff.created_at)


def _validate_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: one of {', '.join(ROLES)}")


def validate_name(name: str) -> None:
    """A new staff member's name (see the module docstring). Raises InvalidInput."""
    if not NAME_RE.fullmatch(name):
        hint = f" (use {name.lower()!r})" if NAME_RE.fullmatch(name.lower()) else ""
        raise InvalidInput(f"invalid staff name {name!r}: {NAME_RULE}{hint}")
    if name in RESERVED or name.startswith(RESERVED_PREFIXES):
        raise InvalidInput(
            f"invalid staff name {name!r}: reserved (the history uses {', '.join(sorted(RESERVED))} "
            f"and the {', '.join(p + '…' for p in RESERVED_PREFIXES)} pseudonyms for others)"
        )


def _validate(name: str, role: str) -> None:
    validate_name(name)
    _validate_role(role)


def _insert(session: Session, name: str, role: str, now) -> Staff:  # type: ignore[no-untyped-def]
    clash = session.exec(select(Staff.name).where(func.lower(Staff.name) == name.lower()).limit(1)).first()
    if clash is not None:
        same = "" if clash == name else f" ({clash!r}: names are unique without regard to case)"
        raise Conflict(f"a staff member named {name!r} already exists{same}")
    staff = Staff(name=name, role=role, created_at=now)
    session.add(staff)
    session.flush()
    return staff


def add(svc: Services, actor: Actor, name: str, role: str) -> StaffPublic:
    """Create a staff member (admin only). Raises Forbidden (audited; checked first, so a
    refusal does not depend on the name tried), InvalidInput, Conflict."""

    def change(session: Session) -> tuple[StaffPublic, dict]:
        _validate(name, role)
        staff = _insert(session, name, role, svc.now())
        return to_public(staff), {"staff_id": staff.id, "role": role}

    return svc.perform(actor, "staff.add", change, target_type="staff", target_id=name)


def _get(session: Session, name: str) -> Staff:
    from modconsole.errors import NotFound

    staff = session.exec(select(Staff).where(Staff.name == name)).first()
    if staff is None:
        raise NotFound(f"no staff member named {name!r} (see `modconsole staff list`)")
    return staff


def _other_active_admins(session: Session, staff: Staff) -> int:
    return len(session.exec(select(Staff.id).where(Staff.role == "admin", Staff.active.is_(True), Staff.id != staff.id)).all())  # type: ignore[attr-defined]


def set_role(svc: Services, actor: Actor, name: str, role: str) -> StaffPublic:
    """Change a staff member's role (admin). The last active admin keeps the role; a service
    account (platform) and staff do not change into each other. Raises Conflict, NotFound.
    The name is an existing one (looked up as written), so only the role is validated."""
    _validate_role(role)

    def change(session: Session) -> tuple[StaffPublic, dict]:
        staff = _get(session, name)
        if staff.role == role:
            raise Conflict(f"{name} is already {role}")
        if (staff.role == "platform") != (role == "platform"):
            raise Conflict("a service account and a staff member are different things: add a new one instead")
        if staff.role == "admin" and _other_active_admins(session, staff) == 0:
            raise Conflict(f"{name} is the last active admin: make another admin first")
        before, staff.role = staff.role, role
        session.add(staff)
        return to_public(staff), {"staff_id": staff.id, "from": before, "to": role}

    return svc.perform(actor, "staff.add", change, target_type="staff", target_id=name, audit_action="staff.role")


def set_active(svc: Services, actor: Actor, name: str, active: bool) -> StaffPublic:
    """Deactivate (their tokens stop working at once, `--as` refuses them, their claims lapse
    with their leases) or reactivate a staff member (admin). The last active admin stays."""

    def change(session: Session) -> tuple[StaffPublic, dict]:
        staff = _get(session, name)
        if staff.active == active:
            raise Conflict(f"{name} is already {'active' if active else 'deactivated'}")
        if not active and staff.role == "admin" and _other_active_admins(session, staff) == 0:
            raise Conflict(f"{name} is the last active admin: make another admin first")
        if not active and staff.id == actor.id:
            raise Conflict("you cannot deactivate yourself")
        staff.active = active
        session.add(staff)
        return to_public(staff), {"staff_id": staff.id, "active": active}

    return svc.perform(actor, "staff.add", change, target_type="staff", target_id=name,
                       audit_action="staff.activate" if active else "staff.deactivate")


def public_of(svc: Services, actor: Actor) -> StaffPublic:
    """The acting staff member as interfaces show it. Raises NotFound."""
    from modconsole.errors import NotFound

    with svc.store.read() as s:
        row = s.get(Staff, actor.id)
        if row is None:
            raise NotFound(f"no staff member {actor.name!r}")
        return to_public(row)


def list_all(svc: Services, actor: Actor) -> list[StaffPublic]:
    svc.check(actor, "staff.list")
    with svc.store.read() as s:
        return [to_public(st) for st in s.exec(select(Staff).order_by(Staff.name)).all()]


def ensure_admin(svc: Services, name: str) -> tuple[StaffPublic, bool]:
    """`init --admin NAME`: make sure an admin of that name exists; returns it and whether it was created.

    Creating the first admin has no acting staff member; the audit entry names `system`.
    An existing staff member of that name who is not an admin is an error, not a promotion.
    """
    with svc.store.write() as session:
        existing = session.exec(select(Staff).where(Staff.name == name)).first()
        if existing is not None:  # an existing name stays valid, even one made before the name rule
            if existing.role != "admin":
                raise Conflict(f"{name!r} already exists with role {existing.role}; choose another admin name")
            return to_public(existing), False
        validate_name(name)
        admins = session.exec(select(Staff.name).where(Staff.role == "admin")).all()
        if admins:  # `init` makes the first admin only; later ones are added by an admin, audited
            raise Conflict(
                f"the store already has admins ({', '.join(sorted(admins)[:5])}); "
                f"an admin adds another with `modconsole --as ADMIN staff add {name} --role admin`"
            )
        staff = _insert(session, name, "admin", svc.now())
        svc.store.lock_audit_chain(session)
        audit.append(
            session, at=svc.now(), staff_id=None, staff_name=SYSTEM.name, role=SYSTEM.role, action="staff.add",
            target_type="staff", target_id=name, detail={"staff_id": staff.id, "role": "admin", "via": "init"},
        )
        return to_public(staff), True
