"""Any str goes in, sorted in-bounds hits come out: odd input, huge input, package hygiene."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
import time

import pytest

from modconsole.detect import Detector, Hit, Term

from ._support import matched

ODD = [
    "",
    " ",
    "\x00",
    "\x00kys\x00",
    "\u200b" * 50,
    "\u0301" * 50,
    "\u0301kys",
    "\ufeff\u2060\u00ad",
    "\x1b[31m\x1b[1m\x1b[0m",
    "\x1b]0;title\x07",
    "\x9b31m",
    "[bold red]hello[/bold red]",
    "[/]",
    "[link=https://example.org]x[/link]",
    "\u202eevil\u202c",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "中文字符 العربية हिन्दी",
    "\ue000\U000f0000\uffff\U0010ffff",
    "\U0001d400" * 10,
    "\r\n\t\v\f",
    "a" * 10_000,
    "!" * 1_000,
    "*" * 1_000,
    "@" * 1_000,
    "s u i " * 1_000,
    "0" * 5_000,
    "06 " * 2_000,
    "\ud800\udfff kys",  # lone surrogates
]


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_odd_input_never_raises_and_stays_in_bounds(detector: Detector, text: str) -> None:
    hits = detector.scan(text)
    assert isinstance(hits, list)
    assert all(0 <= h.start < h.end <= len(text) for h in hits)
    assert [(h.start, h.end) for h in hits] == sorted((h.start, h.end) for h in hits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[bold]kill yourself[/bold]", ["kill yourself"]),
        ("\x1b[31m kys \x1b[0m", ["kys"]),
        ("\u202ekill yourself\u202c", ["kill yourself"]),
        ("\x00kys\x00", ["kys"]),
        ("\u0301kys", ["kys"]),
        ("\ud800 suicide", ["suicide"]),
    ],
)
def test_markup_and_control_characters_do_not_hide_terms(
    detector: Detector, text: str, expected: list[str]
) -> None:
    assert matched(text, detector.scan(text)) == expected


ADVERSARIAL = [
    "insta " + "-" * 5_000 + "!",
    "snap" + " :" * 5_000 + "!",
    "a" + "." * 5_000 + "@" + "b." * 5_000 + "!",
    "jean" + " at" * 5_000 + " x",
    "a (at) b" + " (dot) b" * 3_000 + "!",
    "12 rue " + "de " * 5_000 + "x",
    "12 " + "Aa " * 5_000 + "!",
    "my name is " + "a " * 5_000,
    "je m'appelle" + " " * 20_000 + "x",
    "1 " * 15_000,
    "x@y.com " * 3_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_no_pattern_backtracks_catastrophically(detector: Detector, text: str) -> None:
    started = time.perf_counter()
    detector.scan(text)
    assert time.perf_counter() - started < 2


def test_only_invisible_characters_give_nothing(detector: Detector) -> None:
    assert detector.scan("\u200b\u200c\u200d\u2060\ufeff\u00ad" * 100) == []
    assert detector.scan("\u0301\u0308\u0327" * 100) == []


def test_random_code_points_never_raise(detector: Detector) -> None:
    rng = random.Random(99)
    for _ in range(2_000):
        text = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(0, 40)))
        for hit in detector.scan(text):
            assert 0 <= hit.start < hit.end <= len(text)


def test_one_megabyte_body_finds_every_hit_with_exact_offsets(detector: Detector) -> None:
    filler = "lorem ipsum dolor sit amet " * 40_000
    phrase = " kill myself "
    targets = [0, 32_760, 65_530, 500_003, 1_000_000 - len(phrase)]
    pieces: list[str] = []
    previous = 0
    for target in targets:
        pieces.append(filler[previous:target])
        pieces.append(phrase)
        previous = target + len(phrase)
    text = "".join(pieces)
    assert len(text) == 1_000_000
    started = time.perf_counter()
    hits = detector.scan(text)
    elapsed = time.perf_counter() - started
    assert [(h.start, text[h.start : h.end]) for h in hits] == [(t + 1, "kill myself") for t in targets]
    assert elapsed < 10


def test_huge_bodies_of_odd_content_finish(detector: Detector) -> None:
    for text in ("\u200b" * 1_000_000, "x" * 1_000_000, "😊" * 300_000, "s u i c i d e " * 50_000):
        started = time.perf_counter()
        hits = detector.scan(text)
        assert time.perf_counter() - started < 20
        assert all(0 <= h.start < h.end <= len(text) for h in hits)


def test_scanning_is_deterministic(detector: Detector) -> None:
    text = "ｓｕｉｃｉｄｅ, k!ll yourself, insta: @x_1, 06 12 34 56 78, je m'appelle Léa"
    first = detector.scan(text)
    assert first == detector.scan(text) == Detector().scan(text)
    assert len(first) == 5


def test_an_empty_detector_finds_nothing() -> None:
    detector = Detector([], pii=False, exceptions=[])
    assert detector.scan("kill yourself 06 12 34 56 78") == []


def test_values_are_frozen() -> None:
    hit = Hit("pii", 1, 0, 1, "email", "email", None)
    term = Term("x", "offensive", "en", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.start = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        term.severity = 3  # type: ignore[misc]


def test_detect_imports_nothing_else_from_modconsole() -> None:
    code = (
        "import sys, modconsole; before = set(sys.modules); import modconsole.detect; "
        "print('\\n'.join(sorted(m for m in set(sys.modules) - before if m.startswith('modconsole'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = result.stdout.split()
    assert "modconsole.detect" in loaded
    assert all(name.startswith("modconsole.detect") for name in loaded), loaded
