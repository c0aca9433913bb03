"""Folding text into a matching *skeleton*, with and without an offset map.

The skeleton is what the lexicon automaton runs over. It is built in five steps:

1. every character is folded through one table: compatibility decomposition (NFKD, so
   fullwidth and styled letters become plain ones), case folding, accents and other
   combining marks dropped, Cyrillic/Greek look-alikes mapped to Latin letters, l33t digits
   and symbols mapped to letters (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s €→e), format characters
   (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi controls) deleted, and
   anything else that is not a letter or digit turned into a space (``!`` and ``*`` are
   kept for step 2);
2. a ``!`` between two letters reads as ``i`` (``k!ll``), other ``!`` become spaces; a ``*``
   inside a word is kept as a masking letter (``f*ck``), other ``*`` become spaces;
3. the text is padded with one space on each side, so word boundaries are always spaces;
4. runs of three or more single characters separated by spaces are joined
   (``s u i c i d e``, ``S.U.I.C.I.D.E``, ``s-u-i-c-i-d-e`` all give ``suicide``);
5. every run of one repeated character is collapsed to a single one
   (``suiiiicide`` → ``suicide``, and runs of spaces to one space).

:func:`skeleton` computes it with C-speed string operations only (the fast path);
:func:`analyse` computes the very same string plus, for each of its characters, the span of
the original text it came from and the length of the run it stood for (the slow path, used
only once the fast path has found a candidate). :func:`normalize` is a convenience view of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Folded", "analyse", "fold", "fold_char", "normalize", "skeleton"]

# Characters deleted outright: combining marks and format characters (U+200B-U+200D,
# U+2060, U+FEFF, U+00AD, bidi controls, ...).
_DELETED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})

# Look-alikes and letters without a decomposition, mapped to what a reader sees.
_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "і": "i", "ї": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "Ӏ": "l",
    # Greek (upper case first: some capitals look unlike their lower case)
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
    "ο": "o", "ρ": "p", "σ": "o", "ς": "s", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
    "ϳ": "j",
    # Latin letters with no decomposition, and small capitals
    "ß": "s", "æ": "ae", "œ": "oe", "ø": "o", "ð": "d", "þ": "t", "ı": "i", "ł": "l", "đ": "d",
    "ħ": "h", "ŧ": "t", "ƒ": "f", "ɑ": "a", "ɡ": "g", "ɩ": "i",
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}

_LEET: dict[str, str] = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e",
}

_MARKS = frozenset("!*")


def _fold_once(ch: str) -> str:
    category = unicodedata.category(ch)
    if category in _DELETED_CATEGORIES:
        return ""
    if category[0] in "CZ":  # controls, surrogates, private use, unassigned, separators
        return " "
    out: list[str] = []
    for part in _LOOKALIKES.get(ch, ch):
        for piece in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", part).casefold()):
            if unicodedata.category(piece) in _DELETED_CATEGORIES:
                continue
            for letter in _LOOKALIKES.get(piece, piece):
                letter = _LEET.get(letter, letter)
                out.append(letter if letter.isalnum() or letter in _MARKS else " ")
    return "".join(out)


def fold_char(ch: str) -> str:
    """Return the fold of one character: ``""`` (deleted), or one or more characters.

    Folding is idempotent: every character of the result folds to itself. Latin-1
    characters always fold to at most one ASCII character (this keeps the byte fast path
    exact).
    """
    result = _fold_once(ch)
    for _ in range(4):
        again = "".join(_fold_once(c) for c in result)
        if again == result:
            break
        result = again
    if ord(ch) < 256:
        result = result[:1]
    return result


class _FoldTable(dict[int, str]):
    """Code point → fold, filled lazily; usable directly by :meth:`str.translate`."""

    def __missing__(self, key: int) -> str:
        value = fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()
_BYTES = bytes(ord(_TABLE[i]) if _TABLE[i] else 0 for i in range(256))
_BYTES_DELETE = bytes(i for i in range(256) if not _TABLE[i])
assert all(len(_TABLE[i]) <= 1 and _TABLE[i].isascii() for i in range(256))

_NON_LATIN1 = re.compile(r"[^\x00-\xff]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


def fold(text: str) -> str:
    """Return ``text`` with every character replaced by its fold (step 1 only).

    Latin-1 text goes through one ``bytes.translate``; other characters are folded run by
    run first (folding is idempotent), and only text whose folds are not Latin-1 itself
    (Cyrillic words, CJK...) pays for a full ``str.translate``.
    """
    if not text.isascii():
        if "\u2019" in text:  # the typographic apostrophe, by far the most frequent
            text = text.replace("\u2019", "'")
        text = _NON_LATIN1.sub(_fold_run, text)
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            return text.translate(_TABLE)
        return raw.translate(_BYTES, _BYTES_DELETE).decode("ascii")
    return text.encode("ascii").translate(_BYTES, _BYTES_DELETE).decode("ascii")


_BANG_INSIDE = re.compile(r"(?<=[^\W_])!(?=[^\W_])")
_STAR_OUTSIDE = re.compile(r"(?<![^\W_*])\*+|\*+(?![^\W_*])")


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _fix_marks(text: str) -> str:
    """Step 2; keeps the length."""
    if "!" in text:
        text = _BANG_INSIDE.sub("i", text).replace("!", " ")
    if "*" in text:
        text = _STAR_OUTSIDE.sub(_blank, text)
    return text


_SPACED_GATE = re.compile(r" [^ ] +[^ ] +[^ ] ")
_SPACED = re.compile(r"(?<= )[^ ](?: +[^ ](?= )){2,}")


def _join(match: re.Match[str]) -> str:
    return match.group().replace(" ", "")


_RUN = re.compile(r"(.)\1+", re.DOTALL)
_NONZERO = bytes([0]) + bytes([255]) * 255


def _collapse(text: str) -> str:
    """Step 5. For ASCII, done with big-integer arithmetic (a byte equal to the one before
    it is masked to NUL, then NULs removed): several times faster than the regex."""
    if text.isascii():
        raw = text.encode("ascii")
        size = len(raw)
        value = int.from_bytes(raw, "big")
        mask = (value ^ (value >> 8)).to_bytes(size, "big").translate(_NONZERO)
        kept = (value & int.from_bytes(mask, "big")).to_bytes(size, "big")
        return kept.replace(b"\x00", b"").decode("ascii")
    return _RUN.sub(r"\1", text)


def skeleton(text: str) -> str:
    """Return the padded matching skeleton of ``text`` (starts and ends with one space)."""
    folded = fold(text)
    if "!" in folded or "*" in folded:
        folded = _fix_marks(folded)
    folded = f" {folded} "
    if _SPACED_GATE.search(folded):
        folded = _SPACED.sub(_join, folded)
    return _collapse(folded)


@dataclass(slots=True)
class Folded:
    """The skeleton of a text and its offset map: skeleton character ``i`` stands for the
    original characters ``starts[i]`` to ``lasts[i]`` inclusive (a run of ``runs[i]``
    folded characters). The padding spaces map to offsets 0 and ``len(text) - 1``."""

    text: str
    starts: list[int]
    lasts: list[int]
    runs: list[int]

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """Return the original ``(start, end)`` of skeleton characters ``first:stop``."""
        return self.starts[first], self.lasts[stop - 1] + 1


# Characters whose fold is not exactly one character: all outside Latin-1 are checked.
_IRREGULAR = re.compile(
    "(?:[^\\x00-\\xff]" + "".join("|" + re.escape(chr(b)) for b in _BYTES_DELETE) + ")+"
)


def _fold_with_sources(text: str) -> tuple[str, list[int]]:
    """Return ``fold(text)`` and, for each of its characters, the index it came from."""
    sources: list[int] = []
    position = 0
    table = _TABLE
    for match in _IRREGULAR.finditer(text):
        first, stop = match.span()
        sources.extend(range(position, first))
        for index in range(first, stop):
            sources.extend([index] * len(table[ord(text[index])]))
        position = stop
    sources.extend(range(position, len(text)))
    return fold(text), sources


def analyse(text: str) -> Folded:
    """Return the skeleton of ``text`` (equal to :func:`skeleton`) with its offset map."""
    folded, sources = _fold_with_sources(text)
    if "!" in folded or "*" in folded:
        folded = _fix_marks(folded)
    folded = f" {folded} "
    sources = [0, *sources, max(len(text) - 1, 0)]
    if _SPACED_GATE.search(folded):
        pieces: list[str] = []
        kept: list[int] = []
        position = 0
        for match in _SPACED.finditer(folded):
            first, stop = match.span()
            pieces.append(folded[position:first])
            kept.extend(sources[position:first])
            for index in range(first, stop):
                if folded[index] != " ":
                    pieces.append(folded[index])
                    kept.append(sources[index])
            position = stop
        pieces.append(folded[position:])
        kept.extend(sources[position:])
        folded, sources = "".join(pieces), kept
    starts: list[int] = []
    lasts: list[int] = []
    runs: list[int] = []
    position = 0
    for match in _RUN.finditer(folded):
        first, stop = match.span()
        starts.extend(sources[position:first + 1])
        lasts.extend(sources[position:first])
        lasts.append(sources[stop - 1])
        runs.extend([1] * (first - position))
        runs.append(stop - first)
        position = stop
    starts.extend(sources[position:])
    lasts.extend(sources[position:])
    runs.extend([1] * (len(folded) - position))
    return Folded(_collapse(folded), starts, lasts, runs)


def normalize(text: str) -> tuple[str, list[int]]:
    """Return ``(folded, offsets)``: the skeleton of ``text`` without its padding spaces,
    and for each of its characters the offset in ``text`` where it starts."""
    result = analyse(text)
    return result.text[1:-1], result.starts[1:-1]
