"""Phone numbers spelled out in French and English words, alone or mixed with digits."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from modconsole.detect import find_pii
from modconsole.detect.pii_phone import Budget
from modconsole.detect.pii_spelled import find_spelled_phones

# The test's own speller (written from the French and English rules, not from the code).
FR_UNITS = "zéro un deux trois quatre cinq six sept huit neuf".split()
FR_TEENS = "dix onze douze treize quatorze quinze seize dix-sept dix-huit dix-neuf".split()
FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
EN_UNITS = "zero one two three four five six seven eight nine".split()


def french_pair(n: int, belgian: bool = False) -> str:
    """Spell a pair 00-99 the French way ("zéro six", "soixante-dix-huit", "quatre-vingt-onze",
    "vingt et un"), or the Belgian and Swiss way (septante, nonante)."""
    if n < 10:
        return "zéro " + FR_UNITS[n]
    if n < 20:
        return FR_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    if belgian and tens in (7, 9):
        word = "septante" if tens == 7 else "nonante"
        return word + ("" if unit == 0 else " et un" if unit == 1 else "-" + FR_UNITS[unit])
    if tens == 7:
        return "soixante et onze" if unit == 1 else "soixante-" + FR_TEENS[unit]
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + FR_UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + FR_TEENS[unit]
    word = FR_TENS[tens]
    return word + ("" if unit == 0 else " et un" if unit == 1 else "-" + FR_UNITS[unit])


def french_pairs(digits: str, belgian: bool = False, sep: str = " ") -> str:
    """A French national number read as "zéro six" then pairs."""
    words = [FR_UNITS[int(digits[0])], FR_UNITS[int(digits[1])]]
    words += [french_pair(int(digits[i : i + 2]), belgian) for i in range(2, len(digits), 2)]
    return sep.join(words)


def english_digits(digits: str, oh: bool = True, doubles: bool = False) -> str:
    words: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        word = "oh" if d == "0" and oh else EN_UNITS[int(d)]
        run = len(digits[i:]) - len(digits[i:].lstrip(d))
        if doubles and run >= 3:
            words.append(f"triple {word}")
            i += 3
        elif doubles and run == 2:
            words.append(f"double {word}")
            i += 2
        else:
            words.append(word)
            i += 1
    return " ".join(words)


def national(region: str, kind: int = PhoneNumberType.MOBILE) -> str:
    number = phonenumbers.example_number_for_type(region, kind)
    assert number is not None
    return "".join(c for c in phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL) if c.isdigit())


def spelled_hits(text: str) -> list[str]:
    return [text[h.start : h.end] for h in find_pii(text) if h.kind == "phone"]


def random_french(rng: random.Random) -> str:
    return "0" + rng.choice("1234567") + "".join(str(rng.randrange(10)) for _ in range(8))


def test_the_speller_of_this_test() -> None:
    assert french_pair(78) == "soixante-dix-huit"
    assert french_pair(99) == "quatre-vingt-dix-neuf"
    assert french_pair(71) == "soixante et onze"
    assert french_pair(91, belgian=True) == "nonante et un"


@pytest.mark.parametrize("seed", range(40))
def test_french_pairs(seed: int) -> None:
    digits = random_french(random.Random(seed))
    for sep in (" ", ", ", " - "):
        spoken = french_pairs(digits, sep=sep)
        text = f"mon numéro c'est {spoken}, appelle-moi"
        assert spelled_hits(text) == [spoken], (digits, text)


@pytest.mark.parametrize("seed", range(20))
def test_belgian_and_swiss_pairs(seed: int) -> None:
    rng = random.Random(100 + seed)
    digits = "04" + "".join(str(rng.randrange(10)) for _ in range(8))  # a Belgian mobile
    spoken = french_pairs(digits, belgian=True)
    assert spelled_hits(f"gsm: {spoken}") == [spoken], digits


@pytest.mark.parametrize("region", ["FR", "BE", "CH", "GB"])
def test_digit_by_digit(region: str) -> None:
    digits = national(region)
    french = " ".join(FR_UNITS[int(d)] for d in digits)
    english = english_digits(digits)
    assert spelled_hits(f"appelle au {french} ce soir") == [french]
    assert spelled_hits(f"ring me on {english} tonight") == [english]


@pytest.mark.parametrize("region", ["US", "CA"])
def test_north_american_digit_by_digit(region: str) -> None:
    digits = national(region, PhoneNumberType.FIXED_LINE)
    english = english_digits(digits)
    assert spelled_hits(f"call {english} after six") == [english]


def test_english_doubles_triples_and_hundreds() -> None:
    cases = {
        "oh seven seven double oh, nine hundred, one two three": "07700900123",
        english_digits("07700900123", doubles=True): "07700900123",
        "zero two zero seven nine four six oh nine five eight": "02079460958",
        "four one five triple five two six seven one": "4155552671",
    }
    for text, _digits in cases.items():
        assert spelled_hits(f"my number is {text}") == [text], text


def test_digits_and_words_mixed() -> None:
    for text in ("06 douze 34 56 78", "zéro six 12 34 cinquante-six 78", "07700 nine hundred one two three"):
        assert spelled_hits(f"c'est le {text} !") == [text]


def test_international_spelled_out() -> None:
    text = "plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit"
    assert spelled_hits(f"numéro: {text}") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "deux semaines et trois jours",
        "one two three four five six seven eight nine ten",
        "un, deux, trois, soleil",
        "zéro un deux trois quatre cinq six sept huit neuf",
        "dix neuf huit sept six cinq quatre trois deux un zéro",
        "j'ai vingt-deux ans et trente-quatre amis",
        "two or three times a week, maybe four or five",
        "zéro six douze",  # too short to be a number
        "six six six six six six six six six six six six six six six six six six six six six six six six six "
        "six six six six six six six six six six six six six six six six",  # a run no phone is that long
    ],
)
def test_numbers_in_words_that_are_not_phones(text: str) -> None:
    assert spelled_hits(text) == []


def test_the_span_covers_the_words_in_the_original_text() -> None:
    text = "ÉCRIS-MOI : ZÉRO SIX DOUZE TRENTE-QUATRE CINQUANTE-SIX SOIXANTE-DIX-HUIT merci"
    [hit] = [h for h in find_pii(text) if h.kind == "phone"]
    assert text[hit.start : hit.end] == "ZÉRO SIX DOUZE TRENTE-QUATRE CINQUANTE-SIX SOIXANTE-DIX-HUIT"


@pytest.mark.parametrize(
    "text", [("zéro six " * 4_000), ("six " * 8_000), ("06 douze " * 3_000), ("vingt et un " * 3_000)]
)
def test_hostile_bodies_of_number_words_are_bounded(text: str) -> None:
    budget = Budget()
    spans = find_spelled_phones(text, budget=budget)
    assert len(spans) <= budget.max_hits
    assert budget.checks <= budget.max_checks
    assert budget.windows <= len(text)
