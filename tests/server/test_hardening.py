"""Issue 14, the server's slice: bodies bounded and never read before the token is checked,
times the store cannot hold refused with 422, one answer for every bad token, failed
authentications limited and aggregated in the audit log, no /docs from a CDN.

Against a real `modconsole serve` on loopback where the network matters (bodies, 401/429 over
the wire); in process (the ASGI app with a fixed clock) where the test must drive time.
"""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select as sql_select
from starlette.testclient import TestClient

from modconsole.domain import staff, tokens
from modconsole.domain.clock import EARLIEST, LATEST, FixedClock, checked_utc, parse_time
from modconsole.domain.models import AuditEntry
from modconsole.domain.service import Services
from modconsole.domain.store import Store
from modconsole.errors import Unauthenticated
from modconsole.server.app import create_app
from modconsole.server.guard import FAILURES_PER_WINDOW, WINDOW_S, FailedLogins, body_limit

from ..conftest import T0, make_services
from ..contract.conftest import Server

MiB = 1024 * 1024


# --- a real server -------------------------------------------------------------------------------


@pytest.fixture
def served(sqlite: Store) -> Iterator[tuple[Server, dict[str, str]]]:
    """`modconsole serve` over a seeded SQLite store, and tokens (the real clock) for root and feed."""
    make_services(sqlite)
    issuer = Services(Store(sqlite.url))
    issued = {name: tokens.issue(issuer, issuer.actor("root"), name) for name in ("root", "feed")}
    server = Server(sqlite.url)
    try:
        yield server, issued
    finally:
        server.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def upload(port: int, path: str, total: int, *, token: str | None = None, chunked: bool = False,
           declared: int | None = None) -> tuple[int, bytes]:
    """POST a `total`-byte body as the server accepts it, stopping as soon as the server answers
    (or closes). Returns (bytes of body the server let us send, its answer)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {declared if declared is not None else total}\r\n"
    sock.sendall((head + "\r\n").encode())
    piece = b" " * (256 * 1024)
    sent = 0
    sock.setblocking(False)
    while sent < total:
        readable, writable, _ = select.select([sock], [sock], [], 30)
        if readable:  # the server answered (or closed) before taking the whole body
            break
        if not writable:
            break
        data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
        try:
            n = sock.send(data)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += n
    else:
        if chunked:
            sock.setblocking(True)
            sock.sendall(b"0\r\n\r\n")
    sock.setblocking(True)
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    return sent, answer


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def body_of(answer: bytes) -> dict[str, Any]:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])  # type: ignore[no-any-return]


# --- 1. bodies: authenticate first, then bound ---------------------------------------------------


@pytest.mark.remote
def test_a_large_body_without_a_token_is_refused_unread_and_costs_no_memory(served: tuple[Server, dict[str, str]]) -> None:
    """A request without a valid token never has its body read: 401 after at most what the
    kernel's socket buffers took, and the server's memory does not grow by anything near it."""
    server, _ = served
    before = rss_kib(server.proc.pid)
    total = 150 * MiB
    for path in ("/sanctions", "/events", "/cases/1/notes"):
        for chunked in (False, True):
            sent, answer = upload(server.port, path, total, chunked=chunked)
            assert status_of(answer) in (401, 429), answer[:200]  # 429 once the address passed its failures
            assert sent < 32 * MiB, f"{path}: the server read {sent} bytes of a body sent without a token"
            sent, answer = upload(server.port, path, total, token="mct_forged", chunked=chunked)
            assert status_of(answer) in (401, 429) and sent < 32 * MiB
    grown = rss_kib(server.proc.pid) - before
    assert grown < 20 * 1024, f"the server grew by {grown} KiB on unauthenticated bodies"


@pytest.mark.remote
def test_every_body_is_bounded_whatever_its_content_length_says(served: tuple[Server, dict[str, str]]) -> None:
    """With a valid token: a declared length over the route's limit is 413 before anything is
    read; a chunked body is counted as it streams and cut at the limit. Events keep 16 MiB,
    every other route 1 MiB."""
    server, issued = served
    assert body_limit("POST", "/events") == 16 * MiB and body_limit("POST", "/sanctions/bulk") == 16 * MiB
    assert body_limit("POST", "/cases/1/notes") == 1 * MiB and body_limit("PUT", "/policy/x") == 1 * MiB
    root = issued["root"]
    sent, answer = upload(server.port, "/cases/1/notes", 150 * MiB, token=root)
    assert status_of(answer) == 413 and sent < 32 * MiB
    assert body_of(answer)["error"] == "PayloadTooLarge" and "1 MiB" in body_of(answer)["message"]
    sent, answer = upload(server.port, "/cases/1/notes", 150 * MiB, token=root, chunked=True)
    assert status_of(answer) == 413 and sent < 32 * MiB and "1 MiB" in body_of(answer)["message"]
    sent, answer = upload(server.port, "/events", 150 * MiB, token=root, chunked=True)
    assert status_of(answer) == 413 and sent < 48 * MiB and "16 MiB" in body_of(answer)["message"]
    # under the limits, the routes work as before
    big_events = (json.dumps({"type": "member", "id": "m1", "handle": "x"}) + "\n").encode() * 40_000  # ~2 MiB
    r = httpx.post(server.url + "/events", content=big_events, headers={"Authorization": f"Bearer {root}"}, timeout=60)
    assert r.status_code == 200 and r.json()["rejected"] == []
    r = httpx.post(server.url + "/sanctions", json={"member": "m1", "kind": "warning", "reason": "respect: " + "x" * 1900},
                   headers={"Authorization": f"Bearer {root}"})
    assert r.status_code == 200


# --- 2. times the store cannot hold ----------------------------------------------------------------


def test_accepted_times_are_those_every_offset_can_write() -> None:
    assert EARLIEST == datetime(1, 1, 2, tzinfo=UTC) and LATEST == datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_time("2026-01-01T10:00:00+02:00") == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert parse_time("9999-12-30T23:59:59Z") == datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)
    for text in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"):
        with pytest.raises(ValueError, match="UTC"):
            parse_time(text)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("tomorrow")
    with pytest.raises(ValueError):
        checked_utc(datetime(1, 1, 1, tzinfo=UTC))


@pytest.mark.remote
def test_out_of_range_times_are_422_naming_the_field(served: tuple[Server, dict[str, str]]) -> None:
    server, issued = served
    root = {"Authorization": f"Bearer {issued['root']}"}
    feed = {"Authorization": f"Bearer {issued['feed']}"}
    member = json.dumps({"type": "member", "id": "u1", "handle": "lune"}).encode()
    assert httpx.post(server.url + "/events", content=member, headers=feed).json()["events"] == 1  # the query reaches SQL
    asks = [
        ("GET", "/members/u1/status", {"at": "0001-01-01T00:00:00+14:00"}, None, feed, "at"),
        ("GET", "/members/u1/status", {"at": "9999-12-31T23:59:59-14:00"}, None, feed, "at"),
        ("GET", "/reports/sor", {"since": "2020-01-01T00:00:00Z", "until": "9999-12-31T23:59:59-14:00"}, None, root, "until"),
        ("GET", "/reports/transparency", {"since": "0001-01-01T00:00:00+14:00", "until": "2030-01-01T00:00:00Z"}, None, root, "since"),
        ("POST", "/deletions/1/decide", None, {"decision": "close_temporarily", "reason": "r",
                                               "until": "9999-12-31T23:59:59-14:00"}, root, "until"),
    ]
    for method, path, params, body, headers, name in asks:
        r = httpx.request(method, server.url + path, params=params, json=body, headers=headers)
        assert r.status_code == 422, f"{path} {params or body}: {r.status_code} {r.text[:200]}"
        assert name in [d["loc"][-1] for d in r.json()["detail"]], r.text
    stderr = server.proc.stderr
    server.stop()
    assert b"Traceback" not in stderr.read()  # type: ignore[union-attr]


def test_cli_time_options_out_of_range_are_clear_errors(sqlite: Store) -> None:
    from typer.testing import CliRunner

    from modconsole.cli.main import app

    make_services(sqlite)
    runner = CliRunner()
    base = ["--db", sqlite.url]
    for args, option in [
        (["--as", "feed", "member", "status", "u1", "--at", "0001-01-01T00:00:00+14:00"], "--at"),
        (["--as", "drm", "deletion", "decide", "1", "--close-temporarily", "--reason", "r",
          "--until", "9999-12-31T23:59:59-14:00"], "--until"),
        (["--as", "root", "report", "sor", "--since", "2020-01-01", "--until", "9999-12-31T23:59:59-14:00"], "--until"),
    ]:
        r = runner.invoke(app, base + args)
        assert r.exit_code == 1 and r.exception is None or isinstance(r.exception, SystemExit), r.exception
        assert option in r.output and "UTC" in r.output and "Traceback" not in r.output, r.output


# --- 3. tokens -----------------------------------------------------------------------------------


def test_tokens_issued_before_a_deactivation_stay_dead_after_reactivation(store: Store) -> None:
    svc = make_services(store)
    root = svc.actor("root")
    old = tokens.issue(svc, root, "lea")
    assert tokens.authenticate(svc, old).name == "lea"
    staff.set_active(svc, root, "lea", False)
    staff.set_active(svc, root, "lea", True)
    with pytest.raises(Unauthenticated):
        tokens.authenticate(svc, old)
    new = tokens.issue(svc, root, "lea")
    assert tokens.authenticate(svc, new).name == "lea"
    other = tokens.issue(svc, root, "sam")  # someone else's tokens are untouched
    staff.set_active(svc, root, "lea", False)
    assert tokens.authenticate(svc, other).name == "sam"


def test_every_kind_of_bad_token_gets_the_same_answer(sqlite: Store, clock: FixedClock) -> None:
    """Missing, malformed, unknown, expired, revoked, or of a deactivated staff member: one
    message, over the API too; only the audit knows which."""
    svc = make_services(sqlite)
    root = svc.actor("root")
    expiring = tokens.issue(svc, root, "sam", days=1)
    revoked = tokens.issue(svc, root, "ines")
    tokens.revoke_all(svc, root, "ines")
    staff.set_active(svc, root, "lea", False)
    deactivated = tokens.issue(svc, root, "lea")  # issued after the deactivation: not revoked, refused all the same
    clock.advance(timedelta(days=2))
    cases = {"missing": None, "malformed": "Basic xyz", "unknown": "mct_" + "x" * 43, "expired": expiring,
             "revoked": revoked, "deactivated": deactivated}
    messages = set()
    for kind, token in cases.items():
        with pytest.raises(Unauthenticated) as caught:
            tokens.authenticate(svc, token)
        assert caught.value.kind == kind  # type: ignore[attr-defined]
        messages.add(caught.value.message)
    assert messages == {tokens.BAD_TOKEN}
    app = create_app(sqlite.url, clock=clock)
    with TestClient(app) as client:
        answers = {json.dumps(client.get("/queue", headers={"Authorization": f"Bearer {t}"} if t else {}).json())
                   for t in cases.values()}
    assert len(answers) == 1 and tokens.BAD_TOKEN in answers.pop()


# --- 4. failed authentications -----------------------------------------------------------------


def _auth_entries(store: Store) -> list[AuditEntry]:
    with store.read() as s:
        return list(s.execute(sql_select(AuditEntry).where(AuditEntry.action.in_(("auth.failed", "auth.limited")))  # type: ignore[attr-defined]
                              .order_by(AuditEntry.id)).scalars())


def test_failed_authentications_are_limited_per_address_and_audited_aggregated(sqlite: Store, clock: FixedClock) -> None:
    """Past FAILURES_PER_WINDOW failures in WINDOW_S seconds from one address: 429 with
    Retry-After until the window ends, for failures only (a valid token is served). The audit
    gets one entry at a window's first failure and one when the limit trips, with the counts;
    the rest of the window's count goes with the next window's first entry."""
    svc = make_services(sqlite)
    good = {"Authorization": f"Bearer {tokens.issue(svc, svc.actor('root'), 'lea')}"}
    bad = {"Authorization": "Bearer mct_nothing"}
    assert (FAILURES_PER_WINDOW, WINDOW_S) == (10, 60)
    app = create_app(sqlite.url, clock=clock)
    here = TestClient(app, client=("127.0.0.1", 50000))
    there = TestClient(app, client=("192.0.2.7", 50000))
    for _ in range(10):
        assert here.get("/queue", headers=bad).status_code == 401
    clock.advance(timedelta(seconds=20))
    limited = here.get("/queue", headers=bad)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "40"
    assert "too many failed authentications" in limited.json()["message"]
    assert here.get("/queue").status_code == 429  # no token at all is a failure too
    assert here.get("/queue", headers=good).status_code == 200  # successes are not limited
    assert there.get("/queue", headers=bad).status_code == 401  # another address has its own count
    for _ in range(13):
        assert here.get("/queue", headers=bad).status_code == 429
    entries = _auth_entries(sqlite)
    assert [(e.action, e.target_id) for e in entries] == [
        ("auth.failed", "127.0.0.1"), ("auth.limited", "127.0.0.1"), ("auth.failed", "192.0.2.7")]
    assert entries[0].outcome == "refused" and entries[0].detail["failures"] == 1 and entries[0].detail["kind"] == "unknown"
    assert entries[1].detail["failures"] == 11 and entries[1].detail["kinds"] == {"unknown": 11}
    clock.advance(timedelta(seconds=40))  # the window ends
    assert here.get("/queue", headers=bad).status_code == 401
    entries = _auth_entries(sqlite)
    assert len(entries) == 4 and entries[3].detail["previous_window_failures"] == 14  # 25 in the window, 11 told
    assert all("mct_" not in json.dumps(e.detail) for e in entries)  # never a token
    from modconsole.domain.audit import verify_chain

    assert verify_chain(svc, svc.actor("root")).ok  # the entries are links of the chain like any other


def test_a_failure_count_no_entry_told_is_written_at_shutdown(sqlite: Store, clock: FixedClock) -> None:
    make_services(sqlite)
    with TestClient(create_app(sqlite.url, clock=clock), client=("127.0.0.1", 1)) as client:
        for _ in range(15):
            client.get("/queue")
        assert [e.action for e in _auth_entries(sqlite)] == ["auth.failed", "auth.limited"]
    entries = _auth_entries(sqlite)
    assert [e.action for e in entries] == ["auth.failed", "auth.limited", "auth.failed"]
    assert entries[2].detail["failures"] == 4 and entries[2].detail["aggregated"] is True


def test_the_failure_counter_stays_bounded() -> None:
    counter = FailedLogins(limit=2, window_s=60, max_tracked=100)
    for i in range(1000):
        counter.failure(f"10.0.{i // 256}.{i % 256}", "unknown", T0)
    assert len(counter._windows) <= 100


@pytest.mark.remote
def test_failed_authentications_from_loopback_are_limited_too(served: tuple[Server, dict[str, str]]) -> None:
    server, issued = served
    answers = [httpx.get(server.url + "/whoami", headers={"Authorization": "Bearer mct_guess"}) for _ in range(12)]
    assert [a.status_code for a in answers] == [401] * 10 + [429] * 2
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert httpx.get(server.url + "/whoami", headers={"Authorization": f"Bearer {issued['root']}"}).status_code == 200


# --- 6. no /docs from a CDN --------------------------------------------------------------------


def test_no_docs_pages_and_the_schema_stays_public(sqlite: Store) -> None:
    svc = make_services(sqlite)
    token = tokens.issue(Services(Store(sqlite.url)), svc.actor("root"), "root")
    client = TestClient(create_app(sqlite.url))
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        r = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 404 and "cdn" not in r.text.lower()
    assert client.get("/openapi.json").json()["info"]["title"] == "modconsole"
    assert client.get("/healthz").json() == {"status": "ok"}
