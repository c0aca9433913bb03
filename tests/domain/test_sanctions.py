"""Sanctions that hold (SPEC §4): every kind's effect on the effective status at every instant
(an injected clock, no expiry job), who may apply and lift, the house rule and the statement
of reasons, no-contact orders both ways, ban evasion, appeals, the ladder. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from modconsole.domain import appeals, cases, ingest, members, platform, sanctions
from modconsole.domain.models import AuditEntry, Outbox
from modconsole.domain.service import Services
from modconsole.errors import Conflict, Forbidden, InvalidInput, NotFound

EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune", "language": "fr", "device": "dev-1"},
    {"type": "member", "id": "u2", "handle": "soleil", "language": "en"},
    {"type": "member", "id": "u3", "handle": "etoile"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard",
     "created_at": "2026-11-26T08:00:00Z"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p1", "reason": "offensive", "note": "encore lui"},
    {"type": "content", "id": "dm1", "kind": "message", "author": "u1", "recipient": "u3", "body": "salut"},
]


def feed(svc: Services, events: list[dict[str, Any]]) -> None:
    data = "\n".join(json.dumps(e) for e in events).encode()
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    assert not result.rejected, result.rejected


@pytest.fixture
def world(svc: Services) -> Services:
    feed(svc, EVENTS)
    return svc


def case_of(svc: Services, subject: str) -> int:
    return next(c.id for c in cases.list_queue(svc, svc.actor("root"), limit=0) if c.subject_id == subject)


def status(svc: Services, member: str, *, at=None, with_member=None):  # type: ignore[no-untyped-def]
    return platform.status(svc, svc.actor("feed"), member, at, with_member)


def refusals(svc: Services, action: str) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.outcome == "refused")).scalar_one())


# --- effect of each kind, at every instant ---------------------------------------------------------


@pytest.mark.parametrize(("kind", "duration", "login", "post", "comment", "message_new", "message_contact"), [
    ("warning", None, True, True, True, True, True),
    ("comment_mute", "24h", True, True, False, True, True),
    ("mute", "24h", True, False, False, False, True),
    ("ban", "24h", False, False, False, False, False),
])
def test_each_kind_holds_while_in_force_and_ends_by_itself(world: Services, kind, duration, login, post, comment,  # type: ignore[no-untyped-def]
                                                           message_new, message_contact) -> None:
    svc, clock = world, world.store.clock
    t0 = svc.now()
    sanctions.apply(svc, svc.actor("lea"), member="u1", kind=kind, duration=duration, reason="respect: insults")
    st = status(svc, "u1", with_member="u2")
    assert (st.can_login, st.can_post, st.can_comment, st.can_message) == (login, post, comment, message_new)
    assert status(svc, "u1", with_member="u3").can_message is message_contact  # u3 is an existing contact
    assert [x.kind for x in st.in_force] == [kind]
    before = status(svc, "u1", at=t0 - timedelta(seconds=1))
    assert (before.can_login, before.can_post, before.can_comment) == (True, True, True)
    if duration:
        just_before_end = status(svc, "u1", at=t0 + timedelta(hours=24) - timedelta(seconds=1))
        assert (just_before_end.can_login, just_before_end.can_post) == (login, post)
        clock.advance(timedelta(hours=24))  # no job runs: the instant alone decides
        after = status(svc, "u1", with_member="u2")
        assert (after.can_login, after.can_post, after.can_comment, after.can_message) == (True, True, True, True)
        assert after.in_force == []


def test_permanent_ban_never_ends_and_lifting_ends_it(world: Services) -> None:
    svc, clock = world, world.store.clock
    ban = sanctions.apply(svc, svc.actor("ines"), member="u1", kind="ban", duration="permanent", reason="threats: repeated")
    clock.advance(timedelta(days=3650))
    assert status(svc, "u1").can_login is False
    lifted_at = svc.now()
    clock.advance(timedelta(minutes=1))
    sanctions.lift(svc, svc.actor("ines"), ban.id, "reviewed: mistaken identity")
    assert status(svc, "u1").can_login is True
    assert status(svc, "u1", at=lifted_at).can_login is False  # the past stays as it was


def test_no_contact_binds_both_ways_until_lifted(world: Services) -> None:
    svc, clock = world, world.store.clock
    order = sanctions.apply(svc, svc.actor("ines"), member="u1", kind="no_contact", duration=None,
                            reason="no_contact: asked by u3", other="u3")
    for a, b in (("u1", "u3"), ("u3", "u1")):
        st = status(svc, a, with_member=b)
        assert st.can_message is False and st.can_post is True and st.can_login is True
    assert status(svc, "u1", with_member="u2").can_message is True
    with pytest.raises(Conflict, match="already in force"):
        sanctions.apply(svc, svc.actor("ines"), member="u3", kind="no_contact", duration=None, reason="no_contact", other="u1")
    clock.advance(timedelta(days=30))
    assert status(svc, "u3", with_member="u1").can_message is False  # until lifted, whatever the time
    sanctions.lift(svc, svc.actor("ines"), order.id, "both asked")
    assert status(svc, "u3", with_member="u1").can_message is True


# --- who may ----------------------------------------------------------------------------------------


def test_who_may_apply_and_lift(world: Services) -> None:
    svc = world
    lea, ines, drm = svc.actor("lea"), svc.actor("ines"), svc.actor("drm")
    with pytest.raises(Forbidden, match="permanent"):
        sanctions.apply(svc, lea, member="u1", kind="ban", duration="permanent", reason="threats")
    with pytest.raises(Forbidden, match="no-contact"):
        sanctions.apply(svc, lea, member="u1", kind="no_contact", duration=None, reason="no_contact", other="u2")
    with pytest.raises(Forbidden):
        sanctions.apply(svc, drm, member="u1", kind="warning", duration=None, reason="respect")
    mute = sanctions.apply(svc, lea, member="u1", kind="mute", duration="72h", reason="respect")
    with pytest.raises(Forbidden):
        sanctions.lift(svc, lea, mute.id, "changed my mind")
    assert status(svc, "u1").can_post is False  # the refused lift changed nothing
    assert refusals(svc, "sanction.apply") == 3 and refusals(svc, "sanction.lift") == 1
    lifted = sanctions.lift(svc, ines, mute.id, "overturned")
    assert lifted.lifted_at is not None and lifted.lift_reason == "overturned"
    with pytest.raises(Conflict, match="already lifted"):
        sanctions.lift(svc, ines, mute.id, "again")
    with pytest.raises(NotFound):
        sanctions.lift(svc, ines, 999_999, "no such")
    with pytest.raises(InvalidInput):
        sanctions.lift(svc, ines, mute.id, "   ")


def test_an_ended_sanction_cannot_be_lifted(world: Services) -> None:
    svc = world
    s = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="comment_mute", duration="1h", reason="spam")
    svc.store.clock.advance(timedelta(hours=2))
    with pytest.raises(Conflict, match="already ended"):
        sanctions.lift(svc, svc.actor("ines"), s.id, "late")


# --- house rule and statement of reasons ---------------------------------------------------------------


def test_the_house_rule_is_required_and_found(world: Services) -> None:
    svc, lea = world, world.actor("lea")
    with pytest.raises(InvalidInput, match="house rule"):
        sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="because")
    with pytest.raises(InvalidInput, match="unknown house rule"):
        sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="because", rule="nope")
    assert sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="because", rule="spam").rule == "spam"
    assert sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="Threats: said he would").rule == "threats"
    from_case = sanctions.apply(svc, lea, member="u1", kind="warning", duration=None, reason="see case",
                                case_id=case_of(svc, "p1"))
    assert from_case.rule == "respect"  # an offensive case rests on the respect rule
    with pytest.raises(InvalidInput, match="about member u1"):
        sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="respect", case_id=case_of(svc, "p1"))


def test_statement_of_reasons_in_the_members_language_never_the_reporter(world: Services) -> None:
    svc = world
    s = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="mute", duration="72h", reason="respect: insulte",
                        case_id=case_of(svc, "p1"))
    text = s.statement or ""
    assert text.startswith("Bonjour lune")  # u1 writes in French
    assert "p1" in text and "2026-11-26" in text and "signalé par un membre" in text  # the facts
    assert "Respecter les autres membres" in text  # the rule, in French
    assert "jusqu'au 2026-11-29 09:00 UTC" in text  # the duration
    assert "Contester" in text and "6 mois" in text  # how to appeal
    assert "secret-reporter" not in text and "encore lui" not in text  # never the reporter, nor their note
    with svc.store.read() as db:
        sent = [o.payload for o in db.execute(select(Outbox).where(Outbox.member_id == "u1")).scalars()]
    assert any(p["action"] == "apply" and p["kind"] == "mute" for p in sent if "action" in p)  # for the platform
    assert any(p.get("body") == text for p in sent)  # and the notice to the member
    english = sanctions.apply(svc, svc.actor("lea"), member="u2", kind="ban", duration="7d", reason="spam")
    assert english.statement and english.statement.startswith("Hello soleil") and "cannot log in" in english.statement


def test_both_members_are_told_of_a_no_contact_order(world: Services) -> None:
    svc = world
    sanctions.apply(svc, svc.actor("ines"), member="u1", kind="no_contact", duration=None, reason="no_contact", other="u2")
    with svc.store.read() as db:
        notices = {o.member_id: o.payload["body"] for o in db.execute(select(Outbox).where(Outbox.kind == "message")).scalars()}
    assert "soleil" in notices["u1"] and "lune" in notices["u2"]


def test_preview_applies_nothing_and_refuses_like_apply(world: Services) -> None:
    svc = world
    with svc.store.read() as db:
        before = db.execute(select(func.count()).select_from(Outbox)).scalar_one()
    p = sanctions.preview(svc, svc.actor("lea"), member="u1", kind="mute", duration="24h", reason="respect")
    assert p.id == 0 and p.statement and "lune" in p.statement
    assert status(svc, "u1").can_post is True
    with svc.store.read() as db:
        assert db.execute(select(func.count()).select_from(Outbox)).scalar_one() == before
    with pytest.raises(Forbidden):
        sanctions.preview(svc, svc.actor("lea"), member="u1", kind="ban", duration="permanent", reason="threats")
    assert refusals(svc, "sanction.apply") == 0  # a preview is not an attempt
    with pytest.raises(Forbidden):
        sanctions.preview(svc, svc.actor("drm"), member="u1", kind="warning", duration=None, reason="respect")
    assert refusals(svc, "sanction.apply") == 1  # a role that may not sanction at all is audited


# --- evasion -------------------------------------------------------------------------------------------


def test_confirming_evasion_bans_every_linked_profile_for_good(world: Services) -> None:
    svc = world
    mute = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="mute", duration="7d", reason="respect")
    feed(svc, [{"type": "member", "id": "u1bis", "handle": "lune2", "device": "dev-1"}])
    evasion = next(c for c in cases.list_queue(svc, svc.actor("ines"), queue="evasion") if c.subject_id == "u1bis")
    with pytest.raises(Forbidden):
        sanctions.confirm_evasion(svc, svc.actor("lea"), evasion.id, "same device")
    with pytest.raises(InvalidInput, match="not a ban-evasion case"):
        sanctions.confirm_evasion(svc, svc.actor("ines"), case_of(svc, "p1"), "nope")
    bans = sanctions.confirm_evasion(svc, svc.actor("ines"), evasion.id, "evasion: same device, same style")
    assert sorted(b.member for b in bans) == ["u1", "u1bis"]
    assert all(b.kind == "ban" and b.ends_at is None and b.extends == mute.id and b.rule == "evasion" for b in bans)
    svc.store.clock.advance(timedelta(days=400))  # the mute would have ended; the ban does not
    assert status(svc, "u1").can_login is False and status(svc, "u1bis").can_login is False
    assert cases.show(svc, svc.actor("ines"), evasion.id).case.resolution == "evasion_confirmed"


# --- appeals -------------------------------------------------------------------------------------------


def appeal(svc: Services, appeal_id: str, **what: str) -> int:
    feed(svc, [{"type": "appeal", "id": appeal_id, "member": what.pop("member", "u1"), "body": "[b]injuste[/b] \x1b[2J", **what}])
    return next(a.id for a in appeals.list_appeals(svc, svc.actor("ines")) if a.appeal == appeal_id)


def test_reversing_a_sanction_on_appeal(world: Services) -> None:
    svc = world
    ban = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="ban", duration="30d", reason="threats")
    cid = appeal(svc, "ap1", sanction=str(ban.id))
    listed = appeals.show(svc, svc.actor("sam"), cid)
    assert listed.contests == "sanction" and listed.first_decided_by == "lea" and listed.sanction.id == ban.id  # type: ignore[union-attr]
    with pytest.raises(Forbidden, match="took the decision under appeal"):
        appeals.decide(svc, svc.actor("lea"), cid, "uphold", "I stand by it")
    with pytest.raises(Forbidden, match="a senior decides"):
        appeals.decide(svc, svc.actor("sam"), cid, "reverse", "looks wrong")
    assert status(svc, "u1").can_login is False and refusals(svc, "appeal.decide") == 2
    decided = appeals.decide(svc, svc.actor("ines"), cid, "reverse", "the threat was a quote from a film")
    assert decided.state == "reversed" and decided.decided_by == "ines"
    assert status(svc, "u1").can_login is True
    with pytest.raises(Conflict, match="already decided"):
        appeals.decide(svc, svc.actor("root"), cid, "uphold", "again")
    with svc.store.read() as db:
        told = [o.payload["body"] for o in db.execute(select(Outbox).where(Outbox.member_id == "u1", Outbox.kind == "message")).scalars()]
    assert any("annulée" in t and "the threat was a quote" in t for t in told)  # in French, with the reason
    # a reversed sanction no longer counts on the ladder
    ladder = members.show(svc, svc.actor("lea"), "u1")
    assert ladder.suggested_next == "warning" and ladder.suggestion_reason.startswith("no sanction before")


def test_upholding_and_restoring_content_on_appeal(world: Services) -> None:
    svc = world
    cases.claim(svc, svc.actor("lea"), case_of(svc, "p1"))
    cases.resolve(svc, svc.actor("lea"), case_of(svc, "p1"), "remove", "respect")
    first = appeal(svc, "ap2", case="p1")  # the platform may name the content
    a = appeals.show(svc, svc.actor("sam"), first)
    assert a.contests == "content" and a.content == "p1" and a.first_decided_by == "lea"
    upheld = appeals.decide(svc, svc.actor("sam"), first, "uphold", "the insult is plain")
    assert upheld.state == "upheld"
    second = appeal(svc, "ap3", case=str(a.content_case))  # or the case id
    restored = appeals.decide(svc, svc.actor("sam"), second, "reverse", "second look: sarcasm between friends")
    assert restored.state == "reversed"
    with svc.store.read() as db:
        from modconsole.domain.models import Content

        assert db.get(Content, "p1").visibility == "visible"  # type: ignore[union-attr]
        actions = [o.payload["action"] for o in db.execute(select(Outbox).where(Outbox.kind == "content", Outbox.content_id == "p1")).scalars()]
        assert actions == ["remove", "restore"]


def test_an_appeal_naming_nothing_can_only_be_upheld(world: Services) -> None:
    svc = world
    other = sanctions.apply(svc, svc.actor("lea"), member="u2", kind="warning", duration=None, reason="spam")
    cid = appeal(svc, "ap4", sanction=str(other.id))  # u1 contests u2's sanction
    assert appeals.show(svc, svc.actor("sam"), cid).contests == "unknown"
    with pytest.raises(InvalidInput, match="nothing of this member's"):
        appeals.decide(svc, svc.actor("ines"), cid, "reverse", "x")
    with pytest.raises(InvalidInput):
        appeals.decide(svc, svc.actor("ines"), cid, "maybe", "x")
    with pytest.raises(Forbidden):
        appeals.list_appeals(svc, svc.actor("drm"))
    assert appeals.decide(svc, svc.actor("ines"), cid, "uphold", "nothing to reverse").state == "upheld"
    assert [a.appeal for a in appeals.list_appeals(svc, svc.actor("ines"), "upheld")] == ["ap4"]


def test_appeal_cases_are_not_resolved_like_others(world: Services) -> None:
    svc = world
    ban = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="ban", duration="7d", reason="threats")
    cid = appeal(svc, "ap5", sanction=str(ban.id))
    with pytest.raises(Conflict, match="appeal decide"):
        cases.resolve(svc, svc.actor("ines"), cid, "dismiss")


# --- the ladder --------------------------------------------------------------------------------------------


def test_the_ladder_suggests_the_next_step(world: Services) -> None:
    svc, lea = world, world.actor("lea")
    show = lambda: members.show(svc, lea, "u2")  # noqa: E731
    assert show().suggested_next == "warning"
    sanctions.apply(svc, lea, member="u2", kind="warning", duration=None, reason="spam")
    assert show().suggested_next.startswith("mute")
    sanctions.apply(svc, lea, member="u2", kind="mute", duration="24h", reason="spam")
    assert show().suggested_next.startswith("ban (temporary")
    sanctions.apply(svc, lea, member="u2", kind="ban", duration="7d", reason="spam")
    assert show().suggested_next.startswith("ban (permanent")
    # a serious open case moves a first offender one step up
    feed(svc, [{"type": "content", "id": "t1", "kind": "post", "author": "u3", "body": "je vais te tuer"}])
    detail = members.show(svc, lea, "u3")
    assert detail.suggested_next.startswith("mute") and "serious" in detail.suggestion_reason
