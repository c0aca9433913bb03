"""The personal-detail fold, and obfuscated details found with spans that cover them."""

from __future__ import annotations

import unicodedata

import pytest

from modconsole.detect import Detector, find_pii
from modconsole.detect.pii_fold import fold_pii

CYRILLIC = {"a": "а", "e": "е", "o": "о", "c": "с", "i": "і", "p": "р", "x": "х", "y": "у",
            "A": "А", "E": "Е", "O": "О", "C": "С", "M": "М", "H": "Н", "P": "Р", "T": "Т"}
GREEK = {"o": "ο", "A": "Α", "E": "Ε", "O": "Ο", "T": "Τ", "K": "Κ", "M": "Μ"}


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def zero_width(text: str, mark: str = "\u200b") -> str:
    return mark.join(text)


def homoglyphs(text: str, table: dict[str, str] = CYRILLIC) -> str:
    return "".join(table.get(c, c) for c in text)


def test_ascii_text_is_its_own_fold() -> None:
    folded = fold_pii("write to jean@gmail.com")
    assert folded.identity and folded.text == "write to jean@gmail.com"
    assert folded.span(9, 23) == (9, 23)


def test_ordinary_french_is_its_own_fold() -> None:
    text = "J’ai enfin appelé ma mère « après » deux semaines – c’était bien 😊"
    assert fold_pii(text).identity


def test_fullwidth_zero_width_and_homoglyphs_fold_to_ascii() -> None:
    assert fold_pii(fullwidth("jean@gmail.com")).text == "jean@gmail.com"
    assert fold_pii(zero_width("06 12 34 56 78")).text == "06 12 34 56 78"
    assert fold_pii("\u00ad".join("jean@free.fr")).text == "jean@free.fr"
    assert fold_pii("\u202ejean@free.fr\u202c").text == "jean@free.fr"
    assert fold_pii(homoglyphs("jean@gmail.com")).text == "jean@gmail.com"


def test_the_fold_keeps_case_digits_and_accents() -> None:
    assert fold_pii(homoglyphs("Marie")).text == "Marie"  # Cyrillic capital М read as M
    assert fold_pii(homoglyphs("MOI", GREEK)).text == "MOI"
    assert fold_pii("Léa 0612345678 ＡＢ").text == "Léa 0612345678 AB"  # no l33t reading, no lower-casing
    assert fold_pii("Le\u0301a").text == "Léa"  # a letter and its combining mark composed


def test_spans_map_back_over_expansions_and_deletions() -> None:
    text = "ﬁle \u200b０６\u200b x"
    folded = fold_pii(text)
    assert folded.text == "file 06 x"
    start = folded.text.index("06")
    assert folded.span(start, start + 2) == (text.index("０"), text.index("６") + 1)
    assert folded.span(0, 2) == (0, 1)  # both letters of the ligature come from one character
    decomposed = "Le\u0301a"
    assert fold_pii(decomposed).span(0, 3) == (0, len(decomposed))


DETAILS = [
    ("email", "jean.dupont@gmail.com", "écris à {} vite"),
    ("email", "marie_92@orange.fr", "mail: {}"),
    ("phone", "06 12 34 56 78", "appelle au {} ce soir"),
    ("phone", "+44 20 7946 0958", "call {} tonight"),
    ("phone", "(415) 555-2671", "text me on {} later"),
    ("phone", "0470 12 34 56", "gsm {} merci"),
]
DISGUISES = {
    "fullwidth": fullwidth,
    "zero_width": zero_width,
    "word_joiner": lambda t: zero_width(t, "\u2060"),
    "soft_hyphen": lambda t: zero_width(t, "\u00ad"),
    "zwj_bom": lambda t: "".join(c + ("\u200d" if i % 2 else "\ufeff") for i, c in enumerate(t))[:-1],
    "homoglyphs": homoglyphs,
    "greek": lambda t: homoglyphs(t, GREEK),
    "math_digits": lambda t: "".join(chr(0x1D7CE + int(c)) if c.isdigit() else c for c in t),
}


@pytest.mark.parametrize(("kind", "detail", "frame"), DETAILS)
@pytest.mark.parametrize("disguise", sorted(DISGUISES))
def test_disguised_details_are_found_with_spans_covering_them(
    detector: Detector, kind: str, detail: str, frame: str, disguise: str
) -> None:
    disguised = DISGUISES[disguise](detail)
    if disguised == detail:
        pytest.skip("the disguise does not change this detail")
    text = frame.format(disguised)
    start = text.index(disguised)
    for hits in (find_pii(text), [h for h in detector.scan(text) if h.category == "pii"]):
        spans = [(h.start, h.end) for h in hits if h.kind == kind]
        assert (start, start + len(disguised)) in spans, (text, spans)


def test_homoglyph_email_domain_and_tld() -> None:
    text = "jean@" + homoglyphs("yahoo.co") + "m"
    [hit] = find_pii(text)
    assert (hit.kind, hit.start, hit.end) == ("email", 0, len(text))


def test_a_disguised_name_keeps_its_capital() -> None:
    text = "moi c'est " + homoglyphs("Marie") + ", enchantée"
    [hit] = find_pii(text)
    assert hit.kind == "real_name" and text[hit.start : hit.end] == homoglyphs("Marie")
    assert unicodedata.name(text[hit.start]).startswith("CYRILLIC")


def test_invisible_text_gives_nothing() -> None:
    assert find_pii("\u200b\u200c\u200d\u2060\ufeff\u00ad" * 500) == []
    assert find_pii("\u0301" * 500) == []
