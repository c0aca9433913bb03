"""The audit chain: every action appends, refusals too, and any tampering is found."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from modconsole.domain import audit, cases, staff
from modconsole.domain.models import AuditEntry
from modconsole.errors import Forbidden

from .helpers import make_cases


def _verify(svc):  # type: ignore[no-untyped-def]
    with svc.store.read() as s:
        return audit.verify(s)


def _entries(svc) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with svc.store.read() as s:
        return list(s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())


def test_actions_append_entries_that_verify(svc) -> None:  # type: ignore[no-untyped-def]
    before = len(_entries(svc))
    [case_id] = make_cases(svc, 1)
    lea = svc.actor("lea")
    cases.claim(svc, lea, case_id)
    cases.note(svc, lea, case_id, "looked at it")
    cases.resolve(svc, lea, case_id, "dismiss", reason="no violation")
    entries = _entries(svc)
    assert [e.action for e in entries[before:]] == ["case.claim", "case.note", "case.resolve"]
    assert all(e.staff_name == "lea" and e.role == "moderator" and e.outcome == "ok" for e in entries[before:])
    assert entries[-1].reason == "no violation"
    result = _verify(svc)
    assert result.ok and result.entries == len(entries) and result.head == entries[-1].hash


def test_refusal_is_audited_and_changes_nothing(svc) -> None:  # type: ignore[no-untyped-def]
    lea = svc.actor("lea")
    with pytest.raises(Forbidden):
        staff.add(svc, lea, "mallory", "admin")
    last = _entries(svc)[-1]
    assert (last.action, last.outcome, last.staff_name) == ("staff.add", "refused", "lea")
    assert "may not" in last.detail["why"]
    assert "mallory" not in {s.name for s in staff.list_all(svc, svc.actor("root"))}
    assert _verify(svc).ok


def _tamper_setup(svc) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    make_cases(svc, 3)
    lea = svc.actor("lea")
    for cid in (1, 2, 3):
        cases.claim(svc, lea, cid)
    return _entries(svc)


def test_edited_entry_is_named(svc) -> None:  # type: ignore[no-untyped-def]
    entries = _tamper_setup(svc)
    victim = entries[len(entries) // 2]
    with svc.store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(staff_name="someone-else"))
    r = _verify(svc)
    assert not r.ok and r.first_bad_id == victim.id and "edited" in (r.problem or "")


def test_edited_reason_is_named(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.escalate(svc, svc.actor("lea"), cid, "senior", "needs a senior look")
    victim = _entries(svc)[-1]
    with svc.store.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(reason="nothing to see"))
    r = _verify(svc)
    assert not r.ok and r.first_bad_id == victim.id


def test_removed_entry_is_named(svc) -> None:  # type: ignore[no-untyped-def]
    entries = _tamper_setup(svc)
    victim = entries[2]
    with svc.store.write() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == victim.id))
    r = _verify(svc)
    assert not r.ok and r.first_bad_id == entries[3].id and "removed" in (r.problem or "")


def test_reordered_entries_are_found(svc) -> None:  # type: ignore[no-untyped-def]
    entries = _tamper_setup(svc)
    a, b = entries[-3], entries[-2]
    fields = ("at", "staff_id", "staff_name", "role", "action", "target_type", "target_id", "outcome", "detail",
              "reason", "reason_digest", "prev_hash", "hash")
    with svc.store.write() as s:
        va = {f: getattr(a, f) for f in fields}
        vb = {f: getattr(b, f) for f in fields}
        s.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(hash="x" * 64))
        s.execute(update(AuditEntry).where(AuditEntry.id == b.id).values(**va))
        s.execute(update(AuditEntry).where(AuditEntry.id == a.id).values(**vb))
    r = _verify(svc)
    assert not r.ok and r.first_bad_id == a.id


def test_entries_carry_ids_not_member_text(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.note(svc, svc.actor("lea"), cid, "the member wrote something awful")
    last = _entries(svc)[-1]
    assert "awful" not in str(last.detail) and last.detail == {"note_id": 1}


def test_a_lost_claim_is_an_audited_refusal(svc) -> None:  # type: ignore[no-untyped-def]
    from modconsole.errors import ClaimHeld

    [cid] = make_cases(svc, 1)
    cases.claim(svc, svc.actor("lea"), cid)
    with pytest.raises(ClaimHeld):
        cases.claim(svc, svc.actor("sam"), cid)
    last = _entries(svc)[-1]
    assert (last.action, last.outcome, last.staff_name) == ("case.claim", "refused", "sam")
    assert "held by lea" in last.detail["why"]
    assert _verify(svc).ok
