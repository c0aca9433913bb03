"""16 concurrent API clients claiming the same 1,000 cases: each case is claimed exactly once,
every loser is told the winner and the refusal is audited; the chain still verifies."""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from modconsole.backend.remote import RemoteBackend
from modconsole.domain import audit, staff, tokens
from modconsole.domain.models import AuditEntry
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import ClaimHeld

from ..domain.helpers import make_cases
from .conftest import Server

CLIENTS = 16
CASES = 1000


def test_sixteen_clients_claim_each_case_once(store: Store) -> None:
    svc = Services(Store(store.url))  # the real clock, as the server's
    staff.ensure_admin(svc, "root")
    names = [f"mod{i:02d}" for i in range(CLIENTS)]
    for n in names:
        staff.add(svc, svc.actor("root"), n, "moderator")
    issued = {n: tokens.issue(svc, svc.actor("root"), n) for n in names}
    ids = make_cases(svc, CASES)
    server = Server(store.url, workers=2 if store.dialect == "postgresql" else 1)
    wins: dict[str, list[int]] = {n: [] for n in names}
    told: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(CLIENTS)

    def client(name: str) -> None:
        backend = RemoteBackend(server.url, issued[name])
        order = list(ids)
        random.Random(name).shuffle(order)
        barrier.wait()
        try:
            for cid in order:
                try:
                    backend.case_claim(cid)
                    wins[name].append(cid)
                except ClaimHeld as held:
                    told.append((cid, held.holder))
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            backend.close()

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.stop()
    assert not errors, errors[:3]
    claimed = sorted(c for w in wins.values() for c in w)
    assert claimed == sorted(ids), "every case claimed exactly once"
    winner = {c: n for n, w in wins.items() for c in w}
    assert all(winner[cid] == holder for cid, holder in told), "losers are told the winner's name"
    assert len(told) == CASES * (CLIENTS - 1)
    with svc.store.read() as s:
        refused = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "case.claim", AuditEntry.outcome == "refused")).scalar()
        assert refused == len(told), "every lost claim is audited as a refused attempt"
        check = audit.verify(s)
        assert check.ok, check
