"""Street addresses in member text, in the formats of the regions the communities serve.

A member who writes where they live can be found at the door, so an address is the one
personal detail of severity 2. The finder reads the folded text of :mod:`.pii_fold` and knows
four shapes, each optionally followed by a unit ("Apt. 4", "Suite 974", "bte 2", "appt 12")
and by a postal line ("75019 Paris", "1000 Bruxelles", "Port Ryanfurt 02472", "London
SW1A 2AA", "Montréal, QC H3G 1P3", "9756 UN Hoenderloo"), which the reported span then covers:

* **number first, French types** -- "12 rue de la Paix", "3 bis avenue Jean Jaurès", "54,
  boulevard Haussmann", "0567 chemin Amélie" (France, Québec);
* **number first, English types** -- "221B Baker Street", "10 Downing St", "665 Christine
  Squares": the common types ("Street", "Road", "Lane"...) in any case after one to three
  words that are not ordinary words ("2 miles down the road" is not an address); the other
  suffixes of the USPS list (Publication 28, appendix C1: "Squares", "Ridge", "Views",
  "Island"...) and the British ones ("Rise", "Parade", "Wharf"...) only written as names are,
  capitalised ("3 Big Hills" is, "3 big hills" is not);
* **type first, number after** -- "Rue de la Loi 16", "avenue José Broquet 66", "chemin de
  Peitrequin 4" (Belgium, Switzerland): the name must be capitalised or a postal line follow,
  as for the ambiguous French types ("cours", "place"...) in the first shape;
* **one word, number after** -- "Wagnerstrasse 56", "Matteostraat 33", "Jennylaan 64",
  "Elisabethweg 1", "Jadwiga-Sager-Ring 46", "Schmiedeckegasse 49/83" (Dutch and German
  compounds: the word ends in a street suffix and is capitalised);
* **unit first** -- "Flat 7, Williams Island", "Studio 13, Bennett Village" (British).

A postal line alone is not reported (a city and a postcode locate a neighbourhood, not a
door), nor is a number next to an ordinary word ("j'ai 3 cours de maths", "page 12").

:func:`address_hint` is the cheap test :func:`.pii.needs_scan` applies to text holding a
digit, for the compounds no trigger word can announce; :data:`TRIGGER_WORDS` are the words that
announce the other shapes (the detector's automaton sees them).
"""

from __future__ import annotations

import re

__all__ = ["TRIGGER_WORDS", "address_hint", "address_spans"]

_WORD = r"[^\W\d_][\w'’\-]*+"
_CAP = r"[A-ZÀ-ÖØ-Þ]"
_CAPWORD = rf"{_CAP}[\w'’\-]*"
_NUMBER_AFTER = r"\d{1,4}[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}[a-zA-Z]?)?(?!\d)"

# --- types -------------------------------------------------------------------------------

#: French street types (France, Belgium, Switzerland, Québec), abbreviations included.
_FR_TYPE_WORDS = (
    "rue ruelle avenue av boulevard bd blvd impasse allée allé quai chemin ch place cours route "
    "rte square passage faubourg fbg esplanade résidence lotissement cité villa sentier promenade "
    "chaussée rond-point voie rang montée parvis traverse hameau lieu-dit grand-rue venelle "
    "drève"
).split()


def _accent_free(word: str) -> str:
    """Return a regex for ``word`` that also matches it written without its accents."""
    plain = {"é": "[ée]", "è": "[eè]", "ê": "[eê]", "â": "[aâ]", "î": "[iî]", "ô": "[oô]"}
    return "".join(plain.get(c, re.escape(c)) for c in word)


_FR_TYPES = "|".join(_accent_free(w) + (r"\." if w == "ch" else r"\.?" if w == "av" else "") for w in
                     sorted(_FR_TYPE_WORDS, key=len, reverse=True))
#: French types that are also ordinary words: the name after them must be capitalised.
_FR_AMBIGUOUS = frozenset(
    "place cours route passage square villa cité cite voie promenade résidence residence "
    "esplanade sentier rang montée montee traverse hameau parvis".split()
)
_PARTICLE = r"(?:de\s+la|de\s+l['’]|du|des|de|d['’]|la|le|les|l['’]|aux|à\s+la|au)"
#: A particle and what separates it from the next word: a space, or nothing after an apostrophe.
_PARTICLE_SEP = rf"(?i:{_PARTICLE})(?:(?<=['’])\s*|\s+)"
_PARTICLE_START = re.compile(_PARTICLE_SEP)

#: English types common enough to be recognised in any case, after a name that is not made of
#: ordinary words.
_EN_COMMON_WORDS = (
    "street st road rd avenue ave lane ln drive dr boulevard blvd court ct place pl terrace close "
    "crescent cres square sq parkway pkwy highway hwy mews gardens grove way"
).split()
_EN_COMMON = "|".join(sorted(_EN_COMMON_WORDS, key=len, reverse=True))
#: The other suffixes of USPS Publication 28 appendix C1 (full forms, plurals included), and
#: British ones (Royal Mail usage): recognised written as names are, capitalised.
_EN_TITLE = (
    "Alley Allee Aly Annex Arcade Bayou Beach Bend Bluff Bluffs Bottom Branch Bridge Brook "
    "Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center Centers Centre Circle Circles "
    "Cliff Cliffs Club Common Commons Corner Corners Course Courts Cove Coves Creek Crest "
    "Crossing Crossroad Crossroads Curve Dale Dam Divide Drives Estate Estates Expressway "
    "Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords Forest Forge "
    "Forges Fork Forks Fort Freeway Garden Gateway Glen Glens Green Greens Groves Harbor "
    "Harbors Harbour Haven Heights Hill Hills Hollow Inlet Island Islands Isle Junction "
    "Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Light Lights Loaf Lock Locks Lodge "
    "Loop Mall Manor Manors Meadow Meadows Mill Mills Mission Motorway Mount Mountain Mountains "
    "Neck Orchard Oval Overpass Park Parks Parkways Pass Passage Path Pike Pine Pines Plain "
    "Plains Plaza Point Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridge "
    "Ridges River Roads Route Row Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur "
    "Spurs Squares Station Stravenue Stream Streets Summit Throughway Trace Track Trafficway "
    "Trail Trailer Tunnel Turnpike Underpass Union Unions Valley Valleys Via Viaduct View Views "
    "Village Villages Ville Vista Walk Walks Wall Ways Well Wells "
    "Rise Parade Wharf Yard Gate Approach Broadway Circus Vale Wynd Brae Hey Croft Chase Fold "
    "Side End Gardens Hall Quay Embankment Market"
)
_EN_TITLE_RE = "|".join(sorted(set(_EN_TITLE.split()), key=len, reverse=True))
_EN_STOP = (
    r"(?:the|a|an|my|your|his|her|our|their|this|that|these|those|down|up|to|of|on|in|at|and|or|"
    r"from|for|by|with|more|other|different|new|few|many|times?|miles?|kms?|minutes?|mins?|"
    r"hours?|hrs?|days?|weeks?|months?|years?|blocks?|people|friends|kids|dogs|cats|cars|lanes?|"
    r"is|was|are|it|i|me|you|min|sec|am|pm)"
)
#: Dutch, Flemish and German street suffixes, written as the end of one word.
_COMPOUND = (
    r"straat|steenweg|steeg|weg|laan|lei|pad|plein|dreef|baan|hof|gracht|kade|singel|dijk|markt|"
    r"boulevard|park|strasse|straße|str\.|gasse|platz|ring|allee|damm|ufer|pfad|steig|chaussee|"
    r"berg|feld|graben|tor|wall|zeile|kai"
)

# --- units and postal lines --------------------------------------------------------------

_UNIT = (
    r"(?:,?\s*(?:(?i:apt|apartment|appt|app|appartement|suite|ste|unit|flat|bte|bus|boîte|"
    r"boite|bât|bat|bâtiment|batiment|escalier|esc|étage|etage)\.?|#)\s*\d{1,5}[A-Za-z]?)"
)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_CA_POSTCODE = r"[A-Z]\d[A-Z]\s?\d[A-Z]\d"
_CITY_LINK = r"(?:[\s\-]+|--)(?:(?:de|la|le|les|l['’]|du|des|aan|am|an|der|den|sur|sous|en|lès|bei|im|ob|op|upon|on)(?:[\s\-]+|--))*"
_CITY = rf"{_CAPWORD}(?:{_CITY_LINK}{_CAPWORD}){{0,4}}(?:\s+\(\w{{2}}\))?"
_POSTAL = (
    r"(?:\s*,?\s*(?:"
    rf"(?:\d{{4}}\s?[A-Z]{{2}}(?=\s+{_CAP}[\w'’]*[a-z])|\d{{4,5}}|[A-Z]{{1,2}}-\d{{4,5}})(?!\d)\s+{_CITY}"
    rf"|{_CITY}(?:,?\s+[A-Z]{{2}})?,?\s+(?:\d{{5}}(?:-\d{{4}})?(?!\d)|{_UK_POSTCODE}|{_CA_POSTCODE})(?![\w])"
    r"))"
)

# --- the shapes --------------------------------------------------------------------------

_NOT_UNIT = r"(?!(?i:apt|apartment|appt|app|appartement|suite|ste|unit|flat|bte|bus|boîte|boite|bât|bat|bâtiment|batiment|escalier|esc|étage|etage)\b)"
_DIRECTION = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\.?(?!\w))?"
_FR_NAME = rf"(?:{_PARTICLE_SEP})?{_WORD}(?:\s+(?:{_PARTICLE_SEP})?{_NOT_UNIT}{_CAPWORD}){{0,3}}"
_FR_NUMBER_FIRST = re.compile(
    rf"(?<![\w,.])\d{{1,5}}(?:\s*(?i:bis|ter|quater|[a-d])(?!\w))?\s*,?\s+"
    rf"(?P<type>(?i:{_FR_TYPES}))(?!\w)\s+(?P<name>{_FR_NAME})"
    rf"(?P<unit>{_UNIT})?(?P<postal>{_POSTAL})?"
)
_TYPE_FIRST = re.compile(
    rf"(?<![\w])(?P<type>(?i:{_FR_TYPES}))(?!\w)\s+(?P<name>{_FR_NAME})"
    rf"(?:\s+{_NUMBER_AFTER}(?P<unit>{_UNIT})?(?P<postal>{_POSTAL})?|(?P<bare>{_POSTAL}))"
)
_COMPOUND_FIRST = re.compile(
    rf"(?<![\w\-])(?:(?:{_CAP}[\w'’]*-)+(?i:{_COMPOUND})|(?:{_CAP}[\w'’]*-)*{_CAP}[\w'’]*?(?i:{_COMPOUND}))"
    rf"(?!\w)\s+{_NUMBER_AFTER}"
    rf"(?P<unit>{_UNIT})?(?P<postal>{_POSTAL})?"
)
_EN_COMMON_FIRST = re.compile(
    rf"(?<![\w,.])\d{{1,5}}[A-Za-z]?\s+(?:(?!{_EN_STOP}\b)[A-Za-z][\w'’\-]+\.?\s+){{1,3}}?"
    rf"(?i:{_EN_COMMON})\b\.?{_DIRECTION}(?P<unit>{_UNIT})?(?P<postal>{_POSTAL})?"
)
_EN_TITLE_FIRST = re.compile(
    rf"(?<![\w,.])\d{{1,5}}[A-Z]?\s+(?:{_CAP}[\w'’\-]*\s+){{1,3}}?(?:{_EN_TITLE_RE})(?!\w){_DIRECTION}"
    rf"(?P<unit>{_UNIT})?(?P<postal>{_POSTAL})?"
)
_UNIT_FIRST = re.compile(
    rf"(?<![\w])(?:Flat|Apartment|Apt\.?|Studio|Unit|Suite|Maisonette)\s+\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:{_CAPWORD}\s+){{0,3}}{_CAPWORD}(?P<postal>{_POSTAL})?"
)

_SPACE_DIGIT = re.compile(r"\s\d")
_SUFFIXES = tuple(_COMPOUND.replace("\\", "").split("|"))

_UNIT_FIRST_WORDS = ("flat", "apartment", "apt", "studio", "unit", "suite", "maisonette")

#: Words that announce an address of the number-first, type-first and unit-first shapes (the
#: automaton reads a folded skeleton: accents off, lower case).
TRIGGER_WORDS: tuple[str, ...] = tuple(
    sorted(
        set(_FR_TYPE_WORDS)
        | set(_EN_COMMON_WORDS)
        | {w.lower() for w in _EN_TITLE.split()}
        | set(_UNIT_FIRST_WORDS)
    )
)


def address_hint(text: str) -> bool:
    """Return whether ``text`` may hold a Dutch or German compound street name followed by its
    number ("Wagnerstrasse 56", "Jennylaan 64"): the word before a number ends in a street
    suffix. Costs one search for a space before a digit, and a look at the word before each."""
    for match in _SPACE_DIGIT.finditer(text):
        at = match.start()
        while at > 0 and text[at - 1].isspace():
            at -= 1
        start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        word = text[start:at]
        if len(word) > 3 and word[0].isupper() and word.lower().endswith(_SUFFIXES):
            return True
    return False


def _postal_or_capital(match: re.Match[str]) -> bool:
    if match.group("postal"):
        return True
    name = _PARTICLE_START.sub("", match.group("name"), count=1)
    return name[:1].isupper()


def address_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of the street addresses of ``text`` (possibly overlapping)."""
    hits: list[tuple[int, int]] = []
    for match in _FR_NUMBER_FIRST.finditer(text):
        kind = match.group("type").lower()
        if kind in _FR_AMBIGUOUS and not _postal_or_capital(match):
            continue  # "3 cours de maths", "2 place libre"
        hits.append(match.span())
    for match in _TYPE_FIRST.finditer(text):
        if not match.group("bare") and not _postal_or_capital(match):
            continue  # "la route de nuit 2 fois"
        hits.append(match.span())
    for pattern in (_COMPOUND_FIRST, _EN_COMMON_FIRST, _EN_TITLE_FIRST, _UNIT_FIRST):
        hits.extend(match.span() for match in pattern.finditer(text))
    return hits
