"""Loading the lexicon data files and expanding terms into the written forms to match.

Data files live in ``modconsole/detect/data/``:

* ``lexicon_<lang>.tsv``: ``term<TAB>category<TAB>severity[<TAB>notes]``; ``category`` is one
  of :data:`TERM_CATEGORIES`, ``severity`` 1..3; the language comes from the file name.
* ``exceptions.tsv``: ``phrase<TAB>lang[<TAB>notes]``: phrases that must never produce a
  lexicon hit (``haircut``, ``mort de rire``, ``Scunthorpe``...).

In both, blank lines and lines starting with ``#`` are ignored, and so is a first line
that is the column header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import resources

from .model import TERM_CATEGORIES, Term

__all__ = [
    "LEXICON_LANGS",
    "load_default_exceptions",
    "load_default_terms",
    "parse_exceptions",
    "parse_terms",
    "exception_forms",
    "written_forms",
]

#: Languages for which a ``lexicon_<lang>.tsv`` data file is shipped.
LEXICON_LANGS: tuple[str, ...] = ("fr", "en")


def _rows(lines: Iterable[str], header: str) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[0].lower() == header:
            continue
        yield number, cells


def parse_terms(lines: Iterable[str], lang: str, source: str = "<lexicon>") -> list[Term]:
    """Return the terms of a lexicon TSV given as lines; raise ``ValueError`` naming the
    line on a malformed row."""
    terms: list[Term] = []
    for number, cells in _rows(lines, "term"):
        if len(cells) < 3 or not cells[0]:
            raise ValueError(f"{source}:{number}: expected term<TAB>category<TAB>severity")
        term, category, severity_text = cells[0], cells[1], cells[2]
        if category not in TERM_CATEGORIES:
            raise ValueError(f"{source}:{number}: unknown category {category!r}")
        if severity_text not in {"1", "2", "3"}:
            raise ValueError(f"{source}:{number}: severity must be 1, 2 or 3, not {severity_text!r}")
        terms.append(Term(term=term, category=category, lang=lang, severity=int(severity_text)))
    return terms


def parse_exceptions(lines: Iterable[str]) -> list[str]:
    """Return the phrases of an exceptions TSV given as lines."""
    return [cells[0] for _, cells in _rows(lines, "phrase") if cells[0]]


def _data_lines(name: str) -> list[str]:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8").splitlines()


def load_default_terms() -> list[Term]:
    """Return the shipped French and English terms (``data/lexicon_fr.tsv``, ``lexicon_en.tsv``)."""
    terms: list[Term] = []
    for lang in LEXICON_LANGS:
        name = f"lexicon_{lang}.tsv"
        terms.extend(parse_terms(_data_lines(name), lang, name))
    return terms


def load_default_exceptions() -> list[str]:
    """Return the shipped exception phrases (``data/exceptions.tsv``)."""
    return parse_exceptions(_data_lines("exceptions.tsv"))


_APOSTROPHES = re.compile(r"['’ʼ`´]")
_JOINERS = re.compile(r"[\s'’ʼ`´\-]+")
_VOWELS = frozenset("aeiouàâäéèêëîïôöùûü")


def _masked(word: str) -> set[str]:
    """Self-censored spellings of one word: each inner vowel, then all of them, as ``*``."""
    inner = [i for i in range(1, len(word) - 1) if word[i].lower() in _VOWELS]
    if len(word) < 4 or not inner:
        return set()
    forms = {word[:i] + "*" + word[i + 1 :] for i in inner}
    forms.add("".join("*" if i in inner else c for i, c in enumerate(word)))
    return forms


def written_forms(term: Term) -> set[str]:
    """Return the spellings to match for ``term``: its inflected forms (:mod:`.morph`: "me
    scarifier" also gives "je me scarifiais", "connard" "connards") and their typing slips
    (:mod:`.typos`: "fukc"), each also without
    apostrophes, without hyphens, all words run together, and (offensive terms only)
    masked with ``*``."""
    base = set(_inflected(term.term, term.lang)) | {term.term}
    if _APOSTROPHES.search(term.term):
        base.add(_APOSTROPHES.sub("", term.term))
    if "-" in term.term:
        base.add(term.term.replace("-", ""))
    forms = set(base)
    for form in base:
        joined = _JOINERS.sub("", form)
        if joined != form and len(joined) >= 5:
            forms.add(joined)
    from .typos import slips

    # typing slips ("fukc", "klil": see .typos) of the term and its inflections, not masked
    forms |= {slip for form in base for slip in slips(form)}
    if term.category == "offensive":
        for form in base:
            words = form.split(" ")
            for index, word in enumerate(words):
                for masked in _masked(word):
                    forms.add(" ".join([*words[:index], masked, *words[index + 1 :]]))
    return forms


def _inflected(term: str, lang: str) -> frozenset[str]:
    try:
        from .morph import term_forms
    except ImportError:  # pragma: no cover - until the morphology module lands
        return frozenset({term})
    return term_forms(term, lang)


def exception_forms(phrase: str) -> set[str]:
    """Return the spellings of an exception phrase: its inflected forms (so that "me couper
    les cheveux" also covers "je me suis coupé les cheveux"), each also without apostrophes
    and hyphens."""
    try:
        from .morph import exception_forms as inflected_exception
    except ImportError:  # pragma: no cover
        inflected = {phrase}
    else:
        inflected = set(inflected_exception(phrase)) | {phrase}
    forms: set[str] = set()
    for form in inflected:
        forms.add(form)
        if _APOSTROPHES.search(form):
            forms.add(_APOSTROPHES.sub("", form))
        if "-" in form:
            forms.add(form.replace("-", " "))
    return forms
