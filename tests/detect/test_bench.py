"""The benchmark script runs, prints its figures, and its corpus is reproducible."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from modconsole.detect import Detector

BENCH = Path(__file__).resolve().parents[2] / "bench" / "detect.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_detect", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_reproducible_and_realistic(bench: ModuleType, detector: Detector) -> None:
    corpus = bench.make_corpus(3_000, 7)
    assert corpus == bench.make_corpus(3_000, 7)
    assert corpus != bench.make_corpus(3_000, 8)
    assert 60 <= sum(map(len, corpus)) / len(corpus) <= 200
    flagged = sum(1 for message in corpus if detector.scan(message))
    assert 0.02 <= flagged / len(corpus) <= 0.08


def test_obfuscated_corpus_phrases_are_still_found(bench: ModuleType, detector: Detector) -> None:
    import random

    rng = random.Random(3)
    for phrase in bench.HIT_PHRASES:
        for _ in range(6):
            disguised = bench.obfuscate(phrase, rng)
            assert detector.scan(f"ok. {disguised}"), disguised


def test_main_prints_the_three_rates_and_ratios(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench.main(["--n", "300", "--baseline-n", "5"]) == 0
    out = capsys.readouterr().out
    for label in (
        "full detection:",
        "bare pyahocorasick (lower + iter):",
        "better_profanity:",
        "ratio full detection / bare pyahocorasick:",
        "ratio full detection / better_profanity:",
    ):
        assert label in out
