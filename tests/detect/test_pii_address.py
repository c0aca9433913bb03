"""Street addresses: the shapes of the regions the communities serve, and what is not one.

The positive cases are public addresses of institutions (a parliament, a government, an
embassy-free landmark) written as their own sites give them, in each region's format; the
Faker-generated ones live in the quality bench. An address is reported with its unit and
postal line when they follow, so that hiding it hides all of it.
"""

from __future__ import annotations

import pytest

from modconsole.detect import Detector
from modconsole.detect.pii import find_pii, needs_scan

# (message, the address it holds)
ADDRESSES = [
    # France: number first, the type in lower case, a 5-digit postal line
    ("écrivez au 55 rue du Faubourg Saint-Honoré, 75008 Paris", "55 rue du Faubourg Saint-Honoré, 75008 Paris"),
    ("c'est au 126 rue de l'Université, 75007 Paris", "126 rue de l'Université, 75007 Paris"),
    ("j'habite 3 bis avenue Jean Jaurès", "3 bis avenue Jean Jaurès"),
    ("viens au 12 allee des Tilleuls", "12 allee des Tilleuls"),  # accent left off
    ("au 4, chaussée de la Madeleine appt 12", "4, chaussée de la Madeleine appt 12"),
    # Belgium, Switzerland: the type first, the number after, a 4-digit postal line
    ("Rue de la Loi 16, 1000 Bruxelles", "Rue de la Loi 16, 1000 Bruxelles"),
    ("Wetstraat 16, 1000 Brussel", "Wetstraat 16, 1000 Brussel"),
    ("je vis avenue Louise 54 bte 3", "avenue Louise 54 bte 3"),
    ("Avenue de la Paix 8-14, 1211 Genève", "Avenue de la Paix 8-14, 1211 Genève"),
    ("Bundesplatz 3, 3005 Bern", "Bundesplatz 3, 3005 Bern"),
    ("j'habite rue de Lagarde, 97169 Rossi", "rue de Lagarde, 97169 Rossi"),  # no number, a postal line
    # the Netherlands, Germany: one compound word, the number after
    ("Binnenhof 1, 2513 AA Den Haag", "Binnenhof 1, 2513 AA Den Haag"),
    ("Willy-Brandt-Straße 1, 10557 Berlin", "Willy-Brandt-Straße 1, 10557 Berlin"),
    ("ich wohne Schmiedeckegasse 49/83", "Schmiedeckegasse 49/83"),
    # United Kingdom
    ("10 Downing Street, London SW1A 2AA", "10 Downing Street, London SW1A 2AA"),
    ("I live at Flat 3, Kemp Views, Charlottefort WR7 4UF", "Flat 3, Kemp Views, Charlottefort WR7 4UF"),
    ("I live at 221B Baker Street", "221B Baker Street"),
    # United States: any USPS suffix written as a name, a unit, "City, ST ZIP"
    ("1600 Pennsylvania Avenue NW, Washington, DC 20500", "1600 Pennsylvania Avenue NW, Washington, DC 20500"),
    ("One Apple Park Way? no, 1 Infinite Loop, Cupertino, CA 95014", "1 Infinite Loop, Cupertino, CA 95014"),
    ("350 Fifth Avenue, New York, NY 10118", "350 Fifth Avenue, New York, NY 10118"),
    ("come to 665 Christine Squares Suite 974, Port Ryanfurt 02472", "665 Christine Squares Suite 974, Port Ryanfurt 02472"),
    # Canada
    ("24 Sussex Drive, Ottawa, ON K1M 1M4", "24 Sussex Drive, Ottawa, ON K1M 1M4"),
    ("1045 rue des Parlementaires, Québec, QC G1A 1A3", "1045 rue des Parlementaires, Québec, QC G1A 1A3"),
]


@pytest.mark.parametrize(("text", "address"), ADDRESSES)
def test_an_address_is_found_whole(detector: Detector, text: str, address: str) -> None:
    hits = [h for h in detector.scan(text) if h.kind == "address"]
    assert [text[h.start : h.end] for h in hits] == [address]
    assert all(h.severity == 2 for h in hits)
    assert [h for h in find_pii(text) if h.kind == "address"] == hits


NOT_ADDRESSES = [
    "I walked 2 miles down the road",
    "it is a 10 minute drive",
    "j'ai 3 cours de maths demain",
    "il reste 2 place libre",
    "there are 3 ways to do it",
    "we walked 3 big hills today",
    "j'ai reçu 3 mails de Paul",
    "lis la page 12 et le chapitre 3",
    "rdv à 14 h place de la République",
    "Route 66 c'est mythique",
    "en 2024 Marie est partie à Lyon",
    "I scored 3 Points in 2 Games",
    "ma note est 12 sur 20 en maths",
    "my MP3 4GB player broke",
    "la route de nuit 2 fois par semaine",
    "3 rue",
]


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_a_number_near_a_street_word_is_not_an_address(detector: Detector, text: str) -> None:
    assert [h for h in detector.scan(text) if h.kind == "address"] == []
    assert [h for h in find_pii(text) if h.kind == "address"] == []


def test_a_compound_street_name_needs_no_trigger_word() -> None:
    # no trigger word announces "Jennylaan": the cheap gate looks for a number after a street suffix
    assert needs_scan("Jennylaan 64")
    assert needs_scan("Amelie-Kraushaar-Platz 25/91")
    assert not needs_scan("on se voit à 8 h")
    assert not needs_scan("Jennylaan is mooi")


def test_obfuscated_address_is_found_in_the_original_text(detector: Detector) -> None:
    text = "j'habite au １２ rue de la Ｐaix"  # fullwidth digits and capital
    hits = [h for h in detector.scan(text) if h.kind == "address"]
    assert [text[h.start : h.end] for h in hits] == ["１２ rue de la Ｐaix"]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("mon snap c'est dupontcatherine", "snap c'est dupontcatherine"),
        ("my insta is sarahlove", "insta is sarahlove"),
    ],
)
def test_a_handle_after_is_must_not_be_a_dictionary_word(detector: Detector, text: str, handle: str) -> None:
    assert [text[h.start : h.end] for h in detector.scan(text) if h.kind == "social_handle"] == [handle]


@pytest.mark.parametrize("text", ["my snap is broken", "mon insta c'est mort", "mon snap c'est nul", "insta is down"])
def test_a_dictionary_word_after_is_is_not_a_handle(detector: Detector, text: str) -> None:
    assert [h for h in detector.scan(text) if h.kind == "social_handle"] == []
