"""Quotes of a member's words inside other text, for erasure (SPEC §5) and its proof.

A *quote* is a run of at least `QUOTE_WORDS` consecutive words of one of the member's own
texts, found inside someone else's text (another member's post, a staff note, a sanction
reason…), that holds at least `QUOTE_LETTERS` letters and digits. Words are compared after
folding (`detect.normalize.fold`: case, accents, look-alike letters, and every run of
punctuation or spacing is one word break), so "MON  FRERE — julien, m’a ENCORE" quotes
"mon frère Julien m'a encore". A word cut at the edge of an excerpt ("…ncore frappé") is taken
with the run when it is the end (or the start) of the member's word beside it.

Shorter runs are not quotes: four words ("je ne sais pas"), or five short ones ("je ne sais pas
quoi", 15 letters), are what anyone writes. A run of the member's words is not theirs either
when another member wrote the same words in their own text before the member did (the member
used a phrase already in use, or quoted that member), or wrote the very same whole text.

Pure functions on strings: the raw-bytes search of the proof runs them in a child process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from modconsole.detect.normalize import absorb_marks, fold

QUOTE_WORDS = 5
QUOTE_LETTERS = 18
_WORD = re.compile(r"[^\W_]+")

Gram = tuple[str, ...]


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def grams(tokens: list[str]) -> Iterable[tuple[int, Gram]]:
    for i in range(len(tokens) - QUOTE_WORDS + 1):
        yield i, tuple(tokens[i:i + QUOTE_WORDS])


def runs(tokens: list[str], known: Set[Gram], starts: Set[str], minimum: int = QUOTE_LETTERS) -> list[tuple[int, int]]:
    """The runs of known grams in `tokens` (first and last token index, inclusive), merged
    where they overlap or touch, of at least `minimum` letters."""
    k = QUOTE_WORDS
    merged: list[list[int]] = []
    for i in range(len(tokens) - k + 1):
        if tokens[i] in starts and tuple(tokens[i:i + k]) in known:
            if merged and i <= merged[-1][1] + 1:
                merged[-1][1] = i + k - 1
            else:
                merged.append([i, i + k - 1])
    return [(a, b) for a, b in merged if sum(len(t) for t in tokens[a:b + 1]) >= minimum]


@dataclass
class Finder:
    """The member's grams (`QUOTE_WORDS` folded words each), with the words met beside each
    in the member's texts (to take a word cut at an excerpt's edge)."""

    before: dict[Gram, set[str]] = field(default_factory=dict)
    after: dict[Gram, set[str]] = field(default_factory=dict)
    starts: set[str] = field(default_factory=set)

    def add(self, tokens: list[str]) -> None:
        for i, gram in grams(tokens):
            self.before.setdefault(gram, set()).add(tokens[i - 1] if i else "")
            self.after.setdefault(gram, set()).add(tokens[i + QUOTE_WORDS] if i + QUOTE_WORDS < len(tokens) else "")
            self.starts.add(gram[0])

    def drop(self, gram: Gram) -> None:
        self.before.pop(gram, None)
        self.after.pop(gram, None)

    def done(self) -> Finder:
        self.starts = {g[0] for g in self.before}
        return self

    @property
    def known(self) -> Set[Gram]:
        return self.before.keys()

    def needles(self) -> list[str]:
        """The grams as strings (for the proof; never stored)."""
        return sorted(" ".join(g) for g in self.before)

    @classmethod
    def from_needles(cls, needles: Iterable[str]) -> Finder:
        finder = cls()
        for needle in needles:
            gram = tuple(needle.split())
            if len(gram) == QUOTE_WORDS:
                finder.before[gram], finder.after[gram] = set(), set()
        return finder.done()

    def count(self, text: str) -> int:
        """How many quotes the text holds."""
        if not self.before:
            return 0
        return len(runs(words(text), self.known, self.starts))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The quotes in `text`, as (start, end) offsets into it."""
        if not self.before:
            return []
        folded = fold(text)
        found = list(_WORD.finditer(folded))
        tokens = [m.group() for m in found]
        hits = runs(tokens, self.known, self.starts)
        if not hits:
            return []
        sources = _sources(text)
        if len(sources) != len(folded):  # cannot happen (fold is per character); never scrub less
            return [(0, len(text))]
        out: list[tuple[int, int]] = []
        k = QUOTE_WORDS
        for first, last in hits:
            edge = tokens[first - 1] if first else ""
            if edge and any(w != edge and w.endswith(edge) for w in self.before.get(tuple(tokens[first:first + k]), ())):
                first -= 1
            edge = tokens[last + 1] if last + 1 < len(tokens) else ""
            if edge and any(w != edge and w.startswith(edge) for w in self.after.get(tuple(tokens[last - k + 1:last + 1]), ())):
                last += 1
            start = sources[found[first].start()]
            end = absorb_marks(text, sources[found[last].end() - 1] + 1)
            out.append((start, end))
        return out


_FOLDS: dict[str, int] = {}


def _sources(text: str) -> list[int]:
    """For each character of `fold(text)`, the index of the character of `text` it came from."""
    out: list[int] = []
    for index, ch in enumerate(text):
        n = _FOLDS.get(ch)
        if n is None:
            n = _FOLDS[ch] = len(fold(ch)) if ch != "\u2019" else 1
            if len(_FOLDS) > 65536:
                _FOLDS.clear()
        out.extend([index] * n)
    return out


def replace_spans(text: str, spans: list[tuple[int, int]], by: str) -> str:
    """`text` with each span (merged where they overlap) replaced by `by`."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + by + text[end:]
    return text


__all__ = ["QUOTE_LETTERS", "QUOTE_WORDS", "Finder", "replace_spans", "runs", "words"]
