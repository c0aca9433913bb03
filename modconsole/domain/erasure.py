"""Erasure of a member (SPEC §5) and the proof that nothing personal is left.

What an approved erasure removes, in one transaction:
- the registration vault row (email, real name, phone);
- the bodies of everything the member wrote: content, appeals, questions to moderators,
  deletion-request notes; notes of their reports become "[erased]" (see `shown_report_note`);
  the unknown fields kept from their events; their self-assessments (health data) are deleted;
- the matched text of every signal on their content or cases;
- their handle, replaced by a pseudonym (`erased-<10 hex>`), and their device fingerprint;
- wherever else their data can have landed, every occurrence of their personal strings and
  every quote of their words, replaced by "[erased]": other members' content, appeals,
  questions, request notes and report notes; the matched text and summary of *every* signal
  (a personal-details hit on another member's post holds the email it found) and the case
  summaries (`top_signals`), spans into a scrubbed body found again or dropped; other members'
  unknown fields; case and handover notes; the reasons, lift reasons and statements of every
  sanction (whoever it is on); appeal and deletion decisions; every string of outbox payloads;
- audit reasons that quote them: blanked (each reason's digest stays in the chain, and the
  erasure's own audit entry lists the entries it blanked, so `audit verify` still passes and
  tells an erasure from tampering).
What stays: the member's platform id (an opaque id, meaningless without the platform's own
record, which the platform deletes on the outbox's `account` item), their cases, sanctions and
the audit trail, pseudonymised.

Personal strings searched and scrubbed: the email, the real name, the phone number (as given,
as digits, and in any writing: `phone_pattern` finds "06 12 34 56 78", "06.12.34.56.78",
"+33 6…", "0033 (0)6…" for a registered "+33 6 12 34 56 78"), "@handle", the handle itself in
staff-written text and outbox messages (a handle can be an ordinary word — "lune" — so other
members' posts are scrubbed of "@handle" mentions only), the member's own whole texts of at
least `MIN_BODY` characters that no other member wrote too, and *quotes* of their words:
runs of at least 5 consecutive words of one of their texts holding at least 18 letters,
compared without case, accents, spacing or punctuation, a word cut at an excerpt's edge
included (`quotes` states the rule). Shorter runs ("je ne sais pas", "hier soir mon frère")
are anyone's words and stay. Other members' own words are never touched: a run of the
member's words that another member wrote in their own text before the member did, or a whole
text another member wrote too ("Je veux tout effacer."), is theirs as much, and is neither
scrubbed nor searched for.

After the commit, on SQLite, the database file is cleaned: `secure_delete` is on for every
connection (freed space is zeroed), then a WAL checkpoint (TRUNCATE), VACUUM and another
checkpoint leave no old page in the file or its WAL. On PostgreSQL the rows are updated; old
row versions stay in the table files until VACUUM, and in backups and WAL archives — the
README says what the operator must do.

The proof (`search`) looks for the same strings, the phone in any writing and the quotes, in
every value of every text and JSON column of every table (one pass; JSON read as the strings it
holds) and, on SQLite, in the raw bytes of the database file, its WAL and its `-shm` index
(read as UTF-8 text, JSON escapes decoded). It runs at the end of the erasure, while the
strings are still in memory, and its result (counts and places, never the strings) is stored
with the erasure: clean only when nothing is found anywhere. `deletion verify` shows it, and
searches again for any strings the operator supplies (e.g. the email from the member's letter).
Raw-bytes limits: a text longer than a page is split across overflow pages, so a string that
straddles a page boundary is found by the column search only.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import JSON, String, Text, TypeDecorator, delete, func, or_, select, update
from sqlmodel import Session, SQLModel

from . import quotes
from .models import (
    Appeal,
    AuditEntry,
    CaseNote,
    Content,
    DeletionRequest,
    HandoverNote,
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
# where the bare handle is looked for (staff-written text and what was sent); elsewhere "@handle" only
STAFF_COLUMNS = {("case_note", "body"), ("handover_note", "body"), ("sanction", "reason"), ("sanction", "lift_reason"),
                 ("sanction", "statement"), ("outbox", "payload"), ("appeal", "decision_reason"),
                 ("deletion_request", "decision_reason"), ("audit_entry", "reason")}
_SEP = r"[\s.\-/()]{0,2}"


def pseudonym(member_id: str) -> str:
    return "erased-" + hashlib.sha256(member_id.encode("utf-8")).hexdigest()[:10]


def phone_pattern(phone: str) -> str | None:
    """A pattern for the number in any writing: national (06 12 34 56 78) or international
    (+33 6…, 0033 6…, +33 (0)6…), with spaces, dots, dashes or brackets between the digits."""
    try:
        parsed = phonenumbers.parse(phone, "FR")
        core, cc = phonenumbers.national_significant_number(parsed), str(parsed.country_code)
    except phonenumbers.NumberParseException:
        core, cc = re.sub(r"\D", "", phone), ""
    if len(core) < 6:
        return None
    prefix = rf"(?:(?:\+|00)?{_SEP}{cc}{_SEP}(?:\(0\){_SEP})?|0{_SEP})?" if cc else ""
    return rf"(?<!\d){prefix}{_SEP.join(core)}(?!\d)"


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _strings_in(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys included), without recursion (unknown fields
    can nest as deep as the JSON parser took)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for k, v in item.items():
                yield str(k)
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)


# members' own texts: (model, text column, owner column); their unknown fields (`extra`) too
MEMBER_TEXTS: list[tuple[Any, str, str]] = [(Content, "body", "author_id"), (Appeal, "body", "member_id"),
                                            (Question, "body", "member_id"), (DeletionRequest, "note", "member_id"),
                                            (Report, "note", "reporter_id")]
EXTRAS: list[tuple[Any, str]] = [(Content, "author_id"), (Appeal, "member_id"), (Question, "member_id"),
                                 (DeletionRequest, "member_id"), (Report, "reporter_id"), (SelfAssessment, "member_id")]


def _own_texts(s: Session, member: Member) -> list[tuple[str, datetime | None]]:
    out: list[tuple[str, datetime | None]] = []
    for model, col, owner in MEMBER_TEXTS:
        column = getattr(model, col)
        out += [(t, _aware(at)) for t, at in s.execute(select(column, model.created_at).where(
            getattr(model, owner) == member.id, column.is_not(None)))]
    for model, owner in EXTRAS:
        for extra, at in s.execute(select(model.extra, model.created_at).where(getattr(model, owner) == member.id,
                                                                               model.extra.is_not(None))):
            out += [(t, _aware(at)) for t in _strings_in(extra)]
    out += [(t, _aware(member.created_at)) for t in _strings_in(member.extra)]
    return [(t, at) for t, at in out if t and t.strip()]


def _others_texts(s: Session, member_id: str) -> Iterator[tuple[str, datetime | None]]:
    """Other members' own texts (and texts of no known author), with when they were written."""
    for model, col, owner in MEMBER_TEXTS:
        column, who = getattr(model, col), getattr(model, owner)
        stmt = select(column, model.created_at).where(column.is_not(None), or_(who.is_(None), who != member_id))
        for t, at in s.execute(stmt.execution_options(yield_per=1000)):
            yield t, _aware(at)


def quote_finder(s: Session, member: Member) -> quotes.Finder:
    """The runs of the member's words that are theirs (see `quotes`): their grams, less those
    another member wrote in their own text before them, or in a whole text equal to one of theirs."""
    finder = quotes.Finder()
    first: dict[quotes.Gram, datetime | None] = {}
    wholes: set[tuple[str, ...]] = set()
    for body, at in _own_texts(s, member):
        tokens = quotes.words(body)
        finder.add(tokens)
        wholes.add(tuple(tokens))
        for _, gram in quotes.grams(tokens):
            if gram not in first or (at is not None and (first[gram] is None or at < first[gram])):  # type: ignore[operator]
                first[gram] = at
    finder.done()
    if not finder.before:
        return finder
    common: set[quotes.Gram] = set()
    for body, at in _others_texts(s, member.id):
        tokens = quotes.words(body)
        whole = tuple(tokens) in wholes
        for _, gram in quotes.grams(tokens):
            if gram in finder.before and gram not in common:
                seen = first.get(gram)
                if whole or (at is not None and seen is not None and at < seen):
                    common.add(gram)
    for gram in common:
        finder.drop(gram)
    return finder.done()


def personal_strings(s: Session, member: Member, finder: quotes.Finder | None = None) -> dict[str, list[str]]:
    """The member's personal strings by kind (what erasure scrubs and the proof searches):
    email, real name, phone (as given and as digits) and `phone_pattern` (the number in any
    writing), handle, their whole bodies of `MIN_BODY` characters or more, and `words`: the
    runs of their words that make a quote (see `quotes`), folded."""
    reg = s.get(Registration, member.id)
    found: dict[str, list[str]] = {"email": [], "real_name": [], "phone": [], "phone_pattern": [], "handle": [],
                                   "body": [], "words": []}
    if reg is not None:
        for kind, value in (("email", reg.email), ("real_name", reg.real_name), ("phone", reg.phone)):
            if value and len(value.strip()) >= MIN_STRING:
                found[kind].append(value.strip())
        if reg.phone:
            digits = re.sub(r"\D", "", reg.phone)
            if len(digits) >= 6 and digits != reg.phone.strip():
                found["phone"].append(digits)
            pattern = phone_pattern(reg.phone)
            if pattern:
                found["phone_pattern"].append(pattern)
    if member.handle and not member.pseudonymised and len(member.handle) >= MIN_STRING:
        found["handle"].append(member.handle)
    bodies = [t for t, _ in _own_texts(s, member)]
    candidates = sorted({b.strip() for b in bodies if b and len(b.strip()) >= MIN_BODY}, key=len, reverse=True)
    found["body"] = [b for b in candidates if not _said_by_others(s, member.id, b)]
    found["words"] = (finder if finder is not None else quote_finder(s, member)).needles()
    return found


def _said_by_others(s: Session, member_id: str, body: str) -> bool:
    """Whether another member wrote exactly these words too (a whole text of theirs, not a quote
    inside a longer one): a common sentence ("Je veux tout effacer.") is not the member's
    personal data, and is neither scrubbed from others' text nor searched for."""
    needle = body.lower()
    for model, col, owner_col in MEMBER_TEXTS:
        column, owner = getattr(model, col), getattr(model, owner_col)
        hit = s.execute(select(func.count()).where(func.lower(func.trim(column)) == needle,
                                                   or_(owner.is_(None), owner != member_id))).scalar_one()
        if hit:
            return True
    return False


def _scrubber(strings: dict[str, list[str]], with_handle: bool) -> re.Pattern[str] | None:
    parts = [*strings["body"], *strings["email"], *strings["real_name"], *strings["phone"]]
    parts += [f"@{h}" for h in strings["handle"]]
    if with_handle:
        parts += strings["handle"]
    parts = sorted({p for p in parts if p}, key=len, reverse=True)
    patterns = [rf"(?<!\w){re.escape(p)}(?!\w)" if p[-1:].isalnum() and p[:1].isalnum() else re.escape(p) for p in parts]
    patterns += strings.get("phone_pattern", [])
    if not patterns:
        return None
    return re.compile("|".join(patterns), re.IGNORECASE)


class Scrubber:
    """Replaces by "[erased]" every personal string of the member and every quote of their words."""

    def __init__(self, strings: dict[str, list[str]], with_handle: bool, finder: quotes.Finder | None = None) -> None:
        self.pattern = _scrubber(strings, with_handle)
        self.finder = finder if finder is not None else quotes.Finder.from_needles(strings.get("words", []))

    def __bool__(self) -> bool:
        return self.pattern is not None or bool(self.finder.before)

    def scrub(self, value: str | None) -> tuple[str | None, bool]:
        if value is None or not value:
            return value, False
        new = value
        spans = self.finder.spans(new)
        if spans:
            new = quotes.replace_spans(new, spans, ERASED)
        if self.pattern is not None:
            new = self.pattern.sub(ERASED, new)
        return new, new != value

    def scrub_json(self, value: Any) -> tuple[Any, bool]:
        """A JSON value with every string in it (keys included) scrubbed. A value nested too
        deep to rebuild, that holds something to scrub, is replaced by "[erased]" whole."""
        if not any(self.scrub(x)[1] for x in _strings_in(value)):
            return value, False
        try:
            return self._rebuild(value), True
        except RecursionError:
            return ERASED, True

    def _rebuild(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)[0]
        if isinstance(value, list):
            return [self._rebuild(v) for v in value]
        if isinstance(value, dict):
            return {(self.scrub(str(k))[0] or ""): self._rebuild(v) for k, v in value.items()}
        return value


def _scrub(value: str | None, scrubber: Scrubber) -> tuple[str | None, bool]:
    return scrubber.scrub(value)


def scrub_text(value: str | None, strings: dict[str, list[str]]) -> str | None:
    """Staff-written text with every personal string of the member, and every quote of their
    words, replaced by "[erased]"."""
    return Scrubber(strings, with_handle=True).scrub(value)[0]


def shown_report_note(note: str | None) -> str | None:
    """A report note as staff see it: a note an erasure touched (the erased member's own, or
    another member's that named or quoted them) is the one placeholder, whoever wrote it, so
    that nobody can tell which reporter was erased."""
    return ERASED if note is not None and ERASED in note else note


def erase(s: Session, member: Member) -> tuple[dict[str, int], list[int], dict[str, list[str]]]:
    """Erase inside the caller's transaction. Returns (counts removed per place, audit entry
    ids whose reasons were blanked, the strings searched — for the proof, not to be stored)."""
    finder = quote_finder(s, member)
    strings = personal_strings(s, member, finder)
    staff_text = Scrubber(strings, with_handle=True, finder=finder)
    others_text = Scrubber(strings, with_handle=False, finder=finder)
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
    # their report notes read "[erased]", as others' notes an erasure touched do (`shown_report_note`)
    count("own report notes", s.execute(update(Report).where(Report.reporter_id == member.id, Report.note.is_not(None))  # type: ignore[union-attr]
                                        .values(note=ERASED, extra=None)).rowcount)
    s.execute(update(Report).where(Report.reporter_id == member.id).values(extra=None))
    count("self-assessments", s.execute(delete(SelfAssessment).where(SelfAssessment.member_id == member.id)).rowcount)
    case_ids = list(s.execute(select(CaseRow.id).where(CaseRow.member_id == member.id)).scalars())
    for i in range(0, max(len(own_content), len(case_ids)), 500):
        count("signal matches", s.execute(update(Signal).where(or_(
            Signal.content_id.in_(own_content[i:i + 500]), Signal.case_id.in_(case_ids[i:i + 500]))  # type: ignore[union-attr]
        ).values(matched=None)).rowcount)
    # other members' texts: "@handle" mentions, their details and quotes of their words
    changed_content: dict[str, str] = {}
    for model, col, owner in MEMBER_TEXTS:
        column, who = getattr(model, col), getattr(model, owner)
        for row in s.execute(select(model).where(column.is_not(None), or_(who.is_(None), who != member.id))).scalars():
            value, changed = others_text.scrub(getattr(row, col))
            if changed:
                setattr(row, col, value)
                count("others' report notes" if model is Report else f"quotes in others' {model.__tablename__}", 1)
                if model is Content:
                    changed_content[row.id] = value or ""
    for model, owner in [*EXTRAS, (Member, "id")]:
        who = getattr(model, owner)
        for row in s.execute(select(model).where(model.extra.is_not(None), or_(who.is_(None), who != member.id))).scalars():
            value, changed = others_text.scrub_json(row.extra)
            if changed:
                row.extra = value
                count("others' unknown fields", 1)
    # every signal's matched text (a personal-details hit on another member's post holds the
    # email it found) and summary; spans into a scrubbed body found again or dropped
    touched_cases: set[int] = set()
    for sig in s.execute(select(Signal).where(or_(Signal.matched.is_not(None), Signal.detail.is_not(None),  # type: ignore[union-attr]
                                                  Signal.content_id.in_(list(changed_content) or [""])))).scalars():  # type: ignore[union-attr]
        matched, c1 = others_text.scrub(sig.matched)
        detail, c2 = others_text.scrub(sig.detail)
        c3 = False
        if sig.content_id in changed_content and sig.span_start is not None:
            body = changed_content[sig.content_id]
            at = body.find(matched, max(0, min(sig.span_start, len(body)) - 400)) if matched else -1
            if at < 0 and matched:
                at = body.find(matched)
            new_span = (at, at + len(matched)) if at >= 0 and matched else (None, None)
            c3 = new_span != (sig.span_start, sig.span_end)
            sig.span_start, sig.span_end = new_span
        if c1 or c2 or c3:
            sig.matched, sig.detail = matched, (detail or ERASED)[:200] if detail is not None else None
            touched_cases.add(sig.case_id)
            count("signal matches", int(c1))
    s.flush()
    for row in s.execute(select(CaseRow).where(CaseRow.top_signals.is_not(None))).scalars():  # type: ignore[union-attr]
        tops = [dict(e) for e in row.top_signals or []]
        changed = False
        if row.id in touched_cases:
            ids = [e.get("id") for e in tops]
            fresh = {x.id: x for x in s.execute(select(Signal).where(Signal.id.in_(ids))).scalars()}  # type: ignore[union-attr]
            for e in tops:
                sig = fresh.get(e.get("id"))
                if sig is not None:
                    span = [sig.span_start, sig.span_end] if sig.span_start is not None else None
                    if (e.get("span"), e.get("detail")) != (span, sig.detail):
                        e["span"], e["detail"], changed = span, sig.detail, True
        tops, c = others_text.scrub_json(tops)
        if changed or c:
            row.top_signals = tops
            count("case summaries", 1)
    # staff-written text and what was sent: every occurrence, the bare handle included
    for note_model in (CaseNote, HandoverNote):
        for row in s.execute(select(note_model)).scalars():
            value, changed = staff_text.scrub(row.body)
            if changed:
                row.body = value or ERASED
                count("note passages", 1)
    for row in s.execute(select(Sanction)).scalars():
        if row.member_id == member.id and row.statement is not None:
            row.statement = None
            count("statements", 1)
        for attr in ("reason", "lift_reason", "statement"):
            value, changed = staff_text.scrub(getattr(row, attr))
            if changed:
                setattr(row, attr, value if attr != "reason" else (value or ERASED))
                count("sanction texts", 1)
    for model in (Appeal, DeletionRequest):
        for row in s.execute(select(model).where(model.decision_reason.is_not(None))).scalars():  # type: ignore[attr-defined]
            row.decision_reason, changed = staff_text.scrub(row.decision_reason)
            count("decision reasons", int(changed))
    for row in s.execute(select(Outbox).where(Outbox.payload.is_not(None))).scalars():  # type: ignore[union-attr]
        payload = dict(row.payload or {})
        own_body = row.member_id == member.id and "body" in payload
        if own_body:
            payload["body"], payload["erased"] = None, True
        payload, changed = staff_text.scrub_json(payload)
        if own_body or changed:
            row.payload = payload
            count("outbox messages", 1)
    blanked: list[int] = []
    if staff_text:
        for entry in s.execute(select(AuditEntry).where(AuditEntry.reason.is_not(None))).scalars():  # type: ignore[union-attr]
            if staff_text.scrub(entry.reason)[1]:
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
    bare handle only in staff text and outbox messages, as erasure scrubs it; the phone in any
    writing; quotes of the member's words as `quotes` defines them), and on SQLite in the raw
    bytes of the database file and its WAL. Returns places and counts, never strings.

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
    others = [r for r in s.execute(select(Registration.email, Registration.real_name, Registration.phone)
                                   .where(Registration.member_id != (member_id or ""))).all()]
    for kind in ("email", "real_name", "phone", "given", "phone_pattern"):
        kept = []
        for value in needles.get(kind, []):
            if kind == "phone_pattern":
                rx = re.compile(value)
                n = sum(1 for r in others if r.phone and rx.search(r.phone))
            else:
                cols = {"email": (0,), "real_name": (1,), "phone": (2,)}.get(kind, (0, 1, 2))
                n = sum(1 for r in others for c in cols if r[c] and value.lower() in r[c].lower())
            if n:
                key = "phone" if kind == "phone_pattern" else kind
                shared[key] = shared.get(key, 0) + n
            else:
                kept.append(value)
        if kind in needles:
            needles[kind] = kept
    literal = {kind: [v.lower() for v in values] for kind, values in needles.items() if kind not in ("phone_pattern", "words")}
    handles = literal.pop("handle", [])
    patterns = [re.compile(p, re.IGNORECASE) for p in needles.get("phone_pattern", [])]
    finder = quotes.Finder.from_needles(needles.get("words", []))
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "registration":
            continue
        for column in table.columns:
            if (table.name, column.name) in SKIP_COLUMNS or not _texty(column):
                continue
            staff_written = (table.name, column.name) in STAFF_COLUMNS
            by_kind = dict(literal)
            if handles:
                by_kind["handle"] = [f"@{v}" for v in handles] + (handles if staff_written else [])
            searched += sum(len(v) for v in by_kind.values()) + len(patterns) + int(bool(finder.before))
            target = column.cast(Text) if isinstance(column.type, JSON) else column
            stmt = select(target).select_from(table).where(column.is_not(None)).execution_options(yield_per=1000)
            for (raw_value,) in s.execute(stmt):
                value = raw_value if isinstance(raw_value, str) else json.dumps(raw_value, ensure_ascii=False)
                if isinstance(column.type, JSON) and isinstance(raw_value, str):
                    try:  # JSON text escapes non-ASCII ("\u00e9"): search the strings it holds
                        value = "\n".join(_strings_in(json.loads(raw_value)))
                    except (ValueError, RecursionError):
                        pass
                low = value.lower()
                hits: dict[str, int] = {}
                for kind, values in by_kind.items():
                    if any(v in low for v in values):
                        hits[kind] = 1
                if any(p.search(value) for p in patterns):
                    hits["phone"] = 1
                if finder.before and finder.count(value):
                    hits["words"] = 1
                for kind in hits:
                    place = f"{table.name}.{column.name} ({kind})"
                    found[place] = found.get(place, 0) + 1
    files: dict[str, int] = {}
    if db_file:
        # the bare handle can be an ordinary word in others' posts: the file is searched for "@handle"
        raw = [v for kind, values in needles.items() if kind not in ("handle", "phone_pattern", "words") for v in values]
        raw += [f"@{h}" for h in needles.get("handle", [])]
        files = scan_files(db_file, raw, needles.get("phone_pattern", []), needles.get("words", []))
    kinds = {k: len(v) for k, v in strings.items()}
    clean = not found and not any(files.values())
    return {"clean": clean, "found": found, "file_hits": files, "strings_searched": kinds, "checks": searched,
            "shared_with_other_members": shared}


_SCANNER = """
import json, re, sys
from pathlib import Path
job = json.loads(sys.stdin.read())
sys.path.insert(0, job["path"])
needles = [n.lower() for n in job["needles"] if n]
patterns = [re.compile(p, re.IGNORECASE) for p in job["patterns"]]
finder = None
if job["words"]:
    from modconsole.domain.quotes import Finder
    finder = Finder.from_needles(job["words"])
escaped = re.compile(r"\\\\u([0-9a-fA-F]{4})")
hits = {}
for name in job["files"]:
    path = Path(name)
    if path.exists():
        # as text, JSON's \\u escapes read as the characters they stand for
        data = escaped.sub(lambda m: chr(int(m.group(1), 16)), path.read_bytes().decode("utf-8", "replace"))
        low = data.lower()
        n = sum(low.count(x) for x in needles) + sum(len(p.findall(data)) for p in patterns)
        if finder is not None:
            n += finder.count(data)
        hits[path.name] = n
print(json.dumps(hits))
"""


def scan_files(db_file: str, needles: list[str], patterns: list[str] | None = None,
               words: list[str] | None = None) -> dict[str, int]:
    """Count the needles, the patterns and the quotes of `words` (see `quotes`) in the
    raw bytes of the SQLite file, its WAL and its shared-memory index, in a child process.

    Never in this process: opening and closing the database file here would release every
    POSIX lock SQLite holds on it in this process (fcntl locks belong to the process, and any
    close() drops them), and another process could then write over a transaction of ours.
    The needles go through the child's stdin, never its command line (which `ps` shows).
    The `-shm` file holds only the WAL's index (page numbers and checksums, no row data), but
    it is read too: it costs nothing and proves it."""
    job = json.dumps({"files": [db_file, db_file + "-wal", db_file + "-shm"], "needles": needles,
                      "patterns": patterns or [], "words": words or [],
                      "path": str(Path(quotes.__file__).resolve().parents[2])})
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
