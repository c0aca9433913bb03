"""The lexicons in force: the shipped data files (modconsole/detect/data) plus admins' edits.

Admins' additions and removals are rows of `lexicon_change`, so an upgrade of the data files
keeps them. Every process rebuilds its detector when the edits change (checked per ingest
batch), so a term added on one console is used by every server worker.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from modconsole.detect import Detector, Term, load_default_terms
from modconsole.errors import InvalidInput, NotFound
from modconsole.schemas import LexiconTermPublic

from .auth import Actor
from .models import LexiconChange
from .service import Services

CATEGORIES = ("self_harm", "offensive")
LANGS = ("fr", "en")


def version(session: Session) -> tuple[Any, Any]:
    """Changes whenever an edit is made, here or in another process (edits update rows in place)."""
    return tuple(session.execute(
        select(func.max(LexiconChange.id), func.count(LexiconChange.id), func.max(LexiconChange.created_at))
    ).one())  # type: ignore[arg-type]


def terms_in_force(session: Session) -> list[tuple[Term, str]]:
    """(term, source) pairs: "default" from the data files, "custom" from admins."""
    changes = {(c.term, c.lang): c for c in session.execute(select(LexiconChange)).scalars()}
    out: list[tuple[Term, str]] = []
    for t in load_default_terms():
        c = changes.get((t.term, t.lang))
        if c is not None and c.op == "remove":
            continue
        if c is not None and c.op == "add":
            continue  # the admin's version replaces the default below
        out.append((t, "default"))
    for c in changes.values():
        if c.op == "add" and c.category and c.severity:
            out.append((Term(term=c.term, category=c.category, lang=c.lang, severity=c.severity), "custom"))
    return out


def build_detector(session: Session, regions: tuple[str, ...] | None = None) -> Detector:
    """The detector of the terms in force; ``regions`` are the policy's phone regions."""
    terms = [t for t, _ in terms_in_force(session)]
    return Detector(terms) if regions is None else Detector(terms, regions=regions)


def list_terms(svc: Services, actor: Actor) -> list[LexiconTermPublic]:
    svc.check(actor, "lexicon.list")
    with svc.store.read() as s:
        return [
            LexiconTermPublic(term=t.term, category=t.category, lang=t.lang, severity=t.severity, source=src)
            for t, src in sorted(terms_in_force(s), key=lambda p: (p[0].category, p[0].lang, p[0].term))
        ]


def _clean(term: str) -> str:
    text = " ".join((term or "").split()).lower()
    if not text:
        raise InvalidInput("a lexicon term cannot be empty")
    if not text.isprintable():
        raise InvalidInput("a lexicon term cannot hold control or invisible characters")
    if len(text) > 200:
        raise InvalidInput("a lexicon term is at most 200 characters")
    return text


def add(svc: Services, actor: Actor, term: str, category: str, lang: str, severity: int = 2) -> LexiconTermPublic:
    text = _clean(term)
    if category not in CATEGORIES:
        raise InvalidInput(f"unknown category {category!r}: one of {', '.join(CATEGORIES)}")
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    if severity not in (1, 2, 3):
        raise InvalidInput(f"severity must be 1, 2 or 3 (got {severity})")

    def change(s: Session) -> tuple[LexiconTermPublic, dict[str, Any]]:
        row = s.execute(select(LexiconChange).where(LexiconChange.term == text, LexiconChange.lang == lang)).scalar()
        if row is None:
            row = LexiconChange(term=text, lang=lang, op="add", category=category, severity=severity,
                                created_at=svc.now(), created_by=actor.id)
        else:
            row.op, row.category, row.severity, row.created_at, row.created_by = "add", category, severity, svc.now(), actor.id
        s.add(row)
        s.flush()
        return LexiconTermPublic(term=text, category=category, lang=lang, severity=severity, source="custom"), {
            "change_id": row.id, "category": category, "lang": lang, "severity": severity,
        }

    result = svc.perform(actor, "lexicon.edit", change, target_type="lexicon", target_id=f"{lang}:{category}")
    svc.invalidate()
    return result


def remove(svc: Services, actor: Actor, term: str, lang: str | None = None) -> int:
    """Take a term out of the lexicons (every language unless `lang`). Returns how many entries."""
    text = _clean(term)

    def change(s: Session) -> tuple[int, dict[str, Any]]:
        present = [t for t, _ in terms_in_force(s) if t.term == text and (lang is None or t.lang == lang)]
        if not present:
            raise NotFound(f"{text!r} is not in the lexicons" + (f" ({lang})" if lang else ""))
        for t in present:
            row = s.execute(select(LexiconChange).where(LexiconChange.term == text, LexiconChange.lang == t.lang)).scalar()
            if row is None:
                row = LexiconChange(term=text, lang=t.lang, op="remove", created_at=svc.now(), created_by=actor.id)
            else:
                row.op, row.created_at, row.created_by = "remove", svc.now(), actor.id
            s.add(row)
        return len(present), {"removed": len(present), "langs": sorted({t.lang for t in present})}

    result = svc.perform(actor, "lexicon.edit", change, target_type="lexicon", target_id=lang or "all")
    svc.invalidate()
    return result
