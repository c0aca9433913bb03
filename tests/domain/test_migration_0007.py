"""Migration 0007 on a store built at revision 0006 holding merged appeal cases (every appeal of
a member on one case, only the first ever decided): after the upgrade each pending appeal is on
a case of its own contested decision, with its signal and history, the SLA of the case it came
from, an open key the ingest path uses, and can be decided by someone other than its first
decider. SQLite (and PostgreSQL)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from modconsole.domain import appeals, ingest
from modconsole.domain.models import Case
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import Forbidden

from ..conftest import T0

SLA_A = T0 + timedelta(hours=72)
SLA_B = T0 - timedelta(hours=5)  # the leftover's case was decided long ago: its SLA is behind us


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_store(request, tmp_path, clock) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A store at revision 0006."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = f"m7_{tmp_path.name[-20:].lower().replace('-', '_')}"
        cluster.sql(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    store = Store(url, clock=clock)
    cfg = store.alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
    yield store
    store.dispose()


def insert(store: Store, table: str, rows: list[dict[str, Any]]) -> list[int]:
    md = sa.MetaData()
    with store.engine.begin() as conn:
        t = sa.Table(table, md, autoload_with=conn)
        out = []
        for row in rows:
            out.append(conn.execute(sa.insert(t).values(**row)).inserted_primary_key[0])
        return out


def merged_store(store: Store) -> dict[str, int]:
    """Rows as the code before 0007 left them: member u1's four appeals on case A (open), member
    u2's decided appeal and its two pending leftovers on case B (resolved)."""
    at = T0 - timedelta(hours=1)
    root, lea, sam, ines, feed = insert(store, "staff", [
        {"name": n, "role": r, "active": True, "created_at": at}
        for n, r in (("root", "admin"), ("lea", "moderator"), ("sam", "moderator"), ("ines", "senior"), ("feed", "platform"))])
    insert(store, "member", [{"id": m, "placeholder": False, "pseudonymised": False} for m in ("u1", "u2")])
    s1, s2, s3, s4 = insert(store, "sanction", [
        {"member_id": m, "kind": k, "starts_at": at, "ends_at": None if k == "warning" else at + timedelta(days=7),
         "reason": "respect: rude", "rule": "respect", "created_by": by, "created_at": at}
        for m, k, by in (("u1", "warning", sam), ("u1", "mute", lea), ("u2", "warning", lea), ("u2", "mute", sam))])
    case_a, case_b = insert(store, "moderation_case", [
        {"queue": "appeal", "state": "open", "active": True, "priority": 1, "subject_type": "member", "subject_id": "u1",
         "member_id": "u1", "open_key": "appeal:member:u1", "created_at": T0, "updated_at": T0, "sla_due_at": SLA_A,
         "signal_count": 4, "top_signals": []},
        {"queue": "appeal", "state": "resolved", "active": False, "priority": 1, "subject_type": "member", "subject_id": "u2",
         "member_id": "u2", "open_key": None, "created_at": T0 - timedelta(hours=77), "updated_at": T0,
         "sla_due_at": SLA_B, "signal_count": 3, "top_signals": [], "resolved_at": T0 - timedelta(hours=2),
         "resolution": "appeal_upheld"},
    ])
    appeal_rows = [  # (id, member, sanction, case, state, case)
        ("ap1", "u1", str(s1), None, "pending", case_a), ("ap2", "u1", str(s2), None, "pending", case_a),
        ("ap3", "u1", None, "p9", "pending", case_a), ("ap1b", "u1", f" {s1}", None, "pending", case_a),
        ("ap4", "u2", str(s3), None, "upheld", case_b), ("ap5", "u2", str(s3), None, "pending", case_b),
        ("ap6", "u2", str(s4), None, "pending", case_b),
    ]
    insert(store, "appeal", [
        {"id": aid, "member_id": m, "sanction_ref": sref, "case_ref": cref, "body": "injuste", "state": st, "case_id": cid,
         "created_at": T0 - timedelta(minutes=10 - i),
         **({"decision": "upheld", "decided_by": ines, "decided_at": T0 - timedelta(hours=2), "decision_reason": "stands"}
            if st == "upheld" else {})}
        for i, (aid, m, sref, cref, st, cid) in enumerate(appeal_rows)])
    insert(store, "signal", [
        {"case_id": cid, "source": "appeal", "category": "appeal", "severity": 1, "ref": f"appeal:{aid}",
         "detail": f"contests sanction {sref}" if sref else f"contests case {cref}", "created_at": T0 + timedelta(minutes=i)}
        for i, (aid, _, sref, cref, _, cid) in enumerate(appeal_rows)])
    insert(store, "case_event", [{"case_id": cid, "at": T0, "action": "opened", "detail": {"signals": 1}}
                                 for cid in (case_a, case_b)])
    return {"A": case_a, "B": case_b, "s1": s1, "s2": s2, "s3": s3, "s4": s4}


def upgrade_to_head(store: Store) -> None:
    store.upgrade()  # as `modconsole init` does: the migrations, then the audit key


def rows(store: Store, sql: str, **params: Any) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def test_each_pending_appeal_gets_a_case_of_its_own(old_store: Store) -> None:
    store = old_store
    ids = merged_store(store)
    upgrade_to_head(store)
    svc = Services(store)
    case_of = {a: c for a, c in rows(store, "SELECT id, case_id FROM appeal")}
    # ap1 and ap1b (the same sanction, named twice) stay on A, the first to arrive; the others move
    assert case_of["ap1"] == case_of["ap1b"] == ids["A"] and case_of["ap4"] == ids["B"]
    moved = {a: case_of[a] for a in ("ap2", "ap3", "ap5", "ap6")}
    assert len(set(moved.values())) == 4 and not set(moved.values()) & {ids["A"], ids["B"]}
    with store.read() as s:
        cases = {c.id: c for c in s.execute(sa.select(Case)).scalars()}
        s.expunge_all()
    for aid, cid in moved.items():
        c, member = cases[cid], "u1" if aid in ("ap2", "ap3") else "u2"
        assert (c.queue, c.state, c.active, c.subject_type, c.subject_id, c.member_id, c.signal_count, c.priority) == \
            ("appeal", "open", True, "member", member, member, 1, 1)
        assert c.sla_due_at == (SLA_A if member == "u1" else SLA_B)  # the SLA of the case it came from
        assert c.open_key is not None and c.open_key.startswith("appeal:member:")
        assert [e["detail"] for e in c.top_signals or []] == [
            f"contests sanction {ids['s2']}" if aid == "ap2" else "contests case p9" if aid == "ap3"
            else f"contests sanction {ids['s3'] if aid == 'ap5' else ids['s4']}"]
        assert [r.ref for r in rows(store, "SELECT ref FROM signal WHERE case_id = :c", c=cid)] == [f"appeal:{aid}"]
        assert [r.action for r in rows(store, "SELECT action FROM case_event WHERE case_id = :c", c=cid)] == ["opened"]
    assert cases[ids["A"]].open_key is not None and cases[ids["A"]].open_key != "appeal:member:u1"
    assert sorted(r.ref for r in rows(store, "SELECT ref FROM signal WHERE case_id = :c", c=ids["A"])) == \
        ["appeal:ap1", "appeal:ap1b"]
    assert cases[ids["A"]].signal_count == 2 and cases[ids["B"]].signal_count == 1
    for old in (ids["A"], ids["B"]):
        [split] = rows(store, "SELECT detail FROM case_event WHERE case_id = :c AND action = 'split'", c=old)
        detail = split.detail if isinstance(split.detail, dict) else json.loads(split.detail)
        assert set(detail["appeals"]) == ({"ap2", "ap3"} if old == ids["A"] else {"ap5", "ap6"})

    # the console sees each, and each is decided, checked against its own first decider
    listed = {a.appeal: a.id for a in appeals.list_appeals(svc, svc.actor("ines"), limit=0)}
    assert listed == {a: case_of[a] for a in ("ap1", "ap1b", "ap2", "ap3", "ap5", "ap6")}
    with pytest.raises(Forbidden, match="under appeal ap2"):
        appeals.decide(svc, svc.actor("lea"), case_of["ap2"], "uphold", "mine stands")
    with pytest.raises(Forbidden, match="under appeal"):
        appeals.decide(svc, svc.actor("sam"), case_of["ap1"], "uphold", "mine stands")
    for aid in ("ap1", "ap2", "ap3", "ap5", "ap6"):
        appeals.decide(svc, svc.actor("root"), case_of[aid], "uphold", "stands")
    assert appeals.list_appeals(svc, svc.actor("ines")) == []



def test_an_appeal_sent_again_joins_its_migrated_case(old_store: Store) -> None:
    store = old_store
    ids = merged_store(store)
    upgrade_to_head(store)
    svc = Services(store)
    case_of = {a: c for a, c in rows(store, "SELECT id, case_id FROM appeal")}
    data = json.dumps({"type": "appeal", "id": "ap6-again", "member": "u2", "sanction": str(ids["s4"]), "body": "encore"})
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data.encode()))
    assert not result.rejected and result.cases_opened == 0
    assert dict(rows(store, "SELECT id, case_id FROM appeal WHERE id = 'ap6-again'")) == {"ap6-again": case_of["ap6"]}
    data = json.dumps({"type": "appeal", "id": "ap1-again", "member": "u1", "sanction": str(ids["s1"]), "body": "encore"})
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data.encode()))
    assert dict(rows(store, "SELECT id, case_id FROM appeal WHERE id = 'ap1-again'")) == {"ap1-again": ids["A"]}


def test_a_store_without_merged_appeals_is_left_as_it_was(old_store: Store) -> None:
    store = old_store
    upgrade_to_head(store)
    assert rows(store, "SELECT id FROM moderation_case") == []
