"""What the platform account reads (SPEC §1: it "posts the community's events … and reads members'
effective status and the outbox", and must never "read cases, notes, or the audit log"; §6: "the
platform enforces what the console decides"): what it enforces — kinds, times, the statement of
reasons sent to the member, the ids it refers to things by — never staff text (a sanction's
reason or lift reason, case ids, who decided). Staff keep seeing everything. Every kind of outbox
item is produced here, through both backends (local, and a real `modconsole serve`), on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

from modconsole.domain.platform import PLATFORM_KEYS
from modconsole.schemas import EnforcedSanction, SanctionPublic

SECRET = "STAFF-ONLY-7f3a"  # in every staff-written reason and note below
EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune", "language": "fr"},
    {"type": "member", "id": "u2", "handle": "soleil"},
    {"type": "member", "id": "u3", "handle": "etoile"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard",
     "created_at": "2026-01-01T00:00:00Z"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u1", "body": "écris-moi à lune@example.org",
     "created_at": "2026-01-01T00:00:00Z"},
    {"type": "deletion_request", "id": "d1", "member": "u3", "scope": "data", "note": "je pars"},
]


def feed(backend: Any, events: list[dict[str, Any]]) -> None:
    result = backend.ingest(io.BytesIO(("\n".join(json.dumps(e) for e in events) + "\n").encode()))
    assert not result.rejected, result.rejected


def case_of(backend: Any, subject: str) -> int:
    return next(c.id for c in backend.queue_list(limit=0) if c.subject_id == subject)


def test_the_platform_reads_what_it_enforces_never_staff_text(setup) -> None:  # type: ignore[no-untyped-def]
    svc, backend = setup
    feed(backend("feed"), EVENTS)
    lea, ines, sam, drm, root, platform = (backend(n) for n in ("lea", "ines", "sam", "drm", "root", "feed"))

    p1 = case_of(lea, "p1")
    lea.case_claim(p1)
    lea.case_note(p1, f"note {SECRET}")
    mute = lea.sanction_apply(member="u1", kind="mute", duration="72h", reason=f"respect: {SECRET} insults", case_id=p1)
    lea.member_message("u1", body="Merci de rester courtois.", case_id=p1)
    lea.case_resolve(p1, "remove", f"{SECRET} removal")
    lea.member_message("u1", template="pii_notice", case_id=case_of(lea, "p2"))  # hides p2 until edited
    feed(platform, [{"type": "content", "id": "p2", "kind": "post", "author": "u1", "body": "écris-moi ici",
                     "created_at": "2026-01-01T00:00:00Z", "edited_at": "2026-01-01T01:00:00Z"}])  # shown again
    ines.sanction_apply(member="u2", kind="no_contact", duration=None, reason=f"no_contact: {SECRET}", other="u3")
    ban = ines.sanction_apply(member="u2", kind="ban", duration="7d", reason=f"respect: {SECRET} threats")
    svc.store.clock.advance(timedelta(minutes=5))  # the local backend's clock; the server's runs by itself
    ines.sanction_lift(ban.id, f"{SECRET} lifted")
    feed(platform, [{"type": "appeal", "id": "ap1", "member": "u1", "sanction": str(mute.id), "body": "injuste"}])
    [appeal] = sam.appeal_list()
    sam.appeal_decide(appeal.id, "uphold", "L'insulte est claire.")  # written for the member: delivered
    [request] = drm.deletion_list()
    drm.deletion_decide(request.id, "decline", "Nous vous avons appelé.")

    # the effective status: what is enforced, and the statement the member got
    st = platform.member_status("u1")
    [seen] = st.in_force
    assert type(seen) is EnforcedSanction
    assert (seen.id, seen.kind, seen.ends_at, seen.statement) == (mute.id, "mute", mute.ends_at, mute.statement)
    assert seen.statement and SECRET not in seen.statement
    lifted = platform.member_status("u2", at=ban.starts_at)  # the ban was in force then, lifted since
    assert sorted(x.kind for x in lifted.in_force) == ["ban", "no_contact"]
    for status in (st, lifted):
        text = status.model_dump_json()
        assert SECRET not in text
        for key in ("reason", "lift_reason", "case_id", "decided_by"):
            assert f'"{key}"' not in text, key
    # staff roles keep seeing what they saw
    [staff_seen] = lea.member_status("u1").in_force
    assert type(staff_seen) is SanctionPublic
    assert (staff_seen.reason, staff_seen.case_id) == (f"respect: {SECRET} insults", p1)
    assert any(x.lift_reason == f"{SECRET} lifted" for x in ines.member_status("u2", at=ban.starts_at).in_force)

    # the outbox: every item's payload keeps only what the platform carries out
    items = platform.outbox(limit=1000)
    kinds = {(i.kind, (i.payload or {}).get("action") or (i.payload or {}).get("template")) for i in items}
    assert kinds >= {("sanction", "apply"), ("sanction", "lift"), ("message", "notice_mute"), ("message", "notice_lifted"),
                     ("message", "notice_no_contact"), ("message", None), ("message", "pii_notice"),
                     ("content", "remove"), ("content", "hide_until_edited"), ("content", "show"),
                     ("message", "appeal_upheld"), ("account", "request_declined")}, kinds
    for item in items:
        assert set(item.payload or {}) <= PLATFORM_KEYS, (item.kind, item.payload)
        assert "case_id" not in (item.payload or {})
    assert SECRET not in json.dumps([i.model_dump(mode="json") for i in items])
    bodies = [(i.payload or {}).get("body", "") for i in items if i.kind == "message"]
    assert "Merci de rester courtois." in bodies  # the messages it delivers stay whole
    assert any("L'insulte est claire." in b for b in bodies)
    assert any(b == mute.statement for b in bodies)
    ids = {(i.payload or {}).get("sanction_id") for i in items if i.kind == "sanction"}
    assert {mute.id, ban.id} <= ids  # the ids its appeals name
    # an admin reading the outbox (staff) still sees where each item came from
    assert any((i.payload or {}).get("case_id") == p1 for i in root.outbox(limit=1000))
