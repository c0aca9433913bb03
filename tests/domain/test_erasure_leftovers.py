"""Erasure looks for the member's data wherever it can have landed (issue 14).

- Another member's post that gave the erased member's email and phone: after the erasure no
  signal's matched text, no case summary, no column of any table and (SQLite) no byte of the
  database file or its WAL holds them, and the proof says clean.
- Staff text quoting a run of the member's words (five consecutive words, in another case,
  spacing and punctuation, without accents): a case note, a sanction reason (on another
  member), a handover note; `member status` shows no quote afterwards.
- The proof is not fooled: a string left in the raw bytes (planted in a table the erasure
  does not scrub) makes it say NOT clean.
- No over-scrubbing: another member's own, different text sharing a common short phrase
  with the member's ("je ne sais pas", "mon frère") is untouched, and so is text another
  member wrote before the member used the same words.
- A report note emptied by an erasure reads the same whoever wrote it.

Runs on SQLite and PostgreSQL; the raw-bytes checks are SQLite's (on PostgreSQL every text
and JSON column of every table is searched, as `erasure.search` does)."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Text, func, select, text
from sqlmodel import SQLModel

from modconsole.domain import cases, deletion, erasure, ingest, platform, sanctions, shift
from modconsole.domain.models import Case, CaseNote, Content, HandoverNote, Report, Sanction, Signal
from modconsole.domain.service import Services

EMAIL, NAME, PHONE, HANDLE = "claire.fontaine@example.org", "Claire Fontaine", "+33 6 12 34 56 78", "lunaire42"
POST = "Hier soir mon frère Julien m'a encore frappé au garage, je ne sais pas quoi faire."
# five consecutive words of POST, in another case, spacing and punctuation, accents dropped
QUOTE_IN_NOTE = "Elle écrit : « MON  FRERE — julien, m’a ENCORE… » ; à suivre demain."
QUOTE_IN_REASON = "respect: a recopié partout « Julien m'a encore frappé au garage » pour se moquer"
OWN_WORDS = ["julien", "frappe"]  # words of hers the quotes carry that no other member wrote (folded)
LATER_OWN = "Hier soir mon frère a gagné au loto, je ne sais pas si le garage ouvre."  # u3, after POST
EARLIER = "Demain je repeins le garage, je ne sais pas quoi faire de mes dix doigts."

EVENTS: list[dict[str, Any]] = [
    {"type": "member", "id": "u1", "handle": HANDLE, "email": EMAIL, "real_name": NAME, "phone": PHONE},
    {"type": "member", "id": "u2", "handle": "soleil"},
    {"type": "member", "id": "u3", "handle": "marin"},
    {"type": "member", "id": "u4", "handle": "avant"},
    {"type": "content", "id": "p0", "kind": "post", "author": "u4", "body": EARLIER,
     "created_at": "2026-11-20T08:00:00Z"},
    {"type": "content", "id": "p1", "kind": "post", "author": "u1", "body": POST, "created_at": "2026-11-25T20:00:00Z"},
    {"type": "content", "id": "p2", "kind": "post", "author": "u2", "created_at": "2026-11-26T07:00:00Z",
     "body": "Son adresse c'est claire.fontaine@example.org et son numéro 06 12 34 56 78, appelez-la."},
    {"type": "content", "id": "p3", "kind": "post", "author": "u3", "body": LATER_OWN,
     "created_at": "2026-11-26T08:00:00Z"},
    {"type": "report", "id": "r1", "reporter": "u1", "content": "p2", "reason": "offensive",
     "note": "il donne mes coordonnées à tout le monde"},
    {"type": "report", "id": "r2", "reporter": "u3", "content": "p2", "reason": "offensive",
     "note": f"il publie l'adresse {EMAIL}"},
    {"type": "report", "id": "r3", "reporter": "u3", "content": "p2", "reason": "offensive", "note": "spam encore"},
    {"type": "deletion_request", "id": "d1", "member": "u1", "scope": "account", "note": "Effacez tout."},
]


def feed(svc: Services, events: list[dict[str, Any]]) -> None:
    result = ingest.ingest_file(svc, svc.actor("feed"), io.BytesIO("\n".join(json.dumps(e) for e in events).encode()))
    assert not result.rejected, result.rejected


def fold(value: str) -> str:
    """Lower case, no accents, every run of non-letters one space: how a quote is compared."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", value.casefold()) if not unicodedata.combining(c))
    return " " + re.sub(r"[\W_]+", " ", plain).strip() + " "


def all_text(svc: Services) -> list[tuple[str, str]]:
    """(table.column, value) for every text and JSON value of every table but the erasure's proof."""
    out: list[tuple[str, str]] = []
    with svc.store.read() as s:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if not erasure._texty(column) or table.name == "erasure":
                    continue
                target = column.cast(Text) if isinstance(column.type, JSON) else column
                for (value,) in s.execute(select(target).select_from(table).where(column.is_not(None))):
                    out.append((f"{table.name}.{column.name}", str(value)))
    return out


def raw_bytes(svc: Services) -> list[bytes]:
    if not svc.store.is_sqlite:
        return []
    path = Path(svc.store.engine.url.database or "")
    return [p.read_bytes().lower() for p in (path, Path(f"{path}-wal")) if p.exists()]


@pytest.fixture
def world(svc: Services) -> Services:
    feed(svc, EVENTS)
    with svc.store.read() as s:
        p1_case = s.execute(select(Case.id).where(Case.subject_id == "p1")).scalar()
        p2_case = s.execute(select(Case.id).where(Case.subject_id == "p2")).scalar_one()
    note_case = p1_case or p2_case
    cases.note(svc, svc.actor("lea"), note_case, QUOTE_IN_NOTE)
    sanctions.apply(svc, svc.actor("lea"), member="u2", kind="warning", duration=None, reason=QUOTE_IN_REASON)
    sanctions.apply(svc, svc.actor("lea"), member="u2", kind="warning", duration=None,
                    reason="privacy: a donné le 06.12.34.56.78 de quelqu'un")
    shift.handover(svc, svc.actor("ines"), "suivre le cas de p2: il a publié 0612345678 et l'adresse")
    return svc


def approve(svc: Services) -> dict[str, Any]:
    cid = next(r.id for r in deletion.list_requests(svc, svc.actor("drm"), "all") if r.request == "d1")
    done = deletion.decide(svc, svc.actor("drm"), cid, "approve", "asked in writing")
    assert done.erasure is not None
    return done.erasure["proof"]


def test_the_email_and_phone_another_member_gave_are_gone_everywhere(world: Services) -> None:
    svc = world
    with svc.store.read() as s:
        before = [m for (m,) in s.execute(select(Signal.matched).where(Signal.content_id == "p2", Signal.source == "pii"))]
    assert EMAIL in before and any("56 78" in (m or "") for m in before)  # the detector kept them: the setting is real
    proof = approve(svc)
    assert proof["clean"], (proof["found"], proof["file_hits"])
    digits = "612345678"
    for place, value in all_text(svc):
        low = value.lower()
        assert EMAIL not in low, place
        assert digits not in re.sub(r"\D", "", value), place  # in any spacing: 06 12 34 56 78, 06.12…, +33…
    with svc.store.read() as s:
        matched = [m for (m,) in s.execute(select(Signal.matched).where(Signal.matched.is_not(None)))]  # type: ignore[union-attr]
        tops = [json.dumps(t) for (t,) in s.execute(select(Case.top_signals).where(Case.top_signals.is_not(None)))]  # type: ignore[union-attr]
        body = s.get(Content, "p2").body  # type: ignore[union-attr]
    assert all(EMAIL not in m and digits not in re.sub(r"\D", "", m) for m in matched)
    assert all(EMAIL not in t for t in tops)
    assert body is not None and "appelez-la" in body and erasure.ERASED in body  # the rest of u2's post stays
    for blob in raw_bytes(svc):
        assert EMAIL.encode() not in blob
        for spaced in ("06 12 34 56 78", "0612345678", "06.12.34.56.78", "+33612345678", "33 6 12 34 56 78"):
            assert spaced.encode() not in blob, spaced


def test_staff_text_quoting_a_run_of_her_words_is_scrubbed(world: Services) -> None:
    svc = world
    assert fold("mon frère Julien m'a encore") in fold(QUOTE_IN_NOTE)  # the quote is a real one
    proof = approve(svc)
    assert proof["clean"], (proof["found"], proof["file_hits"])
    with svc.store.read() as s:
        notes = [n.body for n in s.execute(select(CaseNote)).scalars()]
        reasons = [r.reason for r in s.execute(select(Sanction).where(Sanction.member_id == "u2")).scalars()]
        handover = [h.body for h in s.execute(select(HandoverNote)).scalars()]
    assert notes == ["Elle écrit : « [erased]… » ; à suivre demain."]
    assert reasons[0] == "respect: a recopié partout « [erased] » pour se moquer"
    assert reasons[1] == "privacy: a donné le [erased] de quelqu'un"
    assert handover == ["suivre le cas de p2: il a publié [erased] et l'adresse"]
    for place, value in all_text(svc):
        folded = fold(value)
        assert not any(f" {w} " in folded for w in OWN_WORDS), (place, value)
    for who in ("feed", "lea"):  # the platform's status answer, and a moderator's
        shown = fold(platform.status(svc, svc.actor(who), "u2").model_dump_json())
        assert not any(f" {w} " in shown for w in OWN_WORDS), (who, shown)
    for blob in raw_bytes(svc):
        for word in ("julien", "frapp"):
            assert word.encode() not in blob, word


def test_other_members_own_words_sharing_a_common_phrase_stay(world: Services) -> None:
    svc = world
    approve(svc)
    with svc.store.read() as s:
        assert s.get(Content, "p3").body == LATER_OWN  # "hier soir mon frère", "je ne sais pas": four words, not a quote  # type: ignore[union-attr]
        assert s.get(Content, "p0").body == EARLIER  # she used u4's words, written before hers: u4's  # type: ignore[union-attr]
        assert s.get(Content, "p1").body is None


def test_the_proof_is_not_clean_while_a_string_is_left_in_the_raw_bytes(world: Services) -> None:
    svc = world
    # a copy of her email and phone in a table the erasure does not scrub (an admin's lexicon term)
    with svc.store.write() as s:
        s.execute(text("INSERT INTO lexicon_change (term, lang, op, created_at) VALUES (:t, 'fr', 'add', :at)"),
                  {"t": f"voir {EMAIL} et 06 12 34 56 78", "at": svc.now()})
    proof = approve(svc)
    assert not proof["clean"]
    assert proof["found"].get("lexicon_change.term (email)") == 1, proof["found"]
    assert proof["found"].get("lexicon_change.term (phone)") == 1, proof["found"]
    if svc.store.is_sqlite:
        assert sum(proof["file_hits"].values()) >= 2, proof["file_hits"]


def test_the_proof_searches_the_raw_bytes_a_column_search_cannot_see(sqlite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Bytes left in a freed page (written by a connection without secure_delete, then deleted):
    no column holds them, the file does, and the proof says not clean."""
    import sqlite3

    from ..conftest import make_services

    svc = make_services(sqlite)
    feed(svc, EVENTS)
    proof = approve(svc)
    assert proof["clean"], (proof["found"], proof["file_hits"])
    cid = next(r.id for r in deletion.list_requests(svc, svc.actor("drm"), "all") if r.request == "d1")
    path = svc.store.engine.url.database or ""
    other = sqlite3.connect(path)
    other.execute("PRAGMA secure_delete=OFF")
    other.execute("INSERT INTO handover_note (staff_id, at, body) VALUES (NULL, '2026-11-26 10:00:00', ?)",
                  (f"rappeler au 06.12.34.56.78 {'x' * 2000}",))
    other.commit()
    other.execute("DELETE FROM handover_note WHERE staff_id IS NULL")
    other.commit()
    other.close()
    assert not any("56.78" in value for _, value in all_text(svc))  # no column holds it
    result = deletion.verify(svc, svc.actor("drm"), cid, extra=["+33 6 12 34 56 78"])  # in another writing
    assert not result["clean"] and not result["search_now"]["found"], result
    assert sum(result["search_now"]["file_hits"].values()) >= 1, result


def test_a_report_note_emptied_by_an_erasure_reads_the_same_whoever_wrote_it(world: Services) -> None:
    svc = world
    approve(svc)
    with svc.store.read() as s:
        p2_case = s.execute(select(Case.id).where(Case.subject_id == "p2")).scalar_one()
        assert s.execute(select(func.count()).select_from(Report).where(Report.case_id == p2_case)).scalar_one() == 3
    shown = {r.id: r.note for r in cases.show(svc, svc.actor("lea"), p2_case).reports}
    # r1 was written by the erased member, r2 by another member and named her: the same placeholder
    assert shown["r1"] == shown["r2"] == erasure.ERASED
    assert shown["r3"] == "spam encore"  # an untouched note is shown as written


def test_what_makes_a_quote() -> None:
    """The rule, literally: at least QUOTE_WORDS (5) consecutive words of hers and QUOTE_LETTERS
    (18) letters, compared without case, accents or punctuation; a word cut at the edge of an
    excerpt goes with the run."""
    from modconsole.domain.quotes import QUOTE_LETTERS, QUOTE_WORDS, Finder, replace_spans, words

    assert (QUOTE_WORDS, QUOTE_LETTERS) == (5, 18)
    finder = Finder()
    finder.add(words(POST))
    finder.done()

    def scrub(value: str) -> str:
        return replace_spans(value, finder.spans(value), erasure.ERASED)

    assert scrub("elle a dit: JULIEN m'a ENCORE frappé, au garage!") == "elle a dit: [erased]!"
    assert scrub("« …ncore frappé au garage, je ne » disait-elle") == "« …[erased] » disait-elle"  # cut mid-word
    assert scrub("mon frère Julien m'a") == "mon frère Julien m'a"  # four words (of five tokens, 16 letters)
    assert scrub("je ne sais pas quoi") == "je ne sais pas quoi"  # five words, 15 letters: anyone's
    assert scrub("Je ne sais pas, hier soir mon frère est venu") == "Je ne sais pas, hier soir mon frère est venu"
    assert scrub("m'a encore frappé au garage") == "[erased]"


def test_her_email_deep_in_another_members_unknown_fields_is_scrubbed(svc: Services) -> None:
    """Unknown fields nest as deep as the parser takes: the erasure neither fails nor leaves them."""
    deep: Any = [EMAIL]
    for _ in range(700):
        deep = [deep]
    feed(svc, [*EVENTS[:3], {"type": "content", "id": "p9", "kind": "post", "author": "u2", "body": "salut",
                             "mood": deep, "bio": f"ami de {EMAIL}"},
               EVENTS[-1]])
    proof = approve(svc)
    assert proof["clean"], (proof["found"], proof["file_hits"])
    with svc.store.read() as s:
        extra = s.get(Content, "p9").extra  # type: ignore[union-attr]
    assert EMAIL not in json.dumps(extra)
