"""The same CLI session with `--db` (local) and with `--api` (a real `modconsole serve`):
the same exit statuses and the same output, timestamps aside.

Two stores are made the same way; one is used in-process, the other through the server with
each staff member's token in MODCONSOLE_TOKEN. Every command of the session runs on both and
the outputs are compared after blanking times (the two runs are not at the same instant).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modconsole.cli.main import app
from modconsole.domain import tokens
from modconsole.domain.service import Services
from modconsole.domain.store import Store

from ..contract.conftest import Server

pytestmark = pytest.mark.remote

EVENTS = [
    {"type": "member", "id": "u1", "handle": "[bold]lune[/bold]\x1b[2J", "email": "lune@example.org"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "je veux mourir \x1b]8;;http://x\x1b\\"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "body": "espèce de connard"},
    {"type": "content", "id": "p3", "kind": "post", "author": "u3", "body": "écris-moi à jean.dupont@example.org"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p2", "reason": "offensive", "note": "encore"},
    {"type": "member", "id": "u3", "handle": "comete", "email": "comete@example.org", "real_name": "Jeanne Comète"},
    {"type": "deletion_request", "id": "d1", "member": "u3", "scope": "data", "note": "effacez mes données"},
]
STAFF = [("lea", "moderator"), ("sam", "moderator"), ("ines", "senior"), ("drm", "clinical"), ("feed", "platform")]
APPEAL = {"type": "appeal", "id": "ap1", "member": "u2", "sanction": "1", "body": "[b]pas juste[/b]"}

# (who, arguments); {p1} etc. are replaced by the case id of that subject
SESSION: list[tuple[str, list[str]]] = [
    ("feed", ["ingest", "{events}", "--json"]),
    ("feed", ["ingest", "{bad}", "--json"]),
    ("lea", ["queue", "list", "--json"]),
    ("lea", ["queue", "list", "--queue", "offensive", "--json"]),
    ("lea", ["queue", "list", "--queue", "deletion"]),
    ("lea", ["queue", "list", "--queue", "nope"]),
    ("lea", ["case", "claim", "{p2}"]),
    ("sam", ["case", "claim", "{p2}"]),
    ("sam", ["case", "note", "{p2}", "[b]relu[/b] par sam"]),
    ("lea", ["case", "show", "{p2}", "--json"]),
    ("lea", ["case", "resolve", "{p2}", "--action", "hide", "--reason", "insulte"]),
    ("lea", ["case", "resolve", "{p2}", "--action", "dismiss"]),
    ("lea", ["case", "claim", "{p1}"]),
    ("lea", ["case", "escalate", "{p1}", "--to", "senior", "--reason", "à voir"]),
    ("lea", ["case", "release", "{p1}"]),
    ("lea", ["case", "show", "999999"]),
    ("lea", ["sanction", "apply", "--member", "u2", "--kind", "mute", "--duration", "72h",
             "--reason", "respect", "--json"]),
    ("lea", ["sanction", "apply", "--member", "u2", "--kind", "ban", "--duration", "permanent", "--reason", "respect"]),
    ("lea", ["sanction", "apply", "--member", "u2", "--kind", "warning", "--reason", "because", "--dry-run"]),
    ("lea", ["sanction", "apply", "--member", "u2", "--kind", "warning", "--reason", "because"]),
    ("lea", ["sanction", "lift", "1", "--reason", "served"]),
    ("feed", ["ingest", "{appeal}", "--json"]),
    ("sam", ["appeal", "list", "--json"]),
    ("lea", ["appeal", "decide", "{u2}", "--uphold", "--reason", "mine"]),
    ("sam", ["appeal", "decide", "{u2}", "--uphold", "--reason", "the insult is plain"]),
    ("sam", ["appeal", "list", "--state", "all"]),
    ("ines", ["sanction", "lift", "1", "--reason", "served", "--json"]),
    ("lea", ["member", "show", "u2", "--json"]),
    ("feed", ["member", "status", "u2", "--json"]),
    ("feed", ["member", "status", "u2", "--at", "2020-01-01T00:00:00Z", "--json"]),
    ("feed", ["queue", "list"]),
    ("root", ["lexicon", "add", "zorglub", "--category", "offensive", "--lang", "fr"]),
    ("root", ["lexicon", "remove", "zorglub"]),
    ("lea", ["lexicon", "remove", "zorglub"]),
    ("root", ["policy", "set", "harassment_followups", "4"]),
    ("root", ["policy", "show", "--json"]),
    ("root", ["staff", "list", "--json"]),
    ("lea", ["deletion", "list"]),
    ("drm", ["deletion", "list", "--json"]),
    ("lea", ["vault", "show", "u3", "--reason", "curious"]),
    ("drm", ["vault", "show", "u3", "--reason", "safety call", "--json"]),
    ("drm", ["deletion", "verify", "{u3}"]),
    ("drm", ["deletion", "decide", "{u3}", "--approve", "--decline", "--reason", "both"]),
    ("drm", ["deletion", "decide", "{u3}", "--approve", "--reason", "asked in writing"]),
    ("drm", ["deletion", "verify", "{u3}", "--search", "comete@example.org", "--json"]),
    ("root", ["vault", "show", "u3", "--reason", "check", "--json"]),
    ("ines", ["sanction", "bulk", "{bulkbad}"]),
    ("ines", ["sanction", "bulk", "{bulk}", "--dry-run", "--json"]),
    ("ines", ["sanction", "bulk", "{bulk}"]),
    ("ines", ["sanction", "bulk", "{bulk}", "--json"]),
    ("root", ["report", "transparency", "--since", "2000-01-01T00:00Z", "--until", "2100-01-01T00:00Z", "--json"]),
    ("root", ["report", "sor", "--since", "2000-01-01T00:00Z", "--until", "2100-01-01T00:00Z"]),
    ("lea", ["report", "sor", "--since", "2000-01-01T00:00Z", "--until", "2100-01-01T00:00Z"]),
    ("ines", ["shift", "handover", "quiet night; case p1 escalated"]),
    ("ines", ["shift", "show", "--hours", "2"]),
    ("lea", ["shift", "show"]),
    ("root", ["audit", "verify"]),
]

TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
AGO = re.compile(r"\b\d+[hms](\d+[ms])?\b|\b\d\d:\d\d(:\d\d)?Z")


def normalize(text: str) -> object:
    try:
        data = json.loads(text)
    except ValueError:
        return HASH.sub("<hash>", AGO.sub("<d>", TIME.sub("<t>", text)))
    return _mask_durations(json.loads(TIME.sub("<t>", json.dumps(data))))


def _mask_durations(data: object) -> object:
    """Wall-clock durations (a queue's median and p90 minutes) depend on how fast each session
    ran -- the remote one goes through HTTP, and a loaded machine slows either -- so only their
    presence is compared."""
    if isinstance(data, dict):
        return {k: "<minutes>" if k.endswith("_minutes") and isinstance(v, int | float) else _mask_durations(v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [_mask_durations(v) for v in data]
    return data


def make_store(path: Path) -> Store:
    runner = CliRunner()
    url = f"sqlite:///{path}"
    assert runner.invoke(app, ["--db", url, "init", "--admin", "root"]).exit_code == 0
    for name, role in STAFF:
        assert runner.invoke(app, ["--db", url, "--as", "root", "staff", "add", name, "--role", role]).exit_code == 0
    return Store(url)


def run_session(base: list[str], env_for, files: dict[str, str], case_of) -> list[tuple[int, object]]:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    results = []
    for who, args in SESSION:
        filled = []
        for a in args:
            if a.startswith("{") and a.endswith("}"):
                key = a[1:-1]
                a = files[key] if key in files else str(case_of(key))
            filled.append(a)
        extra, env = env_for(who)
        r = runner.invoke(app, [*base, *extra, *filled], env=env)
        results.append((r.exit_code, normalize(r.stdout.strip() or r.stderr.strip())))
    return results


def test_the_cli_says_the_same_with_api_as_with_db(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(e) for e in EVENTS) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "content", "id": "p9", "kind": "post", "author": "u9", "body": "ok"}\n{oops\n'
                   '{"type": "report", "id": "r9", "reason": "urgent_help"}\n')
    appeal = tmp_path / "appeal.jsonl"
    appeal.write_text(json.dumps(APPEAL) + "\n")
    bulk_file = tmp_path / "bulk.csv"
    bulk_file.write_text("member,kind,duration,reason,other,case\nu1,warning,,respect: insults\nu2,comment_mute,24h,spam\n")
    bulk_bad = tmp_path / "bulk-bad.csv"
    bulk_bad.write_text("u1,warning,,respect\nnobody,mute,24h,spam\nu2,ban,3 fortnights,threats\n")
    files = {"events": str(events), "bad": str(bad), "appeal": str(appeal), "bulk": str(bulk_file), "bulkbad": str(bulk_bad)}

    (tmp_path / "local").mkdir()
    (tmp_path / "remote").mkdir()
    local_store, remote_store = make_store(tmp_path / "local" / "store.db"), make_store(tmp_path / "remote" / "store.db")
    issued = {}
    for store in (local_store, remote_store):  # on both, so that both audit logs have the same entries
        issuer = Services(store)
        issued = {n: tokens.issue(issuer, issuer.actor("root"), n) for n in ["root", *(s for s, _ in STAFF)]}

    def case_of(store: Store):  # type: ignore[no-untyped-def]
        from modconsole.domain import cases

        svc = Services(store)
        seen: dict[str, int] = {}  # ids stay known once the case is resolved and off the queue

        def lookup(subject: str) -> int:
            if subject not in seen:
                seen.update({c.subject_id: c.id for c in cases.list_queue(svc, svc.actor("root"), limit=0)})
            return seen[subject]

        return lookup

    local = run_session(["--db", local_store.url], lambda who: (["--as", who], {"MODCONSOLE_TOKEN": ""}),
                        files, case_of(local_store))
    server = Server(remote_store.url)
    try:
        remote = run_session(["--api", server.url], lambda who: ([], {"MODCONSOLE_TOKEN": issued[who]}),
                             files, case_of(remote_store))
    finally:
        server.stop()
    for (who, args), got_local, got_remote in zip(SESSION, local, remote, strict=True):
        assert got_local == got_remote, f"{who}: modconsole {' '.join(args)}"
    codes = [code for code, _ in local]
    assert codes.count(0) >= 15 and any(c != 0 for c in codes), "the session has successes and refusals"


# --- a server that is not modconsole, and plain http to another machine --------------------------


class Tiny:
    """A tiny HTTP server on a free port, in a thread: answers every request with one canned
    answer, and records the Authorization headers it received."""

    def __init__(self, status: int, content_type: str | None, body: bytes, host: str = "127.0.0.1") -> None:
        import http.server
        import threading

        seen: list[str | None] = []
        self.seen = seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                seen.append(self.headers.get("Authorization"))
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


NOT_JSON = [
    (502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    (500, "text/plain", b"Internal Server Error"),
    (200, None, b""),
    (200, "text/html; charset=utf-8", b"<!doctype html><title>captive portal</title>"),
    (200, "application/json", b'{"unexpected": true}'),
]


@pytest.mark.parametrize(("status", "kind", "body"), NOT_JSON)
def test_an_answer_that_is_not_modconsole_is_a_clear_error(status: int, kind: str | None, body: bytes) -> None:
    """A proxy's HTML 502, a plain-text 500, an empty 200: exit 1, naming the URL and the status,
    never a traceback."""
    tiny = Tiny(status, kind, body)
    try:
        url = f"http://127.0.0.1:{tiny.port}"
        for args in (["queue", "list"], ["staff", "list"], ["member", "status", "u1"]):
            r = CliRunner().invoke(app, ["--api", url, *args], env={"MODCONSOLE_TOKEN": "mct_x"})
            assert r.exit_code == 1, (args, r.output, r.exception)
            assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
            said = " ".join(r.output.split())  # the error console wraps long lines
            assert f"{url}/" in said and f"HTTP {status}" in said and "Traceback" not in said, r.output
    finally:
        tiny.close()


def _outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # no packet is sent: only the route is chosen
        address = str(s.getsockname()[0])
    except OSError:
        return None
    finally:
        s.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_no_token_over_plain_http_to_another_machine_unless_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    tiny = Tiny(200, "application/json", b"[]", host="0.0.0.0")
    try:
        url = f"http://{address}:{tiny.port}"
        r = CliRunner().invoke(app, ["--api", url, "queue", "list"], env={"MODCONSOLE_TOKEN": "mct_secret"})
        said = " ".join(r.output.split())
        assert r.exit_code == 1 and "--insecure" in said and address in said, r.output
        assert tiny.seen == [], "the token was sent"
        r = CliRunner().invoke(app, ["--api", url, "login", url], env={"MODCONSOLE_TOKEN": ""}, input="mct_secret\n")
        assert r.exit_code == 1 and "--insecure" in r.output and "token (from" not in r.output, r.output
        r = CliRunner().invoke(app, ["--insecure", "--api", url, "queue", "list"], env={"MODCONSOLE_TOKEN": "mct_secret"})
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(app, ["--api", url, "queue", "list"], env={"MODCONSOLE_TOKEN": "mct_secret", "MODCONSOLE_INSECURE": "1"})
        assert r.exit_code == 0, r.output
        assert tiny.seen == ["Bearer mct_secret"] * 2
        local = f"http://127.0.0.1:{tiny.port}"  # loopback: no --insecure needed
        assert CliRunner().invoke(app, ["--api", local, "queue", "list"], env={"MODCONSOLE_TOKEN": "mct_secret"}).exit_code == 0
    finally:
        tiny.close()


def test_which_urls_may_carry_a_token_in_the_clear() -> None:
    """Plain http only to this machine: 127.0.0.0/8, ::1, localhost. https anywhere."""
    from modconsole.cli.context import check_transport
    from modconsole.errors import InvalidInput

    allowed = ["http://127.0.0.1:8787", "http://127.8.9.10", "http://[::1]:8787", "http://localhost:8787",
               "http://LOCALHOST.", "https://modconsole.example.org", "https://192.0.2.5:8443"]
    refused = ["http://192.0.2.5:8787", "http://modconsole.example.org", "http://localhost.example.org",
               "http://127.0.0.1.nip.io", "http://[::ffff:192.0.2.5]", "http://0.0.0.0:8787", "ftp://127.0.0.1", "nonsense"]
    for url in allowed:
        check_transport(url, insecure=False)
    for url in refused:
        with pytest.raises(InvalidInput):
            check_transport(url, insecure=False)
    for url in refused[:5]:
        check_transport(url, insecure=True)
