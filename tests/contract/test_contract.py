"""Every Backend method gives the same results and the same errors, local or remote."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from modconsole.errors import ClaimHeld, Conflict, Forbidden, InvalidInput, NotFound

EVENTS = [
    {"type": "member", "id": "u1", "handle": "[b]lune[/b]\x1b[2J", "email": "lune@example.org", "language": "fr"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "je veux mourir"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "body": "espèce de connard"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p2", "reason": "urgent_help", "note": "inquiet"},
]


def feed(backend: Any, events: list[Any]) -> Any:
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    return backend.ingest(io.BytesIO(("\n".join(lines) + "\n").encode()))


def test_ingest_and_queue(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    result = feed(backend("feed"), EVENTS + ["{oops"])
    assert (result.events, result.cases_opened, [r.line for r in result.rejected]) == (4, 2, [5])
    assert "not valid JSON" in result.rejected[0].error
    cases = backend("lea").queue_list()
    assert [(c.queue, c.subject_id, c.priority) for c in cases] == [("urgent", "p2", 4), ("self_harm", "p1", 3)]
    counts = {c.queue: c.open for c in backend("lea").queue_counts()}
    assert counts["urgent"] == 1 and counts["self_harm"] == 1 and "deletion" not in counts
    with pytest.raises(InvalidInput, match="unknown queue"):
        backend("lea").queue_list(queue="nope")
    with pytest.raises(Forbidden):
        backend("lea").queue_list(queue="deletion")


def test_claims_and_case_actions(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    feed(backend("feed"), EVENTS)
    lea, sam, ines = backend("lea"), backend("sam"), backend("ines")
    [urgent, risk] = lea.queue_list()
    assert lea.case_claim(urgent.id).claimed_by == "lea"
    with pytest.raises(ClaimHeld) as held:
        sam.case_claim(urgent.id)
    assert held.value.holder == "lea"
    with pytest.raises(ClaimHeld):
        sam.case_resolve(urgent.id, "dismiss")
    note = lea.case_note(urgent.id, "called [b]back[/b]")
    assert note.body == "called [b]back[/b]" and note.author == "lea"
    lea.case_release(urgent.id)
    with pytest.raises(Conflict):
        lea.case_release(urgent.id)
    escalated = sam.case_escalate(risk.id, "senior", "plan and date")
    assert escalated.state == "escalated" and escalated.escalated_to == "senior"
    with pytest.raises(Forbidden, match="escalated to a senior"):
        lea.case_resolve(risk.id, "dismiss")
    done = ines.case_resolve(risk.id, "hide", "rule")
    assert done.state == "resolved" and done.resolution == "hide"
    detail = lea.case_show(urgent.id)
    assert detail.content is not None and detail.content.body == "espèce de connard"
    assert [r.reason for r in detail.reports] == ["urgent_help"] and "secret-reporter" not in detail.model_dump_json()
    assert [n.body for n in detail.notes] == ["called [b]back[/b]"]
    with pytest.raises(NotFound):
        lea.case_show(99999)


def test_staff_audit_lexicon_policy(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    root, lea = backend("root"), backend("lea")
    assert lea.whoami.name == "lea" and lea.whoami.role == "moderator"
    assert root.staff_add("zoe", "moderator").name == "zoe"
    with pytest.raises(Forbidden):
        lea.staff_add("mallory", "admin")
    assert {s.name for s in root.staff_list()} >= {"root", "lea", "zoe"}
    assert root.lexicon_add("zorglub", "offensive", "fr", 3).source == "custom"
    assert any(t.term == "zorglub" for t in lea.lexicon_list())
    assert root.lexicon_remove("zorglub") == 1
    with pytest.raises(NotFound):
        root.lexicon_remove("zorglub")
    assert root.policy_set("harassment_followups", "2")["harassment_followups"] == 2
    with pytest.raises(InvalidInput):
        root.policy_set("sla.urgent", "0")
    verify = root.audit_verify()
    assert verify.ok and verify.entries > 5
    entries = root.audit_list(limit=5)
    assert len(entries) == 5 and entries[0].id > entries[-1].id
    assert any(e.outcome == "refused" and e.staff == "lea" for e in root.audit_list(limit=50))
    with pytest.raises(Forbidden):
        lea.audit_list()


def test_members_sanctions_messages(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    feed(backend("feed"), EVENTS)
    lea = backend("lea")
    with pytest.raises(Forbidden, match="permanently"):
        lea.sanction_apply(member="u1", kind="ban", duration="permanent", reason="threats")
    s = lea.sanction_apply(member="u1", kind="mute", duration="72h", reason="respect")
    assert s.kind == "mute" and s.ends_at is not None
    detail = lea.member_show("u1")
    assert [x.kind for x in detail.sanctions_in_force] == ["mute"] and detail.suggested_next.startswith("ban")
    assert "lune@example.org" not in detail.model_dump_json()
    assert lea.member_message("u1", template="warning") > 0
    with pytest.raises(InvalidInput):
        lea.member_message("u1", template="nope")
    with pytest.raises(NotFound):
        lea.member_show("nobody")


def test_effective_status_and_outbox(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    feed(backend("feed"), EVENTS + [
        {"type": "content", "id": "dm1", "kind": "message", "author": "u1", "recipient": "u3", "body": "salut"},
    ])
    lea, ines, platform = backend("lea"), backend("ines"), backend("feed")
    lea.sanction_apply(member="u1", kind="mute", duration="72h", reason="respect")
    st = platform.member_status("u1")
    assert (st.can_login, st.can_post, st.can_comment) == (True, False, False)
    assert platform.member_status("u1", with_member="u3").can_message is True  # an existing contact
    assert platform.member_status("u1", with_member="u2").can_message is False
    ines.sanction_apply(member="u2", kind="no_contact", duration=None, reason="no_contact", other="u3")
    assert platform.member_status("u3", with_member="u2").can_message is False  # both ways
    later = st.at.replace(year=st.at.year + 1)
    assert platform.member_status("u1", at=later).can_post is True  # expiry needs no job
    items = platform.outbox()
    kinds = [i.kind for i in items]
    assert kinds.count("sanction") == 2
    assert platform.outbox_ack([items[0].id]) == 1
    assert platform.outbox_ack([items[0].id]) == 0  # acknowledging twice is harmless
    assert [i.id for i in platform.outbox()] == [i.id for i in items[1:]]
    with pytest.raises(Forbidden):
        lea.outbox()
    with pytest.raises(NotFound):
        platform.member_status("nobody")


def test_changes_long_poll(setup) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    _, backend = setup
    lea = backend("lea")
    cursor = lea.changes().cursor
    assert lea.changes(since=cursor, wait=0).cases == []
    poster = threading.Timer(0.5, lambda: feed(backend("feed"), [
        {"type": "self_assessment", "id": "sa1", "member": "u9", "suicidal": True, "score": 25}]))
    started = time.monotonic()
    poster.start()
    got = lea.changes(since=cursor, wait=10)
    waited = time.monotonic() - started
    poster.join()
    assert [(c.queue, c.subject_id) for c in got.cases] == [("urgent", "u9")]
    assert got.cursor > cursor and 0.4 < waited < 2.5, waited


def test_rejected_line_numbers_are_the_file_s(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import modconsole.backend.remote as remote

    monkeypatch.setattr(remote, "INGEST_CHUNK_BYTES", 300)  # several HTTP requests for one file
    _, backend = setup
    lines = [json.dumps({"type": "content", "id": f"c{i}", "kind": "post", "author": "u1", "body": f"post number {i}"})
             for i in range(30)]
    lines[6] = "{broken"
    lines[25] = json.dumps({"type": "report", "id": "r9", "reason": "nope", "member": "u1"})
    result = feed(backend("feed"), lines)
    assert [r.line for r in result.rejected] == [7, 26]
    assert result.events == 28 and result.by_type == {"content": 28}


def test_tokens_and_policy_show(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    root, lea = backend("root"), backend("lea")
    token = root.staff_token("sam", days=1)
    assert token.startswith("mct_") and len(token) > 30
    with pytest.raises(Forbidden):
        lea.staff_token("sam")
    with pytest.raises(NotFound):
        root.staff_token("nobody")
    assert root.staff_token_revoke("sam") >= 1
    assert root.staff_token_revoke("sam") == 0  # nothing left to revoke
    with pytest.raises(Forbidden):
        lea.staff_token_revoke("sam")
    policy = root.policy_show()
    assert policy["harassment_followups"] == 3 and policy["sla.urgent"] == 5  # minutes
    assert lea.policy_show() == policy  # every role may read the policy (SLAs are on the board)


def test_phone_regions_are_a_policy_setting_the_detector_uses(setup) -> None:  # type: ignore[no-untyped-def]
    """A national number is a personal detail in the regions the community declares (default
    FR, BE, CH, CA, GB, US); a number written with + is one whatever the regions."""
    _, backend = setup
    root, feed_ = backend("root"), backend("feed")
    assert root.policy_show()["phone_regions"] == "FR,BE,CH,CA,GB,US"
    us_national = "call me on (415) 555-2671 tonight"
    feed(feed_, [{"type": "content", "id": "n1", "kind": "post", "author": "u9", "body": us_national}])
    assert [c.subject_id for c in root.queue_list(queue="pii")] == ["n1"]
    shown = root.policy_set("phone_regions", " fr, be ;ch")
    assert shown["phone_regions"] == "FR,BE,CH"
    # another process reads the policy again within POLICY_TTL_S; a fresh backend at once
    feed(backend("feed"), [
        {"type": "content", "id": "n2", "kind": "post", "author": "u9", "body": us_national},
        {"type": "content", "id": "n3", "kind": "post", "author": "u9", "body": "call me on +1 415 555 2671 tonight"},
    ])
    assert sorted(c.subject_id for c in root.queue_list(queue="pii")) == ["n1", "n3"]
    with pytest.raises(InvalidInput, match="'XX' is not a region code"):
        root.policy_set("phone_regions", "FR,XX")
    with pytest.raises(InvalidInput, match="phone_regions takes region codes"):
        root.policy_set("phone_regions", " , ")
    assert root.policy_show()["phone_regions"] == "FR,BE,CH"  # a refused change changed nothing
    with pytest.raises(Forbidden):
        backend("lea").policy_set("phone_regions", "FR")


def test_sanction_lifecycle_evasion_and_appeals(setup) -> None:  # type: ignore[no-untyped-def]
    from modconsole.errors import Conflict

    _, backend = setup
    feed(backend("feed"), EVENTS + [{"type": "member", "id": "u5", "handle": "lune", "device": "d1"}])
    lea, sam, ines = backend("lea"), backend("sam"), backend("ines")
    with pytest.raises(InvalidInput, match="house rule"):
        lea.sanction_apply(member="u5", kind="warning", duration=None, reason="because")
    preview = lea.sanction_preview(member="u5", kind="mute", duration="72h", reason="because", rule="respect")
    assert preview.id == 0 and preview.statement and "Respect" in preview.statement
    assert not lea.member_show("u5").sanctions_in_force  # a preview applies nothing
    mute = lea.sanction_apply(member="u5", kind="mute", duration="72h", reason="because", rule="respect")
    assert mute.rule == "respect" and mute.decided_by == "lea" and mute.statement == preview.statement
    with pytest.raises(Forbidden):
        lea.sanction_lift(mute.id, "oops")
    with pytest.raises(NotFound):
        ines.sanction_lift(987654, "no such")
    feed(backend("feed"), [{"type": "member", "id": "u5b", "handle": "lune2", "device": "d1"}])
    evasion = lea.queue_list(queue="evasion")[0]
    with pytest.raises(Forbidden):
        lea.evasion_confirm(evasion.id, "same device")
    bans = ines.evasion_confirm(evasion.id, "evasion: same device")
    assert sorted(b.member for b in bans) == ["u5", "u5b"] and all(b.extends == mute.id for b in bans)
    assert backend("feed").member_status("u5b").can_login is False
    ban_u5 = next(b for b in bans if b.member == "u5")
    feed(backend("feed"), [{"type": "appeal", "id": "ap1", "member": "u5", "sanction": str(ban_u5.id), "body": "[b]non[/b]"}])
    pending = sam.appeal_list()
    assert [(a.appeal, a.contests, a.first_decided_by) for a in pending] == [("ap1", "sanction", "ines, lea")]  # the ban extends lea's mute
    assert sam.appeal_show(pending[0].id).body == "[b]non[/b]"
    with pytest.raises(Forbidden, match="under appeal"):
        ines.appeal_decide(pending[0].id, "reverse", "mine")
    with pytest.raises(Forbidden, match="senior"):
        sam.appeal_decide(pending[0].id, "reverse", "looks wrong")
    decided = backend("root").appeal_decide(pending[0].id, "reverse", "not the same person after all")
    assert decided.state == "reversed" and decided.decided_by == "root"
    assert backend("feed").member_status("u5").can_login is True
    with pytest.raises(Conflict):
        backend("root").appeal_decide(pending[0].id, "uphold", "again")
    assert sam.appeal_list() == [] and [a.appeal for a in sam.appeal_list("reversed")] == ["ap1"]
    with pytest.raises(InvalidInput):
        sam.appeal_list("nope")
    lifted = ines.sanction_lift(mute.id, "served enough")
    assert lifted.lifted_at is not None and lifted.lift_reason == "served enough"
    with pytest.raises(Conflict):
        ines.sanction_lift(mute.id, "again")


def test_deletion_review_vault_and_erasure(setup) -> None:  # type: ignore[no-untyped-def]
    from modconsole.errors import Conflict

    _, backend = setup
    feed(backend("feed"), EVENTS + [
        {"type": "self_assessment", "id": "sa1", "member": "u1", "score": 24, "suicidal": True},
        {"type": "deletion_request", "id": "d1", "member": "u1", "scope": "account", "note": "tout effacer"},
        {"type": "deletion_request", "id": "d2", "member": "u2", "scope": "temporary_close"},
    ])
    drm, lea, root = backend("drm"), backend("lea"), backend("root")
    for who in (lea, backend("ines"), root):
        with pytest.raises(Forbidden):
            who.deletion_list()
    reqs = {d.request: d for d in drm.deletion_list()}
    assert set(reqs) == {"d1", "d2"} and reqs["d1"].self_assessments[0].suicidal
    assert any(c.queue == "urgent" for c in reqs["d1"].risk_cases)
    with pytest.raises(Forbidden):
        lea.vault_show("u1", "curious")
    assert drm.vault_show("u1", "safety").email == "lune@example.org"
    with pytest.raises(Forbidden):
        lea.deletion_decide(reqs["d2"].id, "approve", "x")
    closed = drm.deletion_decide(reqs["d2"].id, "approve", "a break")
    assert closed.state == "closed" and backend("feed").member_status("u2").can_login is False
    with pytest.raises(Conflict):
        drm.deletion_decide(reqs["d2"].id, "decline", "again")
    assert drm.deletion_reopen("u2", "back") == 1
    assert backend("feed").member_status("u2").can_login is True
    with pytest.raises(InvalidInput):
        drm.deletion_decide(reqs["d1"].id, "maybe", "x")
    done = drm.deletion_decide(reqs["d1"].id, "approve", "asked in writing")
    assert done.state == "approved" and done.erasure and done.erasure["proof"]["clean"]
    proof = drm.deletion_verify(reqs["d1"].id, ["lune@example.org"])
    assert proof["clean"] and proof["pseudonymised"]
    assert root.vault_show("u1", "after").email is None
    assert root.audit_verify().ok
    assert drm.deletion_list() == [] and {d.request for d in drm.deletion_list("all")} == {"d1", "d2"}


def test_bulk_sanctions(setup) -> None:  # type: ignore[no-untyped-def]
    from modconsole.domain.bulk import parse

    _, backend = setup
    feed(backend("feed"), EVENTS)
    ines, lea = backend("ines"), backend("lea")
    rows, bad = parse("u1,mute,24h,respect\nu2,ban,permanent,threats\n")
    assert not bad
    refused = lea.sanction_bulk(rows)
    assert refused.applied == 0 and [r.line for r in refused.rows if r.status == "error"] == [2]
    assert ines.sanction_bulk(rows, dry_run=True).applied == 0 and not ines.member_show("u1").sanctions_in_force
    done = ines.sanction_bulk(rows)
    assert done.applied == 2 and ines.sanction_bulk(rows).already_applied == 2
    assert backend("feed").member_status("u2").can_login is False


def test_staff_roles_and_deactivation(setup) -> None:  # type: ignore[no-untyped-def]
    from modconsole.backend.remote import RemoteBackend
    from modconsole.errors import Conflict, Unauthenticated

    _, backend = setup
    root = backend("root")
    assert root.staff_role("sam", "senior").role == "senior"
    with pytest.raises(Conflict, match="already"):
        root.staff_role("sam", "senior")
    with pytest.raises(Conflict, match="last active admin"):
        root.staff_role("root", "moderator")
    with pytest.raises(Conflict, match="service account"):
        root.staff_role("feed", "moderator")
    with pytest.raises(Forbidden):
        backend("lea").staff_role("sam", "moderator")
    with pytest.raises(NotFound):
        root.staff_role("nobody", "senior")
    sam = backend("sam")
    assert sam.queue_list() == []
    assert root.staff_active("sam", False).active is False
    with pytest.raises(Unauthenticated):  # refused at once, local (--as) and remote (token)
        backend("sam").queue_list()
    with pytest.raises(Conflict, match="yourself|last active admin"):
        root.staff_active("root", False)
    assert root.staff_active("sam", True).active is True
    if isinstance(root, RemoteBackend):  # tokens issued before the deactivation stay dead (issue 14)
        with pytest.raises(Unauthenticated):
            backend("sam").queue_list()
        assert RemoteBackend(root.base_url, root.staff_token("sam")).queue_list() == []
    else:
        assert backend("sam").queue_list() == []


def test_shift_dashboard_and_handover(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    feed(backend("feed"), EVENTS)
    lea, ines = backend("lea"), backend("ines")
    cid = lea.queue_list()[0].id
    lea.case_claim(cid)
    d = ines.shift_dashboard(hours=2)
    assert len(d.hours) == 3 and d.series["urgent"]["open"][-1] == 1 and d.holders["lea"][0]["case"] == cid
    assert ines.shift_handover(f"[b]watch[/b] case {cid}").body.startswith("[b]watch")
    assert ines.shift_dashboard().notes[0].author == "ines"
    with pytest.raises(Forbidden):
        lea.shift_dashboard()
    with pytest.raises(InvalidInput):
        ines.shift_dashboard(hours=100)


def test_audit_anchor(setup) -> None:  # type: ignore[no-untyped-def]
    _, backend = setup
    root = backend("root")
    first = root.audit_verify()
    assert root.audit_verify(first.entries, first.head).anchor_ok is True
    wrong = root.audit_verify(first.entries, "0" * 64)
    assert not wrong.ok and wrong.first_bad_id == first.entries and "cut or rewritten" in (wrong.problem or "")
    beyond = root.audit_verify(first.entries + 50, first.head)
    assert not beyond.ok and "missing" in (beyond.problem or "")
