"""Phone numbers in the national formats of the declared regions, reserved and fictional
ranges, international forms, and numbers that are not phones."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from modconsole.detect import find_pii
from modconsole.detect.pii import DEFAULT_REGIONS, scan_pii
from modconsole.detect.pii_phone import Budget, find_digit_phones

TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE)


def phones(text: str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> list[str]:
    return [text[h.start : h.end] for h in find_pii(text, regions) if h.kind == "phone"]


def example_numbers(region: str) -> list[phonenumbers.PhoneNumber]:
    numbers = [phonenumbers.example_number_for_type(region, kind) for kind in TYPES]
    return [n for n in numbers if n is not None]


def national_variants(number: phonenumbers.PhoneNumber) -> list[str]:
    """The ways members write a national number: as phonenumbers formats it, bare, and with
    dots or dashes instead of its spaces (parentheses dropped)."""
    written = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    plain = written.replace("(", "").replace(")", "")
    groups = plain.replace("-", " ").split()
    return sorted({written, "".join(groups), ".".join(groups), "-".join(groups), " ".join(groups)})


CASES = [
    (region, variant)
    for region in DEFAULT_REGIONS
    for number in example_numbers(region)
    for variant in national_variants(number)
]


def test_every_default_region_has_example_numbers() -> None:
    assert {region for region, _ in CASES} == set(DEFAULT_REGIONS)
    assert len(CASES) >= 60


@pytest.mark.parametrize(("region", "written"), CASES)
def test_national_formats_of_each_region(region: str, written: str) -> None:
    for text in (written, f"appelle-moi au {written} stp", f"call me at {written} tonight"):
        assert phones(text) == [written], (region, text)


@pytest.mark.parametrize("region", DEFAULT_REGIONS)
def test_international_formats_of_each_region(region: str) -> None:
    for number in example_numbers(region):
        international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        for written in (international, e164):
            assert phones(f"tel: {written}.") == [written]
        if region != "US" and region != "CA":  # 00 is how Europe dials abroad
            written = "00" + e164[1:]
            assert phones(f"mon numéro {written}") == [written]


@pytest.mark.parametrize(
    "written",
    ["(415) 555-2671", "415-555-2671", "415.555.2671", "415 555 2671", "1-415-555-2671", "1 (415) 555-2671",
     "(613) 555 0143", "+1 415 555 2671", "4155552671"],
)
def test_north_american_styles(written: str) -> None:
    assert phones(f"text me on {written} after 6") == [written]


@pytest.mark.parametrize(
    "written",
    ["020 7946 0958", "(020) 7946 0958", "07700 900123", "07700 900 123", "0161 496 0000", "02079460958",
     "0470 12 34 56", "0470/12.34.56", "02 123 45 67", "02/123.45.67", "079 123 45 67", "044 668 18 00",
     "06 12 34 56 78", "06.12.34.56.78", "0 800 12 34 56", "+33 (0)6 12 34 56 78", "+44 (0)20 7946 0958",
     "0033 6 12 34 56 78", "+32 470 12 34 56", "+41 79 123 45 67"],
)
def test_european_styles(written: str) -> None:
    assert phones(f"mon num: {written}, merci") == [written]


def fiction(rng: random.Random) -> list[str]:
    """Numbers from the ranges regulators keep for fiction and drama (ARCEP 01 99 00, NANP
    555-0100 to 555-0199, Ofcom's drama ranges), with random line digits."""
    def d(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    return [
        f"01 99 00 {d(2)} {d(2)}",
        f"01.99.00.{d(2)}.{d(2)}",
        f"(201) 555-01{d(2)}",
        f"212-555-01{d(2)}",
        f"(613) 555-01{d(2)}",
        f"07700 900{d(3)}",
        f"020 7946 0{d(3)}",
        f"0113 496 0{d(3)}",
        f"0161 496 0{d(3)}",
        f"01632 960{d(3)}",
        f"0808 157 0{d(3)}",
    ]


@pytest.mark.parametrize("seed", range(5))
def test_reserved_and_fictional_ranges_are_reported(seed: int) -> None:
    for written in fiction(random.Random(seed)):
        assert phones(f"my number is {written}") == [written]


def test_two_numbers_written_one_after_the_other_are_two_hits() -> None:
    text = "06 12 34 56 78 07 98 76 54 32"
    assert phones(text) == ["06 12 34 56 78", "07 98 76 54 32"]


BENIGN = [
    # prices and amounts
    "ça coûte 12,50 €", "le loyer est de 1 234,56 euros", "il a gagné 2 500 000 dollars",
    "budget: 1 250 000 €", "$1,234,567.89 raised", "0,612345678 de probabilité", "ça fait 06 12 34 56 78 €",
    # dates and times
    "le 06/12/2024 à 14h30", "rdv le 06.12.2024 à 9h", "né le 2024-06-12", "du 01/02/2023 au 03/04/2024",
    "on 12/25/2024 at 10:30 pm", "à 14:30", "de 9 h à 17 h", "at 10:45:30", "le 06/12 06h30",
    # order, ticket, invoice, tracking, account numbers
    "commande n° 0612345678", "commande n°0612345678", "order #4155552671", "numéro de suivi 0612345678",
    "ticket 0612345678", "facture numéro 0123456789", "invoice number 2015550123", "réf. 01 23 45 67 89",
    "tracking: 1Z 999 AA1 01 2345 6784", "mon compte client 0612345678", "dossier n° 02 123 45 67",
    # postal codes and years
    "75019 Paris", "code postal 69003", "SW1A 1AA London", "Beverly Hills 90210", "en 1998, 2004 et 2012",
    "from 1990 to 2020", "années 1980 1990 2000 2010",
    # bank and company identifiers, codes
    "IBAN FR76 3000 6000 0112 3456 7890 189", "SIRET 732 829 320 00074", "siret 73282932000074",
    "ISBN 978-0-8665-4410-7", "IP 192.168.0.1", "version 2.3.4", "carte 4970 1012 3456 7890",
    # counts and scores
    "score: 12 34 56 78", "j'ai 123456789 raisons", "2 x 3 = 6", "1 2 3 4 5 6 7 8 9 10", "123-456-7890",
]


@pytest.mark.parametrize("text", BENIGN)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert [h for h in find_pii(text) if h.kind == "phone"] == []


def test_regions_decide_the_national_formats() -> None:
    us = "(415) 555-2671"
    assert phones(us, ("FR",)) == []
    assert phones(us, ("US",)) == [us]
    german = phonenumbers.format_number(
        phonenumbers.example_number_for_type("DE", PhoneNumberType.MOBILE), PhoneNumberFormat.NATIONAL
    )
    assert phones(german) == phones(german, ("FR",))  # whatever FR makes of it, DE is not declared
    assert phones(german, ("DE",)) == [german]
    assert phones("+49 151 23456789", ("FR",)) == ["+49 151 23456789"]  # international needs no region
    assert phones("06 12 34 56 78", ("XX", "FR")) == ["06 12 34 56 78"]  # unknown regions are ignored


def test_digits_run_into_letters_or_decimals_are_not_phones() -> None:
    assert phones("0612345678abc") == []
    assert phones("12.0612345678") == []
    assert phones("ab0612345678") == []


@pytest.mark.parametrize(
    "text",
    ["0" * 32_768, "06 " * 10_000, "0612345678 " * 3_000, "1 " * 16_000, "0-" * 16_000, "(0)" * 10_000,
     " ".join("0" + str(i % 10) for i in range(10_000)), "+33 " * 8_000],
)
def test_hostile_bodies_are_bounded(text: str) -> None:
    budget = Budget()
    spans = find_digit_phones(text, DEFAULT_REGIONS, budget)
    assert len(spans) <= budget.max_hits
    assert budget.checks <= budget.max_checks
    assert budget.windows <= len(text)  # linear: each window ends on a new group
    assert all(0 <= start < end <= len(text) for start, end in spans)


def test_a_body_of_distinct_numbers_stops_at_the_budget() -> None:
    rng = random.Random(3)
    text = " ".join(f"0{rng.randrange(1, 10)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
                    f"{rng.randrange(10, 100)} {rng.randrange(10, 100)}" for _ in range(2_000))
    budget = Budget()
    spans = find_digit_phones(text, DEFAULT_REGIONS, budget)
    assert len(spans) == budget.max_hits
    assert len(scan_pii(text)) <= 2 * budget.max_hits
