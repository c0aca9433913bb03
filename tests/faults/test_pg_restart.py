"""PostgreSQL restarted under load: `modconsole serve` (two workers) keeps running while the
database goes away and comes back, with moderators claiming, a senior sanctioning and the
platform posting events all the while.

- While the database is down, every request is answered — 503 "lost the connection to
  PostgreSQL …" or a success — never a 500, and the server itself never stops answering.
- Once it is back, every client succeeds again within seconds, without restarting anything:
  pooled connections that died with the old server are thrown away, not handed out.
- Nothing is half-applied (claims and sanctions with their history, outbox and audit entries;
  the audit chain verifies) and the platform's retried batches end up stored exactly once.

Both a fast restart (every session told to go, 57P01) and an immediate one (a crash, then
recovery) are run, on a cluster of the test's own so the session's cluster is not disturbed.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from modconsole.domain import audit, tokens
from modconsole.domain.models import (
    AuditEntry,
    Case,
    CaseEvent,
    Claim,
    Member,
    Outbox,
    ProcessedEvent,
    Sanction,
)
from modconsole.domain.store import Store

from ..conftest import make_services
from ..contract.conftest import Server
from ..domain.helpers import make_cases
from ..pg import Cluster

pytestmark = pytest.mark.postgres

CASES = 4_000
MEMBERS = 3_000
BATCH = 40


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    try:
        made = Cluster()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        made.sql("CREATE DATABASE restart")
        yield made
    finally:
        made.stop()


class Worker(threading.Thread):
    """A client that keeps working until told to stop, and keeps every answer's status."""

    def __init__(self, url: str, token: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.stop = stop
        self.statuses: list[tuple[float, int]] = []
        self.unexpected: list[str] = []
        self.acknowledged: list[Any] = []

    def record(self, r: httpx.Response, ok: set[int]) -> bool:
        self.statuses.append((time.monotonic(), r.status_code))
        if r.status_code in ok:
            return True
        if r.status_code == 503 and "PostgreSQL" in r.json().get("message", ""):
            return False
        self.unexpected.append(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text[:300]}")
        return False

    def run(self) -> None:
        try:
            self.work()
        except httpx.TransportError as exc:  # the server stopped answering: a failure of this test
            self.unexpected.append(f"transport error: {exc!r}")
        finally:
            self.http.close()

    def work(self) -> None:
        raise NotImplementedError


class Claimer(Worker):
    def __init__(self, *args: Any, cases: list[int]) -> None:
        super().__init__(*args)
        self.cases = cases

    def work(self) -> None:
        for case_id in self.cases:
            if self.stop.is_set():
                return
            r = self.http.post(f"/cases/{case_id}/claim")
            if self.record(r, {200, 409}) and r.status_code == 200:
                self.acknowledged.append(case_id)


class Sanctioner(Worker):
    def work(self) -> None:
        for i in range(MEMBERS):
            if self.stop.is_set():
                return
            r = self.http.post("/sanctions", json={"member": f"m{i}", "kind": "warning", "reason": "respect: insults"})
            if self.record(r, {200}):
                self.acknowledged.append(r.json()["id"])


class Feeder(Worker):
    """The platform: batches of events; a batch that failed is sent again until taken."""

    def work(self) -> None:
        n = 0
        while not self.stop.is_set():
            lines = []
            for i in range(n, n + BATCH):
                lines.append({"type": "content", "id": f"f{i}", "kind": "post", "author": f"m{i % MEMBERS}",
                              "body": "je veux mourir" if i % 7 == 0 else f"bonjour #{i}"})
            body = "\n".join(json.dumps(e) for e in lines).encode()
            while True:
                r = self.http.post("/events", content=body, headers={"Content-Type": "application/x-ndjson"})
                if self.record(r, {200}):
                    break
                if self.unexpected:
                    return
                time.sleep(0.05)  # 503: send the same batch again, even after stop (never left half-sent)
            self.acknowledged.append(n)
            n += BATCH


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_the_server_rides_out_a_postgresql_restart(cluster: Cluster, mode: str) -> None:
    store = Store(cluster.url("restart"))
    store.upgrade()
    svc = make_services(store)  # the real clock, as the server's
    make_cases(svc, CASES)
    with store.write() as s:
        s.execute(insert(Member.__table__), [  # type: ignore[attr-defined]
            {"id": f"m{i}", "handle": f"membre{i}", "placeholder": False, "pseudonymised": False} for i in range(MEMBERS)])
    with store.read() as s:
        case_ids = list(s.execute(select(Case.id).order_by(Case.id)).scalars())
    issued = {name: tokens.issue(svc, svc.actor("root"), name) for name in ("lea", "sam", "ines", "feed")}
    server = Server(store.url, workers=2)
    stop = threading.Event()
    workers: list[Worker] = [
        Claimer(server.url, issued["lea"], stop, cases=case_ids[0::2]),
        Claimer(server.url, issued["sam"], stop, cases=case_ids[1::2]),
        Sanctioner(server.url, issued["ines"], stop),
        Feeder(server.url, issued["feed"], stop),
    ]
    try:
        for w in workers:
            w.start()
        time.sleep(2.0)  # under load
        restarted_at = time.monotonic()
        cluster.restart(mode)
        back_at = time.monotonic()
        # every client recovers by itself: a success from each, after the database is back
        deadline = back_at + 20
        while time.monotonic() < deadline:
            if all(any(t > back_at and code in (200, 409) for t, code in w.statuses) for w in workers):
                break
            time.sleep(0.1)
        recovered_at = time.monotonic()
        time.sleep(1.0)  # and goes on working
        stop.set()
        for w in workers:
            w.join(timeout=60)
        assert not any(w.is_alive() for w in workers)
        assert [u for w in workers for u in w.unexpected] == [], "a request was answered with neither success nor 503"
        for w in workers:
            after = [code for t, code in w.statuses if t > recovered_at]
            assert after and all(code in (200, 409) for code in after), (type(w).__name__, Counter(after))
            before = [code for t, code in w.statuses if t < restarted_at]
            assert before and all(code in (200, 409) for code in before)
        outage = Counter(code for w in workers for t, code in w.statuses if restarted_at <= t <= recovered_at)
        assert set(outage) <= {200, 409, 503}, outage
        assert outage[503] > 0, "no request felt the restart: the database was not down under load"
        assert recovered_at - back_at < 20, "the server did not recover within 20 s of the database"
        assert httpx.get(server.url + "/healthz").status_code == 200
    finally:
        stop.set()
        server.stop()

    feeder = workers[3]
    store.dispose()  # this test's own pooled connections died with the old server too
    with store.read() as s:
        assert audit.verify(s).ok
        held = set(s.execute(select(Case.id).where(Case.claimed_by.is_not(None))).scalars())  # type: ignore[union-attr]
        claim_rows = Counter(s.execute(select(Claim.case_id)).scalars())
        claim_events = Counter(s.execute(select(CaseEvent.case_id).where(CaseEvent.action == "claimed")).scalars())
        claim_audits = Counter(int(t) for t in s.execute(
            select(AuditEntry.target_id).where(AuditEntry.action == "case.claim", AuditEntry.outcome == "ok")).scalars())
        sanctions = set(s.execute(select(Sanction.id)).scalars())
        outbox = Counter((o.kind, (o.payload or {}).get("sanction_id")) for o in s.execute(select(Outbox)).scalars())
        sanction_audits = Counter((e.detail or {}).get("sanction_id") for e in s.execute(
            select(AuditEntry).where(AuditEntry.action == "sanction.apply", AuditEntry.outcome == "ok")).scalars())
        posted = {f"f{i}" for n in feeder.acknowledged for i in range(n, n + BATCH)}
        stored = Counter(s.execute(select(ProcessedEvent.key).where(ProcessedEvent.type == "content")).scalars())
    claimed = {cid for w in workers[:2] for cid in w.acknowledged}
    assert claimed <= held and len(held - claimed) <= 2  # a claim cut short by the restart may have landed
    assert set(held) == set(claim_rows) == set(claim_events) == set(claim_audits)
    assert all(n == 1 for n in (*claim_rows.values(), *claim_events.values(), *claim_audits.values()))
    assert set(workers[2].acknowledged) <= sanctions and set(sanction_audits) == sanctions
    assert all(outbox[("sanction", sid)] == 1 and outbox[("message", sid)] == 1 and sanction_audits[sid] == 1
               for sid in sanctions)
    assert posted and posted <= set(stored) and all(n == 1 for n in stored.values())
    assert len(set(stored) - posted) <= BATCH  # only the batch in flight at the stop, if any
    store.dispose()
