"""Phone numbers spelled out in French or English words, alone or mixed with digits.

"zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit", "zéro six un deux trois…",
"06 douze 34 56 78", "oh seven seven double oh, nine hundred, one two three",
"four one five five five five two six seven one", "plus trente-trois six…".

The folded text is cut into tokens (words and digit runs); a *run* is a sequence of number
tokens separated only by spaces, commas, dots, hyphens or slashes (at most four characters).
The run is read into digit *chunks* on a mapped copy that keeps each chunk's span:

* French: units (``zéro``…``neuf``; ``un`` too, but it never starts a run on its own word),
  ``dix``…``seize``, ``dix-sept``…``dix-neuf``, tens ``vingt``…``soixante`` and the Belgian and
  Swiss ``septante``, ``huitante``/``octante``, ``nonante``, with a unit (``trente-quatre``,
  ``vingt et un``), ``soixante``/``quatre-vingt`` with ``dix``…``dix-neuf`` (``soixante-dix-huit``,
  ``soixante et onze``, ``quatre-vingt-dix-neuf``). A ten and its unit are read as one pair only
  across a space or a hyphen, not across a comma; ``quatre`` before ``vingt`` is not a ten's
  unit ("trente quatre-vingt-dix-sept" is 30 then 97), and ``quatre-vingts`` with its s stands
  alone ("quatre-vingts treize" is 80 then 13);
* English: ``zero``/``oh``/``o``/``nought``…``nine``, ``ten``…``nineteen``, ``twenty``…``ninety``
  with a unit, ``double``/``triple`` before a digit, a unit before ``hundred`` (``nine hundred``);
* digit runs are taken as they are; ``plus`` (or ``+``) at the start makes the number
  international.

Only a sequence of chunks whose digits make a whole phone number counts, under the rules of
:mod:`.pii_phone` for a number whose grouping is unknown: a trunk-0 number must be possible
for a declared region, a NANP number must be valid,
an international one possible. The sequence must hold at least one number word (all-digit
runs are the digit finder's), and a plain count ("one two three four five six seven eight nine
ten", "zéro un deux trois…") is not a number. Runs longer than 40 tokens are not read at all
(no phone is that long), which bounds the work on a body of number words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick

from .pii_phone import DEFAULT_REGIONS, Budget, rules_for

__all__ = ["NUMBER_TRIGGERS", "find_spelled_phones"]

_UNITS: dict[str, int] = {
    "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9,
    "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS: dict[str, int] = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
_JOINERS = frozenset({"et", "and"})
_SPECIAL = frozenset({"hundred", "plus"})
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TEENS) | frozenset(_TENS) | frozenset(_REPEAT) | _SPECIAL

# Number words that count towards the gate: all but the ones in almost every message.
_GATE_WORDS: tuple[str, ...] = tuple(sorted((set(_UNITS) | set(_TEENS) | set(_TENS)) - {"un", "une", "one", "o", "oh"}))

#: Words that make the spelled-out finder worth running (trigger kind ``"phone"``): the gate
#: words less the small numbers of everyday talk ("deux semaines", "two weeks", "trois jours",
#: "three times"). A spelled-out number always holds one of them: a French, Belgian, Swiss or
#: British national number starts with "zéro"/"zero" (or "oh", then a digit word of its own),
#: and a number made only of ones, twos and threes is rare enough to let go.
NUMBER_TRIGGERS: tuple[str, ...] = tuple(w for w in _GATE_WORDS if w not in {"deux", "trois", "two", "three"})


def _strong_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in _GATE_WORDS:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


# The gate: the number words, found in one C-speed pass (a message with "deux
# semaines" in it costs that pass, not a tokenisation).
_STRONG = _strong_automaton()

_TOKEN = re.compile(r"[^\W\d_]+|[0-9]+|\+")
_LIGHT_GAP = re.compile(r"[\s,.\-/]{0,4}")
_PAIR_GAP = re.compile(r"[ \t\-]{1,3}")
_MAX_RUN = 40


@dataclass(slots=True)
class _Token:
    word: str
    start: int
    end: int
    gap: str  # the text between the previous token and this one


@dataclass(slots=True)
class _Chunk:
    digits: str
    start: int
    end: int
    spoken: bool  # read from words (not a digit run)
    value: int  # the number it stands for (a digit run: its value), for the counting guard


def _is_number(token: str) -> bool:
    return token.isdigit() or token in _NUMBER_WORDS or token in _JOINERS or token == "+"


def _runs(lower: str) -> list[list[_Token]]:
    """Return the runs of number tokens of ``lower`` (see the module docstring)."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    previous_end = -1
    for match in _TOKEN.finditer(lower):
        word = match.group()
        start, end = match.span()
        gap = lower[previous_end:start] if previous_end >= 0 else ""
        previous_end = end
        if not _is_number(word):
            if current:
                runs.append(current)
                current = []
            continue
        if current and word not in ("plus", "+") and _LIGHT_GAP.fullmatch(gap) is not None:
            current.append(_Token(word, start, end, gap))
            continue
        if current:
            runs.append(current)
        current = [] if word in _JOINERS else [_Token(word, start, end, "")]
    if current:
        runs.append(current)
    return [run for run in runs if 4 <= len(run) <= _MAX_RUN]


def _pair(tokens: list[_Token], k: int) -> bool:
    """Whether token ``k`` may be read together with the token before it."""
    return k < len(tokens) and _PAIR_GAP.fullmatch(tokens[k].gap) is not None


def _tail(tokens: list[_Token], k: int, base: int) -> tuple[int, int]:
    """Read what may follow a ten (``base``) from token ``k``; return (value, next index)."""
    if not _pair(tokens, k):
        return base, k
    word = tokens[k].word
    if word in _JOINERS and k + 1 < len(tokens) and _pair(tokens, k + 1):
        following = tokens[k + 1].word
        if following in ("un", "une", "one", "onze"):
            return base + (11 if following == "onze" else 1), k + 2
        return base, k
    if base in (60, 80) and word == "dix":
        if _pair(tokens, k + 1) and tokens[k + 1].word in ("sept", "huit", "neuf"):
            return base + 10 + _UNITS[tokens[k + 1].word], k + 2
        return base + 10, k + 1
    if base in (60, 80) and word in _TEENS and _TEENS[word] <= 16:
        return base + _TEENS[word], k + 1
    unit = _UNITS.get(word)
    if unit is not None and unit > 0 and word not in ("o", "oh"):
        if word == "quatre" and k + 1 < len(tokens) and tokens[k + 1].word in ("vingt", "vingts"):
            return base, k  # "trente quatre-vingt-dix-sept" is 30 then 97
        return base + unit, k + 1
    return base, k


def _segments(tokens: list[_Token]) -> list[list[_Chunk]]:
    """Read a run into segments of digit chunks; a token that cannot be read where it stands
    (a lone joiner or modifier) ends a segment."""
    segments: list[list[_Chunk]] = []
    chunks: list[_Chunk] = []
    k = 0
    size = len(tokens)
    while k < size:
        token = tokens[k]
        word = token.word
        start = token.start
        nxt = tokens[k + 1].word if k + 1 < size else ""
        if word.isdigit():
            chunks.append(_Chunk(word, start, token.end, False, int(word)))
            k += 1
        elif word in ("plus", "+") and not chunks:
            chunks.append(_Chunk("+", start, token.end, False, -1))
            k += 1
        elif word in _REPEAT and nxt in _UNITS:
            digit = str(_UNITS[nxt])
            chunks.append(_Chunk(digit * _REPEAT[word], start, tokens[k + 1].end, True, -1))  # never counted
            k += 2
        elif word == "quatre" and _pair(tokens, k + 1) and nxt in ("vingt", "vingts"):
            # "quatre-vingts" with its s stands alone: "quatre-vingts treize" is 80 then 13
            value, k = (80, k + 2) if nxt == "vingts" else _tail(tokens, k + 2, 80)
            chunks.append(_Chunk(str(value), start, tokens[k - 1].end, True, value))
        elif word in _TENS:
            value, k = _tail(tokens, k + 1, _TENS[word])
            chunks.append(_Chunk(str(value), start, tokens[k - 1].end, True, value))
        elif word == "dix" and _pair(tokens, k + 1) and nxt in ("sept", "huit", "neuf"):
            chunks.append(_Chunk(str(10 + _UNITS[nxt]), start, tokens[k + 1].end, True, 10 + _UNITS[nxt]))
            k += 2
        elif word in _TEENS:
            chunks.append(_Chunk(str(_TEENS[word]), start, token.end, True, _TEENS[word]))
            k += 1
        elif word in _UNITS and _UNITS[word] > 0 and nxt == "hundred" and _pair(tokens, k + 1):
            chunks.append(_Chunk(f"{_UNITS[word]}00", start, tokens[k + 1].end, True, _UNITS[word] * 100))
            k += 2
        elif word in _UNITS:
            chunks.append(_Chunk(str(_UNITS[word]), start, token.end, True, _UNITS[word]))
            k += 1
        else:
            if chunks:
                segments.append(chunks)
            chunks = []
            k += 1
    if chunks:
        segments.append(chunks)
    return segments


def _counting(chunks: Sequence[_Chunk]) -> bool:
    """Whether ``chunks`` are numbers counted up or down ("un deux trois… dix")."""
    values = [c.value for c in chunks]
    if len(values) < 4 or any(v < 0 for v in values):
        return False
    steps = {b - a for a, b in zip(values, values[1:], strict=False)}
    return steps == {1} or steps == {-1}


def _gate(lower: str) -> bool:
    """Whether ``lower`` holds three trigger number words, or one and four digits."""
    size = len(lower)
    strong = 0
    for last, length in _STRONG.iter(lower):
        first = last - length + 1
        if (first == 0 or not lower[first - 1].isalpha()) and (last + 1 == size or not lower[last + 1].isalpha()):
            strong += 1
            if strong >= 3:
                return True
    if not strong:
        return False
    raw = lower.encode("utf-8", "surrogatepass")
    return len(raw) - len(raw.translate(None, b"0123456789")) >= 4


def find_spelled_phones(
    text: str,
    regions: Sequence[str] = DEFAULT_REGIONS,
    budget: Budget | None = None,
    lower: str | None = None,
) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of phone numbers written (partly) in words in
    ``text`` (a folded text). ``lower`` is ``text`` lower-cased with the same length, if the
    caller has it."""
    if lower is None or len(lower) != len(text):
        lower = text.lower()
        if len(lower) != len(text):  # a few letters lower-case to two characters: keep offsets
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if not _gate(lower):
        return []
    budget = budget if budget is not None else Budget()
    rules = rules_for(tuple(regions))
    spans: list[tuple[int, int]] = []
    for chunks in (segment for run in _runs(lower) for segment in _segments(run)):
        if budget.exhausted:
            break
        plus = chunks[0].digits == "+"
        s = 1 if plus else 0
        while s < len(chunks) and not budget.exhausted:
            best = -1
            digits = ""
            for e in range(s, len(chunks)):
                digits += chunks[e].digits
                budget.windows += 1
                if len(digits) > 15:
                    break
                window = chunks[s : e + 1]
                if len(digits) < 8 or not any(c.spoken for c in window):
                    continue
                if _counting(window):
                    continue
                if plus and s == 1:
                    ok = rules.international(digits, budget)
                else:
                    ok = rules.national(digits, (), budget)
                if ok:
                    best = e
            if best >= 0:
                first = 0 if plus and s == 1 else s
                spans.append((chunks[first].start, chunks[best].end))
                budget.hits += 1
                s = best + 1
            elif plus and s == 1:
                plus = False
                s = 1
            else:
                s += 1
    return spans
