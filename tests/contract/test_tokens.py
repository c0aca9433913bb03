"""Remote only: forged, expired, revoked and wrong-role tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from modconsole.backend.remote import RemoteBackend
from modconsole.domain import tokens
from modconsole.domain.clock import FixedClock
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import Forbidden, Unauthenticated

from ..conftest import make_services
from .conftest import Server


@pytest.fixture
def served(sqlite, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MODCONSOLE_AUTH_FAILURES", "1000")  # these tests replay many bad tokens on purpose
    make_services(sqlite)
    svc = Services(Store(sqlite.url))  # the real clock, as the server's
    server = Server(sqlite.url)
    yield svc, server, None
    server.stop()


def test_bad_tokens_read_nothing(served) -> None:  # type: ignore[no-untyped-def]
    svc, server, _ = served
    good = tokens.issue(svc, svc.actor("root"), "lea")
    for bad in ("nonsense", "mct_" + "A" * 43, good[:-2] + "xx"):
        r = httpx.get(server.url + "/queue", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401 and "WWW-Authenticate" in r.headers and r.json()["error"] == "Unauthenticated"
    assert httpx.get(server.url + "/queue").status_code == 401
    assert RemoteBackend(server.url, good).queue_list() == []


def test_revoked_and_expired(served) -> None:  # type: ignore[no-untyped-def]
    svc, server, _ = served
    t = tokens.issue(svc, svc.actor("root"), "lea")
    assert tokens.revoke_all(svc, svc.actor("root"), "lea") == 1
    with pytest.raises(Unauthenticated, match="revoked"):
        RemoteBackend(server.url, t).queue_list()
    # expiry: the server's clock is the system's; a token issued for 1 day by a clock 2 days back has expired
    past = Services(Store(svc.store.url, clock=FixedClock(datetime.now(UTC) - timedelta(days=2))))
    old = tokens.issue(past, past.actor("root"), "lea", days=1)
    with pytest.raises(Unauthenticated, match="expired"):
        RemoteBackend(server.url, old).queue_list()


def test_platform_account_can_post_events_but_not_read_cases(served) -> None:  # type: ignore[no-untyped-def]
    svc, server, _ = served
    feed = RemoteBackend(server.url, tokens.issue(svc, svc.actor("root"), "feed"))
    import io

    r = feed.ingest(io.BytesIO(b'{"type":"content","id":"p1","kind":"post","author":"u1","body":"kill myself"}\n'))
    assert r.cases_opened == 1
    with pytest.raises(Forbidden):
        feed.queue_list()
    with pytest.raises(Forbidden):
        feed.audit_list()


def test_oversized_body_is_413(served) -> None:  # type: ignore[no-untyped-def]
    svc, server, _ = served
    t = tokens.issue(svc, svc.actor("root"), "feed")
    r = httpx.post(server.url + "/events", content=b"x" * (17 * 1024 * 1024), headers={"Authorization": f"Bearer {t}"})
    assert r.status_code == 413


def test_revoke_through_the_api_and_the_cli(served) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from modconsole.cli.main import app

    svc, server, _ = served
    admin = RemoteBackend(server.url, tokens.issue(svc, svc.actor("root"), "root"))
    lea_token = admin.staff_token("lea")
    assert RemoteBackend(server.url, lea_token).whoami.name == "lea"
    assert admin.staff_token_revoke("lea") == 1
    with pytest.raises(Unauthenticated, match="revoked"):
        RemoteBackend(server.url, lea_token).queue_list()
    r = CliRunner().invoke(app, ["--db", svc.store.url, "--as", "root", "staff", "token", "lea"])
    assert r.exit_code == 0 and r.stdout.strip().startswith("mct_") and len(r.stdout.strip().splitlines()) == 1
    r = CliRunner().invoke(app, ["--db", svc.store.url, "--as", "root", "staff", "token", "lea", "--revoke"])
    assert r.exit_code == 0 and "1 token(s) of lea revoked" in r.stdout
    r = CliRunner().invoke(app, ["--db", svc.store.url, "serve", "--workers", "2"])
    assert r.exit_code == 1 and "need PostgreSQL" in r.output


def test_a_revoked_token_replayed_is_refused_and_stays_dead(served) -> None:  # type: ignore[no-untyped-def]
    import io

    from sqlalchemy import select

    from modconsole.domain.models import AuditEntry

    from .test_auth_matrix import audit_after, audit_mark, snapshot

    svc, server, _ = served
    root = RemoteBackend(server.url, tokens.issue(svc, svc.actor("root"), "root"))
    feed = RemoteBackend(server.url, tokens.issue(svc, svc.actor("root"), "feed"))
    feed.ingest(
        io.BytesIO(
            b'{"type":"member","id":"u1","handle":"lune"}\n'
            b'{"type":"content","id":"p1","kind":"post","author":"u1","body":"quiet"}\n'
            b'{"type":"report","id":"r1","reporter":"u2","content":"p1","reason":"offensive"}\n'
        )
    )
    old = root.staff_token("lea")
    lea = RemoteBackend(server.url, old)
    [case] = [c.id for c in lea.queue_list()]
    # the token works, for a read and a write
    assert lea.whoami.name == "lea" and lea.case_note(case, "before").author == "lea"
    assert root.staff_token_revoke("lea") == 1

    replays: list[tuple[str, str, Any]] = [
        ("GET", "/whoami", None),
        ("GET", "/queue", None),
        ("GET", f"/cases/{case}", None),
        ("GET", "/members/u1", None),
        ("GET", "/members/u1/status", None),
        ("GET", "/policy", None),
        ("GET", "/changes?wait=0", None),
        ("POST", f"/cases/{case}/claim", None),
        ("POST", f"/cases/{case}/notes", {"body": "replayed"}),
        ("POST", f"/cases/{case}/resolve", {"action": "dismiss"}),
        ("POST", f"/cases/{case}/escalate", {"to": "senior", "reason": "replayed"}),
        ("POST", "/sanctions", {"member": "u1", "kind": "mute", "duration": "24h", "reason": "respect: no"}),
        ("POST", "/members/u1/messages", {"template": "warning"}),
        ("POST", "/events", None),
        ("POST", "/staff/lea/token", None),
        ("DELETE", "/staff/lea/tokens", None),
        ("PUT", "/policy/harassment_followups", {"value": "5"}),
    ]

    def replay_all() -> None:
        before, mark = snapshot(svc), audit_mark(svc)
        for method, path, body in replays:
            content = b'{"type":"member","id":"u9","handle":"x"}\n' if path == "/events" else None
            r = httpx.request(
                method,
                server.url + path,
                json=body,
                content=content,
                headers={"Authorization": f"Bearer {old}"},
            )
            got = (r.status_code, r.headers.get("WWW-Authenticate"), r.json().get("error"))
            assert got == (401, "Bearer", "Unauthenticated"), (method, path, r.text[:200])
        with pytest.raises(Unauthenticated, match="revoked"):
            RemoteBackend(server.url, old).case_claim(case)
        assert snapshot(svc) == before, "a request with a revoked token changed something"
        assert [e for e in audit_after(svc, mark) if e.outcome == "ok"] == [], (
            "a revoked token's request was carried out"
        )

    replay_all()
    # a new token works, and does not revive the old one
    new = RemoteBackend(server.url, root.staff_token("lea"))
    assert new.whoami.name == "lea" and new.case_claim(case).claimed_by == "lea"
    new.case_release(case)
    replay_all()
    # nor does deactivating and reactivating lea: every token issued before stays dead
    root.staff_active("lea", False)
    root.staff_active("lea", True)
    with pytest.raises(Unauthenticated):
        new.queue_list()
    newest = RemoteBackend(server.url, root.staff_token("lea"))
    assert newest.queue_list()[0].id == case
    replay_all()
    assert root.staff_token_revoke("lea") == 1  # only the newest token was still live
    # what lea's live tokens did, and nothing more
    by_lea = select(AuditEntry.action).where(AuditEntry.staff_name == "lea", AuditEntry.outcome == "ok")
    with svc.store.read() as s:
        done = sorted(s.execute(by_lea).scalars())
    assert done == ["case.claim", "case.note", "case.release"]
