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
  be called on every message;
* :func:`scan_pii` -- the finders, those of the kinds not triggered skipped;
  :func:`find_pii` runs them all and tidies the result.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from .model import Hit, tidy
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
]

#: Severity per kind: a street address locates a member physically, hence 2.
SEVERITY: dict[str, int] = {"email": 1, "phone": 1, "address": 2, "social_handle": 1, "real_name": 1}

#: Words whose presence (after folding) makes a finder worth running, by kind. A finder whose
#: kind is not listed here is gated otherwise (``@`` for emails, digits for phones: see
#: :func:`needs_scan`). The kind ``"phone"`` (number words) is in :data:`ALL_TRIGGERS` only:
#: today's detector maps a fixed set of four kinds to its flags and would not build with a
#: fifth; the detector that gives every kind its own flag reads :data:`ALL_TRIGGERS`.
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
#: for numbers spelled out.
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
        "address": "rue|avenue|av|boulevard|bd|blvd|impasse|allée|quai|chemin|place|cours|route|rte|"
        "square|passage|faubourg|fbg|esplanade|résidence|lotissement|cité|villa|sentier|promenade|"
        "chaussée|rond-point|voie|street|st|road|rd|ave|lane|ln|drive|dr|way|court|ct|pl|terrace|"
        "close|crescent|sq|parkway|pkwy|highway|hwy|row|mews|gardens|grove",
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
    rf"(?<![\w.+\-])[\w.+\-]{{1,64}}{_AT}[\w\-]{{1,63}}(?:{_DOT}[\w\-]{{1,63}}){{0,3}}?{_DOT}{_TLDS}(?!\w)",
    re.IGNORECASE,
)


def _email_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of email addresses, plain or spelled out ("jean at gmail dot com",
    "jean arobase gmail point fr", "jean [at] gmail [dot] fr")."""
    spans = {m.span() for m in _EMAIL.finditer(text)}
    spans.update(m.span() for m in _EMAIL_SPELLED.finditer(text))
    return sorted(spans)


# --- addresses ----------------------------------------------------------------------------

_FR_TYPES = (
    r"rue|avenue|av\.?|boulevard|bd|blvd|impasse|all[ée]e|quai|chemin|place|cours|route|rte|"
    r"square|passage|faubourg|fbg|esplanade|r[ée]sidence|lotissement|cit[ée]|villa|sentier|"
    r"promenade|chauss[ée]e|rond-point|voie"
)
_FR_AMBIGUOUS = frozenset(
    "place cours route passage square villa cité cite voie promenade résidence residence "
    "esplanade sentier".split()
)
_PARTICLE = r"(?:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’]|aux)"
_FR_ADDRESS = re.compile(
    rf"(?<![\w,.])\d{{1,4}}(?:\s*(?i:bis|ter|quater|[a-d])(?!\w))?\s*,?\s+"
    rf"(?P<type>(?i:{_FR_TYPES}))(?![\w])\s+"
    rf"(?P<name>(?:(?i:{_PARTICLE})\s*)?{_WORD}(?:\s+(?:(?i:{_PARTICLE})\s*)?{_CAPITAL}[\w'’\-]*){{0,3}})"
    rf"(?:\s*,?\s+\d{{5}}\s+{_CAPITAL}[\w'’\-]*)?"
)
_PARTICLE_START = re.compile(rf"(?i:{_PARTICLE})\s*")

_EN_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"terrace|close|crescent|square|sq|parkway|pkwy|highway|hwy|row|mews|gardens|grove"
)
_EN_STOP = (
    r"(?:the|a|an|my|your|his|her|our|their|this|that|these|those|down|up|to|of|on|in|at|and|or|"
    r"from|for|by|with|more|other|different|new|few|many|times?|miles?|kms?|minutes?|mins?|"
    r"hours?|hrs?|days?|weeks?|months?|years?|blocks?|people|friends|kids|dogs|cats|cars|lanes?|"
    r"is|was|are|it|i|me|you)"
)
_EN_ADDRESS = re.compile(
    rf"(?<![\w,.])\d{{1,5}}[A-Za-z]?\s+(?:(?!{_EN_STOP}\b)[A-Za-z][\w'’\-]*\.?\s+){{1,3}}?"
    rf"(?i:{_EN_TYPES})\b\.?"
)


def _address_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of street addresses: "12 rue de la Paix", "3 bis avenue Jean Jaurès",
    "221B Baker Street", "10 Downing St"."""
    hits: list[tuple[int, int]] = []
    for match in _FR_ADDRESS.finditer(text):
        kind = match.group("type").lower()
        name = _PARTICLE_START.sub("", match.group("name"), count=1)
        if kind in _FR_AMBIGUOUS and not name[:1].isupper():
            continue  # "3 cours de maths", "2 place libre"
        hits.append(match.span())
    for match in _EN_ADDRESS.finditer(text):
        hits.append(match.span())
    return hits


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
    without ``@`` must contain a digit, ``_`` or ``.``, or follow an explicit ``:``/``=``.
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
            if not (any(c.isdigit() or c in "_." for c in bare) or explicit):
                continue
        hits.append(match.span())
    return hits



# --- the cheap gate -------------------------------------------------------------------------

_DIGITS = b"0123456789"
_HINT = re.compile(r"[0-9](?:[\s.\-/()]{0,3}[0-9]){7}")
# Characters of a non-ASCII text that may make it worth scanning: digits, "@", and the
# fullwidth, small, mathematical and enclosed forms that fold into them.
_GATE = re.compile("[0-9@\uff10-\uff20\ufe6b\u2460-\u24ff\U0001d7ce-\U0001d7ff]")


def needs_scan(text: str) -> bool:
    """Return whether the finders must run on ``text`` whatever trigger words were seen: it
    holds an ``@`` (or its fullwidth or small form), or eight digits close enough together to
    make a phone number (digits folded from fullwidth or styled forms, and zero-width
    characters between them, included).

    Pure-ASCII text costs one ``bytes.translate``; other text one search for a character
    class, and only text holding a digit or an "@"-like character is folded and looked at.
    """
    if text.isascii():
        if "@" in text:
            return True
        raw = text.encode("ascii")
        return len(raw) - len(raw.translate(None, _DIGITS)) >= 8 and _HINT.search(text) is not None
    if _GATE.search(text) is None:
        return False
    if "@" in text or "\uff20" in text or "\ufe6b" in text:
        return True
    folded = fold_pii(text).text
    return "@" in folded or _digit_count(folded) >= 8 and _HINT.search(folded) is not None


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
    the others). Whatever it holds, emails are looked for when the folded text contains ``@``
    and phones written in digits when it holds eight digits; the spelled-out phone finder runs
    when ``"phone"`` was triggered. ``regions`` are the regions whose national phone formats
    are recognised.
    """
    run_all = triggered is None
    folded = fold_pii(text)
    view = folded.text
    hits: list[Hit] = []
    if run_all or "@" in view or "email" in triggered:
        hits.extend(_spans(folded, "email", _email_spans(view)))
    spelled = run_all or "phone" in triggered
    digits = _digit_count(view) >= 8
    budget = Budget() if spelled or digits else None
    if digits:
        hits.extend(_spans(folded, "phone", find_digit_phones(view, regions, budget)))
    explicit = run_all or "real_name" in triggered
    introduced = run_all or "introduction" in triggered
    lower = _lower(view) if spelled or explicit else None
    if spelled:
        hits.extend(_spans(folded, "phone", find_spelled_phones(view, regions, budget, lower)))
    if run_all or "address" in triggered:
        hits.extend(_spans(folded, "address", _address_spans(view)))
    if run_all or "social_handle" in triggered:
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
    return _spans(folded, "address", _address_spans(folded.text))


def find_social_handles(text: str) -> list[Hit]:
    """Return the handles on external networks of ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "social_handle", _social_spans(folded.text))


def find_real_names(text: str) -> list[Hit]:
    """Return the real names given as such in ``text`` (folded first)."""
    folded = fold_pii(text)
    return _spans(folded, "real_name", find_names(folded.text))
