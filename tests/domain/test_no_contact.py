"""No-contact orders at ingest (SPEC §3 harassment row, §4 no_contact), on SQLite and PostgreSQL.

An order binds two members both ways: a message to the other, a post on the other's wall, a
reply to the other's content or a mention of the other's handle, while the order is in force at
the content's time, opens (or joins) a harassment case on that content.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from modconsole.domain import cases, ingest, sanctions
from modconsole.domain.clock import iso
from modconsole.domain.models import Case, NoContactOrder, Signal
from modconsole.domain.service import Services
from modconsole.schemas import IngestResult

from ..conftest import T0


def run(svc: Services, events: list) -> IngestResult:  # type: ignore[type-arg]
    data = "\n".join(json.dumps(e) for e in events).encode()
    return ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))


def at(minutes: int) -> str:
    return iso(T0 + timedelta(minutes=minutes)) or ""


MEMBERS = [
    {"type": "member", "id": "u1", "handle": "Lune"},
    {"type": "member", "id": "u2", "handle": "soleil_7"},
    {"type": "member", "id": "u3", "handle": "astre"},
]


def order(svc: Services, a: str, b: str, starts: datetime, lifted: datetime | None = None) -> int:
    """An order as sanctions.apply stores it (member_a < member_b), at chosen times."""
    x, y = sorted((a, b))
    with svc.store.write() as s:
        return int(s.execute(
            insert(NoContactOrder.__table__).returning(NoContactOrder.__table__.c.id),  # type: ignore[attr-defined]
            {"member_a": x, "member_b": y, "starts_at": starts, "lifted_at": lifted},
        ).scalar_one())


def breaches(svc: Services) -> list[tuple[str, str | None, str | None]]:
    """(content id, member of the case, detail) of every no-contact signal, by content id."""
    with svc.store.read() as s:
        rows = s.execute(
            select(Signal.content_id, Case.member_id, Signal.detail)
            .join(Case, Case.id == Signal.case_id)
            .where(Signal.source == "no_contact")
            .order_by(Signal.content_id, Signal.id)
        ).all()
    return [(c, m, d) for c, m, d in rows]


def post(cid: str, author: str, minutes: int = 10, body: str = "bonne soirée à tous", **more: str) -> dict:  # type: ignore[type-arg]
    return {"type": "content", "id": cid, "kind": "post", "author": author, "body": body, "created_at": at(minutes), **more}


def message(cid: str, author: str, recipient: str, minutes: int = 10, body: str = "coucou") -> dict:  # type: ignore[type-arg]
    return {"type": "content", "id": cid, "kind": "message", "author": author, "recipient": recipient, "body": body,
            "created_at": at(minutes)}


def test_a_message_breaches_the_order_both_ways(svc: Services) -> None:
    run(svc, MEMBERS)
    # u2 asked for the order against u1; it binds u2 just the same
    sanctions.apply(svc, svc.actor("ines"), member="u1", kind="no_contact", duration=None,
                    reason="no_contact: repeated unwanted messages", other="u2")
    with svc.store.read() as s:
        oid = s.execute(select(NoContactOrder.id)).scalar_one()
    r = run(svc, [message("m1", "u1", "u2"), message("m2", "u2", "u1", minutes=11), message("m3", "u1", "u3")])
    assert r.rejected == [] and r.cases_opened == 2
    assert breaches(svc) == [
        ("m1", "u1", f"no-contact order #{oid} with u2: message"),
        ("m2", "u2", f"no-contact order #{oid} with u1: message"),
    ]
    harassment = {c.subject_id: c for c in cases.list_queue(svc, svc.actor("lea"), queue="harassment", limit=0)}
    assert set(harassment) == {"m1", "m2"}
    m1 = harassment["m1"]
    assert (m1.subject_type, m1.member, m1.priority, m1.state) == ("content", "u1", 3, "open")
    [signal] = [x for x in m1.signals if x.source == "no_contact"]
    assert (signal.category, signal.severity, signal.content_id) == ("harassment", 3, "m1")
    assert "Lune" not in (signal.detail or "") and "soleil" not in (signal.detail or "")  # ids only


def test_a_post_on_the_other_members_wall(svc: Services) -> None:
    run(svc, MEMBERS)
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1))
    run(svc, [post("w1", "u2", wall_of="u1"), post("w2", "u3", wall_of="u1"), post("w3", "u2", wall_of="u3")])
    assert breaches(svc) == [("w1", "u2", f"no-contact order #{oid} with u1: wall")]


def test_a_reply_to_the_other_members_content_stored_or_in_the_same_batch(svc: Services) -> None:
    run(svc, MEMBERS)
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1))
    run(svc, [post("p1", "u1", minutes=1), post("p3", "u3", minutes=1)])  # stored before
    run(svc, [
        {"type": "content", "id": "c1", "kind": "comment", "author": "u2", "body": "pas d'accord", "parent": "p1",
         "created_at": at(20)},
        {"type": "content", "id": "c3", "kind": "comment", "author": "u2", "body": "pas d'accord", "parent": "p3",
         "created_at": at(20)},
        # the reply comes before its parent in the same batch
        {"type": "content", "id": "c2", "kind": "comment", "author": "u1", "body": "bof", "parent": "p2", "created_at": at(31)},
        post("p2", "u2", minutes=30),
    ])
    assert breaches(svc) == [
        ("c1", "u2", f"no-contact order #{oid} with u1: reply"),
        ("c2", "u1", f"no-contact order #{oid} with u2: reply"),
    ]


def test_a_mention_by_handle(svc: Services) -> None:
    run(svc, MEMBERS)
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1))
    run(svc, [
        post("n1", "u2", body="tu as vu ce qu'a écrit @lune, hier ?"),  # the stored handle is "Lune"
        post("n2", "u2", body="@LUNE."),
        post("n3", "u1", body="merci @Soleil_7 !"),
        post("n4", "u2", body="merci @astre"),  # another member
        post("n5", "u2", body="écris à contact@lune.fr"),  # an e-mail address, not a mention
        post("n6", "u2", body="voir @lune.fr et @lune_bis et @lunette"),  # other handles
        post("n7", "u2", body="la lune est belle ce soir"),  # no @
        post("n8", "u2", body="envoyé par alice@lune ce matin"),  # "@" right after a letter
    ])
    assert breaches(svc) == [
        ("n1", "u2", f"no-contact order #{oid} with u1: mention"),
        ("n2", "u2", f"no-contact order #{oid} with u1: mention"),
        ("n3", "u1", f"no-contact order #{oid} with u2: mention"),
    ]


def test_a_mention_of_a_handle_given_in_the_same_batch(svc: Services) -> None:
    run(svc, [post("x1", "u4", minutes=1), post("x2", "u5", minutes=1)])  # members known as placeholders only
    oid = order(svc, "u4", "u5", T0 - timedelta(days=1))
    run(svc, [{"type": "member", "id": "u5", "handle": "Etoile"}, post("h1", "u4", body="coucou @etoile")])
    assert breaches(svc) == [("h1", "u4", f"no-contact order #{oid} with u5: mention")]


def test_every_way_at_once_is_one_signal_naming_them(svc: Services) -> None:
    run(svc, MEMBERS)
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1))
    run(svc, [message("m1", "u2", "u1", body="@lune réponds-moi")])
    assert breaches(svc) == [("m1", "u2", f"no-contact order #{oid} with u1: message, mention")]


def test_no_breach_outside_the_order(svc: Services) -> None:
    run(svc, MEMBERS)
    order(svc, "u1", "u2", T0 - timedelta(days=2), lifted=T0 - timedelta(days=1))  # lifted before the content
    order(svc, "u1", "u3", T0 + timedelta(hours=1))  # starts after the content
    r = run(svc, [
        message("m1", "u2", "u1"), post("w1", "u2", wall_of="u1"), post("n1", "u2", body="@lune"),
        message("m2", "u3", "u1", minutes=30), post("n2", "u1", minutes=30, body="@astre"),
    ])
    assert r.rejected == [] and r.cases_opened == 0
    assert breaches(svc) == []
    # the same contact while the second order is in force is a breach (the check is at the content's time)
    run(svc, [message("m3", "u3", "u1", minutes=61)])
    assert [b[0] for b in breaches(svc)] == ["m3"]


def test_an_order_lifted_after_the_content_still_counts(svc: Services) -> None:
    run(svc, MEMBERS)
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1), lifted=T0 + timedelta(minutes=30))
    run(svc, [message("m1", "u1", "u2", minutes=20), message("m2", "u1", "u2", minutes=30)])
    assert breaches(svc) == [("m1", "u1", f"no-contact order #{oid} with u2: message")]


def test_a_breach_joins_the_open_case_of_the_content(svc: Services) -> None:
    run(svc, MEMBERS)
    order(svc, "u1", "u2", T0 - timedelta(days=1))
    r = run(svc, [
        {"type": "report", "id": "r1", "reporter": "u3", "content": "m1", "reason": "offensive"},
        message("m1", "u2", "u1"),
    ])
    assert r.cases_opened == 1
    [case] = cases.list_queue(svc, svc.actor("lea"), limit=0)
    assert case.subject_id == "m1" and case.queue == "harassment" and case.priority == 3
    assert sorted(x.source for x in case.signals) == ["no_contact", "report"]



def test_many_orders_are_read_for_the_batch_authors_only(svc: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ingest, "ORDER_SCAN", 1)  # more orders in force than are read whole
    run(svc, MEMBERS + [{"type": "member", "id": "u4", "handle": "nuit"}])
    order(svc, "u3", "u4", T0 - timedelta(days=1))
    oid = order(svc, "u1", "u2", T0 - timedelta(days=1))
    run(svc, [message("m1", "u2", "u1"), post("n1", "u1", body="@soleil_7"), message("m2", "u1", "u3")])
    assert breaches(svc) == [
        ("m1", "u2", f"no-contact order #{oid} with u1: message"),
        ("n1", "u1", f"no-contact order #{oid} with u2: mention"),
    ]
