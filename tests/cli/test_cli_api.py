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
    return json.loads(TIME.sub("<t>", json.dumps(data)))


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
