"""Bulk sanctions: every row checked first, all or nothing, reruns change nothing, dry runs
change nothing, each bad row named by its line; SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from modconsole.domain import bulk, ingest, platform
from modconsole.domain.models import AuditEntry, Sanction
from modconsole.domain.service import Services
from modconsole.errors import InvalidInput

MEMBERS = [{"type": "member", "id": f"m{i}", "handle": f"membre{i}"} for i in range(1, 6)]

GOOD = """member,kind,duration,reason,other,case
m1,warning,,respect: insults in the forum
m2,mute,72h,spam: flooding,,
# a comment line

m3,ban,7d,threats
m4,no_contact,,no_contact: asked by m5,m5
"""


@pytest.fixture
def world(svc: Services) -> Services:
    data = "\n".join(json.dumps(e) for e in MEMBERS).encode()
    ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    return svc


def sanctions_count(svc: Services) -> int:
    with svc.store.read() as s:
        return int(s.execute(select(func.count()).select_from(Sanction)).scalar_one())


def test_parse_numbers_rows_and_reports_bad_ones() -> None:
    rows, bad = bulk.parse(GOOD)
    assert [r.line for r in rows] == [2, 3, 6, 7] and not bad
    assert (rows[3].kind, rows[3].other, rows[1].duration) == ("no_contact", "m5", "72h")
    rows, bad = bulk.parse("m1,warning\nm2,mute,24h,spam,,notanumber\n")
    assert [(b.line, b.error is not None) for b in bad] == [(1, True), (2, True)] and rows == []


def test_all_rows_apply_and_a_rerun_changes_nothing(world: Services) -> None:
    svc = world
    rows, _ = bulk.parse(GOOD)
    result = bulk.run(svc, svc.actor("ines"), rows)
    assert (result.applied, result.errors) == (4, 0) and all(r.sanction_id for r in result.rows)
    assert platform.status(svc, svc.actor("feed"), "m3").can_login is False
    assert platform.status(svc, svc.actor("feed"), "m5", with_member="m4").can_message is False
    again = bulk.run(svc, svc.actor("ines"), rows)
    assert (again.applied, again.already_applied) == (0, 4) and sanctions_count(svc) == 4
    with svc.store.read() as s:
        per_row = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "sanction.apply")).scalar_one()
        runs = s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "sanction.bulk")).scalar_one()
    assert (per_row, runs) == (4, 2)


def test_one_bad_row_means_nothing_is_applied(world: Services) -> None:
    svc = world
    text = GOOD + "nobody,warning,,respect\nm1,frown,,respect\nm2,mute,forever and ever,spam\nm3,ban,permanent,threats\n"
    rows, _ = bulk.parse(text)
    result = bulk.run(svc, svc.actor("lea"), rows)  # a moderator: the permanent ban and the no-contact order are beyond her
    errors = {r.line: r.error for r in result.rows if r.status == "error"}
    assert sorted(errors) == [7, 8, 9, 10, 11]
    assert "no member nobody" in (errors[8] or "") and "unknown sanction" in (errors[9] or "")
    assert "duration" in (errors[10] or "") and "permanent" in (errors[11] or "") and "no-contact" in (errors[7] or "")
    assert result.applied == 0 and sanctions_count(svc) == 0
    assert all(r.status in ("error", "not_applied") for r in result.rows)
    with svc.store.read() as s:
        refused = s.execute(select(AuditEntry).where(AuditEntry.action == "sanction.bulk", AuditEntry.outcome == "refused")).scalars().all()
    assert len(refused) == 1 and "line 11" in refused[0].detail["why"]


def test_a_dry_run_changes_nothing(world: Services) -> None:
    svc = world
    rows, _ = bulk.parse(GOOD)
    result = bulk.run(svc, svc.actor("ines"), rows, dry_run=True)
    assert [r.status for r in result.rows] == ["would_apply"] * 4 and result.rows[0].rule == "respect"
    assert sanctions_count(svc) == 0
    assert bulk.run(svc, svc.actor("ines"), rows).applied == 4  # the dry run did not mark rows as done


def test_the_same_row_twice_in_a_file_is_applied_once(world: Services) -> None:
    svc = world
    rows, _ = bulk.parse("m1,warning,,respect\nm1,warning,,respect\n")
    result = bulk.run(svc, svc.actor("lea"), rows)
    assert [r.status for r in result.rows] == ["applied", "duplicate_row"] and sanctions_count(svc) == 1


def test_too_many_rows_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at most"):
        bulk.parse("m1,warning,,respect\n" * (bulk.MAX_ROWS + 1))
