"""The command line, through Typer's runner and through the installed `modconsole` script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modconsole.cli.main import app

runner = CliRunner()

EVENTS = [
    {"type": "member", "id": "u1", "handle": "[bold]lune[/bold]\x1b[2J", "email": "lune@example.org"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": "je veux mourir \x1b]8;;http://x\x1b\\ [link=http://x]y[/link]"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "body": "espèce de connard"},
    {"type": "report", "id": "r1", "reporter": "secret-reporter", "content": "p2", "reason": "urgent_help"},
]


def invoke(db: str, *args: str, actor: str | None = None):  # type: ignore[no-untyped-def]
    base = ["--db", db] + (["--as", actor] if actor else [])
    return runner.invoke(app, [*base, *args], catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    r = invoke(url, "init", "--admin", "root")
    assert r.exit_code == 0, r.output
    for name, role in (("lea", "moderator"), ("sam", "moderator"), ("feed", "platform")):
        assert invoke(url, "staff", "add", name, "--role", role, actor="root").exit_code == 0
    return url


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    lines = [json.dumps(e) for e in EVENTS] + ["{broken", json.dumps({"type": "report", "id": "r2", "reason": "nope", "member": "u1"})]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_init_is_idempotent_and_refuses_non_admin_name(db: str) -> None:
    r = invoke(db, "init", "--admin", "root")
    assert r.exit_code == 0 and "already present" in r.output
    r = invoke(db, "init", "--admin", "lea")
    assert r.exit_code == 1 and "already exists with role moderator" in r.output
    r = invoke(db, "init", "--admin", "mallory")
    assert r.exit_code == 1 and "already has admins (root)" in r.output


def test_ingest_json_and_exit_status(db: str, events_file: Path) -> None:
    r = invoke(db, "ingest", str(events_file), "--json", actor="feed")
    assert r.exit_code == 1  # some lines rejected
    out = json.loads(r.stdout)
    assert out["events"] == 4 and out["by_type"] == {"member": 1, "content": 2, "report": 1}
    assert out["cases_opened"] == 2 and out["duplicates"] == 0
    assert [x["line"] for x in out["rejected"]] == [5, 6]
    again = invoke(db, "ingest", str(events_file), "--json", actor="feed")
    assert json.loads(again.stdout)["duplicates"] == 4


def test_queue_list_json_fields(db: str, events_file: Path) -> None:
    invoke(db, "ingest", str(events_file), actor="feed")
    r = invoke(db, "queue", "list", "--json", actor="lea")
    assert r.exit_code == 0
    cases = json.loads(r.stdout)
    assert [c["queue"] for c in cases] == ["urgent", "self_harm"]
    for c in cases:
        for field in ("id", "queue", "state", "priority", "subject_type", "subject_id", "member", "signals",
                      "created_at", "sla_due_at", "claimed_by"):
            assert field in c
        for s in c["signals"]:
            assert {"source", "category", "detail"} <= set(s)
    assert "secret-reporter" not in r.stdout
    r = invoke(db, "queue", "list", "--queue", "nonsense", actor="lea")
    assert r.exit_code == 1 and "unknown queue 'nonsense'" in r.output


def test_claim_conflict_names_holder(db: str, events_file: Path) -> None:
    invoke(db, "ingest", str(events_file), actor="feed")
    assert invoke(db, "case", "claim", "1", actor="lea").exit_code == 0
    r = invoke(db, "case", "claim", "1", actor="sam")
    assert r.exit_code != 0 and "held by lea" in r.output
    assert invoke(db, "case", "note", "1", "called the member back", actor="lea").exit_code == 0
    r = invoke(db, "case", "resolve", "1", "--action", "hide", "--reason", "rule 2", actor="lea")
    assert r.exit_code == 0 and "hide" in r.output
    r = invoke(db, "case", "show", "1", "--json", actor="sam")
    detail = json.loads(r.stdout)
    assert detail["case"]["state"] == "resolved" and detail["notes"][0]["body"] == "called the member back"
    assert detail["content"]["visibility"] == "hidden"


def test_case_show_prints_member_text_literally(db: str, events_file: Path) -> None:
    invoke(db, "ingest", str(events_file), actor="feed")
    cases = json.loads(invoke(db, "queue", "list", "--json", actor="lea").stdout)
    p1 = next(c for c in cases if c["subject_id"] == "p1")
    r = invoke(db, "case", "show", str(p1["id"]), actor="lea")
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout
    assert "\\x1b]8;;http://x" in r.stdout and "[link=http://x]y[/link]" in r.stdout
    assert "[bold]lune[/bold]\\x1b[2J" in r.stdout


def test_errors_exit_non_zero_with_a_message(db: str) -> None:
    r = invoke(db, "case", "show", "999", actor="lea")
    assert r.exit_code == 1 and "no case 999" in r.output
    r = invoke(db, "case", "show", "abc", actor="lea")
    assert r.exit_code == 1 and "not a case id" in r.output
    r = invoke(db, "queue", "list", actor="nobody")
    assert r.exit_code == 1 and "no staff member named 'nobody'" in r.output
    r = invoke(db, "staff", "add", "x", "--role", "moderator", actor="lea")
    assert r.exit_code == 1 and "Forbidden" in r.output
    r = invoke(f"sqlite:///{Path(db[10:]).parent / 'none.db'}", "queue", "list", actor="lea")
    assert r.exit_code == 1 and "modconsole init" in r.output


def test_audit_verify_and_list(db: str) -> None:
    r = invoke(db, "audit", "verify", actor="root")
    assert r.exit_code == 0 and "intact" in r.output
    listed = json.loads(invoke(db, "audit", "list", "--json", actor="root").stdout)
    assert listed[0]["action"] == "staff.add" and listed[-1]["staff"] == "system"
    assert invoke(db, "audit", "list", actor="lea").exit_code == 1


def test_lexicon_add_changes_detection(db: str, tmp_path: Path) -> None:
    assert invoke(db, "lexicon", "add", "zorglub", "--category", "offensive", "--lang", "fr", "--severity", "3", actor="root").exit_code == 0
    listed = json.loads(invoke(db, "lexicon", "list", "--json", actor="root").stdout)
    assert {"term": "zorglub", "category": "offensive", "lang": "fr", "severity": 3, "source": "custom"} in listed
    f = tmp_path / "z.jsonl"
    f.write_text(json.dumps({"type": "content", "id": "z1", "kind": "post", "author": "u", "body": "quel zorglub celui-là"}) + "\n")
    invoke(db, "ingest", str(f), actor="feed")
    cases = json.loads(invoke(db, "queue", "list", "--json", actor="lea").stdout)
    assert cases[0]["subject_id"] == "z1" and cases[0]["priority"] == 3
    assert invoke(db, "lexicon", "remove", "zorglub", actor="root").exit_code == 0
    assert invoke(db, "lexicon", "remove", "zorglub", actor="root").exit_code == 1


def test_env_variables_select_store_and_actor(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODCONSOLE_DB", db)
    monkeypatch.setenv("MODCONSOLE_AS", "root")
    r = runner.invoke(app, ["staff", "list", "--json"], catch_exceptions=False)
    assert r.exit_code == 0 and {s["name"] for s in json.loads(r.stdout)} == {"root", "lea", "sam", "feed"}


def test_real_entry_point_in_a_subprocess(db: str, events_file: Path) -> None:
    exe = shutil.which("modconsole", path=str(Path(sys.executable).parent)) or shutil.which("modconsole")
    assert exe, "the modconsole console script is installed"
    env = os.environ | {"MODCONSOLE_DB": db}
    r = subprocess.run([exe, "--as", "feed", "ingest", str(events_file), "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and json.loads(r.stdout)["events"] == 4
    r = subprocess.run([exe, "--as", "lea", "case", "claim", "1"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0
    r = subprocess.run([exe, "--as", "sam", "case", "claim", "1"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode != 0 and "held by lea" in r.stderr
    r = subprocess.run([sys.executable, "-m", "modconsole", "--as", "root", "audit", "verify"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "intact" in r.stdout


def test_policy_set_changes_the_harassment_rule(db: str, tmp_path: Path) -> None:
    r = invoke(db, "policy", "set", "harassment_followups", "1", actor="root")
    assert r.exit_code == 0 and "harassment_followups = 1" in r.output
    assert invoke(db, "policy", "set", "harassment_followups", "1", actor="lea").exit_code == 1
    assert "must be between" in invoke(db, "policy", "set", "sla.urgent", "0", actor="root").output
    assert "unknown policy setting" in invoke(db, "policy", "set", "nope", "3", actor="root").output
    f = tmp_path / "m.jsonl"
    f.write_text("\n".join(json.dumps({"type": "content", "id": f"m{i}", "kind": "message", "author": "a", "recipient": "b",
                                       "body": "salut"}) for i in range(2)) + "\n")
    out = json.loads(invoke(db, "ingest", str(f), "--json", actor="feed").stdout)
    assert out["cases_opened"] == 1  # initial message + one follow-up is now too many
    shown = json.loads(invoke(db, "policy", "show", "--json", actor="lea").stdout)
    assert shown["harassment_followups"] == 1 and shown["sla.urgent"] == 5


def test_no_traceback_for_odd_arguments_or_stores(db: str, tmp_path: Path) -> None:
    r = invoke(db, "case", "show", "99999999999999999999", actor="lea")
    assert r.exit_code == 1 and "not a case id" in r.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    r = invoke(f"sqlite:///{junk}", "queue", "list", actor="lea")
    assert r.exit_code == 1 and "cannot be used" in r.output and "Traceback" not in r.output
    r = invoke(db, "lexicon", "add", "evil\x1b]8;;http://x\x1b\\", "--category", "offensive", "--lang", "en", actor="root")
    assert r.exit_code == 1 and "control" in r.output


def test_member_show_and_sanction_apply(db: str, events_file: Path) -> None:
    invoke(db, "ingest", str(events_file), actor="feed")
    r = invoke(db, "sanction", "apply", "--member", "u1", "--kind", "ban", "--duration", "permanent", "--reason", "threats", actor="lea")
    assert r.exit_code == 1 and "may not ban permanently" in r.output
    r = invoke(db, "sanction", "apply", "--member", "u1", "--kind", "mute", "--duration", "72h", "--reason", "respect: insults", "--json", actor="lea")
    assert r.exit_code == 0 and json.loads(r.stdout)["kind"] == "mute"
    d = json.loads(invoke(db, "member", "show", "u1", "--json", actor="sam").stdout)
    assert [s["kind"] for s in d["sanctions_in_force"]] == ["mute"]
    assert d["suggested_next"].startswith("ban") and "lune@example.org" not in json.dumps(d)
    r = invoke(db, "member", "show", "u1", actor="sam")
    assert "\x1b" not in r.stdout and "[bold]lune[/bold]\\x1b[2J" in r.stdout


def test_member_status_json_contract(db: str, events_file: Path) -> None:
    invoke(db, "ingest", str(events_file), actor="feed")
    invoke(db, "sanction", "apply", "--member", "u1", "--kind", "comment_mute", "--duration", "24h", "--reason", "spam", actor="lea")
    out = json.loads(invoke(db, "member", "status", "u1", "--json", actor="feed").stdout)
    assert {"member", "at", "can_login", "can_post", "can_comment", "sanctions"} <= set(out) and "can_message" not in out
    assert (out["can_login"], out["can_post"], out["can_comment"]) == (True, True, False)
    later = json.loads(invoke(db, "member", "status", "u1", "--at", "2099-01-01T00:00:00Z", "--with", "u2", "--json", actor="feed").stdout)
    assert later["can_comment"] is True and later["can_message"] is True and later["sanctions"] == []
    r = invoke(db, "member", "status", "u1", "--at", "tomorrow", actor="feed")
    assert r.exit_code == 1 and "ISO 8601" in r.output


class MemoryKeyring:
    """The system keyring is an external edge: an in-memory stand-in with keyring's interface."""

    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.store.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.store[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, user) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, user)]


def test_login_logout_and_the_token_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    from modconsole.cli.context import api_token
    from modconsole.errors import Unauthenticated

    ring = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", ring.get_password)
    monkeypatch.setattr(keyring, "set_password", ring.set_password)
    monkeypatch.setattr(keyring, "delete_password", ring.delete_password)
    monkeypatch.delenv("MODCONSOLE_TOKEN", raising=False)
    url = "http://127.0.0.1:9"
    with pytest.raises(Unauthenticated, match="modconsole login"):
        api_token(url)
    r = runner.invoke(app, ["login", url + "/"], input="mct_secret\n")
    assert r.exit_code == 0 and "mct_secret" not in r.output
    assert api_token(url) == "mct_secret"
    monkeypatch.setenv("MODCONSOLE_TOKEN", "mct_from_env")
    assert api_token(url) == "mct_from_env"  # the environment wins
    monkeypatch.delenv("MODCONSOLE_TOKEN")
    assert runner.invoke(app, ["logout", url]).exit_code == 0
    assert runner.invoke(app, ["logout", url]).exit_code == 1
    r = runner.invoke(app, ["--api", url, "queue", "list"])
    assert r.exit_code == 1 and "MODCONSOLE_TOKEN" in r.output


def test_login_without_a_keyring_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.errors import NoKeyringError

    def refuse(*_: object) -> None:
        raise NoKeyringError("no backend")

    monkeypatch.setattr(keyring, "set_password", refuse)
    r = runner.invoke(app, ["login", "http://127.0.0.1:9"], input="mct_x\n")
    assert r.exit_code == 1 and "MODCONSOLE_TOKEN" in r.output and "NoKeyringError" in r.output


def test_unreachable_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODCONSOLE_TOKEN", "mct_x")
    r = runner.invoke(app, ["--api", "http://127.0.0.1:9", "queue", "list"])
    assert r.exit_code == 1 and "cannot reach the modconsole server" in r.output


def test_an_anchor_outside_the_database_detects_a_removed_tail(db: str, tmp_path: Path) -> None:
    """The chain cannot show that its newest entries were deleted; the head recorded by the last
    `audit verify --anchor FILE` can."""
    from sqlalchemy import create_engine, text

    anchor = tmp_path / "elsewhere" / "audit-head.json"
    anchor.parent.mkdir()
    first = invoke(db, "audit", "verify", "--anchor", str(anchor), actor="root")
    assert first.exit_code == 0 and json.loads(anchor.read_text())["entries"] >= 3
    invoke(db, "staff", "add", "zoe", "--role", "moderator", actor="root")  # the log grows: fine
    second = invoke(db, "audit", "verify", "--anchor", str(anchor), actor="root")
    assert second.exit_code == 0 and "still in the log" in second.output
    recorded = json.loads(anchor.read_text())
    engine = create_engine(db)
    with engine.begin() as conn:  # someone deletes the newest entries
        conn.execute(text("DELETE FROM audit_entry WHERE id >= :n"), {"n": recorded["entries"] - 1})
    engine.dispose()
    plain = invoke(db, "audit", "verify", actor="root")
    assert plain.exit_code == 0  # the chain alone still looks intact
    cut = invoke(db, "audit", "verify", "--anchor", str(anchor), actor="root")
    assert cut.exit_code == 1 and "cut or rewritten" in cut.output
    assert json.loads(anchor.read_text()) == recorded  # a failed check leaves the anchor alone
    anchor.write_text("not json")
    assert invoke(db, "audit", "verify", "--anchor", str(anchor), actor="root").exit_code == 1


def test_appeal_and_deletion_lists_take_a_limit(db: str, tmp_path: Path) -> None:
    assert invoke(db, "staff", "add", "drm", "--role", "clinical", actor="root").exit_code == 0
    events = [{"type": "report", "id": "r0", "reporter": "u9", "content": "p0", "reason": "offensive"}]
    events += [{"type": "appeal", "id": f"a{i}", "member": f"m{i}", "case": "1", "body": "pas juste",
                "created_at": f"2026-11-2{i}T10:00:00Z"} for i in range(5)]
    events += [{"type": "deletion_request", "id": f"d{i}", "member": f"m{i}", "scope": "account",
                "created_at": f"2026-11-2{i}T11:00:00Z"} for i in range(3)]
    path = tmp_path / "lists.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    assert invoke(db, "ingest", str(path), actor="feed").exit_code == 0
    two = json.loads(invoke(db, "appeal", "list", "--limit", "2", "--json", actor="lea").stdout)
    every = json.loads(invoke(db, "appeal", "list", "--limit", "0", "--json", actor="lea").stdout)
    assert [a["appeal"] for a in two] == ["a0", "a1"] and [a["appeal"] for a in every] == [f"a{i}" for i in range(5)]
    human = invoke(db, "appeal", "list", "--limit", "2", actor="lea")
    assert human.exit_code == 0 and "--limit 0 for all" in human.stderr and "a2" not in human.stdout
    one = json.loads(invoke(db, "deletion", "list", "--limit", "1", "--json", actor="drm").stdout)
    assert [d["request"] for d in one] == ["d0"]
    assert len(json.loads(invoke(db, "deletion", "list", "--json", actor="drm").stdout)) == 3
    assert invoke(db, "appeal", "list", "--limit", "-1", actor="lea").exit_code == 2
