"""A small phrase grammar for what word lists cannot hold.

A lexicon entry is a fixed phrase. What members write about wanting to die, a method, a
threat or a sexual request is a *frame*: a first-person subject, an intent modality, a
harm verb in any person or tense, a body part or a method, a few words apart. The rules of
``data/grammar.txt`` describe such frames; each is compiled once into one regular expression
over the matching skeleton (see :mod:`.normalize`: folded, lower case, accents, l33t,
homoglyphs and spacing undone, repeated letters collapsed, words separated by one space).

The rules file
--------------
``class NAME = alt | alt | ...`` names a word class. An alternative is one or more words;
a word written ``word~`` stands for all its inflected forms (:func:`.morph.term_forms`, in the
language of the class: the prefix of its name, ``fr.`` or ``en.``); a word ending in an
apostrophe (``j'``, ``m'``) may be glued to the next word (``jai``, ``mouvrir``).
``@other`` inside a class includes another class.

``rule NAME LANG CATEGORY SEVERITY [noneg] : PATTERN`` is a rule. The pattern is a sequence of
elements separated by spaces:

* ``@class`` one alternative of a class, ``[a|b c|d~]`` an inline class, ``word`` one word;
* a trailing ``?`` makes an element optional; a trailing ``!`` marks it as the rule's
  *trigger* (exactly one per rule, never optional: the rarest words of the frame);
* ``_N`` up to N arbitrary words; ``#`` a number ("56", "30");
* ``^@class`` (or ``^[a|b]``) one word that is *not* an alternative of the class (a
  one-word alternative: multi-word ones only exclude their first word).

A rule whose category is ``except`` (severity ``0``) produces no hit: what it matches is
treated like an exception phrase, and drops every lexicon or grammar hit that overlaps it.
That holds idioms no list can hold ("overdose de séries", "overdose of Netflix": an
overdose of anything that is not a drug; "mourir de rire", "dying to see it").

A rule whose category is ``demote`` lowers instead of dropping: every ``self_harm`` hit it
overlaps is kept with its severity capped at the rule's severity (``1`` or ``2``), and its
``term`` says which rule lowered it. That holds what a member writes about *someone else's*
risk ("my son is cutting himself", "elle s'est scarifiée", "signs of suicide in a teen"): a
mental-health service wants it seen in ``self_harm``, but it is a concern about a third person,
not the writer's own intent, so it must not reach the urgent queue. A demote rule is written
around the third person (a reflexive "himself", a "se" with a third-person subject), so a
first-person statement in the same message ("… and I want to die too") keeps its severity.

``noneg`` drops a match when a negation (``@neg.LANG``) lies inside it or in the four words
before it ("je ne vais pas te tuer", "I would never hurt you", "I never said that X are
scum"; "why don't we…" is a question, not a negation). Rules of ``self_harm`` are not negation-guarded on purpose:
"je ne veux pas mourir mais…" is still something a moderator of a mental-health service reads.

Evaluation
----------
The trigger words of every rule are put into the detector's automaton (see
:class:`.Detector`). A scan whose automaton pass saw no trigger never looks at the grammar;
otherwise only the triggered rules run, on the same skeleton the lexicon's slow path uses, and
a match is mapped back to the original text. Each hit carries the rule's name as its ``term``
and ``kind="grammar"``, so the signal's detail says which frame fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .model import TERM_CATEGORIES
from .normalize import skeleton

__all__ = ["DEMOTE", "EXCEPT", "Grammar", "GrammarError", "Rule", "load_default_grammar", "match_rules", "parse_grammar",
           "trigger_words"]

#: The category of rules that only drop hits (idioms, figurative senses).
EXCEPT = "except"
#: The category of rules that cap the severity of the self_harm hits they overlap.
DEMOTE = "demote"


class GrammarError(ValueError):
    """A malformed rules file; the message names the line."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled frame."""

    name: str
    lang: str
    category: str
    severity: int
    source: str  # the rule's regular expression, compiled on first use (see ``pattern``)
    triggers: frozenset[str]  # skeleton keys (without padding) that make the rule worth running
    noneg: bool
    negation: re.Pattern[str] | None = None
    before: int = 0  # at most this many words of a match lie before its trigger word(s)
    after: int = 0  # and at most this many after them

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled frame. Compiling all ~250 rules costs over a second, which a server
        would pay on its first event (an urgent alert included): a rule is compiled when its
        trigger word is first seen, once per process."""
        compiled = _COMPILED.get(self.source)
        if compiled is None:
            compiled = _COMPILED[self.source] = re.compile(self.source)
        return compiled


_COMPILED: dict[str, re.Pattern[str]] = {}


@dataclass(slots=True)
class Grammar:
    """The compiled rules and the trigger keys the automaton must hold."""

    rules: tuple[Rule, ...] = ()
    triggers: dict[str, frozenset[int]] = field(default_factory=dict)  # key -> rule indexes
    excepts: frozenset[int] = frozenset()  # indexes of the except rules
    demotes: frozenset[int] = frozenset()  # indexes of the demote rules

    def __bool__(self) -> bool:
        return bool(self.rules)


# What an alternative may hold: anything else (an emoji, punctuation) would fold to nothing
# and silently widen the alternative ("dead 😭" would match every "dead").
_WRITTEN = re.compile(r"['’]?[^\W_]+(?:~|['’])?(?:[\s\-'’.]+[^\W_]+(?:~|['’])?)*")
_RULE_RE = re.compile(r"^rule\s+(\S+)\s+(fr|en|any)\s+(\S+)\s+([0123])((?:\s+\w+)*)\s*:\s*(.+)$")
_CLASS_RE = re.compile(r"^class\s+(\S+)\s*=\s*(.*)$")
_ELEMENT_RE = re.compile(r"(\^?(?:@[\w.]+|\[[^\]]*\])|_\d+|#|[^\s\[\]@?!^#]+)([?!]?)")
# A number in the skeleton: digits, of which 0 1 3 4 5 7 were read as l33t letters ("56" is
# "s6", "30" is "eo"), optionally with a decimal part.
_NUMBER = "(?<= )(?:[0-9oieast]{1,4}(?: [0-9oieast]{1,3})?) "


def _inflect(word: str, lang: str) -> frozenset[str]:
    try:
        from .morph import term_forms
    except ImportError:  # pragma: no cover - the morphology module ships with the package
        return frozenset({word})
    return term_forms(word, lang)


def _variants(words: list[str], lang: str, inflect: Callable[[str, str], frozenset[str]]) -> set[str]:
    """The spellings of one alternative: each ``word~`` through its forms (one word varied
    at a time would lose "me suis tailladée les bras" forms, but alternatives are short: the
    product is taken, and it is small)."""
    options: list[list[str]] = []
    for word in words:
        if word.endswith("~"):
            options.append(sorted(inflect(word[:-1], lang)))
        else:
            options.append([word])
    out: set[str] = {""}
    for choice in options:
        out = {f"{prefix} {w}".strip() for prefix in out for w in choice}
    return out


_Alt = tuple[str, bool]  # a skeleton key, and whether the space after it is optional


def _alternative_regex(text: str) -> tuple[_Alt, str] | None:
    """Return ((key, elided), key) for one spelled alternative, or None if it folds to nothing.

    The regex of an alternative consumes it and the space after it; an alternative ending
    in an apostrophe ("j'", "m'") may be glued to the next word, so its space is optional.
    """
    elided = text.endswith(("'", "’"))
    key = skeleton(text).strip()
    if not key:
        return None
    return (key, elided), key


def _trie_regex(alternatives: Iterable[_Alt]) -> str:
    """One regex for many alternatives, factored as a trie ("tuaient|tuais|tuait" is
    "tua(?:i(?:ent|s|t))"): compiling a flat alternation of thousands of inflected forms and
    slips takes seconds, the trie a fraction, and it matches faster. Longer readings are
    tried first; an alternative that is a prefix of another is tried after it."""
    root: dict[str, dict] = {}
    for key, elided in alternatives:
        node = root
        for ch in key:
            node = node.setdefault(ch, {})
        ending = node.get("", " ")
        node[""] = " ?" if elided or ending == " ?" else " "

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(node[""])  # type: ignore[arg-type]
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return build(root) if root else "(?!)"


class _Parser:
    def __init__(self, inflect: Callable[[str, str], frozenset[str]], slips: Callable[[str], set[str]]) -> None:
        self.inflect = inflect
        self.slips = slips
        self.classes: dict[str, tuple[list[_Alt], list[str]]] = {}  # name -> (alternatives, keys)
        self.bodies: dict[str, str] = {}
        self.with_slips: dict[str, tuple[list[_Alt], list[str]]] = {}
        self.regex_cache: dict[tuple[str, bool], str] = {}

    def _lang_of(self, name: str) -> str:
        head = name.split(".", 1)[0]
        return head if head in ("fr", "en") else "any"

    def alternatives(self, body: str, lang: str, where: str, slips: bool = False) -> tuple[list[_Alt], list[str]]:
        regexes: dict[_Alt, None] = {}
        keys: dict[str, None] = {}
        for raw in body.split("|"):
            raw = raw.strip()
            if not raw:
                continue
            if raw.startswith("@"):
                if raw[1:] not in self.classes:
                    raise GrammarError(f"{where}: unknown class {raw}")
                sub_regexes, sub_keys = self.trigger_class(raw[1:], where) if slips else self.classes[raw[1:]]
                regexes.update(dict.fromkeys(sub_regexes))
                keys.update(dict.fromkeys(sub_keys))
                continue
            if not _WRITTEN.fullmatch(raw):
                raise GrammarError(f"{where}: {raw!r}: only letters, digits, spaces, apostrophes, hyphens and a final ~")
            words = raw.split()
            spellings = _variants(words, lang, self.inflect)
            if slips:  # typing slips of trigger words ("klil", "tortuer"): see .typos
                spellings |= {slip for spelled in spellings for slip in self.slips(spelled)}
            for spelled in sorted(spellings):
                compiled = _alternative_regex(spelled)
                if compiled is not None:
                    regexes[compiled[0]] = None
                    keys[compiled[1]] = None
                # "j'ai" is also written "jai", "m'ouvrir" "mouvrir" (lexicon written_forms do likewise)
                if "'" in spelled.rstrip("'") or "’" in spelled.rstrip("’"):
                    glued = _alternative_regex(re.sub(r"(?<=\w)['’](?=\w)", "", spelled))
                    if glued is not None:
                        regexes[glued[0]] = None
                        keys[glued[1]] = None
        if not regexes:
            raise GrammarError(f"{where}: empty class")
        return list(regexes), list(keys)

    def add_class(self, name: str, body: str, where: str) -> None:
        if name in self.classes:
            raise GrammarError(f"{where}: class {name} defined twice")
        self.classes[name] = self.alternatives(body, self._lang_of(name), where)
        self.bodies[name] = body

    def trigger_class(self, name: str, where: str) -> tuple[list[_Alt], list[str]]:
        """A class as a trigger element: its alternatives and their typing slips."""
        if name not in self.with_slips:
            self.with_slips[name] = self.alternatives(self.bodies[name], self._lang_of(name), where, slips=True)
        return self.with_slips[name]

    def rule(self, match: re.Match[str], where: str) -> Rule:
        name, lang, category, severity, flags, pattern = match.groups()
        if category not in TERM_CATEGORIES and category not in (EXCEPT, DEMOTE):
            raise GrammarError(f"{where}: unknown category {category!r}")
        if (category == EXCEPT) != (severity == "0"):
            raise GrammarError(f"{where}: severity 0 is for except rules, and except rules have severity 0")
        if category == DEMOTE and severity not in ("1", "2"):
            raise GrammarError(f"{where}: a demote rule caps severity at 1 or 2")
        options = set(flags.split())
        if options - {"noneg"}:
            raise GrammarError(f"{where}: unknown option(s) {sorted(options - {'noneg'})}")
        parts: list[str] = []
        widths: list[int] = []  # the most words each element can match
        trigger_at = -1
        triggers: list[str] | None = None
        position = 0
        pattern = pattern.strip()
        for element in _ELEMENT_RE.finditer(pattern):
            if pattern[position : element.start()].strip():
                raise GrammarError(f"{where}: cannot read {pattern[position:element.start()]!r}")
            position = element.end()
            token, mark = element.groups()
            if token == "#":
                if mark:
                    raise GrammarError(f"{where}: a number cannot be optional or a trigger")
                parts.append(_NUMBER)
                widths.append(2)
                continue
            if token.startswith("_") and token[1:].isdigit():
                if mark:
                    raise GrammarError(f"{where}: a gap cannot be optional or a trigger")
                parts.append(f"(?:(?<= )[^ ]+ ){{0,{int(token[1:])}}}")
                widths.append(int(token[1:]))
                continue
            negated = token.startswith("^")
            if negated:
                token = token[1:]
                if mark:
                    raise GrammarError(f"{where}: a negated element cannot be optional or a trigger")
            # typing slips of trigger words, for offensive frames (threats are often typed in
            # anger: "klil", "tortuer"); risk frames keep their exact words (compile time)
            trigger = mark == "!" and category == "offensive"
            if token.startswith("@"):
                if token[1:] not in self.classes:
                    raise GrammarError(f"{where}: unknown class {token}")
                regexes, keys = self.trigger_class(token[1:], where) if trigger else self.classes[token[1:]]
            elif token.startswith("["):
                regexes, keys = self.alternatives(token[1:-1], lang, where, slips=trigger)
            else:
                regexes, keys = self.alternatives(token, lang, where, slips=trigger)
            if negated:
                firsts = sorted({re.escape(k.split(" ", 1)[0]) for k in keys}, key=lambda w: (-len(w), w))
                # (?<= ): a glued elision ("d'" before it) must not start this word mid-word
                parts.append("(?<= )(?!(?:" + "|".join(firsts) + ") )[^ ]+ ")
                widths.append(1)
                continue
            if token.startswith("@"):
                cache_key = (token[1:], trigger)
                if cache_key not in self.regex_cache:
                    self.regex_cache[cache_key] = "(?:" + _trie_regex(regexes) + ")"
                group = self.regex_cache[cache_key]
            else:
                group = "(?:" + _trie_regex(regexes) + ")"
            if mark == "?":
                group += "?"
            elif mark == "!":
                if triggers is not None:
                    raise GrammarError(f"{where}: more than one trigger")
                triggers = keys
                trigger_at = len(widths)
            parts.append(group)
            widths.append(max(key.count(" ") + 1 for key in keys))
        if pattern[position:].strip():
            raise GrammarError(f"{where}: cannot read {pattern[position:]!r}")
        if triggers is None:
            raise GrammarError(f"{where}: rule {name} has no trigger (mark one element with !)")
        negation = None
        if "noneg" in options:
            neg_name = f"neg.{lang}"
            if neg_name not in self.classes:
                raise GrammarError(f"{where}: noneg needs class {neg_name}")
            # "why don't we/you ..." asks, it does not negate
            # whole words only: an elided "n'" glued to the next word would read the "n" of "nue"
            negation = re.compile(
                "(?<= )(?:" + _trie_regex((key, False) for key, _ in self.classes[neg_name][0]) + ")(?!(?:we|you|u|ya|on) )"
            )
        return Rule(
            name=name, lang=lang, category=category, severity=int(severity),
            source="(?<= )" + "".join(parts), triggers=frozenset(triggers),
            noneg="noneg" in options, negation=negation,
            before=sum(widths[:trigger_at]), after=sum(widths[trigger_at + 1 :]),
        )


def _no_slips(phrase: str) -> set[str]:
    return set()


def parse_grammar(
    lines: Iterable[str],
    source: str = "<grammar>",
    inflect: Callable[[str, str], frozenset[str]] | None = None,
    slips: Callable[[str], set[str]] | None = None,
) -> Grammar:
    """Compile a rules file given as lines; raise :class:`GrammarError` naming the line.

    ``inflect(word, lang)`` gives the forms of a ``word~`` (default: :mod:`.morph`);
    ``slips(phrase)`` the typing slips added to trigger elements (default: none)."""
    parser = _Parser(inflect or _inflect, slips or _no_slips)
    rules: list[Rule] = []
    names: set[tuple[str, str]] = set()
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        text = "" if line.lstrip().startswith("#") else line.rstrip()  # comments are whole lines
        if not text.strip():
            continue
        if text[:1].isspace() and logical:  # continuation line
            logical[-1] = (logical[-1][0], logical[-1][1] + " " + text.strip())
        else:
            logical.append((number, text.strip()))
    for number, text in logical:
        where = f"{source}:{number}"
        if (m := _CLASS_RE.match(text)) is not None:
            parser.add_class(m.group(1), m.group(2), where)
        elif (m := _RULE_RE.match(text)) is not None:
            rule = parser.rule(m, where)
            if (rule.name, rule.lang) in names:
                raise GrammarError(f"{where}: rule {rule.name} ({rule.lang}) defined twice")
            names.add((rule.name, rule.lang))
            rules.append(rule)
        else:
            raise GrammarError(f"{where}: expected 'class NAME = ...' or 'rule NAME LANG CATEGORY SEVERITY : ...'")
    triggers: dict[str, set[int]] = {}
    for index, rule in enumerate(rules):
        for key in rule.triggers:
            triggers.setdefault(key, set()).add(index)
    excepts = frozenset(i for i, rule in enumerate(rules) if rule.category == EXCEPT)
    demotes = frozenset(i for i, rule in enumerate(rules) if rule.category == DEMOTE)
    return Grammar(tuple(rules), {k: frozenset(v) for k, v in triggers.items()}, excepts, demotes)


@lru_cache(maxsize=1)
def load_default_grammar() -> Grammar:
    """The shipped rules (``data/grammar.txt``), compiled once per process."""
    from .typos import slips

    text = resources.files(__package__).joinpath("data", "grammar.txt").read_text(encoding="utf-8")
    return parse_grammar(text.splitlines(), "grammar.txt", slips=slips)


def trigger_words(text: str) -> list[str]:
    """The words of the trigger elements of a rules file, as written (``~`` and elisions
    stripped): what :mod:`.typos` generates slips for."""
    bodies: dict[str, str] = {}
    logical: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1].isspace() and logical:
            logical[-1] += " " + line.strip()
        else:
            logical.append(line.strip())
    words: list[str] = []

    def collect(body: str, seen: frozenset[str]) -> None:
        for raw in body.split("|"):
            raw = raw.strip()
            if raw.startswith("@"):
                if raw[1:] in bodies and raw[1:] not in seen:
                    collect(bodies[raw[1:]], seen | {raw[1:]})
                continue
            words.extend(w.rstrip("~").strip("'’") for w in raw.split())

    for text_line in logical:
        if (m := _CLASS_RE.match(text_line)) is not None:
            bodies[m.group(1)] = m.group(2)
        elif (m := _RULE_RE.match(text_line)) is not None:
            for element in _ELEMENT_RE.finditer(m.group(6)):
                token, mark = element.groups()
                if mark != "!":
                    continue
                if token.startswith("@"):
                    collect(bodies.get(token[1:], ""), frozenset({token[1:]}))
                elif token.startswith("["):
                    collect(token[1:-1], frozenset())
                else:
                    collect(token, frozenset())
    return [w for w in words if w]


def _words_before(text: str, index: int, count: int) -> int:
    """Return the index ``count`` words before ``index`` in a padded skeleton (a negation
    just before a frame negates it: "I never said that women are scum")."""
    position = index
    for _ in range(count):
        previous = text.rfind(" ", 0, max(position - 1, 0))
        if previous < 0:
            return 0
        position = previous + 1
    return max(position - 1, 0)


def _words_after(text: str, index: int, count: int) -> int:
    """Return the index just past the space that ends the ``count``-th word after the one
    ending at the space ``index`` of a padded skeleton."""
    position = index
    for _ in range(count):
        following = text.find(" ", position + 1)
        if following < 0:
            return len(text)
        position = following
    return position + 1


def _windows(text: str, rule: Rule, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where a match of ``rule`` can lie: around each of its trigger ``spans`` (a key's
    leading and trailing space), as far as the rule's elements reach; overlapping windows
    merged. A match holds a trigger word, so searching these instead of the whole text finds
    the same matches and spares the regex engine every other position of a long message."""
    windows: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        start = _words_before(text, first + 1, rule.before)
        stop = _words_after(text, last, rule.after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(stop, windows[-1][1]))
        else:
            windows.append((start, stop))
    return windows


def match_rules(
    grammar: Grammar,
    folded_text: str,
    rule_ids: Iterable[int],
    spans: dict[int, list[tuple[int, int]]] | None = None,
) -> list[tuple[int, int, Rule]]:
    """Return ``(first, stop, rule)`` skeleton spans of the given rules' matches in
    ``folded_text`` (a padded skeleton).

    ``spans``, when given, maps a rule to where the automaton saw its trigger keys in this
    very text (each key's leading space and trailing space): the rule is searched around them
    only, and not at all when it has none here."""
    out: list[tuple[int, int, Rule]] = []
    for index in sorted(rule_ids):
        rule = grammar.rules[index]
        if spans is None:
            matches = list(rule.pattern.finditer(folded_text))
        else:
            here = spans.get(index)
            if not here:
                continue
            pattern = rule.pattern
            matches = [m for start, stop in _windows(folded_text, rule, here) for m in pattern.finditer(folded_text, start, stop)]
        for match in matches:
            first, stop = match.start(), match.end()
            while stop > first and folded_text[stop - 1] == " ":
                stop -= 1
            if stop <= first:
                continue
            if rule.negation is not None and rule.negation.search(folded_text, _words_before(folded_text, first, 4), stop + 1):
                continue
            out.append((first, stop, rule))
    return out
