"""`kill -9` of an ingest halfway through 100k events, then the same ingest again: the store is
intact, every event is applied exactly once, and the result is the same as one clean run.
(Issue 9's first fault test; SQLite and PostgreSQL.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from modconsole.domain import audit
from modconsole.domain.models import Case, Content, ProcessedEvent, Signal
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import make_services, postgres_store

EVENTS = 100_000
WORDS = ["bonjour à tous", "je veux mourir", "espèce de connard", "appelle-moi au 06 12 34 56 78", "merci",
         "kill myself", "bonne soirée", "tu es nul", "je n'en peux plus"]


def write_events(path: Path) -> int:
    with path.open("w", encoding="utf-8") as f:
        for i in range(EVENTS):
            kind = i % 10
            if kind == 0:
                event = {"type": "member", "id": f"m{i}", "handle": f"membre{i}"}
            elif kind == 9:
                event = {"type": "report", "id": f"r{i}", "reporter": f"m{i - 9}", "content": f"c{i - 1}", "reason": "offensive"}
            else:
                event = {"type": "content", "id": f"c{i}", "kind": "post", "author": f"m{i - i % 10}",
                         "body": f"{WORDS[i % len(WORDS)]} #{i}"}
            f.write(json.dumps(event, ensure_ascii=False) + "\n")
    return EVENTS


def counts(store: Store) -> dict[str, int]:
    with store.read() as s:
        return {
            "processed": s.execute(select(func.count()).select_from(ProcessedEvent)).scalar_one(),
            "content": s.execute(select(func.count()).select_from(Content).where(Content.placeholder.is_(False))).scalar_one(),  # type: ignore[attr-defined]
            "cases": s.execute(select(func.count()).select_from(Case)).scalar_one(),
            "signals": s.execute(select(func.count()).select_from(Signal)).scalar_one(),
            "open_subject_dupes": len(s.execute(select(Case.subject_id).where(Case.active.is_(True))  # type: ignore[attr-defined]
                                                .group_by(Case.subject_type, Case.subject_id).having(func.count() > 1)).all()),
        }


def ingest_cmd(url: str, path: Path) -> list[str]:
    return [sys.executable, "-m", "modconsole", "--db", url, "--as", "feed", "ingest", str(path), "--json"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request, tmp_path, clock):  # type: ignore[no-untyped-def]
    """Two empty stores of the same kind: one to kill, one for the clean run."""
    if request.param == "sqlite":
        made = []
        for name in ("killed", "clean"):
            st = Store(f"sqlite:///{tmp_path / name / 'store.db'}")
            st.upgrade()
            made.append(st)
    else:
        cluster = request.getfixturevalue("pg_cluster")
        made = [postgres_store(cluster, None), postgres_store(cluster, None)]
    for st in made:
        make_services(st)
    yield made
    for st in made:
        st.dispose()


def test_kill_9_halfway_then_again_applies_everything_once(stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    killed, clean = stores
    path = tmp_path / "events.jsonl"
    total = write_events(path)
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(ingest_cmd(killed.url, path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and counts(killed)["processed"] < total // 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = counts(killed)
    assert 0 < partial["processed"] < total, partial  # it really was killed halfway
    if killed.is_sqlite:
        with killed.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with killed.read() as s:
        assert audit.verify(s).ok
    again = subprocess.run(ingest_cmd(killed.url, path), capture_output=True, text=True, env=env, timeout=600)
    result = json.loads(again.stdout)
    assert again.returncode == 0 and result["rejected"] == []
    assert result["events"] == total  # every line taken (duplicates included)
    assert result["duplicates"] == partial["processed"]  # what the killed run committed, and nothing half-applied
    once = subprocess.run(ingest_cmd(clean.url, path), capture_output=True, text=True, env=env, timeout=600)
    assert once.returncode == 0 and json.loads(once.stdout)["events"] == total
    after, reference = counts(killed), counts(clean)
    assert after == reference, (after, reference)
    assert after["open_subject_dupes"] == 0 and after["processed"] == total
    with killed.read() as s:
        assert audit.verify(s).ok
    assert Services(killed)  # still usable
