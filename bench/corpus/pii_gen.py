"""The personal-detail part of the quality corpus, generated at bench run time with fixed seeds.

``pii_items()`` returns the items (each with the span of the detail in its text);
``not_a_phone_items()`` returns benign texts full of numbers that are not phone numbers.
Both are pure functions of the installed ``phonenumbers`` and ``Faker`` versions and the
seeds below, so two runs on one machine produce the same corpus.

Sources, one ``source_key`` each (the held-out split keeps one whole source out, see
``WHOLE_HELDOUT``):

* ``phonenumbers-examples``: ``phonenumbers.example_number_for_type`` for FR, BE, CH, CA,
  GB, US, mobile and fixed line, in national format (no ``+``) and international format.
* ``faker:<locale>``: Faker ``fr_FR``, ``fr_BE``, ``fr_CH``, ``en_GB``, ``en_US``, ``en_CA``:
  phone numbers, emails, street addresses, names given as such, social handles. Faker's
  ``fr_BE`` has no phone or address provider of its own (it falls back to US formats), so
  for ``fr_BE`` those two come from ``nl_BE`` (Belgian formats) inside French sentences.
  Faker numbers that ``phonenumbers`` does not consider possible in the locale's region, or
  that carry an extension, are skipped: a member writes a number that can be dialled.
* ``fiction-ranges``: ARCEP's roots for audiovisual fiction (plan national de numérotation,
  article 2.5.12: 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49, 06 39 98), Ofcom's
  drama ranges (07700 900xxx, 020 7946 0xxx) and NANP's 555-0100..0199.
* ``spelled-digits``: fiction-range numbers written out in words, French by pairs
  ("zéro six, douze, trente-quatre…") and digit by digit, English digit by digit
  ("oh seven seven…", with "double" for repeats).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

import phonenumbers

SEED = 15
FAKER_LOCALES: tuple[tuple[str, str, str], ...] = (
    ("fr_FR", "FR", "fr"),
    ("fr_BE", "BE", "fr"),
    ("fr_CH", "CH", "fr"),
    ("en_GB", "GB", "en"),
    ("en_US", "US", "en"),
    ("en_CA", "CA", "en"),
)
#: Sources held out whole (every item of them lands in the held-out part).
WHOLE_HELDOUT: frozenset[str] = frozenset({"faker:fr_CH"})

FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "phone": {
        "fr": (
            "Appelle-moi au {} ce soir",
            "mon numéro c'est le {}",
            "écris-moi sur whatsapp au {}",
            "jsuis joignable au {} après 18h",
        ),
        "en": (
            "call me on {} tonight",
            "my number is {}",
            "text me at {} after work",
            "you can reach me on {} anytime",
        ),
    },
    "email": {
        "fr": ("écris-moi à {} si tu veux", "mon mail : {}"),
        "en": ("email me at {} if you want", "my email is {}"),
    },
    "address": {
        "fr": ("mon adresse c'est {}, passe quand tu veux", "viens chez moi : {}"),
        "en": ("I live at {}, come round whenever", "come to mine: {}"),
    },
    "real_name": {
        "fr": ("je m'appelle {} au fait", "moi c'est {}", "mon nom c'est {}"),
        "en": ("my name is {} by the way", "I'm {} btw", "call me {}"),
    },
    "social_handle": {
        "fr": ("insta : @{}", "mon snap c'est {}", "ajoute-moi sur tiktok @{}"),
        "en": ("insta: @{}", "add me on snap: {}", "my discord is {}"),
    },
}

_FR_UNITS = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "dix-sept dix-huit dix-neuf"
).split()
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt"}
_EN_DIGITS = "oh one two three four five six seven eight nine".split()


def french_number(n: int) -> str:
    """Return 0..99 in French words (1990 spelling reform not applied: "vingt et un")."""
    if n < 20:
        return _FR_UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base, rest = _FR_TENS[tens - 1], 10 + unit
        joiner = " et " if tens == 7 and unit == 1 else "-"
        return f"{base}{joiner}{_FR_UNITS[rest]}"
    if unit == 0:
        return "quatre-vingts" if tens == 8 else _FR_TENS[tens]
    joiner = " et " if unit == 1 and tens != 8 else "-"
    return f"{_FR_TENS[tens]}{joiner}{_FR_UNITS[unit]}"


def french_pairs(digits: str) -> str:
    """``"0612345678"`` -> ``"zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit"``."""
    words = []
    for i in range(0, len(digits), 2):
        pair = digits[i : i + 2]
        words.append(f"zéro {_FR_UNITS[int(pair[1])]}" if pair[0] == "0" else french_number(int(pair)))
    return ", ".join(words)


def french_digits(digits: str) -> str:
    return " ".join(_FR_UNITS[int(d)] for d in digits)


def english_digits(digits: str, doubles: bool = False) -> str:
    words: list[str] = []
    i = 0
    while i < len(digits):
        d = digits[i]
        if doubles and i + 1 < len(digits) and digits[i + 1] == d:
            words.append(f"double {_EN_DIGITS[int(d)]}")
            i += 2
            continue
        words.append(_EN_DIGITS[int(d)])
        i += 1
    return " ".join(words)


def _item(
    source_key: str,
    source: str,
    url: str,
    licence: str,
    lang: str,
    kind: str,
    variant: str,
    frame: str,
    detail: str,
) -> dict[str, Any]:
    prefix, _, suffix = frame.partition("{}")
    text = prefix + detail + suffix
    digest = hashlib.sha1(f"{source_key}|{text}".encode()).hexdigest()[:10]
    return {
        "id": f"pii-{source_key}:{digest}",
        "text": text,
        "lang": lang,
        "category": "pii",
        "kind": kind,
        "subclass": f"{kind}:{variant}",
        "span": [len(prefix), len(prefix) + len(detail)],
        "source": source,
        "source_url": url,
        "licence": licence,
        "paraphrased": False,
        "source_key": source_key,
        "severity": None,
    }


def _pick(rng: random.Random, kind: str, lang: str) -> str:
    return rng.choice(FRAMES[kind][lang])


def _phonenumbers_items(rng: random.Random) -> list[dict[str, Any]]:
    items = []
    seen: set[str] = set()
    src = f"phonenumbers {phonenumbers.__version__} example_number_for_type"
    url = "https://github.com/daviddrysdale/python-phonenumbers"
    for region, lang in (("FR", "fr"), ("BE", "fr"), ("CH", "fr"), ("CA", "en"), ("GB", "en"), ("US", "en")):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, kind)
            for fmt, variant in (
                (phonenumbers.PhoneNumberFormat.NATIONAL, "national"),
                (phonenumbers.PhoneNumberFormat.INTERNATIONAL, "international"),
            ):
                written = phonenumbers.format_number(number, fmt)
                if written in seen:
                    continue
                seen.add(written)
                items.append(
                    _item(
                        "phonenumbers-examples",
                        f"{src} ({region}, {variant})",
                        url,
                        "Apache-2.0 (libphonenumber metadata)",
                        lang,
                        "phone",
                        variant,
                        _pick(rng, "phone", lang),
                        written,
                    )
                )
    return items


def _faker_items(rng: random.Random) -> list[dict[str, Any]]:
    from faker import Faker

    items = []
    for locale, region, lang in FAKER_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        # fr_BE has no phone/address provider of its own; nl_BE gives Belgian formats.
        place = Faker("nl_BE") if locale == "fr_BE" else fake
        place.seed_instance(SEED)
        key = f"faker:{locale}"
        src = f"Faker {locale} (seed {SEED})" + (
            " with nl_BE phone and address providers" if locale == "fr_BE" else ""
        )
        url = "https://github.com/joke2k/faker"

        def add(
            kind: str,
            variant: str,
            detail: str,
            frame: str | None = None,
            key: str = key,
            src: str = src,
            url: str = url,
            lang: str = lang,
        ) -> None:
            items.append(
                _item(
                    key,
                    src,
                    url,
                    "MIT (Faker); generated values",
                    lang,
                    kind,
                    variant,
                    frame or _pick(rng, kind, lang),
                    detail,
                )
            )

        phones = 0
        for _ in range(40):
            if phones == 5:
                break
            number = place.phone_number()
            if "x" in number.lower():
                continue
            try:
                parsed = phonenumbers.parse(number, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(parsed):
                add("phone", "faker", number)
                phones += 1
        for _ in range(3):
            add("email", "faker", fake.email())
        for _ in range(3):
            street = place.street_address().replace("\n", ", ")
            city = (
                f"{place.postcode()} {place.city()}" if lang == "fr" else f"{place.city()} {place.postcode()}"
            )
            add("address", "faker", f"{street}, {city}")
        first, last = fake.first_name(), fake.last_name()
        frames = FRAMES["real_name"][lang]
        add("real_name", "full", f"{first} {last}", frames[0])
        add("real_name", "first", fake.first_name(), frames[1])
        add(
            "real_name",
            "full" if lang == "fr" else "first",
            f"{fake.first_name()} {fake.last_name()}" if lang == "fr" else fake.first_name(),
            frames[2],
        )
        for _ in range(3):
            add("social_handle", "faker", fake.user_name())
    return items


def _fiction_numbers(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Return (lang, variant, written, source) for numbers in reserved fiction ranges."""
    out = []
    arcep = "ARCEP plan national de numérotation, art. 2.5.12 (numéros pour œuvres de fiction)"
    for root in ("01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "06 39 98"):
        out.append(("fr", "fiction_fr", f"{root} {rng.randrange(100):02d} {rng.randrange(100):02d}", arcep))
    ofcom = "Ofcom numbers for TV and radio drama (07700 900000-900999, 020 7946 0000-0999)"
    for _ in range(3):
        out.append(("en", "fiction_gb", f"07700 900{rng.randrange(1000):03d}", ofcom))
    for _ in range(2):
        out.append(("en", "fiction_gb", f"020 7946 0{rng.randrange(1000):03d}", ofcom))
    nanp = "NANPA: 555-0100 through 555-0199 reserved for fictional use"
    for area in ("212", "415", "617"):
        out.append(("en", "fiction_us", f"({area}) 555-01{rng.randrange(100):02d}", nanp))
    return out


FICTION_URLS = {
    "fiction_fr": "https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000037263033",
    "fiction_gb": "https://lizmunrocompliance.com/dial-t-for-trouble-phone-numbers-in-tv-drama/",
    "fiction_us": "http://www.liquisearch.com/area_codes_in_the_united_states/fictional_telephone_numbers",
}


def _fiction_items(rng: random.Random) -> list[dict[str, Any]]:
    items = []
    for lang, variant, written, source in _fiction_numbers(rng):
        items.append(
            _item(
                "fiction-ranges",
                source,
                FICTION_URLS[variant],
                "regulator's reserved range; generated",
                lang,
                "phone",
                variant,
                _pick(rng, "phone", lang),
                written,
            )
        )
    return items


def _spelled_items(rng: random.Random) -> list[dict[str, Any]]:
    items = []
    src = "fiction-range numbers spelled out in words (generated)"
    for lang, variant, written, _source in _fiction_numbers(random.Random(SEED + 1)):
        digits = "".join(c for c in written if c.isdigit())
        if lang == "fr":
            for style, spelled in (("pairs", french_pairs(digits)), ("digits", french_digits(digits))):
                items.append(
                    _item(
                        "spelled-digits",
                        src,
                        FICTION_URLS[variant],
                        "generated",
                        lang,
                        "phone",
                        f"spelled_{style}",
                        _pick(rng, "phone", lang),
                        spelled,
                    )
                )
        else:
            spelled = english_digits(digits, doubles=rng.random() < 0.5)
            items.append(
                _item(
                    "spelled-digits",
                    src,
                    FICTION_URLS[variant],
                    "generated",
                    lang,
                    "phone",
                    "spelled_digits",
                    _pick(rng, "phone", lang),
                    spelled,
                )
            )
    return items


def pii_items() -> list[dict[str, Any]]:
    """Return every personal-detail item (deterministic)."""
    rng = random.Random(SEED)
    items = _phonenumbers_items(rng) + _faker_items(rng) + _fiction_items(rng) + _spelled_items(rng)
    seen: set[str] = set()
    unique = []
    for item in items:
        if item["text"] not in seen:
            seen.add(item["text"])
            unique.append(item)
    return unique


_NOT_A_PHONE: dict[str, tuple[str, ...]] = {
    "fr": (
        "Le canapé est à {a} {b:03d},99 € en solde",
        "Commande n° {c} bien reçue, merci",
        "Mon colis {c} est bloqué depuis mardi",
        "On se retrouve le {d:02d}/{m:02d}/20{y:02d} à 14h30",
        "J'ai déménagé dans le {p}, c'est calme",
        "En {Y} j'avais {a} ans et en {Y2} j'en avais {a2}",
        "Le match a fini {s}-{s2}, quelle soirée",
        "Facture {c} de {a}{b:03d} euros, je conteste",
        "SIRET {s9} {s5}, c'est celui de l'entreprise",
        "ISBN 978-2-{i4}-{i4b}-{k}, un super roman",
    ),
    "en": (
        "The sofa is down to £{a},{b:03d} in the sale",
        "Order #{c} arrived today, thanks",
        "Tracking number {c} says it's in Leeds",
        "See you on {m:02d}/{d:02d}/20{y:02d} at 2:30pm",
        "Between {Y} and {Y2} I moved house {a} times",
        "We won {s}-{s2} on Saturday",
        "Invoice {c} for ${a},{b:03d}.50 is overdue",
        "My flight is BA {f} departing at 06:40",
        "ISBN 978-0-{i4}-{i4b}-{k}, a great read",
        "The population grew from {a},{b:03d},{b2:03d} to {a2},{b:03d},{b2:03d}",
    ),
}


def not_a_phone_items() -> list[dict[str, Any]]:
    """Return benign texts holding numbers that are not phone numbers (deterministic)."""
    rng = random.Random(SEED + 2)
    items = []
    for lang, frames in _NOT_A_PHONE.items():
        for round_ in range(2):
            for index, frame in enumerate(frames):
                values = {
                    "a": rng.randrange(1, 90),
                    "a2": rng.randrange(1, 90),
                    "b": rng.randrange(1000),
                    "b2": rng.randrange(1000),
                    "c": rng.randrange(10**7, 10**10),
                    "d": rng.randrange(1, 28),
                    "m": rng.randrange(1, 13),
                    "y": rng.randrange(0, 30),
                    "p": rng.choice((75011, 69003, 13001, 33000)),
                    "Y": rng.randrange(1950, 2000),
                    "Y2": rng.randrange(2000, 2026),
                    "s": rng.randrange(6),
                    "s2": rng.randrange(6),
                    "s9": f"{rng.randrange(100, 999)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
                    "s5": f"{rng.randrange(10000, 99999)}",
                    "i4": rng.randrange(1000, 9999),
                    "i4b": rng.randrange(1000, 9999),
                    "k": rng.randrange(10),
                    "f": rng.randrange(100, 999),
                }
                text = frame.format(**values)
                digest = hashlib.sha1(text.encode()).hexdigest()[:10]
                items.append(
                    {
                        "id": f"notaphone-{lang}:{digest}",
                        "text": text,
                        "lang": lang,
                        "category": "benign",
                        "subclass": "not_a_phone",
                        "source": f"generated (bench/corpus/pii_gen.py, seed {SEED + 2}, "
                        f"frame {index}, round {round_})",
                        "source_url": "",
                        "licence": "generated",
                        "paraphrased": False,
                        "source_key": "generated-not-a-phone",
                        "severity": None,
                    }
                )
    return items
