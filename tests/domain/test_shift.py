"""The shift dashboard: depths and breaches per hour mark from a store built for the test,
who holds what, handover notes; seniors and admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modconsole.domain import cases, shift
from modconsole.domain.service import Services
from modconsole.errors import Forbidden, InvalidInput

from .helpers import make_cases


def test_depths_breaches_holders_and_notes(svc: Services) -> None:
    clock = svc.store.clock
    first = make_cases(svc, 3, queue="offensive", prefix="a")  # SLA 60 min
    clock.advance(timedelta(hours=2))
    make_cases(svc, 2, queue="pii", prefix="b")  # SLA 4 h
    cases.claim(svc, svc.actor("lea"), first[0])
    cases.resolve(svc, svc.actor("lea"), first[0], "dismiss")
    clock.advance(timedelta(minutes=30))
    cases.claim(svc, svc.actor("sam"), first[1])  # a live lease
    d = shift.dashboard(svc, svc.actor("ines"), hours=3)
    assert len(d.hours) == 4 and d.hours[-1] == svc.now()
    # marks: now-3h (before anything), now-2h (0.5 h after the offensive cases), now-1h (past their
    # 60-min SLA), now (one resolved since)
    assert d.series["offensive"]["open"] == [0, 3, 3, 2]
    assert d.series["offensive"]["breached"] == [0, 0, 3, 2]
    assert d.series["pii"]["open"] == [0, 0, 0, 2] and d.series["pii"]["breached"] == [0, 0, 0, 0]
    assert d.holders == {"sam": [{"case": first[1], "queue": "offensive"}]}
    note = shift.handover(svc, svc.actor("ines"), "Case 12: the member called back, watch the evening.")
    assert shift.dashboard(svc, svc.actor("root")).notes[0].body == note.body
    for name in ("lea", "drm", "feed"):
        with pytest.raises(Forbidden):
            shift.dashboard(svc, svc.actor(name))
    # SPEC §1: the moderator "hands over the shift"; clinical and the platform do not.
    assert shift.handover(svc, svc.actor("lea"), "hello").body == "hello"
    for name in ("drm", "feed"):
        with pytest.raises(Forbidden):
            shift.handover(svc, svc.actor(name), "hello")
    with pytest.raises(InvalidInput):
        shift.dashboard(svc, svc.actor("ines"), hours=0)
    with pytest.raises(InvalidInput):
        shift.handover(svc, svc.actor("ines"), "  ")


def test_seniors_do_not_see_the_deletion_queue(svc: Services) -> None:
    ids = make_cases(svc, 2, queue="deletion", prefix="d")
    cases.claim(svc, svc.actor("drm"), ids[0])
    senior = shift.dashboard(svc, svc.actor("ines"), hours=1)
    assert "deletion" not in senior.series and senior.holders == {}
    admin = shift.dashboard(svc, svc.actor("root"), hours=1)
    assert admin.series["deletion"]["open"][-1] == 2 and "drm" in admin.holders


def test_the_counts_equal_a_case_by_case_count(svc: Services) -> None:
    """The dashboard puts its figures together from range counts (domain/shift.py); on a random
    store (cases created before and inside the window, resolved or not, due before or after each
    mark, exactly on a mark) they equal the definition evaluated case by case."""
    import random

    from sqlalchemy import insert

    from modconsole.domain.models import Case, Member

    rng = random.Random(9)
    now = svc.now()
    hours = 6
    marks = [now - timedelta(hours=h) for h in range(hours, -1, -1)]
    rows = []
    for i in range(600):
        created = now - timedelta(minutes=rng.choice([rng.randint(0, 9 * 60), 60 * rng.randint(0, 8)]))
        due = created + timedelta(minutes=rng.choice([5, 15, 60, 240, 60 * rng.randint(0, 4)]))
        resolved = None if rng.random() < 0.5 else min(now, created + timedelta(minutes=rng.randint(0, 7 * 60)))
        rows.append({"queue": rng.choice(["offensive", "pii", "urgent", "deletion"]), "state": "resolved" if resolved else "open",
                     "active": resolved is None, "priority": 2, "subject_type": "member", "subject_id": f"s{i}",
                     "member_id": "mx", "created_at": created, "updated_at": created, "sla_due_at": due,
                     "resolved_at": resolved, "open_key": None if resolved else f"member:s{i}", "signal_count": 1})
    with svc.store.write() as s:
        s.execute(insert(Member.__table__), [{"id": "mx", "placeholder": False, "pseudonymised": False}])  # type: ignore[attr-defined]
        s.execute(insert(Case.__table__), rows)  # type: ignore[attr-defined]
    d = shift.dashboard(svc, svc.actor("root"), hours=hours)
    for queue in ("offensive", "pii", "urgent", "deletion"):
        mine = [r for r in rows if r["queue"] == queue]
        alive = [[r for r in mine if r["created_at"] <= t and (r["resolved_at"] is None or r["resolved_at"] > t)] for t in marks]
        assert d.series[queue]["open"] == [len(a) for a in alive], queue
        assert d.series[queue]["breached"] == [sum(1 for r in a if r["sla_due_at"] <= t) for a, t in zip(alive, marks, strict=True)], queue
