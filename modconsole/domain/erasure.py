"""Erasure of a member (SPEC §5) and the proof that nothing personal is left.

What an approved erasure removes, in one transaction:
- the registration vault row (email, real name, phone);
- the bodies of everything the member wrote: content, appeals, questions to moderators,
  deletion-request notes, notes of their reports; the unknown fields kept from their events;
  their self-assessments (health data) are deleted outright;
- the matched text of every signal on their content or cases;
- their handle, replaced by a pseudonym (`erased-<10 hex>`), and their device fingerprint;
- in text written by staff or sent to members — case notes, sanction reasons and statements,
  appeal and deletion decisions, outbox messages, other members' report notes about them —
  every occurrence of their personal strings, replaced by "[erased]";
- audit reasons that quote them: blanked (each reason's digest stays in the chain, and the
  erasure's own audit entry lists the entries it blanked, so `audit verify` still passes and
  tells an erasure from tampering).
What stays: the member's platform id (an opaque id, meaningless without the platform's own
record, which the platform deletes on the outbox's `account` item), their cases, sanctions and
the audit trail, pseudonymised.

Personal strings searched and scrubbed: the email, the real name, the phone number (as given
and as digits), "@handle", the handle itself in staff-written text and outbox messages (a
handle can be an ordinary word — "lune" — so other members' posts are scrubbed of "@handle"
mentions only), and the member's own bodies of at least `MIN_BODY` characters that no other member wrote too
(shorter ones, "ok", "merci", and sentences others wrote as well, "Je veux tout effacer.", are
not theirs alone: other members' words are never touched, and the proof does not look for them).

After the commit, on SQLite, the database file is cleaned: `secure_delete` is on for every
connection (freed space is zeroed), then a WAL checkpoint (TRUNCATE), VACUUM and another
checkpoint leave no old page in the file or its WAL. On PostgreSQL the rows are updated; old
row versions stay in the table files until VACUUM, and in backups and WAL archives — the
README says what the operator must do.

The proof (`search`) looks for the strings in every text and JSON column of every table and,
on SQLite, in the raw bytes of the database file and its WAL. It runs at the end of the
erasure, while the strings are still in memory, and its result (counts and places, never the
strings) is stored with the erasure; `deletion verify` shows it, and searches again for any
strings the operator supplies (e.g. the email from the member's letter).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from typing import Any

from sqlalchemy import JSON, String, Text, TypeDecorator, delete, func, or_, select, update
from sqlmodel import Session, SQLModel

from .models import (
    Appeal,
    AuditEntry,
    CaseNote,
    Content,
    DeletionRequest,
    Member,
    Outbox,
    Question,
    Registration,
    Report,
    Sanction,
    SelfAssessment,
    Signal,
)
from .models import Case as CaseRow

MIN_BODY = 16
MIN_STRING = 3
ERASED = "[erased]"
SKIP_COLUMNS = {("audit_entry", "hash"), ("audit_entry", "prev_hash"), ("audit_entry", "reason_digest"),
                ("api_token", "token_hash"), ("alembic_version", "version_num")}


def pseudonym(member_id: str) -> str:
    return "erased-" + hashlib.sha256(member_id.encode("utf-8")).hexdigest()[:10]


def personal_strings(s: Session, member: Member) -> dict[str, list[str]]:
    """The member's personal strings by kind (what erasure scrubs and the proof searches)."""
    reg = s.get(Registration, member.id)
    found: dict[str, list[str]] = {"email": [], "real_name": [], "phone": [], "handle": [], "body": []}
    if reg is not None:
        for kind, value in (("email", reg.email), ("real_name", reg.real_name), ("phone", reg.phone)):
            if value and len(value.strip()) >= MIN_STRING:
                found[kind].append(value.strip())
        if reg.phone:
            digits = re.sub(r"\D", "", reg.phone)
            if len(digits) >= 6 and digits != reg.phone.strip():
                found["phone"].append(digits)
    if member.handle and not member.pseudonymised and len(member.handle) >= MIN_STRING:
        found["handle"].append(member.handle)
    bodies = list(s.execute(select(Content.body).where(Content.author_id == member.id, Content.body.is_not(None))).scalars())  # type: ignore[union-attr]
    for model, col in ((Appeal, Appeal.body), (Question, Question.body), (DeletionRequest, DeletionRequest.note)):
        bodies += list(s.execute(select(col).where(model.member_id == member.id, col.is_not(None))).scalars())  # type: ignore[attr-defined,union-attr]
    bodies += list(s.execute(select(Report.note).where(Report.reporter_id == member.id, Report.note.is_not(None))).scalars())  # type: ignore[union-attr]
    candidates = sorted({b.strip() for b in bodies if b and len(b.strip()) >= MIN_BODY}, key=len, reverse=True)
    found["body"] = [b for b in candidates if not _said_by_others(s, member.id, b)]
    return found


def _said_by_others(s: Session, member_id: str, body: str) -> bool:
    """Whether another member wrote exactly these words too (a whole text of theirs, not a quote
    inside a longer one): a common sentence ("Je veux tout effacer.") is not the member's
    personal data, and is neither scrubbed from others' text nor searched for."""
    needle = body.lower()
    checks = [
        (Content.body, Content.author_id), (Appeal.body, Appeal.member_id), (Question.body, Question.member_id),
        (DeletionRequest.note, DeletionRequest.member_id), (Report.note, Report.reporter_id),
    ]
    for col, owner in checks:
        hit = s.execute(select(func.count()).where(func.lower(func.trim(col)) == needle,
                                                   or_(owner.is_(None), owner != member_id))).scalar_one()  # type: ignore[union-attr]
        if hit:
            return True
    return False


def _scrubber(strings: dict[str, list[str]], with_handle: bool) -> re.Pattern[str] | None:
    parts = [*strings["body"], *strings["email"], *strings["real_name"], *strings["phone"]]
    parts += [f"@{h}" for h in strings["handle"]]
    if with_handle:
        parts += strings["handle"]
    parts = sorted({p for p in parts if p}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" if p[-1:].isalnum() and p[:1].isalnum() else re.escape(p)
                               for p in parts), re.IGNORECASE)


def _scrub(value: str | None, pattern: re.Pattern[str] | None) -> tuple[str | None, bool]:
    if value is None or pattern is None:
        return value, False
    new = pattern.sub(ERASED, value)
    return new, new != value


def scrub_text(value: str | None, strings: dict[str, list[str]]) -> str | None:
    """Staff-written text with every personal string of the member replaced by "[erased]"."""
    return _scrub(value, _scrubber(strings, with_handle=True))[0]


def erase(s: Session, member: Member) -> tuple[dict[str, int], list[int], dict[str, list[str]]]:
    """Erase inside the caller's transaction. Returns (counts removed per place, audit entry
    ids whose reasons were blanked, the strings searched — for the proof, not to be stored)."""
    strings = personal_strings(s, member)
    staff_text = _scrubber(strings, with_handle=True)
    others_text = _scrubber(strings, with_handle=False)
    removed: dict[str, int] = {}

    def count(place: str, n: int) -> None:
        if n:
            removed[place] = removed.get(place, 0) + n

    count("registration", s.execute(delete(Registration).where(Registration.member_id == member.id)).rowcount)
    own_content = list(s.execute(select(Content.id).where(Content.author_id == member.id)).scalars())
    count("content bodies", s.execute(update(Content).where(Content.author_id == member.id)
                                      .values(body=None, extra=None)).rowcount)
    for model, col in ((Appeal, "body"), (Question, "body"), (DeletionRequest, "note")):
        count(f"{model.__tablename__} texts", s.execute(update(model).where(model.member_id == member.id)  # type: ignore[attr-defined]
                                                         .values({col: None, "extra": None})).rowcount)
    count("own report notes", s.execute(update(Report).where(Report.reporter_id == member.id).values(note=None, extra=None)).rowcount)
    count("self-assessments", s.execute(delete(SelfAssessment).where(SelfAssessment.member_id == member.id)).rowcount)
    case_ids = list(s.execute(select(CaseRow.id).where(CaseRow.member_id == member.id)).scalars())
    for i in range(0, max(len(own_content), len(case_ids)), 500):
        count("signal matches", s.execute(update(Signal).where(or_(
            Signal.content_id.in_(own_content[i:i + 500]), Signal.case_id.in_(case_ids[i:i + 500]))  # type: ignore[union-attr]
        ).values(matched=None)).rowcount)
    # staff-written text and what was sent: every occurrence, the bare handle included
    for row in s.execute(select(CaseNote)).scalars():
        row.body, changed = _scrub(row.body, staff_text)
        count("note passages", int(changed))
    for row in s.execute(select(Sanction).where(or_(Sanction.member_id == member.id, Sanction.other_member_id == member.id))).scalars():
        if row.member_id == member.id and row.statement is not None:
            row.statement = None
            count("statements", 1)
        for attr in ("reason", "lift_reason", "statement"):
            value, changed = _scrub(getattr(row, attr), staff_text)
            if changed:
                setattr(row, attr, value if attr != "reason" else (value or ERASED))
                count("sanction texts", 1)
    for model in (Appeal, DeletionRequest):
        for row in s.execute(select(model).where(model.decision_reason.is_not(None))).scalars():  # type: ignore[attr-defined]
            row.decision_reason, changed = _scrub(row.decision_reason, staff_text)
            count("decision reasons", int(changed))
    for row in s.execute(select(Report).where(Report.note.is_not(None))).scalars():  # type: ignore[union-attr]
        row.note, changed = _scrub(row.note, others_text)
        count("others' report notes", int(changed))
    for row in s.execute(select(Outbox).where(Outbox.payload.is_not(None))).scalars():  # type: ignore[union-attr]
        payload = dict(row.payload or {})
        if row.member_id == member.id and "body" in payload:
            payload["body"], payload["erased"] = None, True
            changed = True
        else:
            payload["body"], changed = _scrub(payload.get("body"), staff_text) if "body" in payload else (None, False)
            if "body" not in row.payload:  # type: ignore[operator]
                payload.pop("body", None)
        if changed:
            row.payload = payload
            count("outbox messages", 1)
    # other members' content: "@handle" mentions and quotes of the member's words
    if others_text is not None:
        for row in s.execute(select(Content).where(Content.author_id != member.id, Content.body.is_not(None))).scalars():  # type: ignore[union-attr]
            if others_text.search(row.body or ""):
                row.body = others_text.sub(ERASED, row.body or "")
                count("quotes in others' content", 1)
    blanked: list[int] = []
    if staff_text is not None:
        for entry in s.execute(select(AuditEntry).where(AuditEntry.reason.is_not(None))).scalars():  # type: ignore[union-attr]
            if staff_text.search(entry.reason or ""):
                blanked.append(entry.id or 0)
        if blanked:
            s.execute(update(AuditEntry).where(AuditEntry.id.in_(blanked)).values(reason=None))  # type: ignore[union-attr]
            count("audit reasons", len(blanked))
    member.handle, member.device, member.extra, member.pseudonymised = pseudonym(member.id), None, None, True
    s.add(member)
    s.flush()
    return removed, blanked, strings


def _texty(column: Any) -> bool:
    """A column that holds text: String/Text/JSON, or a TypeDecorator over one (sqlmodel's
    AutoString is a TypeDecorator, not a String)."""
    kind = column.type
    base = getattr(kind, "impl", kind) if isinstance(kind, TypeDecorator) else kind
    if isinstance(base, type):
        return issubclass(base, String | JSON)
    return isinstance(base, String | JSON)


def search(s: Session, strings: dict[str, list[str]], db_file: str | None = None, member_id: str | None = None) -> dict[str, Any]:
    """Where any of the strings still occurs: in every text/JSON column of every table (the
    bare handle only in staff text and outbox messages, as erasure scrubs it), and on SQLite in
    the raw bytes of the database file and its WAL. Returns places and counts, never strings.

    Other members' own registration rows are not searched: two members can share a real name
    (or a phone, a family's email). The member's own row is checked to be gone, and an
    identifier another member also has is reported under `shared_with_other_members` and left
    out of the raw-bytes search, where it could not be told apart."""
    needles = {kind: [v for v in values if v] for kind, values in strings.items()}
    found: dict[str, int] = {}
    shared: dict[str, int] = {}
    searched = 0
    if member_id is not None and s.get(Registration, member_id) is not None:
        found["registration (the member's own row)"] = 1
    for kind in ("email", "real_name", "phone", "given"):
        kept = []
        for value in needles.get(kind, []):
            col = {"email": Registration.email, "real_name": Registration.real_name}.get(kind, Registration.phone)
            others = [s.execute(select(func.count()).where(func.lower(c).contains(value.lower(), autoescape=True),
                                                           Registration.member_id != (member_id or ""))).scalar_one()
                      for c in ((col,) if kind != "given" else (Registration.email, Registration.real_name, Registration.phone))]
            if sum(others):
                shared[kind] = shared.get(kind, 0) + int(sum(others))
            else:
                kept.append(value)
        if kind in needles:
            needles[kind] = kept
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "registration":
            continue
        for column in table.columns:
            if (table.name, column.name) in SKIP_COLUMNS or not _texty(column):
                continue
            target = func.lower(column.cast(Text) if isinstance(column.type, JSON) else column)
            for kind, values in needles.items():
                if kind == "handle":
                    staff_written = (table.name, column.name) in {("case_note", "body"), ("sanction", "reason"),
                                                                  ("sanction", "statement"), ("outbox", "payload")}
                    values = [f"@{v}" for v in values] + (values if staff_written else [])
                for value in values:
                    searched += 1
                    n = s.execute(select(func.count()).select_from(table).where(
                        target.contains(value.lower(), autoescape=True))).scalar_one()
                    if n:
                        place = f"{table.name}.{column.name} ({kind})"
                        found[place] = found.get(place, 0) + int(n)
    files: dict[str, int] = {}
    if db_file:
        # the bare handle can be an ordinary word in others' posts: the file is searched for "@handle"
        raw = [v for kind, values in needles.items() if kind != "handle" for v in values]
        raw += [f"@{h}" for h in needles.get("handle", [])]
        files = scan_files(db_file, raw)
    kinds = {k: len(v) for k, v in strings.items()}
    clean = not found and not any(files.values())
    return {"clean": clean, "found": found, "file_hits": files, "strings_searched": kinds, "checks": searched,
            "shared_with_other_members": shared}


_SCANNER = """
import json, sys
from pathlib import Path
job = json.loads(sys.stdin.read())
needles = [n.encode("utf-8").lower() for n in job["needles"] if n]
hits = {}
for name in job["files"]:
    path = Path(name)
    if path.exists():
        data = path.read_bytes().lower()
        hits[path.name] = sum(data.count(n) for n in needles)
print(json.dumps(hits))
"""


def scan_files(db_file: str, needles: list[str]) -> dict[str, int]:
    """Count the needles in the raw bytes of the SQLite file and its WAL, in a child process.

    Never in this process: opening and closing the database file here would release every
    POSIX lock SQLite holds on it in this process (fcntl locks belong to the process, and any
    close() drops them), and another process could then write over a transaction of ours.
    The needles go through the child's stdin, never its command line (which `ps` shows)."""
    job = json.dumps({"files": [db_file, db_file + "-wal"], "needles": needles})
    done = subprocess.run([sys.executable, "-c", _SCANNER], input=job, capture_output=True, text=True, timeout=600,
                          check=False)
    if done.returncode != 0:
        return {"scan failed": 1}
    return {k: int(v) for k, v in json.loads(done.stdout).items()}


def clean_sqlite_file(engine: Any) -> dict[str, Any]:
    """Checkpoint, VACUUM and checkpoint again, so no old page remains in the file or the WAL
    (secure_delete, on for every connection, has zeroed what was freed). A reader holding an
    old snapshot in another process can keep the checkpoint from finishing: reported."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    return {"checkpoint_busy": bool(busy), "wal_frames_left": max(0, log - done) if log >= 0 else 0}
