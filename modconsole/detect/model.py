"""Value types shared by the detection modules."""

from __future__ import annotations

from dataclasses import dataclass

#: Lexicon categories, in the order the queues are listed in the spec.
TERM_CATEGORIES: tuple[str, ...] = ("self_harm", "offensive")

#: Kinds of personal details reported with category ``"pii"``.
PII_KINDS: tuple[str, ...] = ("email", "phone", "address", "social_handle", "real_name")


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry, as written in the data file."""

    term: str
    category: str
    lang: str
    severity: int


@dataclass(frozen=True, slots=True)
class Hit:
    """One detection; ``text[start:end]`` of the scanned text is what matched."""

    category: str
    severity: int
    start: int
    end: int
    kind: str
    term: str
    lang: str | None
