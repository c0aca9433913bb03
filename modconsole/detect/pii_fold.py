"""The personal-detail fold: what the finders of :mod:`.pii` read, with a map back to the original.

Members hide an email or a number the same ways they hide a word: fullwidth forms
(``ｊｅａｎ＠ｇｍａｉｌ．ｃｏｍ``, ``０６ １２…``), zero-width characters between every character,
Cyrillic or Greek letters that look Latin (``jеаn@gmаil.com`` with Cyrillic ``е``/``а``). The
finders' regular expressions would miss all of these, so they run on a folded copy:

* every character is put in NFKC form (fullwidth and styled letters, digits and ``＠`` become
  ASCII; a letter followed by combining marks is composed first, marks that do not compose
  are dropped);
* format characters (category ``Cf``: zero-width space and joiners, word joiner, BOM, soft
  hyphen, bidi controls, tags) are deleted;
* Cyrillic and Greek look-alike letters (and small capitals) are mapped to the Latin letter a
  reader sees, **keeping the case**: the name finder relies on capitals (``Маrie`` with a
  Cyrillic ``М`` still reads as a capitalised name); an email is matched case-insensitively.

Unlike the lexicon fold of :mod:`.normalize`, digits stay digits and letters stay letters (no
l33t reading: ``0612345678`` must not become ``oiz...``), accents are kept, and nothing is
lower-cased or collapsed.

:meth:`PiiText.span` maps a span of the folded text back to the original text so that it
covers the obfuscated detail entirely (the characters deleted inside it included, and the
combining marks after its last character). Pure-ASCII text, and non-ASCII text none of whose
characters can change (ordinary French with accents and typographic quotes), skip the work:
the fold is the text itself.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from .normalize import LOOKALIKES

__all__ = ["PiiText", "fold_pii"]

# Characters that may change under the fold. Everything non-ASCII except Latin-1 letters and
# the typographic punctuation of ordinary French and English text (these are NFKC-stable, not
# format characters and not look-alikes): so an ordinary accented message is one regex search.
# A letter followed by combining marks is taken as one cluster, so that NFKC composes it.
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Also stable: pictographs and symbols (emoji U+1F000-1FAFF, U+2600-27BF, U+2B00-2BFF).
_STABLE = (
    r"\x00-\x7f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u2018\u2019\u201c\u201d\u2013\u2014\u00ab\u00bb"
    r"\u20ac\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
)
_SUSPECT = re.compile(rf"[^{_STABLE}]")
_CHANGING = re.compile(rf"[{_MARKS}]+|[^{_STABLE}]")
_MARK_SET = re.compile(rf"[{_MARKS}]")

# Look-alikes taken from the lexicon's table: only the Greek, Cyrillic, IPA and small-capital
# letters. Latin letters such as ß, ø, æ, œ, ł are real letters of real names and stay.
_LOOKALIKE_LETTERS: dict[str, str] = {
    ch: latin
    for ch, latin in LOOKALIKES.items()
    if 0x0250 <= ord(ch) <= 0x052F or 0x1D00 <= ord(ch) <= 0x1D2B or 0xA730 <= ord(ch) <= 0xA731
}


def _latin(ch: str) -> str:
    """Return the Latin look-alike of one letter, in the letter's case, or the letter."""
    mapped = _LOOKALIKE_LETTERS.get(ch)
    if mapped is not None:
        return mapped.upper() if ch.isupper() else mapped
    lower = ch.lower()
    if lower != ch and len(lower) == 1:
        mapped = _LOOKALIKE_LETTERS.get(lower)
        if mapped is not None:
            return mapped.upper()
    return ch


@lru_cache(maxsize=4096)
def _fold_piece(piece: str) -> str:
    """Return the fold of one character or of one letter with its combining marks."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", piece):
        category = unicodedata.category(ch)
        if category == "Cf" or category in ("Mn", "Me"):
            continue
        out.append(_latin(ch))
    return "".join(out)


class PiiText:
    """A text folded for the personal-detail finders, and the way back to the original.

    ``text`` is the folded text. Each change is recorded as (folded index, folded length,
    original index, original length); between changes the two texts run in step.
    """

    __slots__ = ("_fold_at", "_fold_len", "_orig_at", "_orig_len", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self._fold_at: list[int] = []
        self._fold_len: list[int] = []
        self._orig_at: list[int] = []
        self._orig_len: list[int] = []
        if original.isascii() or _SUSPECT.search(original) is None:  # the fast path
            self.text = original
            return
        pieces: list[str] = []
        position = 0  # original index up to which the text has been copied or folded
        folded_size = 0
        for match in _CHANGING.finditer(original):
            start, stop = match.span()
            if _MARK_SET.match(original, start) and start > position and original[start - 1].isalpha():
                start -= 1  # a letter and its combining marks: one cluster, so NFKC composes it
            source = original[start:stop]
            piece = _fold_piece(source)
            if piece == source:
                continue
            pieces.append(original[position:start])
            folded_size += start - position
            self._fold_at.append(folded_size)
            self._fold_len.append(len(piece))
            self._orig_at.append(start)
            self._orig_len.append(stop - start)
            pieces.append(piece)
            folded_size += len(piece)
            position = stop
        if not self._fold_at:
            self.text = original
            return
        pieces.append(original[position:])
        self.text = "".join(pieces)

    @property
    def identity(self) -> bool:
        """Whether the fold left the text unchanged (offsets are the same in both)."""
        return not self._fold_at

    def _start(self, index: int) -> int:
        """Return the original index where folded character ``index`` comes from."""
        r = bisect_right(self._fold_at, index) - 1
        if r < 0:
            return index
        fold_at, fold_len = self._fold_at[r], self._fold_len[r]
        if index < fold_at + fold_len:
            return self._orig_at[r]
        return self._orig_at[r] + self._orig_len[r] + index - fold_at - fold_len

    def _end(self, index: int) -> int:
        """Return the original end (exclusive) of folded character ``index``."""
        r = bisect_right(self._fold_at, index) - 1
        if r >= 0 and index < self._fold_at[r] + self._fold_len[r]:
            return self._orig_at[r] + self._orig_len[r]
        return self._start(index) + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Return the original ``(start, end)`` of folded characters ``start:end``.

        The span runs from the original character of the first folded character to the end of
        the original character of the last one, extended over the combining marks that
        follow it (a decomposed accent stays with its letter).
        """
        if not self._fold_at:
            return start, end
        if end <= start:
            begin = self._start(start) if start < len(self.text) else len(self.original)
            return begin, begin
        begin = self._start(start)
        stop = self._end(end - 1)
        original = self.original
        size = len(original)
        while stop < size and unicodedata.category(original[stop]) in ("Mn", "Me"):
            stop += 1
        return begin, stop


def fold_pii(text: str) -> PiiText:
    """Return ``text`` folded for the personal-detail finders (see the module docstring)."""
    return PiiText(text)
