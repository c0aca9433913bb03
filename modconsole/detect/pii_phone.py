"""Phone numbers written in digits, in the national formats of the regions a community declares.

The finder reads the folded text of :mod:`.pii_fold` (fullwidth digits are ASCII there, zero-width
characters are gone) and returns ``(start, end)`` spans of that text.

**Candidates.** A candidate is a run of digit groups separated by one to three of `` .-/`` (or a
tab), a group possibly in parentheses (``(415)``, ``(0)``), the run possibly starting with ``+``;
it must not continue a word or a decimal number. Within a run, numbers are looked for at group
boundaries only (a long bare run of digits is never cut), the longest acceptable window first,
so that two numbers written one after the other are two hits.

**International numbers** (``+``, ``00`` where a declared region dials ``00``, ``011`` where a
declared region is in the NANP): the digits after the prefix, a ``(0)`` trunk group after the
country code dropped, must make a *possible* number (``phonenumbers``' length check) for their
country code. The ``+`` is evidence enough.

**National numbers**, the rule per style (``phonenumbers`` decides the lengths from its
metadata, the structure is checked here):

* *trunk-0 regions* (FR, BE, CH, GB and any region whose national prefix is ``0``): the number
  starts with the trunk ``0`` followed by a non-zero digit (``00`` is the international prefix).
  Either it is one bare run (``0612345678``, ``07700900123``) or every group has at least two
  digits, the first two to five (``06 12 34 56 78`` FR; ``020 7946 0958``, ``07700 900123``,
  ``0161 496 0000`` GB; ``0470 12 34 56``, ``02 123 45 67``, ``0470/12.34.56`` BE;
  ``079 123 45 67``, ``044 668 18 00`` CH); a lone ``0`` first group is allowed for the French
  way of writing special numbers (``0 800 12 34 56``). The number must be possible for the
  region and have at least nine digits with the trunk, or else be valid (an eight-digit run
  starting with 0, like a date ``06122024``, is not taken on length alone).
* *NANP regions* (US, CA): ten digits, optionally after a leading ``1``, the area code starting
  with 2-9; grouped 3-3-4 (``(415) 555-2671``, ``415-555-2671``, ``415.555.2671``,
  ``415 555 2671``), 1-3-3-4, 3-7, 1-3-7, or bare. A grouped number must be possible (the
  exchange is not checked: a written ``(408) 023-0025`` is a phone number to a moderator); a
  bare run of ten or eleven digits must be *valid* for a declared NANP region, since bare
  ten-digit runs are often identifiers.
* *other regions* (a community may declare any region ``phonenumbers`` knows): one bare run
  or groups of two digits or more, valid for the region.

Possible rather than valid is the lenient level: it keeps the reserved and fictional ranges a
moderator still wants hidden (ARCEP's ``01 99 00 xx xx``, the US ``555-01xx``, Ofcom's
``07700 900xxx`` and ``020 7946 0xxx``), which ``phonenumbers`` calls possible but not always
valid.

**Not phones.** A window is dropped when it looks like a date (``06/12/2024``, ``06.12.2024``;
``/`` is accepted only as the first separator, as in Belgian ``0470/12 34 56``), when it is glued
to digit groups around it by something else than spaces (``978-0-8665-4410-7``: part of a
longer code), when it is directly followed by a letter or by a decimal part, when a currency or
a unit follows it or a currency precedes it (prices, amounts), or when one of the words of an
order, ticket, invoice, tracking, account, IBAN/SIRET, serial... number precedes it or its run
within 30 characters, possibly followed by "n°"/"numéro" and a few code tokens holding digits
("tracking: 1Z 999 AA1 01 2345 6784"). Years, times and postal codes never reach the length or
the structure of a phone.

**Bounded work.** Structure, and the lengths the metadata allows, are checked before any
``phonenumbers`` call; windows are tried longest first and the first acceptable one is kept;
library calls are cached and counted in a :class:`Budget` (at most 400 per scan, and at most
100 numbers reported), so a body of 32k characters of digits costs a bounded number of library
calls, a number of window checks linear in its length, and one pass of a regular expression
without backtracking (possessive quantifiers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, ValidationResult

__all__ = ["DEFAULT_REGIONS", "Budget", "PhoneRules", "find_digit_phones", "rules_for"]

#: Regions whose national formats are recognised when a community declares none.
DEFAULT_REGIONS: tuple[str, ...] = ("FR", "BE", "CH", "CA", "GB", "US")

_MAX_DIGITS = 15  # E.164


@dataclass(slots=True)
class Budget:
    """The work one scan may spend in ``phonenumbers`` and the numbers it may report."""

    max_checks: int = 400
    max_hits: int = 100
    checks: int = 0  # phonenumbers calls made (cached answers are free)
    hits: int = 0
    windows: int = 0  # candidate windows whose structure was looked at

    def spend(self) -> bool:
        """Count one library call; return whether it may be made."""
        if self.checks >= self.max_checks:
            return False
        self.checks += 1
        return True

    @property
    def exhausted(self) -> bool:
        """Whether no further number may be reported or checked."""
        return self.hits >= self.max_hits or self.checks >= self.max_checks


# --- phonenumbers, cached -------------------------------------------------------------------

_CACHE: dict[tuple[str, int, str], bool] = {}
_CACHE_SIZE = 20_000


def _cached(kind: str, code: int, digits: str, region: str, budget: Budget) -> bool:
    key = (kind + region, code, digits)
    found = _CACHE.get(key)
    if found is not None:
        return found
    if not budget.spend():
        return False
    try:
        if kind == "parse":  # a region without a known national style
            number = phonenumbers.parse(digits, region)
            result = number.country_code == code and phonenumbers.is_valid_number_for_region(number, region)
        elif kind == "intl":
            number = phonenumbers.parse("+" + digits, None)
            result = phonenumbers.is_possible_number_with_reason(number) == ValidationResult.IS_POSSIBLE
        else:
            number = PhoneNumber(country_code=code, national_number=int(digits))
            if kind == "possible":
                result = phonenumbers.is_possible_number_with_reason(number) == ValidationResult.IS_POSSIBLE
            else:  # "valid"
                result = phonenumbers.is_valid_number_for_region(number, region)
    except Exception:  # a third-party parser must never take the scan down
        result = False
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = result
    return result


# --- regions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhoneRules:
    """What the declared regions make of a digit string (see the module docstring)."""

    trunk0: tuple[tuple[str, int, frozenset[int]], ...]  # region, country code, national lengths
    nanp: tuple[str, ...]  # declared regions of country code 1
    other: tuple[tuple[str, int, frozenset[int]], ...]  # other known regions, their lengths
    intl_00: bool  # whether some declared region dials 00 for abroad
    intl_011: bool
    max_digits: int  # the longest national number, trunk included

    def national(self, digits: str, lengths: Sequence[int], budget: Budget) -> bool:  # noqa: C901
        """Whether ``digits``, written as groups of ``lengths`` (one bare group, or ``()``
        when the grouping is unknown, as for numbers spelled out), is a national number."""
        size = len(digits)
        bare = len(lengths) <= 1
        if digits[0] == "0":
            if size < 8 or digits[1] == "0":
                return False
            if not bare and not _trunk0_grouping(lengths, digits[1:]):
                return False
            national = digits[1:]
            for region, code, sizes in self.trunk0:
                if size - 1 not in sizes:
                    continue  # the metadata's possible lengths, checked before any library call
                if _cached("possible", code, national, region, budget) and (
                    size >= 9 or _cached("valid", code, national, region, budget)
                ):
                    return True
        if self.nanp and size in (10, 11):
            core = digits[1:] if size == 11 else digits
            if (size == 10 or digits[0] == "1") and core[0] in "23456789":
                grouped = not bare and _nanp_grouping(lengths)
                if grouped and _cached("possible", 1, core, self.nanp[0], budget):
                    return True
                elif bare:
                    if any(_cached("valid", 1, core, region, budget) for region in self.nanp):
                        return True
        if self.other and (bare or all(n >= 2 for n in lengths)):
            return any(
                _cached("parse", code, digits, region, budget)
                for region, code, sizes in self.other
                if size in sizes or size - 1 in sizes
            )
        return False

    def international(self, digits: str, budget: Budget) -> bool:
        """Whether ``digits`` (country code first, prefix removed) is a possible number."""
        return 8 <= len(digits) <= _MAX_DIGITS and _cached("intl", 0, digits, "", budget)


@lru_cache(maxsize=64)
def rules_for(regions: tuple[str, ...]) -> PhoneRules:
    """Return the rules of the declared ``regions`` (unknown region codes are ignored)."""
    trunk0: list[tuple[str, int, frozenset[int]]] = []
    nanp: list[str] = []
    other: list[tuple[str, int, frozenset[int]]] = []
    prefixes: set[str] = set()
    longest = 11 if any(phonenumbers.country_code_for_region(r.upper()) == 1 for r in regions) else 0
    for region in dict.fromkeys(r.upper() for r in regions):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        code = phonenumbers.country_code_for_region(region)
        prefixes.add(metadata.international_prefix or "")
        sizes = frozenset(n for n in metadata.general_desc.possible_length if n > 0)
        if code == 1:
            nanp.append(region)
            continue
        longest = max(longest, max(sizes, default=0) + 1)
        if metadata.national_prefix == "0":
            trunk0.append((region, code, sizes))
        else:
            other.append((region, code, sizes))
    return PhoneRules(
        tuple(trunk0), tuple(nanp), tuple(other), "00" in prefixes, "011" in prefixes, min(longest, _MAX_DIGITS)
    )


def _trunk0_grouping(lengths: Sequence[int], second: str = "") -> bool:
    """Groups of two digits or more, the first of two to five; or a lone trunk ``0`` before a
    group of three starting with 8 or 9 (French special numbers, ``0 800 12 34 56``)."""
    first = lengths[0]
    if first == 1:
        if len(lengths) > 1 and (lengths[1] != 3 or second[:1] not in ("8", "9")):
            return False
    elif not 2 <= first <= 5:
        return False
    return all(n >= 2 for n in lengths[1:])


def _trunk0_prefix_ok(lengths: Sequence[int], digits: str) -> bool:
    """Whether a window whose groups start with ``lengths`` may still become trunk-0 grouped."""
    return len(lengths) == 1 or _trunk0_grouping(lengths, digits[1:])


_NANP_GROUPINGS = frozenset({(3, 3, 4), (1, 3, 3, 4), (3, 7), (1, 3, 7), (1, 10)})
_NANP_PREFIXES = frozenset(g[:i] for g in _NANP_GROUPINGS for i in range(1, len(g) + 1))


def _nanp_grouping(lengths: Sequence[int]) -> bool:
    return tuple(lengths) in _NANP_GROUPINGS


# --- the finder -------------------------------------------------------------------------------

_SEP = r"(?:[ \t.\-/]{1,3}+|(?<=\))|(?=\())"
_RUN = re.compile(rf"(?<![\w+])(?<![0-9][.,])\+?\(?[0-9]++\)?(?:{_SEP}\(?[0-9]++\)?)*+")
_GROUP = re.compile(r"\(?([0-9]+)\)?")
_DATE_SEPARATORS = frozenset("/.-")

_NOT_PHONE_WORDS = (
    r"n°|nº|no\.|#|commande|cmd|order|r[ée]f|r[ée]f[ée]rence|reference|facture|invoice|bill|suivi|"
    r"tracking|track|siret|siren|iban|bic|swift|tva|vat|colis|parcel|package|ticket|dossier|case|"
    r"client|customer|account|acct|compte|transaction|booking|r[ée]servation|confirmation|serial|"
    r"s[ée]rie|imei|isbn|ean|sku|lot|matricule|contrat|contract|policy|licen[cs]e|permis|passeport|"
    r"passport|carte|card|code|pin|otp|badge|adh[ée]rent|membre|member|id|identifiant|ss|s[ée]cu|"
    r"nir|loto|lotto|tirage|score|ref\.|réf\."
)
_BEFORE = re.compile(
    rf"(?i:(?<![^\W\d_])(?:{_NOT_PHONE_WORDS})(?:[\s:=°.\-]{{0,3}}+(?:n°|nº|no\.?|num[ée]ro|number|nr|num)"
    r"(?![^\W\d_]))?[\s:#=°.\-]{0,3}+(?:[a-z]{0,3}[0-9][a-z0-9]{0,5}[\s\-]){0,4}+$|[$€£¥]\s?$)"
)
_AFTER = re.compile(
    r"(?i:\s?(?:[€$£¥%]|(?:eur|euros?|usd|chf|gbp|dollars?|francs?|balles|km|kg|ms|mb|go|gb|mo|ko|kb)"
    r"(?![^\W\d_])))|[.,][0-9]"
)


@dataclass(slots=True)
class _Group:
    digits: str
    start: int
    end: int
    sep: str  # the separator written before the group ("" for the first)
    paren: bool


def _groups(text: str, run: re.Match[str]) -> list[_Group]:
    groups: list[_Group] = []
    base = run.start()
    segment = run.group()
    previous = 0
    for match in _GROUP.finditer(segment):
        start, end = match.span()
        groups.append(
            _Group(match.group(1), base + start, base + end, segment[previous:start], segment[start] == "(")
        )
        previous = end
    return groups


def _looks_like_date(groups: list[_Group], i: int) -> bool:
    """Whether groups ``i``, ``i+1``, ``i+2`` are a day, a month and a year (either order of
    day and month) joined by one date separator that does not go on to a fourth group."""
    if i + 2 >= len(groups):
        return False
    a, b, c = groups[i], groups[i + 1], groups[i + 2]
    if not (len(a.digits) <= 2 and len(b.digits) <= 2 and len(c.digits) in (2, 4)):
        return False
    if b.sep != c.sep or b.sep not in _DATE_SEPARATORS:
        return False
    if i + 3 < len(groups) and groups[i + 3].sep == b.sep:
        return False
    day, month = int(a.digits), int(b.digits)
    return 1 <= day <= 31 and 1 <= month <= 12 or 1 <= day <= 12 and 1 <= month <= 31


def _not_a_phone(text: str, start: int, end: int, run_start: int) -> bool:
    if end < len(text) and text[end].isalnum():
        return True
    if _AFTER.match(text, end, min(len(text), end + 12)):
        return True
    if _BEFORE.search(text, max(0, start - 30), start) is not None:
        return True
    return run_start < start and _BEFORE.search(text, max(0, run_start - 30), run_start) is not None


def _attached(groups: list[_Group], first: int, last: int) -> bool:
    """Whether the window is glued to the groups around it by something else than spaces
    (``978-0-8665-4410-7``: a part of a longer code, not a number of its own)."""
    if first > 0 and groups[first].sep.strip(" \t") != "":
        return True
    return last + 1 < len(groups) and groups[last + 1].sep.strip(" \t") != ""


def _windows(groups: list[_Group], rules: PhoneRules, budget: Budget, plus: bool) -> Iterator[tuple[int, int]]:
    """Yield ``(first, last)`` group indices of the phone numbers of one run."""
    count = len(groups)
    i = 0
    if plus or (rules.intl_00 and groups[0].digits[:2] == "00") or (
        rules.intl_011 and groups[0].digits[:3] == "011"
    ):
        first = groups[0].digits
        if not plus:
            first = first[3:] if first.startswith("011") and rules.intl_011 else first[2:]
        digits = first
        best = -1
        candidates: list[tuple[int, str]] = []
        for j in range(1, count + 1):
            if j > 1:
                group = groups[j - 1]
                if group.paren and group.digits == "0" and j == 2:
                    continue  # +33 (0)6 ...: the trunk written in parentheses
                digits += group.digits
            budget.windows += 1
            if len(digits) > _MAX_DIGITS:
                break
            if len(digits) >= 8:
                candidates.append((j - 1, digits))
        for j, digits in reversed(candidates):  # the longest number first
            if budget.exhausted:
                break
            if rules.international(digits, budget):
                best = j
                break
        if best >= 0:
            yield 0, best
            i = best + 1
    while i < count and not budget.exhausted:
        best = -1
        head = groups[i].digits
        if head[0] == "0" or head[0] in "123456789" and (rules.nanp or rules.other):
            if not _looks_like_date(groups, i):
                digits = ""
                lengths: list[int] = []
                candidates: list[tuple[int, str, tuple[int, ...]]] = []
                for j in range(i, count):
                    group = groups[j]
                    if j > i and group.sep.strip(" \t") == "/" and j > i + 1:
                        break  # "/" only after the first group
                    digits += group.digits
                    lengths.append(len(group.digits))
                    budget.windows += 1
                    if len(digits) > rules.max_digits:
                        break
                    if not (
                        (head[0] == "0" and _trunk0_prefix_ok(lengths, digits))
                        or tuple(lengths) in _NANP_PREFIXES
                        or len(lengths) == 1
                        or rules.other
                    ):
                        break
                    if len(digits) >= 8:
                        candidates.append((j, digits, tuple(lengths)))
                for j, digits, grouping in reversed(candidates):  # the longest number first
                    if rules.national(digits, grouping, budget):
                        best = j
                        break
        if best >= 0:
            yield i, best
            i = best + 1
        else:
            i += 1


def find_digit_phones(
    text: str, regions: Sequence[str] = DEFAULT_REGIONS, budget: Budget | None = None
) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the phone numbers written in digits in ``text``
    (a folded text: ASCII digits), in the national formats of ``regions`` or international."""
    budget = budget if budget is not None else Budget()
    rules = rules_for(tuple(regions))
    spans: list[tuple[int, int]] = []
    for run in _RUN.finditer(text):
        if budget.exhausted:
            break
        segment = run.group()
        if sum(c.isdigit() for c in segment) < 8:
            continue
        groups = _groups(text, run)
        plus = segment.startswith("+")
        for first, last in _windows(groups, rules, budget, plus):
            start = run.start() if first == 0 and plus else groups[first].start
            end = groups[last].end
            if _attached(groups, first, last) or _not_a_phone(text, start, end, run.start()):
                continue
            spans.append((start, end))
            budget.hits += 1
            if budget.hits >= budget.max_hits:
                break
    return spans
