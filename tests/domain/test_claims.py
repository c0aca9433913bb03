"""Claims are leases: exactly one of many concurrent claimers wins, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from modconsole.domain import cases, staff
from modconsole.domain.service import Services
from modconsole.errors import ClaimHeld, Conflict, Forbidden

from .helpers import make_cases


def test_second_claimer_is_told_who_holds_it(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    r = cases.claim(svc, svc.actor("lea"), cid)
    assert r.claimed_by == "lea" and r.expires_at == svc.now() + timedelta(minutes=15)
    with pytest.raises(ClaimHeld) as exc:
        cases.claim(svc, svc.actor("sam"), cid)
    assert exc.value.holder == "lea" and "held by lea" in exc.value.message
    [listed] = cases.list_queue(svc, svc.actor("sam"))
    assert listed.state == "claimed" and listed.claimed_by == "lea"


def test_lease_runs_out_and_case_comes_back(svc, clock) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.claim(svc, svc.actor("lea"), cid)
    clock.advance(timedelta(minutes=14))
    cases.claim(svc, svc.actor("lea"), cid)  # renewal
    clock.advance(timedelta(minutes=14))
    with pytest.raises(ClaimHeld):
        cases.claim(svc, svc.actor("sam"), cid)
    clock.advance(timedelta(minutes=2))
    [listed] = cases.list_queue(svc, svc.actor("sam"))
    assert listed.state == "open" and listed.claimed_by is None
    assert cases.claim(svc, svc.actor("sam"), cid).claimed_by == "sam"


def test_release_and_release_by_non_holder(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.claim(svc, svc.actor("lea"), cid)
    with pytest.raises(Conflict):
        cases.release(svc, svc.actor("sam"), cid)
    cases.release(svc, svc.actor("lea"), cid)
    assert cases.claim(svc, svc.actor("sam"), cid).claimed_by == "sam"


def test_reassign_is_for_seniors(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.claim(svc, svc.actor("lea"), cid)
    with pytest.raises(Forbidden):
        cases.claim(svc, svc.actor("sam"), cid, force=True)
    assert cases.claim(svc, svc.actor("ines"), cid, force=True).claimed_by == "ines"
    history = [e.action for e in cases.show(svc, svc.actor("ines"), cid).history]
    assert history[-2:] == ["claimed", "reassigned"]


def test_resolve_needs_the_case_not_held_by_another(svc) -> None:  # type: ignore[no-untyped-def]
    [cid] = make_cases(svc, 1)
    cases.claim(svc, svc.actor("lea"), cid)
    with pytest.raises(ClaimHeld):
        cases.resolve(svc, svc.actor("sam"), cid, "dismiss")
    done = cases.resolve(svc, svc.actor("lea"), cid, "dismiss")
    assert done.state == "resolved"
    with pytest.raises(Conflict):
        cases.claim(svc, svc.actor("sam"), cid)


@pytest.mark.parametrize("threads", [8])
def test_racing_claimers_exactly_one_wins(store, threads: int) -> None:  # type: ignore[no-untyped-def]
    """8 staff, each in its own thread with its own Services, claim the same 30 cases at once."""
    admin_svc = Services(store)
    staff.ensure_admin(admin_svc, "root")
    names = [f"mod{i}" for i in range(threads)]
    for n in names:
        staff.add(admin_svc, admin_svc.actor("root"), n, "moderator")
    ids = make_cases(admin_svc, 30)
    wins: dict[int, list[str]] = {cid: [] for cid in ids}
    told: dict[int, set[str]] = {cid: set() for cid in ids}
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        svc = Services(store)
        actor = svc.actor(name)
        barrier.wait()
        for cid in ids:
            try:
                cases.claim(svc, actor, cid)
                wins[cid].append(name)
            except ClaimHeld as held:
                told[cid].add(held.holder)
            except BaseException as exc:  # noqa: BLE001 - surfaced below
                errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in names]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not errors, errors
    for cid in ids:
        assert len(wins[cid]) == 1, (cid, wins[cid])
        assert told[cid] <= set(wins[cid]), "losers must be told the winner's name"
    with store.read() as s:
        from sqlalchemy import func, select

        from modconsole.domain.models import Claim

        assert s.execute(select(func.count()).select_from(Claim)).scalar_one() == len(ids)


def test_two_staff_resolving_at_once_only_one_succeeds(store) -> None:  # type: ignore[no-untyped-def]
    from modconsole.domain.models import Outbox

    admin_svc = Services(store)
    staff.ensure_admin(admin_svc, "root")
    for n in ("m1", "m2"):
        staff.add(admin_svc, admin_svc.actor("root"), n, "moderator")
    ids = make_cases(admin_svc, 10)
    results: dict[str, list] = {"m1": [], "m2": []}
    barrier = threading.Barrier(2)

    def worker(name: str, action: str) -> None:
        svc = Services(store)
        actor = svc.actor(name)
        barrier.wait()
        for cid in ids:
            try:
                cases.resolve(svc, actor, cid, action)
                results[name].append(cid)
            except (Conflict, ClaimHeld):
                pass

    threads = [threading.Thread(target=worker, args=("m1", "hide")), threading.Thread(target=worker, args=("m2", "remove"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results["m1"] + results["m2"]) == ids
    with store.read() as s:
        from sqlalchemy import func, select

        assert s.execute(select(func.count()).select_from(Outbox)).scalar_one() == len(ids)
