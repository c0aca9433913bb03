"""Compliance reports on a store built for the test: statements of reasons checked field by
field against the DSA database's required-field rules, with no personal data; the
transparency report's numbers. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from modconsole.domain import appeals, cases, ingest, reports, sanctions
from modconsole.domain.service import Services
from modconsole.errors import Forbidden, InvalidInput

EVENTS = [
    {"type": "member", "id": "u1", "handle": "lune", "email": "lune@example.org"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "espèce de connard"},
    {"type": "report", "id": "r1", "reporter": "u9", "content": "p1", "reason": "offensive", "note": "encore"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "body": "appelle-moi au 06 12 34 56 78"},
    {"type": "content", "id": "p3", "kind": "post", "author": "u3", "body": "bonjour à tous"},
    {"type": "report", "id": "r2", "reporter": "u9", "content": "p3", "reason": "other"},
]


@pytest.fixture
def world(svc: Services) -> Services:
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO("\n".join(json.dumps(e) for e in EVENTS).encode()))
    lea, clock = svc.actor("lea"), svc.store.clock
    by_subject = {c.subject_id: c.id for c in cases.list_queue(svc, lea, limit=0)}
    clock.advance(timedelta(minutes=30))
    cases.resolve(svc, lea, by_subject["p1"], "remove", "respect")
    clock.advance(timedelta(minutes=300))  # past the pii SLA of 4 h
    cases.resolve(svc, lea, by_subject["p2"], "hide", "privacy")
    cases.resolve(svc, lea, by_subject["p3"], "dismiss")
    sanctions.apply(svc, lea, member="u1", kind="warning", duration=None, reason="respect")
    mute = sanctions.apply(svc, lea, member="u1", kind="mute", duration="72h", reason="respect", case_id=by_subject["p1"])
    sanctions.apply(svc, svc.actor("ines"), member="u2", kind="ban", duration="permanent", reason="threats")
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(json.dumps(
        {"type": "appeal", "id": "ap1", "member": "u1", "sanction": str(mute.id), "body": "non"}).encode()))
    ap = appeals.list_appeals(svc, svc.actor("ines"))[0]
    appeals.decide(svc, svc.actor("ines"), ap.id, "reverse", "a quote")
    return svc


def period(svc: Services):  # type: ignore[no-untyped-def]
    now = svc.now()
    return now - timedelta(days=1), now + timedelta(days=1)


def test_statements_of_reasons_meet_the_databases_rules(world: Services) -> None:
    svc = world
    rows = reports.statements(svc, svc.actor("root"), *period(svc))
    by_puid = {r["puid"]: r for r in rows}
    assert len(rows) == 4  # mute, ban, removal, hiding (a warning restricts nothing; a dismissal decides nothing)
    assert all(reports.check(r) == [] for r in rows)
    mute = next(r for r in rows if r.get("decision_provision"))
    assert mute["source_type"] == "SOURCE_ARTICLE_16" and mute["automated_detection"] == "Yes"  # reported and detected
    assert mute["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" and mute["end_date_service_restriction"]
    ban = next(r for r in rows if r.get("decision_account"))
    assert ban["decision_account"] == "DECISION_ACCOUNT_TERMINATED" and ban["source_type"] == "SOURCE_VOLUNTARY"
    assert ban["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    hidden = next(r for r in rows if r.get("decision_visibility") == ["DECISION_VISIBILITY_CONTENT_DISABLED"])
    assert hidden["category"] == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
    assert all(r["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED" and "FR" in r["territorial_scope"] for r in rows)
    assert len(by_puid) == 4
    dump = json.dumps(rows, ensure_ascii=False)
    for personal in ("u1", "u2", "u9", "lune", "connard", "06 12", "encore", "lune@example.org"):
        assert personal not in dump.replace("modconsole-", ""), personal


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("decision_ground", None, "decision_ground is required"),
    ("incompatible_content_ground", "", "incompatible_content_ground is required"),
    ("category", "STATEMENT_CATEGORY_NOPE", "category has an unknown value"),
    ("content_date", "26/11/2026", "content_date must be YYYY-MM-DD"),
    ("content_date", "2099-01-01", "content_date is after application_date"),
    ("automated_detection", "maybe", "automated_detection must be Yes or No"),
    ("source_type", "SOURCE_GOSSIP", "source_type has an unknown value"),
    ("territorial_scope", ["FR", "US"], "territorial_scope has a country outside the EEA"),
    ("decision_facts", "x" * 5001, "decision_facts is longer than 5000 characters"),
    ("puid", None, "puid is required"),
    ("content_type", ["CONTENT_TYPE_SMELL"], "content_type has an unknown value"),
])
def test_the_checker_names_each_broken_rule(world: Services, field: str, value: object, problem: str) -> None:
    row = reports.statements(world, world.actor("root"), *period(world))[0]
    row[field] = value
    assert problem in reports.check(row)


def test_a_statement_needs_a_decision() -> None:
    assert any("one of decision_visibility" in p for p in reports.check({"puid": "x"}))


def test_the_transparency_report_counts(world: Services) -> None:
    svc = world
    r = reports.transparency(svc, svc.actor("root"), *period(svc))
    assert r["notices"] == {"total": 2, "by_reason": {"offensive": 1, "other": 1}}
    assert r["detection"]["member_reports"] == 2 and r["detection"]["automated"] >= 2
    assert r["actions"]["sanctions"] == {"warning (respect)": 1, "mute (respect)": 1, "ban (threats)": 1}
    assert r["actions"]["cases"]["case remove"] == 1 and r["actions"]["cases"]["case hide"] == 1
    assert r["queues"]["offensive"] == {"resolved": 2, "breached": 1, "median_minutes": 180.0, "p90_minutes": 330.0}
    assert r["queues"]["pii"]["breached"] == 1 and r["queues"]["pii"]["median_minutes"] == 330.0
    assert r["appeals"] == {"received": 1, "upheld": 0, "reversed": 1}
    with pytest.raises(Forbidden):
        reports.transparency(svc, svc.actor("ines"), *period(svc))
    with pytest.raises(InvalidInput):
        reports.transparency(svc, svc.actor("root"), svc.now(), svc.now())
