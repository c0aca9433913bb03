"""A SQLite store locked by another writer (a backup, an `sqlite3` shell, a stuck script).

SQLite's busy timeout retries the lock; a writer that lets go in time is waited for and the
action succeeds. One that holds on past the timeout (`MODCONSOLE_SQLITE_BUSY_MS`, 15 s by
default; short here) makes the action fail with a clear "locked by another program" message:
exit status 1 from the CLI, 503 from the server, never a traceback or a 500, and nothing
changed. Killing the lock holder mid-transaction (kill -9) leaves a store SQLite recovers:
integrity check ok, the audit chain verifies, and the next action goes through.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from modconsole.domain import audit, tokens
from modconsole.domain.models import AuditEntry, Case, Claim, ProcessedEvent, Sanction
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import make_services
from ..contract.conftest import Server
from ..domain.helpers import make_cases

HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE policy_setting SET value = value")  # a real pending write, not just a lock
conn.execute("CREATE TABLE lock_holder_scratch (x)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


class LockHolder:
    """Another process holding SQLite's write lock on the store for `seconds`."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == "locked", self.proc.stderr.read()  # type: ignore[union-attr]

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def wait(self) -> None:
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture
def store_file(tmp_path: Path) -> Iterator[tuple[Services, Path]]:
    path = tmp_path / "store.db"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    svc = make_services(store)
    make_cases(svc, 3)
    yield svc, path
    store.dispose()


def cli(path: Path, *args: str, busy_ms: int, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"MODCONSOLE_SQLITE_BUSY_MS": str(busy_ms), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "modconsole", "--db", f"sqlite:///{path}", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


def state(svc: Services) -> dict[str, object]:
    with svc.store.read() as s:
        return {
            "audit": s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
            "claims": s.execute(select(func.count()).select_from(Claim)).scalar_one(),
            "sanctions": s.execute(select(func.count()).select_from(Sanction)).scalar_one(),
            "events": s.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one(),
            "cases": s.execute(select(Case.id, Case.state, Case.claimed_by).order_by(Case.id)).all(),
        }


def intact(svc: Services, path: Path) -> None:
    with svc.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    assert "lock_holder_scratch" not in tables  # the holder's uncommitted write never landed
    with svc.store.read() as s:
        assert audit.verify(s).ok


def test_a_writer_that_lets_go_in_time_is_waited_for(store_file: tuple[Services, Path]) -> None:
    svc, path = store_file
    holder = LockHolder(path, 1.5)
    started = time.monotonic()
    done = cli(path, "--as", "lea", "case", "claim", "1", busy_ms=20_000)
    waited = time.monotonic() - started
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert waited >= 1.0  # it really waited on the lock (the holder kept it 1.5 s)
    with svc.store.read() as s:
        assert s.get(Case, 1).claimed_by == svc.actor("lea").id  # type: ignore[union-attr]
    intact(svc, path)


def test_a_writer_that_holds_on_gives_a_clear_error_and_changes_nothing(store_file: tuple[Services, Path], tmp_path: Path) -> None:
    svc, path = store_file
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps({"type": "member", "id": f"m{i}", "handle": f"h{i}"}) + "\n" for i in range(50)))
    before = state(svc)
    holder = LockHolder(path, 60)
    try:
        attempts = {
            "claim": cli(path, "--as", "lea", "case", "claim", "1", busy_ms=500),
            "sanction": cli(path, "--as", "lea", "sanction", "apply", "--member", "c-author", "--kind", "mute",
                            "--duration", "24h", "--reason", "respect: insults", busy_ms=500),
            "ingest": cli(path, "--as", "feed", "ingest", str(events), "--json", busy_ms=500),
            "refused": cli(path, "--as", "lea", "staff", "add", "intruder", "--role", "admin", busy_ms=500),
        }
        # reads are not blocked by a writer (WAL): the queue still lists while the store is locked
        listing = cli(path, "--as", "lea", "queue", "list", "--json", busy_ms=500)
    finally:
        holder.kill()  # kill -9 mid-transaction: SQLite must roll its write back on the next open
    for name, done in attempts.items():
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert "locked by another program" in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout, name
    assert listing.returncode == 0 and len(json.loads(listing.stdout)) == 3
    assert state(svc) == before  # nothing changed, not even a half batch or an audit entry
    intact(svc, path)
    again = cli(path, "--as", "lea", "case", "claim", "1", busy_ms=500)
    assert again.returncode == 0, again.stderr
    ingested = cli(path, "--as", "feed", "ingest", str(events), "--json", busy_ms=500)
    assert ingested.returncode == 0 and json.loads(ingested.stdout)["events"] == 50
    intact(svc, path)


def test_the_server_answers_503_while_locked_and_recovers(store_file: tuple[Services, Path], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    svc, path = store_file
    issuer = Services(Store(svc.store.url))  # the real clock, as the server's
    token = tokens.issue(issuer, issuer.actor("root"), "lea")
    monkeypatch.setenv("MODCONSOLE_SQLITE_BUSY_MS", "500")
    server = Server(svc.store.url)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        before = state(svc)
        holder = LockHolder(path, 60)
        try:
            claim = httpx.post(f"{server.url}/cases/1/claim", headers=auth, timeout=30)
            listing = httpx.get(f"{server.url}/queue", headers=auth, timeout=30)
        finally:
            holder.kill()
        assert claim.status_code == 503, claim.text
        assert claim.json()["error"] == "StoreBusy" and "locked by another program" in claim.json()["message"]
        assert listing.status_code == 200 and len(listing.json()) == 3
        assert state(svc) == before
        after = httpx.post(f"{server.url}/cases/1/claim", headers=auth, timeout=30)
        assert after.status_code == 200, after.text
        intact(svc, path)
    finally:
        server.stop()


def test_a_claim_waiting_for_the_lock_does_not_stall_the_server(store_file: tuple[Services, Path], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Claims run on the server's event loop; one waiting on the lock must not hold up the
    others (reads, the platform's status checks, alerts): it waits in a worker thread."""
    svc, path = store_file
    issuer = Services(Store(svc.store.url))
    token = tokens.issue(issuer, issuer.actor("root"), "lea")
    monkeypatch.setenv("MODCONSOLE_SQLITE_BUSY_MS", "20000")
    server = Server(svc.store.url)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        holder = LockHolder(path, 3)
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client, \
                httpx.Client(base_url=server.url, headers=auth, timeout=30) as other:
            import concurrent.futures

            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                claim = pool.submit(client.post, "/cases/1/claim")
                time.sleep(0.3)  # the claim is now waiting for the lock
                assert not claim.done()
                started = time.monotonic()
                listing = other.get("/queue")
                shown = other.get("/cases/2")
                served_in = time.monotonic() - started
                assert listing.status_code == 200 and shown.status_code == 200
                assert served_in < 1.0, f"the server stalled {served_in:.1f} s behind a claim waiting for the lock"
                assert not claim.done()  # the lock is still held: the claim is still waiting
                result = claim.result(timeout=30)
        holder.wait()
        assert result.status_code == 200, result.text
        with svc.store.read() as s:
            assert s.get(Case, 1).claimed_by == svc.actor("lea").id  # type: ignore[union-attr]
        intact(svc, path)
    finally:
        server.stop()
