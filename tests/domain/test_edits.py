"""Content edits at ingest, and the personal-details notice that hides content until it is edited
(SPEC §4), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from modconsole.domain import cases, ingest, messages
from modconsole.domain.clock import iso
from modconsole.domain.models import AuditEntry, Case, Content, NoContactOrder, Outbox, Signal
from modconsole.domain.service import Services
from modconsole.errors import InvalidInput, NotFound
from modconsole.schemas import IngestResult

from ..conftest import T0

PHONE = "appelle-moi au 06 12 34 56 78"


def run(svc: Services, events: list[Any]) -> IngestResult:
    data = "\n".join(e if isinstance(e, str) else json.dumps(e) for e in events).encode()
    return ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))


def at(minutes: int) -> str:
    return iso(T0 + timedelta(minutes=minutes)) or ""


def post(body: str, cid: str = "p1", author: str = "u1", edited: int | str | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": "content", "id": cid, "kind": "post", "author": author, "body": body,
                          "created_at": at(-60)}
    if edited is not None:
        ev["edited_at"] = at(edited) if isinstance(edited, int) else edited
    return ev


def content(svc: Services, cid: str = "p1") -> Content:
    with svc.store.read() as s:
        row = s.get(Content, cid)
        assert row is not None
        s.expunge(row)
        return row


def outbox(svc: Services, kind: str | None = None) -> list[tuple[str, str | None, str | None, dict[str, Any] | None]]:
    with svc.store.read() as s:
        q = select(Outbox.kind, Outbox.member_id, Outbox.content_id, Outbox.payload).order_by(Outbox.id)
        if kind is not None:
            q = q.where(Outbox.kind == kind)
        return [tuple(r) for r in s.execute(q).all()]  # type: ignore[misc]


def signals(svc: Services, cid: str = "p1") -> list[tuple[str, str | None]]:
    with svc.store.read() as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(Signal.category, Signal.detail).where(Signal.content_id == cid).order_by(Signal.id)).all()]


def snapshot(svc: Services) -> tuple[Any, ...]:
    c = content(svc)
    with svc.store.read() as s:
        n = tuple(s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Signal, Outbox, Case))
    return (c.body, c.edited_at, c.visibility, n)


def test_the_personal_details_notice_hides_the_post_until_it_is_edited(svc: Services) -> None:
    run(svc, [{"type": "member", "id": "u1", "handle": "lune"}, post(PHONE)])
    [case] = cases.list_queue(svc, svc.actor("lea"), queue="pii")
    assert case.subject_id == "p1" and case.member == "u1"

    messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", case_id=case.id)
    assert content(svc).visibility == "pending_edit"
    hide, note = outbox(svc)
    assert hide == ("content", "u1", "p1", {"action": "hide_until_edited", "template": "pii_notice"})
    assert note[0] == "message" and note[3] is not None and note[3]["template"] == "pii_notice"
    with svc.store.read() as s:
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "member.message")).scalar_one()
    assert audit.detail is not None and audit.detail["content_id"] == "p1" and audit.detail["hidden_until_edited"] is True

    # an edit that still gives a phone number: still waiting, and the new hit joins the case
    r = run(svc, [post("mon numéro : +33 6 12 34 56 78", edited=10)])
    assert r.rejected == [] and r.duplicates == 0 and r.cases_opened == 0 and r.cases_joined == 1
    c = content(svc)
    assert c.visibility == "pending_edit" and c.body == "mon numéro : +33 6 12 34 56 78" and c.edited_at == T0 + timedelta(minutes=10)
    assert len(outbox(svc, "content")) == 1
    assert signals(svc) == [("pii", "phone"), ("pii", "phone")]

    # an edit without personal details: shown again, and the platform is told
    r = run(svc, [post("écris-moi ici plutôt, merci", edited=20)])
    assert r.rejected == [] and r.duplicates == 0 and r.by_type == {"content": 1}
    c = content(svc)
    assert c.visibility == "visible" and c.body == "écris-moi ici plutôt, merci" and c.edited_at == T0 + timedelta(minutes=20)
    assert outbox(svc, "content")[1:] == [("content", "u1", "p1", {"action": "show", "reason": "edited"})]

    before = snapshot(svc)
    # the same edit twice is a duplicate
    again = run(svc, [post("écris-moi ici plutôt, merci", edited=20)])
    assert again.duplicates == 1 and again.by_type == {}
    # an edit older than (or as old as) the one stored changes nothing
    older = run(svc, [post(PHONE, edited=15), post("autre chose", edited=at(20).replace("Z", "+00:00"))])
    assert older.rejected == [] and older.duplicates == 2
    # a malformed edited_at: the line is rejected, naming the field
    bad = run(svc, [post("encore autre chose", edited="hier soir"), post("et encore") | {"edited_at": 12345}])
    assert [x.line for x in bad.rejected] == [1, 2]
    assert all("'edited_at'" in x.error for x in bad.rejected)
    assert snapshot(svc) == before


def test_an_edit_of_hidden_content_never_shows_it(svc: Services) -> None:
    run(svc, [post(PHONE)])
    [case] = cases.list_queue(svc, svc.actor("lea"), queue="pii")
    cases.resolve(svc, svc.actor("lea"), case.id, "hide", reason="personal details")
    run(svc, [post("plus rien de personnel", edited=5)])
    c = content(svc)
    assert c.visibility == "hidden" and c.body == "plus rien de personnel"
    assert [(k, p["action"]) for k, _m, _c, p in outbox(svc)] == [("content", "hide")]
    # the notice does not make hidden content pending either
    messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", content_id="p1")
    assert content(svc).visibility == "hidden"
    assert [p["action"] for *_, p in outbox(svc, "content")] == ["hide"]  # no hide_until_edited


def test_an_edit_runs_the_detector_again(svc: Services) -> None:
    run(svc, [post("belle journée au parc")])
    assert cases.list_queue(svc, svc.actor("root"), limit=0) == []
    r = run(svc, [post("je veux mourir ce soir", edited=5)])
    assert r.cases_opened == 1
    [case] = cases.list_queue(svc, svc.actor("root"), limit=0)
    assert (case.queue, case.subject_id, case.member) == ("self_harm", "p1", "u1")
    assert content(svc).visibility == "visible" and outbox(svc) == []  # not pending: nothing to show


def test_edits_in_one_batch_and_out_of_order(svc: Services) -> None:
    r = run(svc, [post("v1"), post("v3", edited=30), post("v2", edited=20), post("v4", cid="p2", edited=5), post("v0", cid="p2")])
    assert r.rejected == [] and r.duplicates == 2 and r.by_type == {"content": 3}
    p1, p2 = content(svc, "p1"), content(svc, "p2")
    assert (p1.body, p1.edited_at) == ("v3", T0 + timedelta(minutes=30))
    # an edit of content not seen yet stores it, as edited; its original, arriving later, is superseded
    assert (p2.body, p2.edited_at, p2.author_id, p2.placeholder) == ("v4", T0 + timedelta(minutes=5), "u1", False)
    r = run(svc, [post("v0", cid="p2"), post("v5", cid="p2", edited=6)])
    assert r.duplicates == 1  # the original was taken (superseded) in the first run
    assert content(svc, "p2").body == "v5"


def test_an_edit_fills_a_placeholder(svc: Services) -> None:
    run(svc, [{"type": "report", "id": "r1", "reporter": "u9", "content": "p1", "reason": "offensive"}])
    assert content(svc).placeholder
    r = run(svc, [post("texte corrigé", edited=3), post("plus ancien", edited=2)])
    assert r.duplicates == 1
    c = content(svc)
    assert (c.placeholder, c.body, c.author_id, c.edited_at) == (False, "texte corrigé", "u1", T0 + timedelta(minutes=3))


def test_the_notice_names_its_content(svc: Services) -> None:
    run(svc, [post(PHONE), post("rien", cid="p2", author="u2")])
    with pytest.raises(InvalidInput, match="not by member"):
        messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", content_id="p2")
    with pytest.raises(InvalidInput, match="pii_notice"):
        messages.send(svc, svc.actor("lea"), "u1", template="warning", content_id="p1")
    with pytest.raises(NotFound):
        messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", content_id="nope")
    assert content(svc, "p2").visibility == "visible" and outbox(svc) == []
    # a member case, or no case: the message alone
    messages.send(svc, svc.actor("lea"), "u2", template="pii_notice")
    assert [k for k, *_ in outbox(svc)] == ["message"]
    # by content id
    messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", content_id="p1")
    assert content(svc).visibility == "pending_edit"
    assert outbox(svc, "content") == [("content", "u1", "p1", {"action": "hide_until_edited", "template": "pii_notice"})]
    # sent again: already pending, no second hide
    messages.send(svc, svc.actor("lea"), "u1", template="pii_notice", content_id="p1")
    assert len(outbox(svc, "content")) == 1 and len(outbox(svc, "message")) == 3


def test_an_edit_that_mentions_the_other_member_breaches_a_no_contact_order(svc: Services) -> None:
    run(svc, [{"type": "member", "id": "u1", "handle": "lune"}, {"type": "member", "id": "u2", "handle": "soleil"},
              post("bonjour tout le monde", author="u2")])
    with svc.store.write() as s:
        s.add(NoContactOrder(member_a="u1", member_b="u2", starts_at=T0 - timedelta(minutes=1)))
    run(svc, [post("bonjour tout le monde et @lune", author="u2", edited=5)])
    [case] = cases.list_queue(svc, svc.actor("lea"), limit=0)
    assert (case.queue, case.subject_id, case.member) == ("harassment", "p1", "u2")
    assert [x.detail for x in case.signals] == ["no-contact order #1 with u1: mention"]
