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

__all__ = ["EXCEPT", "Grammar", "GrammarError", "Rule", "load_default_grammar", "match_rules", "parse_grammar"]

#: The category of rules that only drop hits (idioms, figurative senses).
EXCEPT = "except"


class GrammarError(ValueError):
    """A malformed rules file; the message names the line."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled frame."""

    name: str
    lang: str
    category: str
    severity: int
    pattern: re.Pattern[str]
    triggers: frozenset[str]  # skeleton keys (without padding) that make the rule worth running
    noneg: bool
    negation: re.Pattern[str] | None = None


@dataclass(slots=True)
class Grammar:
    """The compiled rules and the trigger keys the automaton must hold."""

    rules: tuple[Rule, ...] = ()
    triggers: dict[str, frozenset[int]] = field(default_factory=dict)  # key -> rule indexes

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
_NUMBER = "(?:[0-9oieast]{1,4}(?: [0-9oieast]{1,3})?) "


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


def _alternative_regex(text: str) -> tuple[str, str] | None:
    """Return (regex, key) for one spelled alternative, or None if it folds to nothing.

    The regex consumes the alternative and the space after it; an alternative ending in an
    apostrophe ("j'", "m'") may be glued to the next word, so its space is optional.
    """
    elided = text.endswith(("'", "’"))
    key = skeleton(text).strip()
    if not key:
        return None
    return re.escape(key) + (" ?" if elided else " "), key


class _Parser:
    def __init__(self, inflect: Callable[[str, str], frozenset[str]]) -> None:
        self.inflect = inflect
        self.classes: dict[str, tuple[list[str], list[str]]] = {}  # name -> (regex alts, keys)

    def _lang_of(self, name: str) -> str:
        head = name.split(".", 1)[0]
        return head if head in ("fr", "en") else "any"

    def alternatives(self, body: str, lang: str, where: str) -> tuple[list[str], list[str]]:
        regexes: dict[str, None] = {}
        keys: dict[str, None] = {}
        for raw in body.split("|"):
            raw = raw.strip()
            if not raw:
                continue
            if raw.startswith("@"):
                if raw[1:] not in self.classes:
                    raise GrammarError(f"{where}: unknown class {raw}")
                sub_regexes, sub_keys = self.classes[raw[1:]]
                regexes.update(dict.fromkeys(sub_regexes))
                keys.update(dict.fromkeys(sub_keys))
                continue
            if not _WRITTEN.fullmatch(raw):
                raise GrammarError(f"{where}: {raw!r}: only letters, digits, spaces, apostrophes, hyphens and a final ~")
            words = raw.split()
            for spelled in _variants(words, lang, self.inflect):
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
        # longest first, so that the regex prefers the longer reading
        ordered = sorted(regexes, key=lambda r: (-len(r), r))
        return ordered, list(keys)

    def add_class(self, name: str, body: str, where: str) -> None:
        if name in self.classes:
            raise GrammarError(f"{where}: class {name} defined twice")
        self.classes[name] = self.alternatives(body, self._lang_of(name), where)

    def rule(self, match: re.Match[str], where: str) -> Rule:
        name, lang, category, severity, flags, pattern = match.groups()
        if category not in TERM_CATEGORIES and category != EXCEPT:
            raise GrammarError(f"{where}: unknown category {category!r}")
        if (category == EXCEPT) != (severity == "0"):
            raise GrammarError(f"{where}: severity 0 is for except rules, and except rules have severity 0")
        options = set(flags.split())
        if options - {"noneg"}:
            raise GrammarError(f"{where}: unknown option(s) {sorted(options - {'noneg'})}")
        parts: list[str] = []
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
                continue
            if token.startswith("_") and token[1:].isdigit():
                if mark:
                    raise GrammarError(f"{where}: a gap cannot be optional or a trigger")
                parts.append(f"(?:[^ ]+ ){{0,{int(token[1:])}}}")
                continue
            negated = token.startswith("^")
            if negated:
                token = token[1:]
                if mark:
                    raise GrammarError(f"{where}: a negated element cannot be optional or a trigger")
            if token.startswith("@"):
                if token[1:] not in self.classes:
                    raise GrammarError(f"{where}: unknown class {token}")
                regexes, keys = self.classes[token[1:]]
            elif token.startswith("["):
                regexes, keys = self.alternatives(token[1:-1], lang, where)
            else:
                regexes, keys = self.alternatives(token, lang, where)
            if negated:
                firsts = sorted({re.escape(k.split(" ", 1)[0]) for k in keys}, key=lambda w: (-len(w), w))
                parts.append("(?!(?:" + "|".join(firsts) + ") )[^ ]+ ")
                continue
            group = "(?:" + "|".join(regexes) + ")"
            if mark == "?":
                group += "?"
            elif mark == "!":
                if triggers is not None:
                    raise GrammarError(f"{where}: more than one trigger")
                triggers = keys
            parts.append(group)
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
            negation = re.compile("(?<= )(?:" + "|".join(self.classes[neg_name][0]) + ")(?!(?:we|you|u|ya|on) )")
        return Rule(
            name=name, lang=lang, category=category, severity=int(severity),
            pattern=re.compile("(?<= )" + "".join(parts)), triggers=frozenset(triggers),
            noneg="noneg" in options, negation=negation,
        )


def parse_grammar(
    lines: Iterable[str],
    source: str = "<grammar>",
    inflect: Callable[[str, str], frozenset[str]] | None = None,
) -> Grammar:
    """Compile a rules file given as lines; raise :class:`GrammarError` naming the line."""
    parser = _Parser(inflect or _inflect)
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
    return Grammar(tuple(rules), {k: frozenset(v) for k, v in triggers.items()})


@lru_cache(maxsize=1)
def load_default_grammar() -> Grammar:
    """The shipped rules (``data/grammar.txt``), compiled once per process."""
    text = resources.files(__package__).joinpath("data", "grammar.txt").read_text(encoding="utf-8")
    return parse_grammar(text.splitlines(), "grammar.txt")


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


def match_rules(grammar: Grammar, folded_text: str, rule_ids: Iterable[int]) -> list[tuple[int, int, Rule]]:
    """Return ``(first, stop, rule)`` skeleton spans of the given rules' matches in
    ``folded_text`` (a padded skeleton)."""
    out: list[tuple[int, int, Rule]] = []
    for index in sorted(set(rule_ids)):
        rule = grammar.rules[index]
        for match in rule.pattern.finditer(folded_text):
            first, stop = match.start(), match.end()
            while stop > first and folded_text[stop - 1] == " ":
                stop -= 1
            if stop <= first:
                continue
            if rule.negation is not None and rule.negation.search(folded_text, _words_before(folded_text, first, 4), stop + 1):
                continue
            out.append((first, stop, rule))
    return out
