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
4. runs of three or more single characters (or runs of one repeated character) separated by
   spaces are joined (``s u i c i d e``, ``S.U.I.C.I.D.E``, ``s-u-i-c-i-d-e``, ``s uuu i c i d e``
   all give ``suicide``); where the gaps differ, the wider ones are word breaks (``k i l l   m e``
   gives ``kill me``) and a gap of white space is wider than a gap of punctuation
   (``w.a.n.t t.o d.i.e`` gives ``want to die``);
5. every run of one repeated character is collapsed to a single one
   (``suiiiicide`` → ``suicide``, and runs of spaces to one space).

:func:`skeleton` computes it with C-speed string operations only (the fast path;
:func:`skeletons` adds the all-joined reading of ambiguous spaced letters);
:func:`analyse` computes the very same string plus, for each of its characters, the span of
the original text it came from and the length of the run it stood for (the slow path, used
only once the fast path has found a candidate). :func:`normalize` is a convenience view of it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["LOOKALIKES", "Folded", "absorb_marks", "analyse", "fold", "fold_char", "normalize", "skeleton", "skeletons"]

# Characters deleted outright: combining marks and format characters (U+200B-U+200D,
# U+2060, U+FEFF, U+00AD, bidi controls, ...).
_DELETED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})

# Look-alikes and letters without a decomposition, mapped to what a reader sees.
_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    **dict(zip("авгеёкмнопрстухьіїјѕԁԛԝһӏӀ", "abreekmhonpctyxbiijsdqwhll", strict=True)),
    # Greek: capitals first, as some look unlike their lower case (Η is h, η is n)
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "abezhikmnoptyx", strict=True)),
    **dict(zip("αβγεηικμνορσςτυχωϲϳ", "abyenikuvoposutxwcj", strict=True)),
    # Latin letters without a decomposition, and small capitals
    **dict(zip("ßøðþıłđħŧƒɑɡɩ", "sodtildhtfagi", strict=True)),
    **dict(zip("ᴀʙᴄᴅᴇғɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnoprstuvwyz", strict=True)),
    "æ": "ae",
    "œ": "oe",
}

#: Public view of the look-alike table (Cyrillic/Greek/small capitals → Latin, lower case).
LOOKALIKES: dict[str, str] = _LOOKALIKES

_LEET: dict[str, str] = dict(zip("013457@$€", "oieastase", strict=True))

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
assert all(len(_TABLE[i]) == 1 for i in range(128))

_NON_LATIN1 = re.compile(r"[^\x00-\xff]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


def _fold_beyond_latin1(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: a run of characters outside Latin-1 is replaced by its fold
    (which the encoder rejects in turn when it is not Latin-1 itself)."""
    if not isinstance(error, UnicodeEncodeError):  # pragma: no cover - registered for encoding only
        raise error
    return error.object[error.start : error.end].translate(_TABLE), error.end


_FOLD_ERRORS = "modconsole.detect.fold"
codecs.register_error(_FOLD_ERRORS, _fold_beyond_latin1)


def _fold_bytes(text: str) -> bytes | None:
    """Return ``fold(text)`` as ASCII bytes, or None when a fold is not Latin-1 (Cyrillic
    words, CJK...): the byte path of :func:`fold`, without its decoding. Characters outside
    Latin-1 are folded run by run by the encoder's error handler (a regex looking for them
    costs more than the whole encoding)."""
    if text.isascii():
        return text.encode("ascii").translate(_BYTES, _BYTES_DELETE)
    if "\u2019" in text:  # the typographic apostrophe, by far the most frequent
        text = text.replace("\u2019", "'")
    try:
        raw = text.encode("latin-1", _FOLD_ERRORS)
    except UnicodeEncodeError:
        return None
    return raw.translate(_BYTES, _BYTES_DELETE)


def fold(text: str) -> str:
    """Return ``text`` with every character replaced by its fold (step 1 only).

    Latin-1 text goes through one ``bytes.translate``; other characters are folded run by
    run first (folding is idempotent), and only text whose folds are not Latin-1 itself
    (Cyrillic words, CJK...) pays for a full ``str.translate``.
    """
    raw = _fold_bytes(text)
    if raw is not None:
        return raw.decode("ascii")
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    return _NON_LATIN1.sub(_fold_run, text).translate(_TABLE)


_BANG_INSIDE = re.compile(r"(?<=[^\W_])!(?=[^\W_])")
# A whole run of "*" not both preceded and followed by a letter or digit.
_STAR_OUTSIDE = re.compile(r"(?<!\*)(?:(?<![^\W_])\*+(?!\*)|\*+(?!\*)(?![^\W_]))")


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def _fix_marks(text: str) -> str:
    """Step 2; keeps the length."""
    if "!" in text:
        text = _BANG_INSIDE.sub("i", text).replace("!", " ")
    if "*" in text:
        text = _STAR_OUTSIDE.sub(_blank, text)
    return text


_ALNUM_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _fix_bangs(raw: bytes) -> bytes:
    """The ``!`` half of step 2 on folded ASCII bytes, as ``_BANG_INSIDE`` reads it (a
    ``!`` between two letters or digits of the unchanged text is ``i``, any other a space),
    one ``find`` per ``!`` rather than a regex scan with look-arounds."""
    out = bytearray(raw)
    last = len(raw) - 1
    index = raw.find(b"!")
    while index != -1:
        inside = 0 < index < last and raw[index - 1] in _ALNUM_BYTES and raw[index + 1] in _ALNUM_BYTES
        out[index] = 105 if inside else 32  # "i", " "
        index = raw.find(b"!", index + 1)
    return bytes(out)


# A spaced "letter" may be repeated ("f uuu c k"): repeats collapse after the join.
_SPACED_GATE_SLOW = re.compile(r" ([^ ])\1* +([^ ])\2* +([^ ])\3* ")
_SINGLES = re.compile(r" [^ ] +[^ ] +[^ ] ")
_REPEATED_TOKEN = re.compile(r" ([^ ])\1+ ")




def _spaced(text: str) -> bool:
    """The spaced-letters gate: the plain single-letters test first (one cheap regex), the
    repeated-letter reading only when a token is one letter repeated."""
    return bool(_SINGLES.search(text) or _REPEATED_TOKEN.search(text) and _SPACED_GATE_SLOW.search(text))
_SPACED = re.compile(r"(?<= )([^ ])\1*(?: +([^ ])\2*(?= )){2,}")


_GAPS = re.compile(" +")


def _join_plan(segment: str, join_all: bool, blank: Sequence[bool] | None = None) -> list[bool]:
    """Return, for each character of a spaced-letters segment, whether it is kept.

    With ``join_all`` every gap goes. Otherwise the narrowest gaps are letter gaps and go,
    wider ones are word breaks and stay ("t h i n k   a b o u t" gives "think about").
    ``blank[i]`` tells whether character ``i`` of the segment was white space in the
    original (rather than a dot, a dash...): a gap of punctuation is narrower than a gap of
    white space of the same length, so "w.a.n.t t.o d.i.e" gives "want to die".
    """
    if join_all:
        return [c != " " for c in segment]
    gaps = [match.span() for match in _GAPS.finditer(segment)]

    def width(span: tuple[int, int]) -> tuple[bool, int]:
        start, stop = span
        return (blank is not None and any(blank[start:stop]), stop - start)

    narrow = min(width(gap) for gap in gaps)
    keep = [True] * len(segment)
    for start, stop in gaps:
        if width((start, stop)) == narrow:
            keep[start:stop] = [False] * (stop - start)
    return keep


def _word_joiner(blank: Sequence[bool] | None) -> Callable[[re.Match[str]], str]:
    def join(match: re.Match[str]) -> str:
        segment = match.group()
        first = match.start()
        marks = None if blank is None else blank[first : match.end()]
        return "".join(c for c, kept in zip(segment, _join_plan(segment, False, marks), strict=True) if kept)

    return join


def _blanks(text: str, padded_length: int) -> Sequence[bool] | None:
    """For each character of the padded fold of ``text``, whether it came from white space
    (the same reading :func:`analyse` makes from its offset map)."""
    if len(text) + 2 == padded_length and text.isascii():
        return [True, *(c.isspace() for c in text), True]
    _, sources = _fold_with_sources(text)
    if len(sources) + 2 != padded_length:
        return None
    return [True, *(text[i].isspace() for i in sources), True]


def _join_all(match: re.Match[str]) -> str:
    return match.group().replace(" ", "")


_RUN = re.compile(r"(.)\1+", re.DOTALL)
_NONZERO = bytes([0]) + bytes([255]) * 255


def _dup_mask(raw: bytes) -> bytes:
    """Return a mask of ``raw``: NUL where a byte equals the one before it, 0xFF elsewhere
    (big-integer arithmetic, so a handful of C calls whatever the length)."""
    value = int.from_bytes(raw, "big")
    return (value ^ (value >> 8)).to_bytes(len(raw), "big").translate(_NONZERO)


def _collapse(text: str) -> str:
    """Step 5. For ASCII, done on the duplicate mask: several times faster than a regex."""
    if text.isascii():
        return _collapse_bytes(text.encode("ascii"))
    return _RUN.sub(r"\1", text)


def _collapse_bytes(raw: bytes) -> str:
    """Step 5 on ASCII bytes without NUL (see :func:`_dup_mask`), decoded."""
    size = len(raw)
    value = int.from_bytes(raw, "big")
    mask = (value ^ (value >> 8)).to_bytes(size, "big").translate(_NONZERO)
    kept = value & int.from_bytes(mask, "big")
    return kept.to_bytes(size, "big").replace(b"\x00", b"").decode("ascii")


def _runs(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, stop)`` of every run of two or more equal characters."""
    if not text.isascii():
        return [match.span() for match in _RUN.finditer(text)]
    mask = _dup_mask(text.encode("ascii"))
    spans: list[tuple[int, int]] = []
    stop = 0
    while (start := mask.find(0, stop)) != -1:
        stop = mask.find(255, start)
        if stop == -1:
            stop = len(mask)
        spans.append((start - 1, stop))
    return spans


def _prepared(text: str) -> str:
    folded = fold(text)
    if "!" in folded or "*" in folded:
        folded = _fix_marks(folded)
    return f" {folded} "


def skeletons(text: str) -> tuple[str, ...]:
    """Return the padded matching skeleton of ``text``, and a second one joining every gap
    when ``text`` has spaced letters with gaps of different widths (is "k.i.l.l m.e" one
    word or two?). The first is :func:`skeleton`, the second ``analyse(text, True).text``."""
    raw = _fold_bytes(text)
    if raw is not None:
        if b"!" in raw:
            raw = _fix_bangs(raw)
        if b"*" in raw:
            raw = _fix_marks(raw.decode("ascii")).encode("ascii")
        # the common case, all in bytes: fold, pad, collapse (what _prepared and _collapse do)
        collapsed = _collapse_bytes(b" " + raw + b" ")
        if not _SINGLES.search(collapsed):
            return (collapsed,)
    folded = _prepared(text)
    collapsed = _collapse(folded)
    # the spaced-letters gate, read on the collapsed string: a token of one letter repeated
    # is one letter there and runs of spaces are one space, so ``_spaced(folded)`` is one
    # search for three single-letter tokens in a row
    if not _SINGLES.search(collapsed):
        return (collapsed,)
    words = _SPACED.sub(_word_joiner(_blanks(text, len(folded))), folded)
    joined = _SPACED.sub(_join_all, folded)
    if words == joined:
        return (_collapse(words),)
    return _collapse(words), _collapse(joined)


def skeleton(text: str) -> str:
    """Return the padded matching skeleton of ``text`` (starts and ends with one space)."""
    folded = _prepared(text)
    collapsed = _collapse(folded)
    if not _SINGLES.search(collapsed):  # not _spaced(folded): see skeletons()
        return collapsed
    folded = _SPACED.sub(_word_joiner(_blanks(text, len(folded))), folded)
    return _collapse(folded)


@dataclass(slots=True)
class Folded:
    """The skeleton of a text and what is needed to map it back to the original.

    ``sources[p]`` is the original index of character ``p`` of the *expanded* skeleton (padded
    and joined, before runs were collapsed); each collapsed run is recorded by its skeleton
    index, its expanded index and its length. Lookups cost a binary search over the runs,
    so that building this stays cheap for a text of which only a few words matter.
    """

    text: str
    sources: Sequence[int]
    run_at: list[int]
    run_from: list[int]
    run_length: list[int]

    def _locate(self, index: int) -> tuple[int, int]:
        """Return the expanded index where skeleton character ``index`` starts, and its run."""
        r = bisect_right(self.run_at, index) - 1
        if r < 0:
            return index, 1
        if self.run_at[r] == index:
            return self.run_from[r], self.run_length[r]
        return self.run_from[r] + self.run_length[r] + index - self.run_at[r] - 1, 1

    def run(self, index: int) -> int:
        """Return how many characters skeleton character ``index`` stood for."""
        return self._locate(index)[1]

    def runs_between(self, first: int, stop: int) -> dict[int, int]:
        """Return ``{skeleton index: run length}`` for the collapsed runs in ``first:stop``."""
        low, high = bisect_left(self.run_at, first), bisect_left(self.run_at, stop)
        return dict(zip(self.run_at[low:high], self.run_length[low:high], strict=True))

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """Return the original ``(start, end)`` of skeleton characters ``first:stop``."""
        begin, _ = self._locate(first)
        last, length = self._locate(stop - 1)
        return self.sources[begin], self.sources[last + length - 1] + 1

    def starts(self) -> list[int]:
        """Return, for each skeleton character, the original index where it starts."""
        return [self.sources[self._locate(i)[0]] for i in range(len(self.text))]


# Characters whose fold is not exactly one character: all outside Latin-1 are checked.
_IRREGULAR = re.compile(
    "[^" + "".join(re.escape(chr(b)) for b in range(256) if b not in _BYTES_DELETE) + "]+"
)


def _fold_with_sources(text: str) -> tuple[str, Sequence[int]]:
    """Return ``fold(text)`` and, for each of its characters, the index it came from."""
    folded = fold(text)
    if (
        text.isascii()
        or len(folded) == len(text)
        and all(len(_TABLE[ord(c)]) == 1 for match in _IRREGULAR.finditer(text) for c in match.group())
    ):
        return folded, range(len(text))
    sources: list[int] = []
    for index, ch in enumerate(text):
        sources.extend([index] * len(_TABLE[ord(ch)]))
    return folded, sources


def analyse(text: str, join_all: bool = False) -> Folded:
    """Return the skeleton of ``text`` (equal to :func:`skeleton`, or with ``join_all`` to
    the second of :func:`skeletons`) with its offset map.

    The padding spaces map to the first and the last character of ``text``.
    """
    folded, inner = _fold_with_sources(text)
    if "!" in folded or "*" in folded:
        folded = _fix_marks(folded)
    folded = f" {folded} "
    edge = max(len(text) - 1, 0)
    sources: Sequence[int] = _Padded(inner, edge)
    if _spaced(folded):
        pieces: list[str] = []
        kept: list[int] = []
        position = 0
        for match in _SPACED.finditer(folded):
            first, stop = match.span()
            pieces.append(folded[position:first])
            kept.extend(sources[i] for i in range(position, first))
            marks = [text[sources[i]].isspace() for i in range(first, stop)]
            for index, keep in zip(range(first, stop), _join_plan(folded[first:stop], join_all, marks), strict=True):
                if keep:
                    pieces.append(folded[index])
                    kept.append(sources[index])
            position = stop
        pieces.append(folded[position:])
        kept.extend(sources[i] for i in range(position, len(folded)))
        folded, sources = "".join(pieces), kept
    run_at: list[int] = []
    run_from: list[int] = []
    run_length: list[int] = []
    dropped = 0
    for first, stop in _runs(folded):
        run_at.append(first - dropped)
        run_from.append(first)
        run_length.append(stop - first)
        dropped += stop - first - 1
    return Folded(_collapse(folded), sources, run_at, run_from, run_length)


class _Padded(Sequence[int]):
    """``inner`` seen through the padding: index 0 and the index past the end map to the
    text's edges."""

    __slots__ = ("edge", "inner")

    def __init__(self, inner: Sequence[int], edge: int) -> None:
        self.inner = inner
        self.edge = edge

    def __len__(self) -> int:
        return len(self.inner) + 2

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        if index <= 0:
            return 0
        if index > len(self.inner):
            return self.edge
        return self.inner[index - 1]


def absorb_marks(text: str, end: int) -> int:
    """Return ``end`` moved past the combining marks that follow it, so that a span keeps
    the accents of its last letter."""
    size = len(text)
    while end < size and unicodedata.category(text[end])[0] == "M":
        end += 1
    return end


def normalize(text: str) -> tuple[str, list[int]]:
    """Return ``(folded, offsets)``: the skeleton of ``text`` without its padding spaces,
    and for each of its characters the offset in ``text`` where it starts."""
    result = analyse(text)
    return result.text[1:-1], result.starts()[1:-1]
