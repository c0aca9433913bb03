"""Personal details in member text: emails, phone numbers, street addresses, handles on
external networks, real names given as such.

Every finder works on the original text and returns :class:`Hit` objects with category
``"pii"``. :func:`scan_pii` takes hints so that the detector can skip the finders whose
trigger words its automaton did not see; :func:`find_pii` runs them all.
"""

from __future__ import annotations

import re
from itertools import islice

import phonenumbers

from .model import Hit, tidy

__all__ = ["TRIGGERS", "find_pii", "may_hold_phone", "scan_pii"]

#: Severity per kind: a street address locates a member physically, hence 2.
SEVERITY: dict[str, int] = {"email": 1, "phone": 1, "address": 2, "social_handle": 1, "real_name": 1}

#: Words whose presence (after folding) makes a finder worth running. The detector adds
#: them to its automaton; a finder whose kind is not listed here is gated otherwise
#: (``@`` for emails, digits for phones).
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
        "address": "rue|avenue|av|boulevard|bd|blvd|impasse|allée|quai|chemin|place|cours|route|rte|"
        "square|passage|faubourg|fbg|esplanade|résidence|lotissement|cité|villa|sentier|promenade|"
        "chaussée|rond-point|voie|street|st|road|rd|ave|lane|ln|drive|dr|way|court|ct|pl|terrace|"
        "close|crescent|sq|parkway|pkwy|highway|hwy|row|mews|gardens|grove",
    }.items()
}

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


def find_emails(text: str) -> list[Hit]:
    """Return email addresses, plain or spelled out ("jean at gmail dot com",
    "jean arobase gmail point fr", "jean [at] gmail [dot] fr")."""
    spans = {m.span() for m in _EMAIL.finditer(text)}
    spans.update(m.span() for m in _EMAIL_SPELLED.finditer(text))
    return [_hit("email", start, end) for start, end in spans]


# --- phones -------------------------------------------------------------------------------

# Numbers taken from one scan (a window of at most 32k characters): bounds the time spent
# on a body made of nothing but phone numbers (phonenumbers needs ~0.2 ms for each).
_PHONE_MAX_MATCHES = 100
_PHONE_HINT = re.compile(r"[0-9](?:[\s.\-/()]{0,2}[0-9]){7}")
_DATE = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}")
_NOT_PHONE_CONTEXT = re.compile(
    r"(?:n°|no\.|#|commande|order|r[ée]f|facture|invoice|suivi|tracking|siret|siren|iban|colis|"
    r"ticket|dossier|client|account|compte)\W*$",
    re.IGNORECASE,
)


def may_hold_phone(text: str) -> bool:
    """Return whether ``text`` has eight digits close enough together to be a phone number."""
    return _PHONE_HINT.search(text) is not None


def find_phones(text: str) -> list[Hit]:
    """Return phone numbers valid for France or, written with ``+``/``00``, any country.

    Numbers must be written with a leading ``0``, ``+`` or ``00`` (an order number or a
    bare run of digits is not a phone); dates and numbers introduced by "order", "n°",
    "commande"... are skipped. At most the first 100 numbers of a text are examined.
    """
    if not _PHONE_HINT.search(text):
        return []
    hits: list[Hit] = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)
        matches = list(islice(matcher, _PHONE_MAX_MATCHES))
    except Exception:  # a third-party parser must never take the scan down
        return hits
    for match in matches:
        raw = match.raw_string.lstrip("(")
        if not raw or raw[0] not in "+0" or _DATE.fullmatch(match.raw_string):
            continue
        if _NOT_PHONE_CONTEXT.search(text, max(0, match.start - 30), match.start):
            continue
        hits.append(_hit("phone", match.start, match.end))
    return hits


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


def find_addresses(text: str) -> list[Hit]:
    """Return street addresses: "12 rue de la Paix", "3 bis avenue Jean Jaurès",
    "221B Baker Street", "10 Downing St"."""
    hits: list[Hit] = []
    for match in _FR_ADDRESS.finditer(text):
        kind = match.group("type").lower()
        name = _PARTICLE_START.sub("", match.group("name"), count=1)
        if kind in _FR_AMBIGUOUS and not name[:1].isupper():
            continue  # "3 cours de maths", "2 place libre"
        hits.append(_hit("address", match.start(), match.end()))
    for match in _EN_ADDRESS.finditer(text):
        hits.append(_hit("address", match.start(), match.end()))
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


def find_social_handles(text: str) -> list[Hit]:
    """Return handles tied to an external network ("insta: @marie_92", "my snap is jdoe99").

    A bare ``@mention`` is not reported: members mention each other on the platform. A handle
    without ``@`` must contain a digit, ``_`` or ``.``, or follow an explicit ``:``/``=``.
    """
    hits: list[Hit] = []
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
        hits.append(_hit("social_handle", match.start(), match.end()))
    return hits


# --- real names ---------------------------------------------------------------------------

_NAME_LEAD = re.compile(
    r"(?i:(?<!\w)(?:my\s+(?:real\s+|full\s+|actual\s+|first\s+|last\s+|sur)?name(?:\s+is|['’]s)"
    r"|i\s+am\s+called|i['’]?m\s+called|je\s+m['’]?\s*appelle|je\s+me\s+nomme"
    r"|mon\s+(?:vrai\s+)?(?:nom|pr[ée]nom)(?:\s+de\s+famille)?(?:\s+(?:est|c['’]?est|c\s+est)(?!\w)|\s*:)))"
    rf"\s*+:?\s*+(?P<name>{_WORD}(?:[ \t]++{_WORD}){{0,2}})"
)
_NAME_STOPWORDS = frozenset(
    """a an the and or but not no is was are it its this that on in at to of for with from by
    as so if too also just really very kind sort secret private important unknown known written
    spelled pronounced weird funny long short hard easy nice lol btw please here there what
    why how who which because like
    et ou mais ni pas plus est était c'est ce ça sur dans avec pour par de du des le la les un une
    au aux en que qui quoi comment pourquoi car donc aussi très trop vraiment secret privé écrit
    marqué affiché connu inconnu compliqué bizarre difficile long court mdr stp svp ici là""".split()
)


def find_real_names(text: str) -> list[Hit]:
    """Return real names given as such ("my name is John Smith", "je m'appelle Marie
    Dupont"). The hit spans the name only, not the words that introduce it."""
    hits: list[Hit] = []
    for match in _NAME_LEAD.finditer(text):
        words = list(re.finditer(_WORD, match.group("name")))
        first = words[0].group()
        if first.lower() in _NAME_STOPWORDS:
            continue
        end = words[0].end()
        for word in words[1:]:
            value = word.group()
            if value.lower() in _NAME_STOPWORDS or (first[0].isupper() and not value[0].isupper()):
                break
            end = word.end()
        name = match.group("name")[:end].rstrip("'’-")
        hits.append(_hit("real_name", match.start("name"), match.start("name") + len(name)))
    return hits


# --- entry points -------------------------------------------------------------------------


def _hit(kind: str, start: int, end: int) -> Hit:
    return Hit(category="pii", severity=SEVERITY[kind], start=start, end=end, kind=kind, term=kind, lang=None)


def scan_pii(
    text: str,
    *,
    email: bool = True,
    social_handle: bool = True,
    real_name: bool = True,
    address: bool = True,
) -> list[Hit]:
    """Return the personal details in ``text`` (unsorted, possibly overlapping).

    A ``False`` hint skips a finder, except that emails are always looked for when the
    text contains ``@`` and phones whenever it holds eight digits close together.
    """
    hits: list[Hit] = []
    if email or "@" in text:
        hits.extend(find_emails(text))
    hits.extend(find_phones(text))
    if address:
        hits.extend(find_addresses(text))
    if social_handle:
        hits.extend(find_social_handles(text))
    if real_name:
        hits.extend(find_real_names(text))
    return hits


def find_pii(text: str) -> list[Hit]:
    """Return every personal detail found in ``text``, sorted by position, overlaps reduced
    as :meth:`Detector.scan` does."""
    return tidy(scan_pii(text))
