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


def tidy(hits: list[Hit]) -> list[Hit]:
    """Return ``hits`` sorted by position, without those contained in another hit of the
    same category and at least the same severity (exact duplicates included)."""
    hits.sort(key=lambda h: (h.start, -h.end, -h.severity))
    widest: dict[tuple[str, int], int] = {}  # (category, severity) -> furthest end kept
    kept: list[Hit] = []
    for hit in hits:
        if any(
            end >= hit.end and category == hit.category and severity >= hit.severity
            for (category, severity), end in widest.items()
        ):
            continue
        kept.append(hit)
        key = (hit.category, hit.severity)
        if widest.get(key, -1) < hit.end:
            widest[key] = hit.end
    kept.sort(key=lambda h: (h.start, h.end))
    return kept
