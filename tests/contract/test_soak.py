"""A mixed load through a real server: the platform posting batches while moderators claim,
note and resolve, on SQLite (one worker) and on PostgreSQL with several workers.

What must hold afterwards: no request failed with a server error, no subject has two open
cases, every case the moderators resolved is resolved, and the audit chain verifies — its
appends come from several processes at once on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import random
import threading

from sqlalchemy import func, select

from modconsole.backend.remote import RemoteBackend
from modconsole.domain import audit, staff, tokens
from modconsole.domain.models import AuditEntry, Case
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import ClaimHeld, Conflict, NotFound

from .conftest import Server

MODERATORS = 6
BATCHES = 12
PER_BATCH = 40
ROUNDS = 25

WORDS = ["je veux mourir", "connard", "appelle-moi au 06 12 34 56 78", "bonjour à tous", "kill myself",
         "ma adresse: 12 rue de la Paix, Paris", "salope", "merci pour vos messages"]


def batch(b: int, rng: random.Random) -> bytes:
    lines = []
    for i in range(PER_BATCH):
        author = f"m{rng.randrange(60)}"
        cid = f"b{b}-{i}"
        lines.append({"type": "content", "id": cid, "kind": "post", "author": author, "body": rng.choice(WORDS)})
        if i % 5 == 0:
            lines.append({"type": "report", "id": f"r{b}-{i}", "reporter": f"m{rng.randrange(60)}",
                          "content": cid, "reason": rng.choice(["offensive", "urgent_help", "harassment"])})
        if i % 13 == 0:  # a second report on the same member: joins, never duplicates
            lines.append({"type": "report", "id": f"rm{b}-{i}", "reporter": "m1", "member": author, "reason": "offensive"})
    return "\n".join(json.dumps(x) for x in lines).encode()


def test_mixed_load_through_several_workers(store: Store) -> None:
    svc = Services(Store(store.url))  # the real clock, as the server's
    staff.ensure_admin(svc, "root")
    names = [f"mod{i}" for i in range(MODERATORS)]
    for n in names:
        staff.add(svc, svc.actor("root"), n, "moderator")
    staff.add(svc, svc.actor("root"), "feed", "platform")
    issued = {n: tokens.issue(svc, svc.actor("root"), n) for n in [*names, "feed"]}
    workers = 3 if store.dialect == "postgresql" else 1
    server = Server(store.url, workers=workers)
    errors: list[BaseException] = []
    resolved: list[int] = []
    lock = threading.Lock()
    feeding = threading.Event()

    def platform() -> None:
        backend = RemoteBackend(server.url, issued["feed"])
        rng = random.Random(1)
        try:
            for b in range(BATCHES):
                result = backend.ingest(io.BytesIO(batch(b, rng)))
                assert not result.rejected, result.rejected[:3]
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            feeding.set()
            backend.close()

    def moderator(name: str) -> None:
        backend = RemoteBackend(server.url, issued[name])
        rng = random.Random(name)
        mine: list[int] = []
        try:
            for rounds in range(20 * ROUNDS):  # at least ROUNDS, and on until the feed is done
                if rounds >= ROUNDS and feeding.is_set():
                    break
                page = backend.queue_list(state="open", limit=20)
                if not page:
                    if feeding.is_set():
                        break
                    continue
                case = rng.choice(page)
                try:
                    backend.case_claim(case.id)
                    backend.case_note(case.id, f"looked at by {name}")
                    backend.case_resolve(case.id, "dismiss", reason="no violation")
                    mine.append(case.id)
                except (ClaimHeld, Conflict, NotFound):
                    pass  # someone else got there first: the normal life of a queue
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            backend.close()
        with lock:
            resolved.extend(mine)

    try:
        threads = [threading.Thread(target=platform)] + [threading.Thread(target=moderator, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.stop()
    assert not errors, errors[:3]
    assert resolved, "the moderators got to resolve something"
    assert len(resolved) == len(set(resolved)), "no case resolved twice"
    with svc.store.read() as s:
        open_subjects = s.execute(
            select(Case.subject_type, Case.subject_id, func.count()).where(Case.active.is_(True))  # type: ignore[attr-defined]
            .group_by(Case.subject_type, Case.subject_id).having(func.count() > 1)
        ).all()
        assert open_subjects == [], "one open case per subject"
        states = dict(s.execute(select(Case.id, Case.active).where(Case.id.in_(resolved))).all())  # type: ignore[union-attr]
        assert not any(states.values()), "every case resolved by a moderator stays resolved"
        check = audit.verify(s)
        assert check.ok, check
        resolves = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "case.resolve", AuditEntry.outcome == "ok")).scalar()
        assert resolves == len(resolved)
