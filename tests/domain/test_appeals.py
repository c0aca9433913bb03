"""Appeals (EU DSA Art. 20), one contested decision at a time: each appeal of a member has a
case of its own and is decided, and whoever took part in the contested decision (the
sanction's author, whoever resolved the case it was applied with, whoever decided the sanction
an evasion ban extends, whoever hid or removed the content) is refused. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from modconsole.domain import appeals, cases, platform, sanctions
from modconsole.domain.models import Appeal, AuditEntry, Content, Outbox
from modconsole.domain.service import Services
from modconsole.errors import Forbidden

from .helpers import feed

EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune", "language": "fr", "device": "dev-1"},
    {"type": "member", "id": "u2", "handle": "soleil", "language": "en"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard",
     "created_at": "2026-11-26T08:00:00Z"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p1", "reason": "offensive", "note": "encore"},
]


@pytest.fixture
def world(svc: Services) -> Services:
    feed(svc, EVENTS)
    return svc


def appeal_events(*appeals_: tuple[str, dict[str, str]], member: str = "u1") -> list[dict[str, Any]]:
    return [{"type": "appeal", "id": aid, "member": member, "body": "injuste", **what} for aid, what in appeals_]


def listed(svc: Services, state: str = "pending") -> dict[str, int]:
    """appeal id -> its case id, as `appeal list` shows them."""
    return {a.appeal: a.id for a in appeals.list_appeals(svc, svc.actor("ines"), state, limit=0)}


def refusals(svc: Services) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "appeal.decide", AuditEntry.outcome == "refused")).scalar_one())


def messages_to(svc: Services, member: str) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.count()).select_from(Outbox).where(
            Outbox.member_id == member, Outbox.kind == "message")).scalar_one())


def content_case(svc: Services, content_id: str) -> int:
    return next(c.id for c in cases.list_queue(svc, svc.actor("root"), limit=0) if c.subject_id == content_id)


def test_two_appeals_on_two_sanctions_are_two_cases_each_decided(world: Services) -> None:
    svc = world
    warning = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="warning", duration=None, reason="respect: rude")
    mute = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="mute", duration="24h", reason="respect: again")
    feed(svc, appeal_events(("ap1", {"sanction": str(warning.id)}), ("ap2", {"sanction": str(mute.id)})))
    pending = listed(svc)
    assert set(pending) == {"ap1", "ap2"} and pending["ap1"] != pending["ap2"]  # one case per contested decision
    assert appeals.show(svc, svc.actor("ines"), pending["ap2"]).sanction.id == mute.id  # type: ignore[union-attr]
    assert appeals.decide(svc, svc.actor("ines"), pending["ap1"], "uphold", "the warning stands").state == "upheld"
    assert appeals.decide(svc, svc.actor("ines"), pending["ap2"], "reverse", "the mute was too much").state == "reversed"
    assert listed(svc) == {}  # nothing left pending for ever
    assert set(listed(svc, "all")) == {"ap1", "ap2"}
    assert platform.status(svc, svc.actor("feed"), "u1").can_post is True


def test_an_appeal_on_a_sanction_and_one_on_a_case_are_two_cases(world: Services) -> None:
    svc = world
    case = content_case(svc, "p1")
    cases.resolve(svc, svc.actor("lea"), case, "remove", "respect")
    warning = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="warning", duration=None, reason="respect: rude")
    feed(svc, appeal_events(("ap1", {"sanction": str(warning.id)}), ("ap2", {"case": str(case)})))
    pending = listed(svc)
    assert pending["ap1"] != pending["ap2"]
    assert appeals.show(svc, svc.actor("ines"), pending["ap2"]).contests == "content"
    restored = appeals.decide(svc, svc.actor("ines"), pending["ap2"], "reverse", "sarcasm between friends")
    assert restored.state == "reversed" and restored.content == "p1"
    assert appeals.decide(svc, svc.actor("ines"), pending["ap1"], "uphold", "the warning stands").state == "upheld"
    assert listed(svc) == {}
    with svc.store.read() as s:
        assert s.get(Content, "p1").visibility == "visible"  # type: ignore[union-attr]


def test_the_sanctioning_moderator_is_refused_on_the_second_appeal_too(world: Services) -> None:
    svc = world
    by_sam = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="warning", duration=None, reason="respect: rude")
    by_lea = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="warning", duration=None, reason="respect: ruder")
    feed(svc, appeal_events(("ap1", {"sanction": str(by_sam.id)}), ("ap2", {"sanction": str(by_lea.id)})))
    second = listed(svc)["ap2"]
    assert appeals.show(svc, svc.actor("ines"), second).first_decided_by == "lea"
    before = messages_to(svc, "u1")
    with pytest.raises(Forbidden, match="took the decision under appeal ap2"):
        appeals.decide(svc, svc.actor("lea"), second, "uphold", "I stand by my warning")
    assert refusals(svc) == 1  # the refusal is audited
    with svc.store.read() as s:  # and nothing changed
        row = s.get(Appeal, "ap2")
        assert row is not None and (row.state, row.decided_by) == ("pending", None)
    assert messages_to(svc, "u1") == before
    assert cases.show(svc, svc.actor("ines"), second).case.state == "open"
    assert appeals.decide(svc, svc.actor("sam"), second, "uphold", "the warning stands").decided_by == "sam"


@pytest.mark.parametrize("resolution", ["hide", "dismiss"])
@pytest.mark.parametrize("named", ["case id", "content id"])
def test_an_appeal_naming_a_case_that_ended_in_a_sanction_contests_that_sanction(world: Services, resolution: str,
                                                                                  named: str) -> None:
    """The sanction's author (sam) and the case's resolver (lea) both decided: both refused; a
    third person (ines) decides, and reversing lifts the sanction."""
    svc = world
    case = content_case(svc, "p1")
    mute = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="mute", duration="7d", reason="respect: insult",
                           case_id=case)
    cases.resolve(svc, svc.actor("lea"), case, resolution, "respect")
    feed(svc, appeal_events(("ap1", {"case": str(case) if named == "case id" else "p1"})))
    cid = listed(svc)["ap1"]
    shown = appeals.show(svc, svc.actor("ines"), cid)
    assert shown.contests == "sanction" and shown.sanction.id == mute.id  # type: ignore[union-attr]
    assert shown.first_decided_by == "sam, lea"
    for who in ("sam", "lea"):
        with pytest.raises(Forbidden, match="took the decision under appeal"):
            appeals.decide(svc, svc.actor(who), cid, "uphold", "it stands")
    assert refusals(svc) == 2 and listed(svc) == {"ap1": cid}
    assert platform.status(svc, svc.actor("feed"), "u1").can_post is False
    decided = appeals.decide(svc, svc.actor("ines"), cid, "reverse", "the insult was a quote")
    assert decided.state == "reversed" and decided.decided_by == "ines"
    assert platform.status(svc, svc.actor("feed"), "u1").can_post is True  # the sanction is lifted
    with svc.store.read() as s:
        visibility = s.get(Content, "p1").visibility  # type: ignore[union-attr]
    assert visibility == "visible"  # hidden then restored, or never hidden


def test_the_resolver_of_the_case_a_sanction_was_applied_with_is_refused_on_an_appeal_naming_the_sanction(
        world: Services) -> None:
    svc = world
    case = content_case(svc, "p1")
    warning = sanctions.apply(svc, svc.actor("sam"), member="u1", kind="warning", duration=None, reason="respect: rude",
                              case_id=case)
    cases.resolve(svc, svc.actor("lea"), case, "remove", "respect")
    feed(svc, appeal_events(("ap1", {"sanction": str(warning.id)})))
    cid = listed(svc)["ap1"]
    with pytest.raises(Forbidden, match="under appeal"):
        appeals.decide(svc, svc.actor("lea"), cid, "uphold", "it stands")
    assert appeals.decide(svc, svc.actor("ines"), cid, "uphold", "it stands").state == "upheld"


def test_whoever_decided_the_sanction_an_evasion_ban_extends_is_refused(world: Services) -> None:
    svc = world
    mute = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="mute", duration="7d", reason="respect")
    feed(svc, [{"type": "member", "id": "u1bis", "handle": "lune2", "device": "dev-1"}])
    evasion = next(c for c in cases.list_queue(svc, svc.actor("ines"), queue="evasion") if c.subject_id == "u1bis")
    bans = sanctions.confirm_evasion(svc, svc.actor("ines"), evasion.id, "evasion: same device")
    ban = next(b for b in bans if b.member == "u1bis")
    assert ban.extends == mute.id
    feed(svc, appeal_events(("ap1", {"sanction": str(ban.id)}), member="u1bis"))
    cid = listed(svc)["ap1"]
    assert appeals.show(svc, svc.actor("root"), cid).first_decided_by == "ines, lea"
    for who in ("ines", "lea"):  # the ban's author, and the author of the mute it rests on
        with pytest.raises(Forbidden, match="under appeal"):
            appeals.decide(svc, svc.actor(who), cid, "uphold", "it stands")
    assert appeals.decide(svc, svc.actor("root"), cid, "reverse", "not the same person").state == "reversed"
    assert platform.status(svc, svc.actor("feed"), "u1bis").can_login is True


def test_an_appeal_sent_again_joins_its_case_and_one_decision_decides_both(world: Services) -> None:
    svc = world
    warning = sanctions.apply(svc, svc.actor("lea"), member="u1", kind="warning", duration=None, reason="respect: rude")
    feed(svc, appeal_events(("ap1", {"sanction": str(warning.id)})))
    feed(svc, appeal_events(("ap1-again", {"sanction": f" {warning.id} "})))  # the same decision, named again
    pending = listed(svc)
    assert set(pending) == {"ap1", "ap1-again"} and pending["ap1"] == pending["ap1-again"]
    with pytest.raises(Forbidden, match="under appeal"):
        appeals.decide(svc, svc.actor("lea"), pending["ap1"], "uphold", "mine")
    before = messages_to(svc, "u1")
    appeals.decide(svc, svc.actor("sam"), pending["ap1"], "uphold", "the warning stands")
    assert listed(svc) == {} and set(listed(svc, "upheld")) == {"ap1", "ap1-again"}
    assert messages_to(svc, "u1") == before + 1  # one answer to one decision
    with svc.store.read() as s:
        assert {a.decided_by for a in s.execute(select(Appeal)).scalars()} == {svc.actor("sam").id}
    # sent again after the decision: a new case, decided like any other
    feed(svc, appeal_events(("ap1-third", {"sanction": str(warning.id)})))
    third = listed(svc)["ap1-third"]
    assert third != pending["ap1"]
    with pytest.raises(Forbidden, match="under appeal"):
        appeals.decide(svc, svc.actor("lea"), third, "uphold", "mine")
    assert appeals.decide(svc, svc.actor("ines"), third, "uphold", "still stands").state == "upheld"


def test_ids_with_colons_never_put_two_members_appeals_on_one_case(world: Services) -> None:
    """Open keys are built from ids that may hold ':' (a guard on the key's encoding)."""
    svc = world
    feed(svc, [{"type": "member", "id": "u1:sanction:5"}])
    feed(svc, appeal_events(("a-one", {"case": "9"}), member="u1:sanction:5")
         + appeal_events(("a-two", {"sanction": "5:case:9"}), member="u1"))
    pending = listed(svc)
    assert pending["a-one"] != pending["a-two"]


def test_the_other_member_bound_by_a_no_contact_order_may_appeal_it_and_its_author_is_refused(world: Services) -> None:
    svc = world
    order = sanctions.apply(svc, svc.actor("ines"), member="u1", kind="no_contact", duration=None,
                            reason="no_contact: asked by u1", other="u2")
    feed(svc, appeal_events(("ap1", {"sanction": str(order.id)}), member="u2"))  # u2 is bound too
    cid = listed(svc)["ap1"]
    assert appeals.show(svc, svc.actor("root"), cid).contests == "sanction"
    with pytest.raises(Forbidden, match="under appeal"):
        appeals.decide(svc, svc.actor("ines"), cid, "uphold", "mine")
    assert appeals.decide(svc, svc.actor("root"), cid, "reverse", "u2 never wrote to u1").state == "reversed"
    assert platform.status(svc, svc.actor("feed"), "u2", with_member="u1").can_message is True
