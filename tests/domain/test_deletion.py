"""Deletion requests (clinical only), temporary closure, erasure and its proof (SPEC §5).

The erasure test searches the raw bytes of the SQLite database file and its WAL for each of
the member's personal strings and finds none, while the member's cases and audit entries are
still there and the chain verifies."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from modconsole.domain import audit, cases, deletion, ingest, platform, sanctions, vault
from modconsole.domain.models import AuditEntry, Case, Member
from modconsole.domain.service import Services
from modconsole.errors import Conflict, Forbidden, InvalidInput, NotFound

EMAIL, NAME, PHONE, HANDLE = "claire.fontaine@example.org", "Claire Fontaine", "+33 6 12 34 56 78", "lunaire42"
POST = "Je n'en peux plus de cette vie, personne ne comprend ce que je vis."
SECRETS = [EMAIL, NAME, PHONE, HANDLE, POST, "0612345678"[1:]]

EVENTS: list[dict[str, Any]] = [
    {"type": "member", "id": "u1", "handle": HANDLE, "email": EMAIL, "real_name": NAME, "phone": PHONE,
     "language": "fr", "favourite_colour": "vert d'eau"},
    {"type": "member", "id": "u2", "handle": "soleil"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": POST},
    {"type": "content", "id": "p2", "kind": "comment", "author": "u2", "parent": "p1",
     "body": f"@{HANDLE} courage, tu as écrit « {POST} » et je te comprends"},
    {"type": "report", "id": "r1", "reporter": "u2", "content": "p1", "reason": "urgent_help", "note": f"{NAME} va mal"},
    {"type": "self_assessment", "id": "sa1", "member": "u1", "instrument": "PHQ-9", "score": 22, "suicidal": True},
    {"type": "deletion_request", "id": "d1", "member": "u1", "scope": "account", "note": "Effacez tout, s'il vous plaît."},
]


def feed(svc: Services, events: list[dict[str, Any]]) -> None:
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO("\n".join(json.dumps(e) for e in events).encode()))
    assert not result.rejected, result.rejected


@pytest.fixture
def world(svc: Services) -> Services:
    feed(svc, EVENTS)
    urgent = next(c for c in cases.list_queue(svc, svc.actor("drm"), queue="urgent") if c.subject_id == "p1")
    cases.note(svc, svc.actor("drm"), urgent.id, f"Appelé {NAME} au {PHONE}, elle va mieux.")
    sanctions.apply(svc, svc.actor("lea"), member="u1", kind="warning", duration=None,
                    reason=f"spam: {HANDLE} a publié trois fois le même message")
    return svc


def request_case(svc: Services, request: str = "d1") -> int:
    return next(r.id for r in deletion.list_requests(svc, svc.actor("drm"), "all") if r.request == request)


def test_only_the_clinical_team_sees_and_decides(world: Services) -> None:
    svc = world
    cid = request_case(svc)
    for name in ("lea", "ines", "root"):
        with pytest.raises(Forbidden):
            deletion.list_requests(svc, svc.actor(name))
        with pytest.raises(Forbidden):
            deletion.decide(svc, svc.actor(name), cid, "approve", "asked by the member")
    with svc.store.read() as s:
        refused = s.execute(select(AuditEntry).where(AuditEntry.outcome == "refused",
                                                     AuditEntry.action.in_(("deletion.list", "member.erase")))).all()  # type: ignore[attr-defined]
    assert len(refused) == 6  # a refused approval of an account erasure is audited as the erasure it attempted
    assert deletion.show(svc, svc.actor("drm"), cid).state == "pending"  # nothing changed


def test_the_request_comes_with_the_members_risk(world: Services) -> None:
    [req] = deletion.list_requests(world, world.actor("drm"))
    assert (req.request, req.scope, req.member, req.note) == ("d1", "account", "u1", "Effacez tout, s'il vous plaît.")
    assert sorted((c.queue, c.subject_id) for c in req.risk_cases) == [("urgent", "p1"), ("urgent", "u1")]
    assert [(a.instrument, a.suicidal) for a in req.self_assessments] == [("PHQ-9", True)]


def test_vault_reads_are_for_clinical_and_admin_with_a_reason(world: Services) -> None:
    svc = world
    assert vault.read(svc, svc.actor("drm"), "u1", "safety call").email == EMAIL
    assert vault.read(svc, svc.actor("root"), "u1", "legal request").phone == PHONE
    for name in ("lea", "ines", "feed"):
        with pytest.raises(Forbidden):
            vault.read(svc, svc.actor(name), "u1", "curious")
    with pytest.raises(InvalidInput):
        vault.read(svc, svc.actor("drm"), "u1", "  ")
    with svc.store.read() as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.action == "vault.read")).scalars().all()
    assert [e.outcome for e in entries] == ["ok", "ok", "refused", "refused", "refused"]
    assert all(EMAIL not in json.dumps(e.detail) for e in entries)


def test_temporary_closure_until_reopened(world: Services) -> None:
    svc = world
    cid = request_case(svc)
    deletion.decide(svc, svc.actor("drm"), cid, "contacted", "left a message")
    assert deletion.show(svc, svc.actor("drm"), cid).state == "contacted"
    closed = deletion.decide(svc, svc.actor("drm"), cid, "close_temporarily", "a break, then we talk")
    assert closed.state == "closed" and closed.closed_until == "until reopened"
    st = platform.status(svc, svc.actor("feed"), "u1")
    assert st.closed and not st.can_login and not st.can_post
    svc.store.clock.advance(timedelta(days=90))
    assert platform.status(svc, svc.actor("feed"), "u1").can_login is False
    with pytest.raises(Conflict):
        deletion.decide(svc, svc.actor("drm"), cid, "approve", "again")
    with pytest.raises(Forbidden):
        deletion.reopen(svc, svc.actor("lea"), "u1", "back")
    deletion.reopen(svc, svc.actor("drm"), "u1", "the member asked to come back")
    assert platform.status(svc, svc.actor("feed"), "u1").can_login is True
    with pytest.raises(Conflict):
        deletion.reopen(svc, svc.actor("drm"), "u1", "twice")


def test_a_closure_can_end_by_itself(world: Services) -> None:
    svc = world
    until = svc.now() + timedelta(days=7)
    deletion.decide(svc, svc.actor("drm"), request_case(svc), "close_temporarily", "a week off", until=until)
    assert platform.status(svc, svc.actor("feed"), "u1").can_login is False
    assert platform.status(svc, svc.actor("feed"), "u1", at=until).can_login is True
    with pytest.raises(InvalidInput):
        deletion.decide(svc, svc.actor("drm"), request_case(svc), "decline", "x", until=until)


def test_decline_keeps_everything(world: Services) -> None:
    svc = world
    d = deletion.decide(svc, svc.actor("drm"), request_case(svc), "decline", "she asked us to wait")
    assert d.state == "declined" and d.decision_reason == "she asked us to wait"
    assert vault.read(svc, svc.actor("drm"), "u1", "check").email == EMAIL


def test_erasure_removes_every_personal_string_and_keeps_the_trail(world: Services) -> None:
    svc = world
    cid = request_case(svc)
    with svc.store.read() as s:
        member_cases = [c.id for c in s.execute(select(Case).where(Case.member_id == "u1")).scalars()]
    before = deletion.verify(svc, svc.actor("drm"), cid)
    assert not before["erased"] and not before["search_now"]["clean"]  # the data are there before
    with pytest.raises(NotFound):
        deletion.decide(svc, svc.actor("drm"), 987654, "approve", "x")
    done = deletion.decide(svc, svc.actor("drm"), cid, "approve", f"asked in writing by {NAME}")
    assert done.state == "approved"
    assert done.erasure and done.erasure["proof"]["clean"], (done.erasure["proof"]["found"], done.erasure["proof"]["file_hits"])
    # the store: no registration, no bodies, a pseudonym, the cases and sanctions still there
    record = vault.read(svc, svc.actor("root"), "u1", "check after erasure")
    assert (record.email, record.real_name, record.phone) == (None, None, None)
    with svc.store.read() as s:
        member = s.get(Member, "u1")
        assert member is not None and member.pseudonymised and member.handle and member.handle.startswith("erased-")
        assert sorted(c.id for c in s.execute(select(Case).where(Case.member_id == "u1")).scalars()) == sorted(member_cases)
        check = audit.verify(s)
        assert check.ok, check
        assert check.erased_reasons == 1  # the warning's reason quoted the member's handle: blanked
        erase_entry = s.execute(select(AuditEntry).where(AuditEntry.action == "member.erase")).scalars().one()
        assert erase_entry.reason == "asked in writing by [erased]"  # the approval's own reason, scrubbed
        assert s.execute(select(AuditEntry).where(AuditEntry.target_id == "u1")).first() is not None
    assert cases.show(svc, svc.actor("drm"), member_cases[0]).content.body is None  # type: ignore[union-attr]
    proof = deletion.verify(svc, svc.actor("drm"), cid, extra=[EMAIL, NAME])
    assert proof["clean"] and proof["search_now"]["clean"]
    # the bytes of the database file and its WAL
    if svc.store.is_sqlite:
        path = Path(svc.store.engine.url.database or "")
        blobs = [p.read_bytes() for p in (path, Path(str(path) + "-wal")) if p.exists()]
        for secret in SECRETS:
            for blob in blobs:
                assert secret.encode() not in blob and secret.lower().encode() not in blob.lower(), secret


def test_a_reason_blanked_without_an_erasure_is_tampering(world: Services) -> None:
    svc = world
    with svc.store.write() as s:
        victim = s.execute(select(AuditEntry).where(AuditEntry.reason.is_not(None))).scalars().first()  # type: ignore[union-attr]
        assert victim is not None
        s.execute(update(AuditEntry).where(AuditEntry.id == victim.id).values(reason=None))
    with svc.store.read() as s:
        check = audit.verify(s)
    assert not check.ok and check.first_bad_id == victim.id and "no erasure" in (check.problem or "")


def test_an_edit_never_puts_back_an_erased_body(world: Services) -> None:
    svc = world
    deletion.decide(svc, svc.actor("drm"), request_case(svc), "approve", "asked in writing")
    feed(svc, [{"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": POST,
                "edited_at": "2026-11-27T10:00:00Z"}])
    with svc.store.read() as s:
        from modconsole.domain.models import Content

        assert s.get(Content, "p1").body is None  # type: ignore[union-attr]


def test_an_identifier_another_member_shares_is_reported_not_found(world: Services) -> None:
    svc = world
    feed(svc, [{"type": "member", "id": "u7", "handle": "homonyme", "real_name": NAME},
               {"type": "content", "id": "p7", "kind": "post", "author": "u7", "body": "Effacez tout, s'il vous plaît."}])
    done = deletion.decide(svc, svc.actor("drm"), request_case(svc), "approve", "asked in writing")
    proof = done.erasure["proof"]  # type: ignore[index]
    assert proof["clean"] and proof["shared_with_other_members"] == {"real_name": 1}
    assert vault.read(svc, svc.actor("root"), "u7", "check").real_name == NAME  # the other member keeps theirs
    with svc.store.read() as s:
        from modconsole.domain.models import Content

        assert s.get(Content, "p7").body == "Effacez tout, s'il vous plaît."  # their identical words stay  # type: ignore[union-attr]


def test_the_proof_never_drops_this_processs_sqlite_locks(sqlite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Reading the database file in this process would release SQLite's POSIX locks (closing any
    descriptor of a file drops the process's locks on it): a write here after another process
    wrote would be lost. The raw-bytes search runs in a child process; writes after it stick."""
    import subprocess
    import sys

    from modconsole.domain import shift

    from ..conftest import make_services

    svc = make_services(sqlite)
    feed(svc, EVENTS)
    deletion.decide(svc, svc.actor("drm"), request_case(svc), "approve", "asked in writing")
    deletion.verify(svc, svc.actor("drm"), request_case(svc), extra=["someone@example.org"])
    path = svc.store.engine.url.database
    other = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL'); " \
            "c.execute(\"INSERT INTO handover_note (staff_id, at, body) VALUES (NULL, '2026-11-26 10:00:00', 'other')\"); c.commit()"
    subprocess.run([sys.executable, "-c", other, path], check=True)
    shift.handover(svc, svc.actor("ines"), "written here after the other process")
    count = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM handover_note').fetchone()[0])"
    seen = subprocess.run([sys.executable, "-c", count, path], check=True, capture_output=True, text=True).stdout.strip()
    assert seen == "2"
