"""`kill -9` of `modconsole serve` (every worker) while moderators claim cases and apply
sanctions, on SQLite (one worker) and PostgreSQL (two workers).

After the kill:
- the store is intact (SQLite integrity check) and the audit chain verifies;
- every answer a client got is in the store (a claim it was told it won is held by it, a
  sanction it was given an id for exists), and at most one request per client was in flight;
- nothing is half-applied: every claim has its lease row, its history entry and its audit
  entry; every sanction its statement, its two outbox items and its audit entry — and no audit
  entry points at a claim or a sanction that is not there;
- a restarted server serves again, still refuses a held case to another moderator naming the
  holder, and once the leases have run out (a clock past the lease, no job, no cleanup) those
  cases are claimed by someone else.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select, text

from modconsole.domain import audit, cases, tokens
from modconsole.domain.clock import FixedClock
from modconsole.domain.models import AuditEntry, Case, CaseEvent, Claim, Member, Outbox, Sanction
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import make_services, postgres_store
from ..contract.conftest import Server
from ..domain.helpers import make_cases

CASES = 3_000
MEMBERS = 2_000
CLAIMERS = ("lea", "sam", "lea", "sam")  # two clients each: contended claims, some lost (409)
SANCTIONERS = ("lea", "ines")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_store(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'store.db'}")
        store.upgrade()
        workers = 1
    else:
        store = postgres_store(request.getfixturevalue("pg_cluster"), None)
        workers = 2
    svc = make_services(store)  # the real clock, as the server's
    make_cases(svc, CASES)
    with store.write() as s:
        s.execute(insert(Member.__table__), [  # type: ignore[attr-defined]
            {"id": f"m{i}", "handle": f"membre{i}", "placeholder": False, "pseudonymised": False} for i in range(MEMBERS)])
    yield svc, workers
    store.dispose()


class Client(threading.Thread):
    """One moderator's client: works until the server dies, remembers what it was told."""

    def __init__(self, url: str, token: str, work: Any) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.work = work
        self.acknowledged: list[Any] = []
        self.lost = 0  # claims refused because another moderator held the case
        self.in_flight_failures = 0
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            for item in self.work:
                try:
                    result = self.step(item)
                except httpx.TransportError:
                    self.in_flight_failures += 1  # the server died under this request
                    return
                if result is not None:
                    self.acknowledged.append(result)
        finally:
            self.http.close()

    def step(self, item: Any) -> Any:
        raise NotImplementedError


class Claimer(Client):
    def step(self, case_id: int) -> Any:
        r = self.http.post(f"/cases/{case_id}/claim")
        if r.status_code == 409:
            self.lost += 1
            return None
        if r.status_code != 200:
            self.errors.append(f"claim {case_id}: {r.status_code} {r.text[:200]}")
            return None
        return case_id


class Sanctioner(Client):
    def step(self, member: str) -> Any:
        r = self.http.post("/sanctions", json={"member": member, "kind": "mute", "duration": "24h",
                                               "reason": "respect: insults in comments"})
        if r.status_code != 200:
            self.errors.append(f"sanction {member}: {r.status_code} {r.text[:200]}")
            return None
        return r.json()["id"]


def test_kill_9_of_the_server_during_claims_and_sanctions(served_store) -> None:  # type: ignore[no-untyped-def]
    svc, workers = served_store
    store: Store = svc.store
    issued = {name: tokens.issue(svc, svc.actor("root"), name) for name in ("lea", "sam", "ines")}
    ids = {name: svc.actor(name).id for name in ("lea", "sam", "ines")}
    with store.read() as s:
        case_ids = list(s.execute(select(Case.id).order_by(Case.id)).scalars())
    server = Server(store.url, workers=workers)
    # clients 0 (lea) and 1 (sam) want the even cases, 2 (lea) and 3 (sam) the odd ones
    claimers = [Claimer(server.url, issued[name], iter(case_ids[i // 2::2])) for i, name in enumerate(CLAIMERS)]
    members = iter(f"m{i}" for i in range(MEMBERS))
    lock = threading.Lock()

    def shared() -> Any:
        while True:
            with lock:
                member = next(members, None)
            if member is None:
                return
            yield member

    sanctioners = [Sanctioner(server.url, issued[name], shared()) for name in SANCTIONERS]
    clients: list[Client] = [*claimers, *sanctioners]
    for c in clients:
        c.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill once real work is under way, long before it ends
        if sum(len(c.acknowledged) for c in claimers) >= 150 and sum(len(c.acknowledged) for c in sanctioners) >= 40:
            break
        time.sleep(0.01)
    server.kill()
    for c in clients:
        c.join(timeout=30)
    assert not any(c.is_alive() for c in clients)
    assert [e for c in clients for e in c.errors] == []
    acked_claims = {case_id: name for c, name in zip(claimers, CLAIMERS, strict=True) for case_id in c.acknowledged}
    acked_sanctions = {sid for c in sanctioners for sid in c.acknowledged}
    assert len(acked_claims) >= 150 and len(acked_sanctions) >= 40
    assert len(acked_claims) < len(case_ids) and len(acked_sanctions) < MEMBERS  # killed midway

    # the store is intact
    if store.is_sqlite:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with store.read() as s:
        assert audit.verify(s).ok
        held = dict(s.execute(select(Case.id, Case.claimed_by).where(Case.claimed_by.is_not(None))).all())  # type: ignore[union-attr]
        claim_rows = Counter(s.execute(select(Claim.case_id).where(Claim.released_at.is_(None))).scalars())  # type: ignore[union-attr]
        claim_events = Counter(s.execute(select(CaseEvent.case_id).where(CaseEvent.action == "claimed")).scalars())
        claim_audits = Counter(int(t) for t in s.execute(
            select(AuditEntry.target_id).where(AuditEntry.action == "case.claim", AuditEntry.outcome == "ok")).scalars())
        refusals = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "case.claim", AuditEntry.outcome == "refused")).scalar_one()
        sanctions = {row.id: row for row in s.execute(select(Sanction)).scalars()}
        outbox = Counter((o.kind, (o.payload or {}).get("sanction_id")) for o in s.execute(select(Outbox)).scalars())
        sanction_audits = Counter((e.detail or {}).get("sanction_id") for e in s.execute(
            select(AuditEntry).where(AuditEntry.action == "sanction.apply", AuditEntry.outcome == "ok")).scalars())

    # every answer the clients got holds
    for case_id, name in acked_claims.items():
        assert held.get(case_id) == ids[name], (case_id, name)
    assert acked_sanctions <= set(sanctions)
    # at most one request per client was cut short; its effect is all there or not at all
    assert len(held) - len(acked_claims) <= len(claimers)
    assert len(sanctions) - len(acked_sanctions) <= len(sanctioners)
    # nothing half-applied
    assert set(held) == set(claim_rows) == set(claim_events) == set(claim_audits)
    assert all(n == 1 for n in (*claim_rows.values(), *claim_events.values(), *claim_audits.values()))
    # every 409 a client saw was audited; a lost claim cut short may be audited without its 409
    assert refusals - sum(c.lost for c in claimers) in range(len(claimers) + 1)
    for sid, row in sanctions.items():
        assert row.statement and "respect" in (row.rule or ""), sid
        assert outbox[("sanction", sid)] == 1 and outbox[("message", sid)] == 1, sid
        assert sanction_audits[sid] == 1, sid
    assert set(sanction_audits) == set(sanctions)

    # a restarted server serves; the leases survived the crash, and end by themselves
    server = Server(store.url, workers=workers)
    try:
        some_case, holder = next(iter(acked_claims.items()))
        other = "sam" if holder == "lea" else "lea"
        r = httpx.post(f"{server.url}/cases/{some_case}/claim", headers={"Authorization": f"Bearer {issued[other]}"})
        assert r.status_code == 409 and r.json()["holder"] == holder
        unclaimed = next(cid for cid in case_ids if cid not in held)
        r = httpx.post(f"{server.url}/cases/{unclaimed}/claim", headers={"Authorization": f"Bearer {issued['lea']}"})
        assert r.status_code == 200, r.text
    finally:
        server.stop()
    later = Services(Store(store.url, clock=FixedClock(svc.now() + svc.policy().lease + timedelta(minutes=1))))
    try:
        taker = later.actor("ines")
        for case_id in itertools.islice(held, 200):
            assert cases.claim(later, taker, case_id).claimed_by == "ines"
        with later.store.read() as s:
            assert audit.verify(s).ok
    finally:
        later.store.dispose()
