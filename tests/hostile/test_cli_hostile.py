"""The hostile corpus through the command line (Typer's runner, local SQLite store).

Human output: no control, format or separator character but newline and tab, on stdout and
on stderr, and each corpus string's visible form present. `--json`: valid JSON, terminal-safe
too, whose strings are exactly what was ingested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modconsole.cli.main import app

from .corpus import (
    ALL_ENTRIES,
    ALL_MEMBER,
    CORPUS,
    HANDLE_ENTRIES,
    IDS,
    MARKUP_IDS,
    SMALL,
    STAFF_TEXT,
    Hostile,
    assert_shows,
    assert_terminal_safe,
    contains_text,
    content_id,
    events,
    jsonl,
    kept,
    member_id,
    squash,
)

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # Rich reads it at print time: long lines wrap less


def invoke(db: str, *args: str, actor: str | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
    base = ["--db", db] + (["--as", actor] if actor else [])
    r = runner.invoke(app, [*base, *args], env=WIDE)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception  # a crash, not a refusal
    if ok:
        assert r.exit_code == 0, (args, r.stdout[-500:], r.stderr[-500:])
    assert_terminal_safe(r.stdout, where=f"stdout of {args[:3]}")
    assert_terminal_safe(r.stderr, where=f"stderr of {args[:3]}")
    return r


def as_json(db: str, *args: str, actor: str) -> object:
    r = invoke(db, *args, "--json", actor=actor)
    return json.loads(r.stdout)


# --- ingest ---------------------------------------------------------------------------------------


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    invoke(url, "init", "--admin", "root")
    for name, role in (("lea", "moderator"), ("feed", "platform")):
        invoke(url, "staff", "add", name, "--role", role, actor="root")
    return url


def test_ingest_rejects_each_bad_line_by_number_and_stores_the_rest(empty_db: str, tmp_path: Path) -> None:
    f = jsonl()
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(f.lines) + b"\n")
    r = invoke(empty_db, "ingest", str(path), "--json", actor="feed", ok=False)
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert {x["line"] for x in out["rejected"]} == set(f.bad), out["rejected"]
    for x in out["rejected"]:
        name, mention = f.bad[x["line"]]
        assert mention in x["error"], (name, x["error"])
        assert "Traceback" not in x["error"] and "Recursion" not in x["error"]
    assert out["events"] == len(events()) and out["duplicates"] == 0
    # the same file again: every good line a duplicate, the same rejections
    again = json.loads(invoke(empty_db, "ingest", str(path), "--json", actor="feed", ok=False).stdout)
    assert again["duplicates"] == out["events"] and again["rejected"] == out["rejected"]


def test_ingest_human_form_names_the_lines_without_a_control_character(empty_db: str, tmp_path: Path) -> None:
    f = jsonl(include_good=False)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(f.lines) + b"\n")
    r = invoke(empty_db, "ingest", str(path), actor="feed", ok=False)  # asserts stdout and stderr are safe
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    for number in f.bad:
        assert f"line {number}: " in r.stderr


def test_infinite_number_is_refused_not_stored(empty_db: str, tmp_path: Path) -> None:
    """1e999 parses as a float infinity, which `--json` would print as `Infinity` (not JSON)."""
    path = tmp_path / "inf.jsonl"
    path.write_bytes(b'{"type": "deletion_request", "id": "d1", "member": "mi", "scope": "account"}\n'
                     b'{"type": "self_assessment", "id": "s1", "member": "mi", "score": 1e999, "suicidal": true}\n')
    r = invoke(empty_db, "ingest", str(path), "--json", actor="feed", ok=False)
    assert r.exit_code == 1
    assert json.loads(r.stdout)["rejected"] == [{"line": 2, "error": "self_assessment event: 'score' is not a finite number"}]
    invoke(empty_db, "staff", "add", "drm", "--role", "clinical", actor="root")
    text = invoke(empty_db, "deletion", "list", "--json", actor="drm").stdout
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in --json output"))


def test_markup_ids_round_trip(empty_db: str, tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events()[:5 + 2 * len(MARKUP_IDS)]) + "\n")
    invoke(empty_db, "ingest", str(path), actor="feed")
    listed = as_json(empty_db, "queue", "list", "--limit", "0", actor="lea")
    assert isinstance(listed, list)
    assert {c["member"] for c in listed} >= set(MARKUP_IDS)
    human = invoke(empty_db, "queue", "list", "--limit", "0", actor="lea").stdout
    for mid in MARKUP_IDS:
        shown = invoke(empty_db, "member", "show", mid, actor="lea").stdout
        assert f"Member {mid} (" in shown  # the id as it is, not read as markup
        assert json.loads(invoke(empty_db, "member", "show", mid, "--json", actor="lea").stdout)["member"]["id"] == mid
    assert "[@cl" in human  # truncated in its column, but literal: as markup it would show "id"


# --- per corpus string: member show, case show, member status --------------------------------------


@pytest.mark.parametrize("h", CORPUS, ids=IDS)
def test_member_and_case_show(shared_db: str, hostile_ids: dict[str, int], h: Hostile) -> None:
    hostile_db = shared_db
    mid, cid = member_id(h), content_id(h)
    d = as_json(hostile_db, "member", "show", mid, actor="lea")
    assert isinstance(d, dict)
    assert d["member"]["handle"] == h.kept[:256]
    assert [c["body"] for c in d["content"]] == [f"je veux mourir {h.kept}"]
    human = invoke(hostile_db, "member", "show", mid, actor="lea").stdout
    assert_shows(human, h, where="member show")

    case = {"id": hostile_ids[cid]}
    detail = as_json(hostile_db, "case", "show", str(case["id"]), actor="lea")
    assert isinstance(detail, dict)
    assert detail["content"]["body"] == f"je veux mourir {h.kept}"
    assert detail["content"]["author_handle"] == h.kept[:256]
    assert [r["note"] for r in detail["reports"]] == [h.kept]
    assert "secret-reporter" not in json.dumps(detail)
    if h in SMALL:
        assert [n["body"] for n in detail["notes"]] == [f"note {h.kept}"]
    human = invoke(hostile_db, "case", "show", str(case["id"]), actor="lea").stdout
    assert_shows(human, h, where="case show")

    status = invoke(hostile_db, "member", "status", mid, "--with", ALL_MEMBER, actor="lea").stdout
    assert f"member {mid} at" in status
    assert as_json(hostile_db, "member", "status", mid, actor="lea")["member"] == mid  # type: ignore[index]


# --- every listing, with every string at once -------------------------------------------------------


def _check_all(output: str, entries: list[Hostile], where: str) -> None:
    flat = squash(output)
    for h in entries:
        assert_shows(output, h, where=where, squashed=flat)


def test_queue_list(hostile_db: str) -> None:
    listed = as_json(hostile_db, "queue", "list", "--limit", "0", actor="lea")
    assert isinstance(listed, list) and len(listed) >= len(CORPUS)
    assert "secret-reporter" not in json.dumps(listed)
    human = invoke(hostile_db, "queue", "list", "--limit", "0", actor="lea").stdout
    assert f"{len(listed)} case(s)" in human


def test_appeal_list_and_show(hostile_db: str) -> None:
    listed = as_json(hostile_db, "appeal", "list", actor="ines")
    assert isinstance(listed, list)
    by_id = {a["appeal"]: a for a in listed}
    for h in CORPUS:
        assert by_id[f"a-{h.name}"]["body"] == h.kept
    assert by_id["a-all"]["body"] == kept(ALL_ENTRIES)
    invoke(hostile_db, "appeal", "list", actor="ines")
    shown = invoke(hostile_db, "appeal", "show", str(by_id["a-all"]["id"]), actor="ines").stdout
    _check_all(shown, ALL_ENTRIES, "appeal show")
    one = as_json(hostile_db, "appeal", "show", str(by_id["a-all"]["id"]), actor="ines")
    assert one["body"] == kept(ALL_ENTRIES)  # type: ignore[index]
    assert contains_text(one, kept(HANDLE_ENTRIES))  # the statement greets the member by handle


def test_deletion_list_and_show(hostile_db: str) -> None:
    listed = as_json(hostile_db, "deletion", "list", actor="drm")
    assert isinstance(listed, list)
    by_id = {d["request"]: d for d in listed}
    for h in CORPUS:
        assert by_id[f"d-{h.name}"]["note"] == h.kept and by_id[f"d-{h.name}"]["handle"] == h.kept[:256]
    human = invoke(hostile_db, "deletion", "list", actor="drm").stdout
    _check_all(human, CORPUS, "deletion list")
    shown = invoke(hostile_db, "deletion", "show", str(by_id["d-all"]["id"]), actor="drm").stdout
    _check_all(shown, ALL_ENTRIES, "deletion show")


def test_vault_show(hostile_db: str) -> None:
    from .corpus import EMAIL_ENTRIES, NAME_ENTRIES

    shown = invoke(hostile_db, "vault", "show", ALL_MEMBER, "--reason", "checking the rendering", actor="drm").stdout
    _check_all(shown, EMAIL_ENTRIES + NAME_ENTRIES, "vault show")
    record = as_json(hostile_db, "vault", "show", ALL_MEMBER, "--reason", "again", actor="drm")
    assert record["email"] == kept(EMAIL_ENTRIES) and record["real_name"] == kept(NAME_ENTRIES)  # type: ignore[index]


def test_audit_list_and_reports(hostile_db: str) -> None:
    # a resolution and an escalation whose reasons quote the member: both land in history and audit
    cid = next(c["id"] for c in as_json(hostile_db, "queue", "list", "--limit", "0", actor="lea")  # type: ignore[union-attr]
               if c["subject_id"] == "c-all" and c["queue"] == "urgent")
    invoke(hostile_db, "case", "claim", str(cid), actor="lea")
    invoke(hostile_db, "case", "resolve", str(cid), "--action", "hide", "--reason", STAFF_TEXT, actor="lea")
    shown = invoke(hostile_db, "case", "show", str(cid), actor="lea").stdout
    _check_all(shown, ALL_ENTRIES, "case show after resolve")
    entries = as_json(hostile_db, "audit", "list", "-n", "200", actor="root")
    assert isinstance(entries, list) and any(e["action"] == "case.resolve" for e in entries)
    invoke(hostile_db, "audit", "list", "-n", "200", actor="root")
    r = invoke(hostile_db, "report", "sor", "--since", "2026-01-01", "--until", "2027-01-01", actor="root")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert any(row["puid"] == f"modconsole-case-{cid}" for row in rows)
    assert any(row["puid"].startswith("modconsole-sanction-") for row in rows)  # the mute of m-all
    invoke(hostile_db, "report", "transparency", "--since", "2026-01-01", "--until", "2027-01-01", actor="root")
    as_json(hostile_db, "report", "transparency", "--since", "2026-01-01", "--until", "2027-01-01", actor="root")


def test_shift_show(hostile_db: str) -> None:
    human = invoke(hostile_db, "shift", "show", actor="ines").stdout
    _check_all(human, ALL_ENTRIES, "shift show")
    d = as_json(hostile_db, "shift", "show", actor="ines")
    assert [n["body"] for n in d["notes"]] == [STAFF_TEXT]  # type: ignore[index]


def test_sanction_dry_run_quotes_the_handle_safely(hostile_db: str) -> None:
    reason = "respect: " + STAFF_TEXT
    human = invoke(hostile_db, "sanction", "apply", "--member", ALL_MEMBER, "--kind", "warning", "--reason", reason,
                   "--dry-run", actor="lea").stdout
    assert "dry run: nothing applied" in human
    _check_all(human, HANDLE_ENTRIES, "sanction dry run")
    d = as_json(hostile_db, "sanction", "apply", "--member", ALL_MEMBER, "--kind", "warning", "--reason", reason,
                "--dry-run", actor="lea")
    assert kept(HANDLE_ENTRIES) in d["statement"]  # type: ignore[index]


def test_lexicon_list_and_hostile_terms_refused(hostile_db: str) -> None:
    r = invoke(hostile_db, "lexicon", "add", "[@click=app.quit]x\x1b[2J", "--category", "offensive", "--lang", "fr",
               actor="root", ok=False)
    assert r.exit_code == 1 and "control" in r.stderr
    invoke(hostile_db, "lexicon", "add", "[bold]zorg[/]", "--category", "offensive", "--lang", "fr", actor="root")
    human = invoke(hostile_db, "lexicon", "list", actor="root").stdout
    assert "[bold]zorg[/]" in human
    assert {"term": "[bold]zorg[/]", "category": "offensive", "lang": "fr", "severity": 2, "source": "custom"} in \
        as_json(hostile_db, "lexicon", "list", actor="root")  # type: ignore[operator]


@pytest.mark.parametrize("name", ["\x1b[2Jroot", "[bold]x[/]", "a\u202eb", "é", "x\x00", ""])
def test_hostile_staff_name_is_refused(hostile_db: str, name: str) -> None:
    r = invoke(hostile_db, "staff", "add", name, "--role", "moderator", actor="root", ok=False)
    assert r.exit_code == 1 and "invalid staff name" in r.stderr
    names = [s["name"] for s in as_json(hostile_db, "staff", "list", actor="root")]  # type: ignore[union-attr]
    assert name not in names
    invoke(hostile_db, "staff", "list", actor="root")


TYPED = [h for h in SMALL if h.name != "nul"]  # a real argv cannot hold a NUL


def test_errors_quoting_what_was_typed_are_safe(shared_db: str) -> None:
    """A member id, a file name, a queue typed on the command line: echoed in errors, escaped."""
    typed = " ".join(h.text for h in TYPED)
    for args, actor in [
        (("member", "show", typed), "lea"),
        (("sanction", "apply", "--member", typed, "--kind", "warning", "--reason", "respect", "--dry-run"), "lea"),
        (("deletion", "reopen", typed, "--reason", "x"), "drm"),
        (("ingest", f"/nonexistent/{typed}.jsonl"), "feed"),
        (("queue", "list", "--queue", typed), "lea"),
        (("staff", "deactivate", typed), "root"),
        (("case", "show", typed), "lea"),
    ]:
        r = invoke(shared_db, *args, actor=actor, ok=False)  # asserts stderr is terminal-safe
        assert r.exit_code == 1 and r.stderr.startswith("error: "), (args, r.stderr)
    for h in TYPED:  # each alone, where the message quotes it whole
        r = invoke(shared_db, "member", "show", h.text, actor="lea", ok=False)
        assert r.exit_code == 1
        assert_shows(r.stderr, h, where="member show error")
