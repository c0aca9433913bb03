"""Staff names say one person, unmistakably (issue 14): unique without regard to case, none of the
names the history uses for automatic actions, nothing confusable in the console; `--as` finds a
name exactly as written, so a change of case never reaches someone else. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from modconsole.domain import cases, staff, tokens
from modconsole.domain.models import AuditEntry, Staff
from modconsole.domain.service import SYSTEM, Services
from modconsole.errors import Conflict, Forbidden, InvalidInput, NotFound

from .helpers import make_cases


def names(svc: Services) -> list[str]:
    with svc.store.read() as s:
        return sorted(s.execute(select(Staff.name)).scalars())


def legacy(svc: Services, name: str, role: str = "moderator") -> None:
    """A staff row as a store made before the name rule may hold it."""
    with svc.store.write() as s:
        s.execute(insert(Staff.__table__), [{"name": name, "role": role, "active": True,  # type: ignore[attr-defined]
                                              "created_at": datetime(2026, 1, 1, tzinfo=UTC)}])


@pytest.mark.parametrize("name", ["Lea", "LEA", "lEa"])
def test_a_name_differing_only_in_case_is_refused(svc: Services, name: str) -> None:
    before = names(svc)
    with pytest.raises(InvalidInput, match="lower-case") as refused:
        staff.add(svc, svc.actor("root"), name, "admin")
    assert "use 'lea'" in refused.value.message
    assert names(svc) == before


def test_a_new_name_clashing_with_an_old_mixed_case_one_is_refused(svc: Services) -> None:
    legacy(svc, "Marc")
    with pytest.raises(Conflict, match="'Marc': names are unique without regard to case"):
        staff.add(svc, svc.actor("root"), "marc", "moderator")
    assert names(svc).count("marc") == 0


@pytest.mark.parametrize("name", [
    SYSTEM.name, "nobody", "unknown", "anonymous", "automatic", "auto",  # what the history shows for no one
    "erased-0123456789", "erased-lea",  # a member's pseudonym after erasure
])
def test_reserved_names_are_refused(svc: Services, name: str) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        staff.add(svc, svc.actor("root"), name, "moderator")
    assert name not in names(svc)


@pytest.mark.parametrize("name", [
    " lea", "lea ", "le a", "lea\t", "l\u200bea", "le\u202ea", "lea\u200f", "l\x1bea", "l\x00ea", "léa", "ⅼea",
    "x", "a" * 33, "-lea", ".lea", "_lea", "", "lea/root", "lea@x", "[b]lea[/b]",
])
def test_confusable_names_are_refused_naming_the_rule(svc: Services, name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        staff.add(svc, svc.actor("root"), name, "moderator")
    assert refused.value.message.startswith("invalid staff name") and "2 to 32 lower-case letters a-z" in refused.value.message
    assert name not in names(svc)


@pytest.mark.parametrize("name", ["zoe", "dr.martin", "jean-luc", "m_2", "ab", "a" * 32, "7eleven"])
def test_plain_names_are_accepted(svc: Services, name: str) -> None:
    assert staff.add(svc, svc.actor("root"), name, "moderator").name == name


def test_a_refusal_for_the_role_comes_before_the_name_check(svc: Services) -> None:
    with pytest.raises(Forbidden):
        staff.add(svc, svc.actor("lea"), "system", "admin")
    with svc.store.read() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    assert (last.action, last.outcome, last.staff_name) == ("staff.add", "refused", "lea")


def test_acting_as_a_name_in_another_case_is_nobody(svc: Services) -> None:
    [cid] = make_cases(svc, 1)
    for as_name in ("LEA", "Lea", "ROOT"):
        with pytest.raises(NotFound, match="no staff member named"):
            svc.actor(as_name)
    with pytest.raises(NotFound):
        tokens.issue(svc, svc.actor("root"), "LEA")
    # an old store holding both `Lea` and `lea`: each name is its own person, exactly as written
    legacy(svc, "Lea", "admin")
    assert (svc.actor("lea").role, svc.actor("Lea").role) == ("moderator", "admin")
    with pytest.raises(NotFound):
        svc.actor("LEA")
    assert cases.claim(svc, svc.actor("lea"), cid).claimed_by == "lea"


def test_old_names_keep_working(svc: Services) -> None:
    legacy(svc, "Marc")
    root = svc.actor("root")
    assert staff.set_role(svc, root, "Marc", "senior").role == "senior"
    assert staff.set_active(svc, root, "Marc", False).active is False
    assert svc.actor("lea").name == "lea"


def test_init_keeps_an_old_admin_and_refuses_a_new_bad_one(svc: Services) -> None:
    legacy(svc, "Alice", "admin")
    assert staff.ensure_admin(svc, "Alice") == (staff.to_public(next(
        r for r in _rows(svc) if r.name == "Alice")), False)
    with pytest.raises(InvalidInput, match="reserved"):
        staff.ensure_admin(svc, "system")


def _rows(svc: Services) -> list[Staff]:
    with svc.store.read() as s:
        rows = list(s.execute(select(Staff)).scalars())
        s.expunge_all()
        return rows
