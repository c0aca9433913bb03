"""One store holding the whole hostile corpus, built once per session and copied per test.

SQLite only: no surface here differs by database in how it shows text (the text is stored and
read back as it came; PostgreSQL's one difference, NUL, is removed at parsing for both).

The store (on the fixed test clock) has the corpus events of `corpus.events()`, then, for each
small corpus string, a case note and a warning whose reason quotes it (as stored: what a
moderator copies from the screen, see `corpus.STAFF_TEXT`); for the member "m-all"
who carries every string at once: a note, a mute whose reason quotes them all, an appeal of that
mute, a message from the template (the handle is in its greeting), and a handover note.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from modconsole.domain import cases, ingest, messages, sanctions, shift
from modconsole.domain.clock import FixedClock
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..conftest import T0, make_services
from .corpus import (
    ALL_CONTENT,
    ALL_MEMBER,
    ALL_TEXT,
    CORPUS,
    SMALL,
    STAFF_TEXT,
    content_id,
    events,
    member_id,
)


def feed(svc: Services, evs: list[dict]) -> None:
    data = "\n".join(json.dumps(e) for e in evs).encode()
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO(data))
    assert not result.rejected, result.rejected


def case_of(svc: Services, subject: str, queue: str | None = None) -> int:
    return next(c.id for c in cases.list_queue(svc, svc.actor("root"), limit=0, member=None)
                if c.subject_id == subject and (queue is None or c.queue == queue))


def _build(path: Path) -> dict[str, int]:
    store = Store(f"sqlite:///{path}", clock=FixedClock(T0))
    store.upgrade()
    try:
        svc = make_services(store)
        feed(svc, events())
        lea, ines = svc.actor("lea"), svc.actor("ines")
        ids: dict[str, int] = {}
        for h in SMALL:
            cid = case_of(svc, content_id(h))
            cases.note(svc, lea, cid, f"note {h.kept}")
            sanctions.apply(svc, lea, member=member_id(h), kind="warning", duration=None, reason=f"respect: {h.kept}")
        for h in CORPUS:
            ids[content_id(h)] = case_of(svc, content_id(h))
        ids["all_case"] = case_of(svc, ALL_CONTENT)
        cases.note(svc, lea, ids["all_case"], STAFF_TEXT)
        mute = sanctions.apply(svc, lea, member=ALL_MEMBER, kind="mute", duration="72h", reason=f"respect: {STAFF_TEXT}",
                               case_id=None)
        ids["all_mute"] = mute.id
        feed(svc, [{"type": "appeal", "id": "a-all", "member": ALL_MEMBER, "sanction": str(mute.id), "body": ALL_TEXT,
                    "created_at": "2026-11-26T08:30:00Z"}])
        ids["all_message"] = messages.send(svc, lea, ALL_MEMBER, template="warning", case_id=ids["all_case"])
        shift.handover(svc, ines, STAFF_TEXT)
        return ids
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    ids = _build(path)
    return path, ids


@pytest.fixture
def hostile_db(template: tuple[Path, dict[str, int]], tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the corpus store: its URL."""
    path = tmp_path / "hostile.db"
    shutil.copyfile(template[0], path)
    path.chmod(0o600)  # a copy made as the program makes its stores (else a warning on stderr, rightly)
    yield f"sqlite:///{path}"


@pytest.fixture(scope="module")
def shared_db(template: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the corpus store shared by a module's read-only tests."""
    path = tmp_path_factory.mktemp("shared") / "hostile.db"
    shutil.copyfile(template[0], path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


@pytest.fixture
def hostile_ids(template: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return template[1]
