"""The detector: lexicon terms (``self_harm``, ``offensive``) and personal details (``pii``).

One Aho-Corasick automaton holds, keyed by their padded skeleton (see :mod:`.normalize`),
every written form of every term, every exception phrase, and the trigger words of the
personal-detail finders. A scan folds the message with C-speed string operations and runs
the automaton once. Most messages end there. Only when a term key matched is the exact
offset map built (the slow path), the match checked (whole words by construction;
each letter of the term written as often in the text, or stretched to three or more, so
"as" is not "ass" and "rapped" is not "raped"; at least one real letter in the original span, so "455" is not "ass"; no overlap with
an exception phrase) and mapped back to the original text. Personal-detail finders run only
when their trigger words, an ``@`` or a run of digits are present.

The phrase grammar (:mod:`.grammar`) rides on the same automaton: the trigger words of its
rules are keys too, and only when one of them was seen do the triggered rules run, on the
skeleton the slow path builds anyway. A grammar hit has ``kind="grammar"`` and the rule's
name as its ``term``; exception phrases drop grammar hits as they drop lexicon hits.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

import ahocorasick

from .grammar import Grammar, Rule, load_default_grammar, match_rules
from .lexicon import exception_forms, load_default_exceptions, load_default_terms, written_forms
from .model import Hit, Term, tidy
from .normalize import _prepared as prepare
from .normalize import _spaced, absorb_marks, analyse, skeleton, skeletons
from .pii import ALL_TRIGGERS, DEFAULT_REGIONS, needs_scan, scan_pii, should_scan

__all__ = ["Detector"]

# Flags carried by automaton keys: a term (the slow path must run), an exception phrase
# (only matters next to a term), trigger words of the personal-detail finders.
_LEXICON = 1
_EXCEPTION = 32
_GRAMMAR = 64
_PII_FLAGS = {kind: 128 << i for i, kind in enumerate(sorted(ALL_TRIGGERS))}
_ANY_PII = sum(_PII_FLAGS.values())

# Skeletons longer than this search each grammar rule around its trigger words only.
_WINDOWED = 400

# Texts longer than this are scanned in overlapping windows (hits are deduplicated).
_WINDOW = 32_768
_OVERLAP = 1_024

# Compiled automata by their inputs: every Services object of a process (and every test)
# builds a detector from the same lexicon; compiling it costs about half a second. The
# automaton is only read after it is built, so detectors may share it.
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()
_AUTOMATA: OrderedDict[tuple[object, ...], tuple[Grammar, ahocorasick.Automaton | None]] = OrderedDict()

# One entry of an automaton value: the term (None for an exception phrase) and, for each
# character of the key, the minimum run length the text must show there.
_Entry = tuple[Term | None, tuple[int, ...]]
# An automaton value: the key's flags, its length, its entries, the grammar rules it triggers.
_Value = tuple[int, int, tuple[_Entry, ...], frozenset[int]]


class Detector:
    """Scans member text; build one per lexicon and reuse it (construction compiles the
    automaton, a scan is a few microseconds for an ordinary message)."""

    def __init__(
        self,
        terms: Iterable[Term] | None = None,
        *,
        pii: bool = True,
        exceptions: Iterable[str] | None = None,
        grammar: Grammar | None | bool = True,
        regions: Iterable[str] = DEFAULT_REGIONS,
    ) -> None:
        """``terms=None`` loads the shipped lexicons, ``exceptions=None`` the shipped
        exception phrases; ``pii=False`` turns the personal-detail finders off;
        ``grammar=True`` uses the shipped phrase grammar, ``False``/``None`` none, or a
        compiled :class:`Grammar`; ``regions`` are the regions whose national phone formats
        are personal details (ISO 3166 codes; the community's policy setting)."""
        self.terms: tuple[Term, ...] = tuple(load_default_terms() if terms is None else terms)
        self.exceptions: tuple[str, ...] = tuple(
            load_default_exceptions() if exceptions is None else exceptions
        )
        self.pii = pii
        self.regions: tuple[str, ...] = tuple(regions)
        if grammar is True:
            grammar = load_default_grammar()
        self.grammar: Grammar = grammar or Grammar()
        key = (self.terms, self.exceptions, self.pii, id(self.grammar))
        with _CACHE_LOCK:
            cached = _AUTOMATA.get(key)
            if cached is not None and cached[0] is self.grammar:
                _AUTOMATA.move_to_end(key)
                self._automaton = cached[1]
                return
        self._automaton = self._build()
        with _CACHE_LOCK:
            _AUTOMATA[key] = (self.grammar, self._automaton)
            while len(_AUTOMATA) > _CACHE_SIZE:
                _AUTOMATA.popitem(last=False)

    def _build(self) -> ahocorasick.Automaton | None:
        table: dict[str, tuple[int, dict[_Entry, None], frozenset[int]]] = {}

        def add(form: str, flag: int, term: Term | None = None, with_entry: bool = False,
                rules: frozenset[int] = frozenset(), key: str | None = None) -> None:
            key = key if key is not None else skeleton(form)
            if not key.strip():
                return
            flags, entries, known = table.get(key, (0, {}, frozenset()))
            if with_entry:
                entries[(term, _profile(form, key))] = None
            table[key] = (flags | flag, entries, known | rules)

        for term in self.terms:
            for form in written_forms(term):
                add(form, _LEXICON, term, with_entry=True)
        for phrase in self.exceptions:
            for form in exception_forms(phrase):
                add(form, _EXCEPTION, None, with_entry=True)
        if self.pii:
            for kind, words in ALL_TRIGGERS.items():
                for word in words:
                    add(word, _PII_FLAGS[kind])
        for trigger, rules in self.grammar.triggers.items():
            add(trigger, _GRAMMAR, rules=rules, key=f" {trigger} ")
        if not table:
            return None
        automaton = ahocorasick.Automaton()
        for key, (flags, entries, rules) in table.items():
            automaton.add_word(key, (flags, len(key), tuple(entries), rules))
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> list[Hit]:
        """Return the hits in ``text``, sorted by start offset (then end).

        Offsets index the original ``text``: ``text[hit.start:hit.end]`` is what matched,
        obfuscation included. A hit lying inside another hit of the same category and at
        least the same severity is dropped ("je veux en finir" is not also "en finir").
        Any ``str`` is accepted, however long or odd.
        """
        if len(text) > _WINDOW:
            return self._scan_long(text)
        return self._scan(text)

    def _scan(self, text: str) -> list[Hit]:
        automaton = self._automaton
        folds = skeletons(text)
        if automaton is None:
            matched: list[list[tuple[int, _Value]]] = [[] for _ in folds]
        else:
            matched = [list(automaton.iter(folded)) for folded in folds]
            if not any(matched):  # most messages: no key at all
                return self._with_pii(text, frozenset(), [])
        flags = 0
        rules: set[int] = set()
        for found in matched:
            for _, value in found:
                flags |= value[0]
                if value[3]:
                    rules.update(value[3])
        hits: list[Hit] = []
        if flags & (_LEXICON | _GRAMMAR):
            grammar = self.grammar
            frames_rules = rules - grammar.excepts - grammar.demotes
            except_rules = rules & grammar.excepts
            demote_rules = rules & grammar.demotes
            for join_all, skeleton_text, found in zip((False, True), folds, matched, strict=False):
                # the frames run on the fast skeleton (the offset map reads the same string);
                # the offset map is built only when a term or a frame was found
                # a long message: each rule is searched only around its trigger words (a third
                # faster at 1,500 characters); a short one is searched whole (the windows cost more)
                spans = _trigger_spans(found) if len(skeleton_text) > _WINDOWED else None
                frames = match_rules(self.grammar, skeleton_text, frames_rules, spans) if frames_rules else []
                if frames or flags & _LEXICON:
                    hits.extend(
                        self._slow_hits(text, join_all, skeleton_text, found, frames, except_rules, demote_rules, spans)
                    )
        return self._with_pii(text, _triggered(flags & _ANY_PII), hits)

    def _with_pii(self, text: str, kinds: frozenset[str], hits: list[Hit]) -> list[Hit]:
        """``hits`` and the personal details of ``text`` (``kinds``: the kinds whose trigger
        words were seen), tidied."""
        if self.pii and (should_scan(text, kinds) if kinds else needs_scan(text)):
            hits.extend(scan_pii(text, triggered=kinds, regions=self.regions))
        return tidy(hits) if len(hits) > 1 else hits

    def _slow_hits(
        self,
        text: str,
        join_all: bool,
        skeleton_text: str,
        found: list[tuple[int, _Value]],
        frames: list[tuple[int, int, Rule]],
        except_rules: Iterable[int],
        demote_rules: Iterable[int] = (),
        triggers: dict[int, list[tuple[int, int]]] | None = None,
    ) -> list[Hit]:
        """Lexicon terms and the given frames of one skeleton reading, mapped back to ``text``,
        without those an exception phrase or an ``except`` rule overlaps; a ``self_harm`` hit a
        ``demote`` rule overlaps keeps at most that rule's severity.

        ``found`` are the automaton matches in ``skeleton_text``, the fast-path reading of
        ``text`` (``join_all`` tells which one). The offset map is the slow part: it is built
        only when a term or a frame is left once the exception phrases and ``except`` rules,
        which read the skeleton alone, have been applied."""
        terms: list[tuple[int, int, tuple[_Entry, ...]]] = []
        excluded_spans: list[tuple[int, int]] = []
        for last, (flags, size, entries, _rules) in found:
            if flags & (_LEXICON | _EXCEPTION):
                first = last - size + 2  # key = " inner ", inner spans [first, last)
                if flags & _EXCEPTION:
                    excluded_spans.append((first, last))
                if flags & _LEXICON:
                    terms.append((first, last, entries))
        if not terms and not frames:
            return []
        spans = [(first, last) for first, last, _ in terms]
        spans.extend((first, last) for first, last, _ in frames)
        if excluded_spans and all(_overlaps(span, excluded_spans) for span in spans):
            return []
        if except_rules:
            excluded_spans.extend(
                (first, last) for first, last, _ in match_rules(self.grammar, skeleton_text, except_rules, triggers)
            )
            if excluded_spans and all(_overlaps(span, excluded_spans) for span in spans):
                return []
        lowered: list[tuple[int, int, Rule]] = []
        if demote_rules:
            lowered = match_rules(self.grammar, skeleton_text, demote_rules, triggers)
        folded = analyse(text, join_all)  # folded.text == skeleton_text
        candidates: list[tuple[int, int, Term]] = []
        for first, last, entries in terms:
            runs = None
            for term, profile in entries:
                if term is None:
                    continue
                if runs is None:
                    runs = folded.runs_between(first, last)
                if _repeats_fit(runs, first, profile):
                    candidates.append((first, last, term))
        hits: list[Hit] = []
        for first, last, term in candidates:
            if _overlaps((first, last), excluded_spans):
                continue
            start, end = folded.span(first, last)
            end = absorb_marks(text, end)
            if not any(c.isalpha() for c in text[start:end]):
                continue
            severity, name = _lowered(term.category, term.severity, term.term, (first, last), lowered)
            hits.append(Hit(term.category, severity, start, end, "lexicon", name, term.lang))
        for first, last, rule in frames:
            if _overlaps((first, last), excluded_spans):
                continue
            start, end = folded.span(first, last)
            end = absorb_marks(text, end)
            if any(c.isalpha() for c in text[start:end]):
                severity, name = _lowered(rule.category, rule.severity, rule.name, (first, last), lowered)
                hits.append(Hit(rule.category, severity, start, end, "grammar", name, rule.lang))
        return hits

    def _scan_long(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        size = len(text)
        for begin in range(0, size, _WINDOW):
            stop = min(size, begin + _WINDOW)
            offset = max(0, begin - _OVERLAP)
            for hit in self._scan(text[offset : min(size, stop + _OVERLAP)]):
                start = hit.start + offset
                if begin <= start < stop:
                    hits.append(
                        Hit(hit.category, hit.severity, start, hit.end + offset, hit.kind, hit.term, hit.lang)
                    )
        return tidy(hits)


def _trigger_spans(found: list[tuple[int, _Value]]) -> dict[int, list[tuple[int, int]]]:
    """For each grammar rule whose trigger key the automaton found, where: the key's leading
    and trailing space in the skeleton (a key is " word ")."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for last, value in found:
        if value[3]:
            span = (last - value[1] + 1, last)
            for rule in value[3]:
                spans.setdefault(rule, []).append(span)
    return spans


def _lowered(
    category: str, severity: int, name: str, span: tuple[int, int], lowered: list[tuple[int, int, Rule]]
) -> tuple[int, str]:
    """The severity and name of a hit once the ``demote`` matches ``lowered`` are applied:
    a self_harm hit one of them overlaps keeps at most the lowest cap among them, and its name
    says which rule lowered it ("cutting · lowered by other-reflexive")."""
    if category != "self_harm" or not lowered:
        return severity, name
    first, last = span
    caps = [rule for start, stop, rule in lowered if start < last and first < stop and rule.severity < severity]
    if not caps:
        return severity, name
    rule = min(caps, key=lambda r: r.severity)
    return rule.severity, f"{name} · lowered by {rule.name}"


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    """Whether the (non-empty) skeleton span shares a character with one of ``others``."""
    first, last = span
    return any(start < last and first < stop for start, stop in others)


_TRIGGERED: dict[int, frozenset[str]] = {}


def _triggered(flags: int) -> frozenset[str]:
    """The personal-detail kinds whose flags are set in ``flags`` (memoised: few combinations)."""
    kinds = _TRIGGERED.get(flags)
    if kinds is None:
        kinds = _TRIGGERED[flags] = frozenset(kind for kind, flag in _PII_FLAGS.items() if flags & flag)
    return kinds


_RUNS = re.compile(r"(.)\1*", re.DOTALL)


def _profile(form: str, key: str) -> tuple[int, ...]:
    """For each inner character of ``key`` (the skeleton of ``form``), how many times the
    form writes it: the run lengths of the prepared fold, which the skeleton collapses."""
    prepared = prepare(form)
    if not _spaced(prepared):
        runs = [len(m.group()) for m in _RUNS.finditer(prepared)]
        if len(runs) == len(key):
            return tuple(runs[1:-1])
    folded = analyse(form)
    return tuple(folded.run(i) for i in range(1, len(folded.text) - 1))


def _repeats_fit(runs: dict[int, int], first: int, profile: tuple[int, ...]) -> bool:
    """Return whether the letters repeated in the text fit the term's spelling: a letter
    written ``need`` times in the term must appear exactly ``need`` times or stretched to three
    or more ("kill" matches "kiiiill" but not "kil"; "raped" is not "rapped")."""
    for offset, need in enumerate(profile):
        found = runs.get(first + offset, 1)
        if found != need and found < max(need, 3):
            return False
    return True
