"""Ingest (SPEC §2): every rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from modconsole.domain import cases, ingest, sanctions
from modconsole.domain.models import Content, Member, Registration, Report, Signal
from modconsole.domain.service import Services
from modconsole.errors import Forbidden


def run(svc: Services, events: list, actor: str = "feed") -> ingest.IngestResult:  # type: ignore[name-defined]
    lines = [e if isinstance(e, (str, bytes)) else json.dumps(e) for e in events]
    data = "\n".join(x.decode() if isinstance(x, bytes) else x for x in lines).encode()
    return ingest.ingest_file(svc, svc.actor(actor), io.BytesIO(data))


def count(svc: Services, model) -> int:  # type: ignore[no-untyped-def]
    with svc.store.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


MEMBER = {"type": "member", "id": "u1", "handle": "lune", "created_at": "2026-11-01T10:00:00Z",
          "email": "lune@example.org", "real_name": "Marie Curie", "phone": "+33612345678", "device": "d1"}


def test_counts_and_queues(svc: Services) -> None:
    r = run(svc, [
        MEMBER,
        {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "je veux mourir ce soir", "created_at": "2026-11-26T08:00:00Z"},
        {"type": "content", "id": "p2", "kind": "post", "author": "u1", "body": "belle journée au parc", "created_at": "2026-11-26T08:01:00Z"},
        {"type": "report", "id": "r1", "reporter": "u2", "content": "p2", "reason": "urgent_help", "note": "inquiet"},
        {"type": "self_assessment", "id": "s1", "member": "u3", "instrument": "PHQ-9", "score": 24, "suicidal": True},
        {"type": "ask_moderator", "id": "q1", "member": "u4", "body": "comment changer mon pseudo ?"},
        {"type": "deletion_request", "id": "d1", "member": "u5", "scope": "account"},
        {"type": "appeal", "id": "a1", "member": "u6", "case": "17", "body": "je conteste"},
        {"type": "block", "blocker": "u1", "blocked": "u2", "created_at": "2026-11-26T08:02:00Z"},
    ])
    assert r.rejected == [] and r.events == 9
    assert r.by_type == {"member": 1, "content": 2, "report": 1, "self_assessment": 1, "ask_moderator": 1,
                         "deletion_request": 1, "appeal": 1, "block": 1}
    assert r.cases_opened == 6
    listed = cases.list_queue(svc, svc.actor("root"), limit=0)
    by_queue = {(c.queue, c.subject_type, c.subject_id) for c in listed}
    assert by_queue == {
        ("self_harm", "content", "p1"), ("urgent", "content", "p2"), ("urgent", "member", "u3"),
        ("ask_moderator", "member", "u4"), ("deletion", "member", "u5"), ("appeal", "member", "u6"),
    }
    assert listed[0].queue == "urgent" and listed[0].priority == 4


def test_duplicates_change_nothing(svc: Services) -> None:
    events = [MEMBER, {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "kill myself tonight"},
              {"type": "report", "id": "r1", "reporter": "u2", "content": "p1", "reason": "offensive"},
              {"type": "block", "blocker": "u1", "blocked": "u2", "created_at": "2026-11-26T08:02:00Z"}]
    first = run(svc, events)
    with svc.store.read() as s:
        before = (s.execute(select(func.count()).select_from(Signal)).scalar_one(), count(svc, Content), count(svc, Report))
    again = run(svc, events + [events[1]])
    assert first.duplicates == 0 and again.duplicates == 5 and again.cases_opened == 0 and again.cases_joined == 0
    with svc.store.read() as s:
        after = (s.execute(select(func.count()).select_from(Signal)).scalar_one(), count(svc, Content), count(svc, Report))
    assert before == after


def test_malformed_lines_are_reported_and_the_rest_goes_on(svc: Services) -> None:
    r = run(svc, [
        MEMBER,
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"type": "teleport", "id": "x"}),
        json.dumps({"type": "content", "id": "p9", "kind": "post", "author": "u1"}),
        json.dumps({"type": "content", "id": "p8", "kind": "message", "author": "u1", "body": "hi"}),
        json.dumps({"type": "report", "id": "r9", "reason": "spam", "content": "p1"}),
        json.dumps({"type": "report", "id": "r8", "reason": "other"}),
        json.dumps({"type": "member", "id": "u9", "created_at": "yesterday"}),
        json.dumps({"type": "member", "id": {"a": 1}}),
        json.dumps({"type": "content", "id": "p7", "kind": "post", "author": "u1", "body": "ok \ud800 broken"}),
        "",
        {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "fine"},
    ])
    errors = {x.line: x.error for x in r.rejected}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "not valid JSON" in errors[2]
    assert "JSON object" in errors[3]
    assert "teleport" in errors[4]
    assert "'body' is required" in errors[5]
    assert "recipient" in errors[6]
    assert "'reason' must be one of" in errors[7] and "spam" in errors[7]
    assert "needs 'content' or 'member'" in errors[8]
    assert "ISO 8601" in errors[9]
    assert "'id' must be a string id" in errors[10]
    assert "surrogate" in errors[11]
    assert r.by_type == {"member": 1, "content": 1}
    assert count(svc, Content) == 1


def test_placeholders_then_filled(svc: Services) -> None:
    run(svc, [{"type": "report", "id": "r1", "reporter": "u7", "content": "p404", "reason": "offensive"}])
    with svc.store.read() as s:
        p = s.get(Content, "p404")
        m = s.get(Member, "u7")
        assert p is not None and p.placeholder and p.body is None
        assert m is not None and m.placeholder
    run(svc, [{"type": "content", "id": "p404", "kind": "post", "author": "u8", "body": "bonjour"},
              {"type": "member", "id": "u7", "handle": "late"}])
    with svc.store.read() as s:
        p = s.get(Content, "p404")
        m = s.get(Member, "u7")
        assert p is not None and not p.placeholder and p.body == "bonjour" and p.author_id == "u8"
        assert m is not None and not m.placeholder and m.handle == "late"
    [case] = cases.list_queue(svc, svc.actor("lea"))
    assert case.subject_id == "p404" and case.queue == "offensive" and case.member == "u8"


def test_unknown_fields_kept_and_registration_in_vault(svc: Services) -> None:
    run(svc, [MEMBER | {"favourite_colour": "blue", "nested": {"a": [1, 2]}}])
    with svc.store.read() as s:
        m = s.get(Member, "u1")
        reg = s.get(Registration, "u1")
    assert m is not None and m.extra == {"favourite_colour": "blue", "nested": {"a": [1, 2]}}
    assert reg is not None and reg.email == "lune@example.org" and reg.phone == "+33612345678"
    # nothing of the registration data in the member row nor in the audit log
    assert "lune@example.org" not in str(m.model_dump())


def test_second_signal_joins_and_raises_priority(svc: Services) -> None:
    run(svc, [{"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard"}])
    [before] = cases.list_queue(svc, svc.actor("lea"))
    assert before.queue == "offensive"
    r = run(svc, [{"type": "report", "id": "r1", "reporter": "u2", "content": "p1", "reason": "urgent_help"}])
    assert r.cases_opened == 0 and r.cases_joined == 1
    [after] = cases.list_queue(svc, svc.actor("lea"))
    assert after.id == before.id and after.queue == "urgent" and after.priority == 4
    assert after.sla_due_at <= before.sla_due_at
    assert {s.source for s in after.signals} == {"lexicon", "report"}


def test_reporter_is_never_shown(svc: Services) -> None:
    run(svc, [{"type": "report", "id": "r1", "reporter": "whistle-blower-42", "member": "u1", "reason": "harassment",
               "note": "il m'écrit tous les jours"}])
    [c] = cases.list_queue(svc, svc.actor("lea"))
    detail = cases.show(svc, svc.actor("lea"), c.id)
    dumped = detail.model_dump_json() + c.model_dump_json()
    assert "whistle-blower-42" not in dumped
    assert detail.reports[0].reason == "harassment" and detail.reports[0].note == "il m'écrit tous les jours"


def test_harassment_rule_counts_unanswered_followups(svc: Services) -> None:
    def msg(i: int, a: str, b: str) -> dict:
        return {"type": "content", "id": f"m{i}", "kind": "message", "author": a, "recipient": b, "body": "coucou",
                "created_at": f"2026-11-26T08:{i:02d}:00Z"}

    run(svc, [msg(1, "a", "b"), msg(2, "a", "b"), msg(3, "a", "b")])  # initial + 2 follow-ups: fine
    assert cases.list_queue(svc, svc.actor("lea")) == []
    run(svc, [msg(4, "b", "a")])  # b answers: the count starts again
    run(svc, [msg(5, "a", "b"), msg(6, "a", "b"), msg(7, "a", "b")])
    assert cases.list_queue(svc, svc.actor("lea")) == []
    run(svc, [msg(8, "a", "b")])  # the third follow-up without a reply
    [c] = cases.list_queue(svc, svc.actor("lea"))
    assert (c.queue, c.subject_type, c.subject_id) == ("harassment", "member", "a")
    assert "4 messages to b" in (c.signals[0].detail or "")


def test_harassment_rule_in_one_batch(svc: Services) -> None:
    msgs = [{"type": "content", "id": f"m{i}", "kind": "message", "author": "x", "recipient": "y", "body": "?"} for i in range(4)]
    r = run(svc, msgs)
    assert r.cases_opened == 1


def test_evasion_of_a_ban(svc: Services) -> None:
    run(svc, [MEMBER])
    sanctions.apply(svc, svc.actor("ines"), member="u1", kind="ban", duration="permanent", reason="threats")
    r = run(svc, [{"type": "member", "id": "u1bis", "handle": "lune2", "device": "d1"}])
    assert r.cases_opened == 1
    [c] = cases.list_queue(svc, svc.actor("lea"), queue="evasion")
    assert c.subject_id == "u1bis" and "u1" in (c.signals[0].detail or "")


def test_expired_mute_is_not_evasion(svc: Services, clock) -> None:  # type: ignore[no-untyped-def]
    run(svc, [MEMBER])
    sanctions.apply(svc, svc.actor("lea"), member="u1", kind="mute", duration="24h", reason="respect: insults")
    clock.advance(timedelta(hours=25))
    r = run(svc, [{"type": "member", "id": "u1bis", "device": "d1"}])
    assert r.cases_opened == 0


def test_interrupted_run_again(svc: Services) -> None:
    events = [{"type": "content", "id": f"p{i}", "kind": "post", "author": f"u{i % 7}", "body": f"kill yourself {i}"}
              for i in range(50)]
    svc._policy = svc.policy().__class__(ingest_batch=10)  # small batches
    partial = run(svc, events[:23])  # as if the process died after 23 lines
    assert partial.cases_opened == 23
    r = run(svc, events)
    assert r.duplicates == 23 and r.cases_opened == 27 and count(svc, Content) == 50


def test_odd_unicode_and_a_huge_body(svc: Services) -> None:
    huge = ("bonjour " * 131072) + "je veux mourir"
    r = run(svc, [
        {"type": "content", "id": "big", "kind": "post", "author": "u1", "body": huge},
        {"type": "content", "id": "odd", "kind": "post", "author": "u1",
         "body": "\x00\x1b[31m𝕊𝕦𝕚𝕔𝕚𝕕𝕖 \u202e\u200b ｓｕｉｃｉｄｅ 🙂 é\u0301"},
        {"type": "member", "id": "u🙂", "handle": "[bold]x[/bold]\x1b]8;;http://e\x1b\\"},
    ])
    assert r.rejected == []
    with svc.store.read() as s:
        big = s.get(Content, "big")
        odd = s.get(Content, "odd")
    assert big is not None and big.body == huge and len(huge) > 1_000_000
    assert odd is not None and odd.body is not None and "\x00" not in odd.body and odd.body.startswith("\ufffd\x1b[31m")
    queues = {c.subject_id: c.queue for c in cases.list_queue(svc, svc.actor("lea"))}
    assert queues.get("big") == "self_harm" and queues.get("odd") == "self_harm"


def test_only_platform_and_admin_ingest(svc: Services) -> None:
    with pytest.raises(Forbidden):
        run(svc, [MEMBER], actor="lea")
    assert count(svc, Member) == 0


def test_lines_that_once_crashed_a_run_are_rejected_alone(svc: Services) -> None:
    r = run(svc, [
        json.dumps({"type": "member", "id": "m1", "created_at": "0001-01-01T00:00:00+01:00"}),
        '{"type": "member", "id": "m2", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"type": "member", "id": "m3", "x": ' + "9" * 5000 + "}",
        '{"type": "member", "id": "m4", "x": NaN}',
        json.dumps({"type": "member", "id": "m5", "handle": "h" * 300}),
        json.dumps({"type": "member", "id": "m6", "language": "x" * 40}),
        json.dumps({"type": "block", "blocker": "a", "blocked": "b"}),
        json.dumps({"type": "member", "id": "ok", "handle": "fine", "language": "en-US-x-priv"}),
    ])
    assert [x.line for x in r.rejected] == [1, 2, 3, 4, 5, 6, 7]
    assert "ISO 8601" in r.rejected[0].error and "nested too deeply" in r.rejected[1].error
    assert "longer than 256" in r.rejected[4].error and "'created_at' is required" in r.rejected[6].error
    assert r.by_type == {"member": 1}


def test_report_before_its_content_in_one_batch_knows_the_author(svc: Services) -> None:
    run(svc, [{"type": "report", "id": "r1", "reporter": "x", "content": "c1", "reason": "offensive"},
              {"type": "content", "id": "c1", "kind": "post", "author": "auth", "body": "bonjour"}])
    [c] = cases.list_queue(svc, svc.actor("lea"))
    assert c.subject_id == "c1" and c.member == "auth"


def test_long_ids_in_the_harassment_rule(svc: Services) -> None:
    a, b = "a" * 120, "b" * 120
    r = run(svc, [{"type": "content", "id": f"m{i}", "kind": "message", "author": a, "recipient": b, "body": "?"} for i in range(4)])
    assert r.rejected == [] and r.cases_opened == 1


def test_harassment_case_shows_the_conversation(svc: Services) -> None:
    msgs = [{"type": "content", "id": f"m{i}", "kind": "message", "author": "x", "recipient": "y", "body": f"message {i}",
             "created_at": f"2026-11-26T08:0{i}:00Z"} for i in range(4)]
    run(svc, msgs)
    [c] = cases.list_queue(svc, svc.actor("lea"))
    detail = cases.show(svc, svc.actor("lea"), c.id)
    assert detail.content is not None and detail.content.id == "m3"
    assert [m.id for m in detail.context] == ["m0", "m1", "m2"]


def test_a_grammar_frame_names_its_rule_in_the_signal(svc: Services) -> None:
    """A frame of the phrase grammar (no lexicon term in it) opens a case whose signal says
    which rule fired, so the moderator sees why (issue 15)."""
    run(svc, [{"type": "content", "id": "g1", "kind": "post", "author": "u1", "body": "honestly I wish I were dead",
               "created_at": "2026-11-26T08:00:00Z"}])
    [c] = cases.list_queue(svc, svc.actor("lea"), queue="self_harm")
    assert (c.subject_id, c.priority) == ("g1", 3)
    assert [(s.source, s.detail) for s in c.signals] == [("lexicon", "rule wish-dead-conditional (en)")]


def test_a_batch_without_content_does_not_wait_for_the_detector(svc: Services) -> None:
    # building the detector takes a second or two: an urgent self-assessment or a report is
    # queued without it; the first content builds it
    result = run(svc, [
        {"type": "self_assessment", "id": "sa1", "member": "u9", "suicidal": True, "score": 25},
        {"type": "report", "id": "r1", "reason": "urgent_help", "member": "u9", "reporter": "u8"},
    ])
    assert result.events == 2 and svc._detector is None
    run(svc, [{"type": "content", "id": "c1", "kind": "post", "author": "u9", "body": "je veux mourir"}])
    assert svc._detector is not None
