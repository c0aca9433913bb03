"""Personal details in member text: emails, phone numbers, street addresses, handles on
external networks, real names given as such.

The finders read a *folded* copy of the text (:mod:`.pii_fold`: NFKC, format characters
deleted, Cyrillic/Greek look-alikes read as Latin, case kept, no l33t), so that fullwidth,
zero-width and homoglyph forms of an email or a number are found like the plain ones; every
:class:`Hit` they return indexes the *original* text and covers the obfuscated detail
entirely. Phones are found in the national formats of the regions a community declares
(:mod:`.pii_phone`), also spelled out in French and English words (:mod:`.pii_spelled`); names
given as such in the ways members write them (:mod:`.pii_names`).

The detector's contract:

* :data:`TRIGGERS` (also :data:`ALL_TRIGGERS`) -- kind → trigger words; the detector adds
  them to its automaton (which runs on a folded, lower-cased skeleton reading l33t digits as
  letters, so they are plain letter words), gives every kind its own flag and passes the kinds
  it saw to :func:`scan_pii` as ``triggered``. Besides the finders' kinds there are
  ``"introduction"`` (words introducing a name: "je suis", "I'm", "call me"...) and ``"phone"``
  (number words, for numbers spelled out);
* :func:`needs_scan` -- whether the finders must run even though no trigger word was seen
  (``@``/``＠``, a run of digits that could be a phone, fullwidth included); cheap enough to
  be called on every message; :func:`should_scan` -- the same given the kinds triggered (a
  street word counts only with a digit, a name introduction only with a capital);
* :func:`scan_pii` -- the finders, those of the kinds not triggered skipped;
  :func:`find_pii` runs them all and tidies the result.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

from .model import Hit, tidy
from .pii_address import TRIGGER_WORDS as ADDRESS_TRIGGERS
from .pii_address import address_hint, address_spans
from .pii_fold import PiiText, fold_pii
from .pii_names import find_names
from .pii_phone import DEFAULT_REGIONS, Budget, find_digit_phones
from .pii_spelled import NUMBER_TRIGGERS, find_spelled_phones

__all__ = [
    "ALL_TRIGGERS",
    "DEFAULT_REGIONS",
    "TRIGGERS",
    "find_pii",
    "needs_scan",
    "scan_pii",
    "should_scan",
]

#: Severity per kind: a street address locates a member physically, hence 2.
SEVERITY: dict[str, int] = {"email": 1, "phone": 1, "address": 2, "social_handle": 1, "real_name": 1}

#: Words whose presence (after folding) makes a finder worth running, by kind; the detector
#: gives every kind its own flag and passes the kinds it saw to :func:`scan_pii`. A finder is
#: also run without its words when :func:`needs_scan` says so (``@`` for emails, digits for
#: phones). ``"real_name"`` holds the explicit leads ("my name is", "je m'appelle");
#: ``"introduction"`` the words that introduce a name without saying it is one ("moi c'est
#: Marie", "appelle-moi Julie", "on m'appelle Léa", "call me Jake", "I go by Sam", "je me
#: présente", "name's Tom"), the weak ones the finder accepts only before a closing word ("je
#: suis Marie", "I'm Sarah btw") and the frames, keyed on their closing word, far rarer than
#: "c'est" ("c'est Marie ici", "c'est Marie à l'appareil", "this is Anna here"): only the
#: capital-first search runs for them. ``"phone"`` holds number words (French and English)
#: for numbers spelled out; ``"address"`` the street types of :mod:`.pii_address`, which count
#: only in a text holding a digit.
TRIGGERS: dict[str, tuple[str, ...]] = {
    kind: tuple(words.split("|"))
    for kind, words in {
        "email": "arobase|arobas|arrobase|dot|point com|point fr|point net|point org|point be|"
        "point ch|point eu|point io|gmail|hotmail|yahoo|outlook|icloud|protonmail|proton|laposte|"
        "wanadoo|gmx|aol|com|fr|net|org|io|eu|uk|info|biz|lu|ch",
        "social_handle": "instagram|insta|ig|snapchat|snap|telegram|whatsapp|whats app|tiktok|"
        "tik tok|facebook|fb|twitter|x|discord|kik",
        "real_name": "my name|my real name|my full name|my actual name|my first name|my last name|"
        "my surname|i am called|i'm called|je m'appelle|je me nomme|mon nom|mon vrai nom|mon prénom|"
        "mon vrai prénom",
        "introduction": "moi c'est|appelle moi|appelez moi|appelons moi|m'appelle|call me|go by|"
        "je me présente|name's|je suis|jsuis|j'suis|i'm|im|i am|ici|appareil|this is",
        "address": "|".join(ADDRESS_TRIGGERS),
        "phone": "|".join(NUMBER_TRIGGERS),
    }.items()
}

#: The same mapping, under the name the detector imports.
ALL_TRIGGERS: dict[str, tuple[str, ...]] = TRIGGERS

_WORD = r"[^\W\d_][\w'’\-]*+"
_CAPITAL = r"[A-ZÀ-ÖØ-Þ]"

# --- emails -------------------------------------------------------------------------------

_TLDS = r"(?:com|fr|net|org|io|eu|be|ch|ca|uk|co|de|es|it|info|biz|us|lu|app|dev|email)"
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){0,4}\.[A-Za-z]{2,24}(?!\w)")
_AT = r"(?:\s*+[\[({<]\s*+(?:at|@|arobase|arobas|arrobase)\s*+[\])}>]\s*+|\s++(?:at|arobase|arobas|arrobase)\s++|\s*+@\s*+)"
_DOT = r"(?:\s*+[\[({<]\s*+(?:dot|point|\.)\s*+[\])}>]\s*+|\s++(?:dot|point)\s++|\.)"
_EMAIL_SPELLED = re.compile(
    rf"(?<![\w.+\-])(?:[\w+\-]{{1,64}}{_DOT}){{0,3}}[\w.+\-]{{1,64}}{_AT}[\w\-]{{1,63}}(?:{_DOT}[\w\-]{{1,63}}){{0,3}}?{_DOT}{_TLDS}(?!\w)",
    re.IGNORECASE,
)


def _email_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of email addresses, plain or spelled out ("jean at gmail dot com",
    "jean arobase gmail point fr", "jean [at] gmail [dot] fr")."""
    spans = {m.span() for m in _EMAIL.finditer(text)}
    spans.update(m.span() for m in _EMAIL_SPELLED.finditer(text))
    return sorted(spans)


# --- handles on external networks ---------------------------------------------------------

_NETWORKS = (
    r"instagram|insta|ig|snapchat|snap|telegram|whats\s?app|tik\s?tok|facebook|fb|twitter|"
    r"discord|kik|x"
)
_CONNECTOR = r"(?:[:=>\-–—]++|(?i:is|it['’]?s|c['’]?est|c\s+est|est|account|compte|handle|id|pseudo|username|user|name|nom)(?!\w))"
_SOCIAL = re.compile(
    rf"(?<![\w@.])(?P<net>(?i:{_NETWORKS}))(?!\w)(?P<conn>(?:\s*+{_CONNECTOR})*+)\s*+"
    r"(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_](?:#\d{4})?)(?![\w@])"
)
_HANDLE_STOPWORDS = frozenset(
    """is its it's the and or but for on in at to me my moi et ou mais pour sur dans avec est c'est
    down dead private public great fun good bad better story stories post posts live dm dms message
    messages account compte profile profil page link lien bio app pas not no yes oui non lol mdr
    aussi also too please stp svp merci thanks""".split()
)


def _social_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of handles tied to an external network ("insta: @marie_92", "my snap is jdoe99").

    A bare ``@mention`` is not reported: members mention each other on the platform. A handle
    without ``@`` must contain a digit, ``_`` or ``.``, follow an explicit ``:``/``=``, or --
    after "is", "c'est", "it's"... -- be a lower-case word of four letters or more that no
    French or English dictionary knows ("mon snap c'est dupontcatherine", but "my snap is
    broken", "mon insta c'est mort").
    """
    hits: list[tuple[int, int]] = []
    for match in _SOCIAL.finditer(text):
        handle = match.group("handle")
        bare = handle.lstrip("@")
        conn = match.group("conn")
        explicit = ":" in conn or "=" in conn
        if bare.lower() in _HANDLE_STOPWORDS or bare.isdigit():
            continue
        if not handle.startswith("@"):
            if match.group("net").lower() == "x" and not explicit:
                continue
            if not (any(c.isdigit() or c in "_." for c in bare) or explicit or _unknown_word(bare, conn)):
                continue
        hits.append(match.span())
    return hits


def _unknown_word(word: str, connector: str) -> bool:
    """Whether ``word``, after a verb connector, reads as a user name: lower-case, four
    letters or more, known to neither the French nor the English dictionary."""
    if not connector.strip() or not word.isalpha() or not word.islower() or len(word) < 4:
        return False
    return not _known(word)


@lru_cache(maxsize=4096)
def _known(word: str) -> bool:
    import simplemma  # its dictionaries load on first use (a third of a second, once)

    return bool(simplemma.is_known(word, lang=("fr", "en")))



# --- the cheap gate -------------------------------------------------------------------------

_DIGITS = b"0123456789"
_HINT = re.compile(r"[0-9](?:[\s.\-/()]{0,3}[0-9]){7}")
# Characters of a non-ASCII text that may make it worth scanning: digits, "@", and the
# fullwidth, small, mathematical and enclosed forms that fold into them.
_GATE = re.compile("[0-9@\uff10-\uff20\ufe6b\u2460-\u24ff\U0001d7ce-\U0001d7ff]")


def needs_scan(text: str) -> bool:
    """Return whether the finders must run on ``text`` whatever trigger words were seen: it
    holds an ``@`` (or its fullwidth or small form), eight digits close enough together to
    make a phone number (digits folded from fullwidth or styled forms, and zero-width
    characters between them, included), or a number after a word ending like a Dutch or German
    street name ("Jennylaan 64", which no trigger word announces).

    Pure-ASCII text costs one ``bytes.translate``; other text one search for a character
    class, and only text holding a digit or an "@"-like character is folded and looked at.
    """
    if text.isascii():
        if "@" in text:
            return True
        raw = text.encode("ascii")
        count = len(raw) - len(raw.translate(None, _DIGITS))
        if not count:
            return False
        return count >= 8 and _HINT.search(text) is not None or address_hint(text)
    if _GATE.search(text) is None:
        return False
    if "@" in text or "\uff20" in text or "\ufe6b" in text:
        return True
    folded = fold_pii(text).text
    if "@" in folded:
        return True
    count = _digit_count(folded)
    return count >= 8 and _HINT.search(folded) is not None or count > 0 and address_hint(folded)


#: Kinds whose trigger words alone are worth a scan whatever the rest of the text.
_WORD_KINDS = frozenset({"email", "social_handle", "real_name", "phone"})


def should_scan(text: str, triggered: Collection[str]) -> bool:
    """Return whether the finders may find anything in ``text``, given the kinds whose trigger
    words the detector saw: :func:`needs_scan` (an "@", a run of digits, a compound street
    name), a trigger of a kind that needs nothing more (an email spelled out, a handle, a name
    given explicitly, number words), a street word in a text holding a digit, or a word that
    introduces a name ("je suis", "I'm") in a text holding a capital after its first two
    characters (the name finder's introduced names are capitalised). The street and
    introduction words are common ("end", "light", "je suis"): without this a fifth of all
    messages would be folded and searched for nothing.
    """
    for kind in triggered:
        if kind in _WORD_KINDS:
            return True
    if "introduction" in triggered:
        rest = text[2:]
        if rest.lower() != rest or not rest.isascii():  # styled capitals fold into ASCII ones
            return True
    return needs_scan(text) or ("address" in triggered and _GATE.search(text) is not None)


def _lower(text: str) -> str:
    """Return ``text`` lower-cased, keeping its length (a letter whose lower case is two
    characters stays as it is)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower


def _digit_count(text: str) -> int:
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw) - len(raw.translate(None, _DIGITS))


# --- entry points -------------------------------------------------------------------------


def _hit(kind: str, start: int, end: int) -> Hit:
    return Hit(category="pii", severity=SEVERITY[kind], start=start, end=end, kind=kind, term=kind, lang=None)


def _spans(folded: PiiText, kind: str, spans: list[tuple[int, int]]) -> list[Hit]:
    hits: list[Hit] = []
    for start, end in spans:
        begin, stop = folded.span(start, end)
        if begin < stop:
            hits.append(_hit(kind, begin, stop))
    return hits


def scan_pii(
    text: str,
    *,
    triggered: Collection[str] | None = None,
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> list[Hit]:
    """Return the personal details in ``text`` (unsorted, possibly overlapping).

    ``triggered`` is the set of :data:`TRIGGERS` kinds whose words were seen (``None``: run
    every finder; ``"real_name"`` runs the explicit leads of the name finder, ``"introduction"``
    the others). Whatever it holds, emails are looked for when the folded text contains ``@``,
    phones written in digits when it holds eight digits and addresses when a Dutch or German
    street name is followed by its number; the spelled-out phone finder runs when ``"phone"``
    was triggered, the address finder only on text holding a digit. ``regions`` are the
    regions whose national phone formats are recognised.
    """
    run_all = triggered is None
    kinds: Collection[str] = () if triggered is None else triggered
    folded = fold_pii(text)
    view = folded.text
    hits: list[Hit] = []
    spelled = run_all or "phone" in kinds
    explicit = run_all or "real_name" in kinds
    introduced = run_all or "introduction" in kinds
    lower = _lower(view) if spelled or explicit else None
    if run_all or "@" in view or "email" in kinds:
        hits.extend(_spans(folded, "email", _email_spans(view)))  # also spelled out: "jean at gmail dot com"
    # no digit nor anything folding into one: no phone in digits, no address
    count = _digit_count(view) if run_all or _GATE.search(text) is not None else 0
    budget = Budget() if spelled or count >= 8 else None
    if count >= 8:
        hits.extend(_spans(folded, "phone", find_digit_phones(view, regions, budget)))
    if spelled:
        hits.extend(_spans(folded, "phone", find_spelled_phones(view, regions, budget, lower)))
    if count and (run_all or "address" in kinds or address_hint(view)):
        hits.extend(_spans(folded, "address", address_spans(view)))
    if run_all or "social_handle" in kinds:
        hits.extend(_spans(folded, "social_handle", _social_spans(view)))
    if explicit or introduced:
        found = find_names(view, lower, explicit=explicit, introduced=introduced)
        hits.extend(_spans(folded, "real_name", found))
    return hits


def find_pii(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Hit]:
    """Return every personal detail found in ``text``, sorted by position, overlaps reduced
    as :meth:`Detector.scan` does."""
    return tidy(scan_pii(text, regions=regions))


def find_emails(text: str) -> list[Hit]:
    """Return the email addresses of ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "email", _email_spans(folded.text))


def find_phones(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Hit]:
    """Return the phone numbers of ``text``, in digits or spelled out (folded first)."""
    folded = fold_pii(text)
    budget = Budget()
    spans = find_digit_phones(folded.text, regions, budget) + find_spelled_phones(folded.text, regions, budget)
    return _spans(folded, "phone", spans)


def find_addresses(text: str) -> list[Hit]:
    """Return the street addresses of ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "address", address_spans(folded.text))


def find_social_handles(text: str) -> list[Hit]:
    """Return the handles on external networks of ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "social_handle", _social_spans(folded.text))


def find_real_names(text: str) -> list[Hit]:
    """Return the real names given as such in ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "real_name", find_names(folded.text))
