"""The quality corpus is well formed and the quality bench computes its figures right.

The arithmetic is checked with a detector built from a few known terms on a hand-made
corpus, so these tests say nothing about today's recall of the shipped detector.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from modconsole.detect import Detector, Term

BENCH = Path(__file__).resolve().parents[2] / "bench"
CORPUS = BENCH / "corpus"

SUBCLASSES = {
    "risk": {"intent_plan_method_act", "ideation_disclosure", "distress_indirect"},
    "offensive": {"insult", "slur", "threat", "solicitation", "derogation", "hostility"},
}
SEVERITY_OF = {"intent_plan_method_act": 3, "ideation_disclosure": 2, "distress_indirect": 1}
FIELDS = {
    "id",
    "text",
    "lang",
    "category",
    "subclass",
    "severity",
    "source",
    "source_url",
    "licence",
    "paraphrased",
    "split",
}


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality", BENCH / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quality"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files() -> dict[str, list[dict[str, Any]]]:
    parts: dict[str, list[dict[str, Any]]] = {}
    for part in ("dev", "heldout"):
        parts[part] = []
        for path in sorted((CORPUS / part).glob("*.jsonl")):
            with path.open(encoding="utf-8") as handle:
                parts[part].extend(json.loads(line) for line in handle)
    return parts


@pytest.fixture(scope="module")
def corpus(quality: ModuleType) -> dict[str, list[dict[str, Any]]]:
    return quality.load_corpus()


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def test_every_item_is_labelled_in_the_allowed_sets(corpus: dict[str, list[dict[str, Any]]]) -> None:
    for part, items in corpus.items():
        for item in items:
            assert FIELDS <= item.keys(), item["id"]
            assert item["split"] == part, item["id"]
            assert item["lang"] in {"fr", "en"}, item["id"]
            assert item["text"].strip() and item["source"], item["id"]
            assert isinstance(item["paraphrased"], bool), item["id"]
            category = item["category"]
            assert category in {"risk", "offensive", "pii", "benign"}, item["id"]
            if category == "risk":
                assert item["subclass"] in SUBCLASSES["risk"], item["id"]
                assert item["severity"] == SEVERITY_OF[item["subclass"]], item["id"]
            else:
                assert item["severity"] is None, item["id"]
            if category == "offensive":
                assert item["subclass"] in SUBCLASSES["offensive"], item["id"]
            if category == "pii":
                start, end = item["span"]
                assert 0 <= start < end <= len(item["text"]), item["id"]
                assert item["kind"] in {"email", "phone", "address", "social_handle", "real_name"}
                assert item["subclass"].startswith(item["kind"] + ":"), item["id"]


def test_ids_are_unique_and_no_text_is_in_both_parts(corpus: dict[str, list[dict[str, Any]]]) -> None:
    ids = [item["id"] for items in corpus.values() for item in items]
    assert len(ids) == len(set(ids))
    dev = {_fold(item["text"]) for item in corpus["dev"]}
    heldout = {_fold(item["text"]) for item in corpus["heldout"]}
    assert not dev & heldout


def test_every_source_is_listed_in_sources_md(corpus: dict[str, list[dict[str, Any]]]) -> None:
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for items in corpus.values():
        for item in items:
            assert item["source_key"] in listed, item["id"]
            if item["source_url"]:
                assert item["source_url"] in listed, item["id"]


def test_the_split_follows_the_rule_and_holds_out_about_30_percent(
    quality: ModuleType, corpus: dict[str, list[dict[str, Any]]]
) -> None:
    whole: dict[str, set[str]] = {}
    per_category: dict[str, list[int]] = {}
    for part, items in corpus.items():
        for item in items:
            is_whole = (
                bool(item.get("whole_source_heldout")) or item["source_key"] in quality.pii_gen.WHOLE_HELDOUT
            )
            if is_whole:
                assert part == "heldout", item["id"]
                whole.setdefault(item["category"], set()).add(item["source_key"])
                continue
            by_hash = int(hashlib.sha256(item["id"].encode()).hexdigest(), 16) % 10 < 3
            assert (part == "heldout") == by_hash, item["id"]
            counts = per_category.setdefault(item["category"], [0, 0])
            counts[part == "heldout"] += 1
    assert set(whole) >= {"risk", "offensive", "pii", "benign"}
    for category, (dev, heldout) in per_category.items():
        assert 0.2 <= heldout / (dev + heldout) <= 0.4, category


def test_the_corpus_is_as_large_as_the_task_asks(corpus: dict[str, list[dict[str, Any]]]) -> None:
    items = corpus["dev"] + corpus["heldout"]

    def count(category: str, lang: str | None = None) -> int:
        return sum(1 for i in items if i["category"] == category and (lang is None or i["lang"] == lang))

    assert count("risk", "fr") >= 150 and count("risk", "en") >= 150
    assert count("offensive") >= 300
    assert count("benign") >= 400
    assert count("pii") >= 100


def test_pii_generation_is_deterministic_and_spans_hold_the_details(quality: ModuleType) -> None:
    import pii_gen

    first, second = pii_gen.pii_items(), pii_gen.pii_items()
    assert first == second
    assert pii_gen.not_a_phone_items() == pii_gen.not_a_phone_items()
    kinds = {item["kind"] for item in first}
    assert kinds == {"email", "phone", "address", "social_handle", "real_name"}
    for item in first:
        start, end = item["span"]
        detail = item["text"][start:end]
        assert detail.strip() == detail and detail, item["id"]
    assert (
        pii_gen.french_pairs("0612345678")
        == "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit"
    )
    assert [pii_gen.french_number(n) for n in (21, 71, 80, 81, 91, 99)] == [
        "vingt et un",
        "soixante et onze",
        "quatre-vingts",
        "quatre-vingt-un",
        "quatre-vingt-onze",
        "quatre-vingt-dix-neuf",
    ]
    assert pii_gen.english_digits("07700", doubles=True) == "oh double seven double oh"


def test_pii_transforms_move_the_span_with_the_detail(quality: ModuleType) -> None:
    item = {"text": "call 06 12 34 56 78 now", "span": [5, 19], "kind": "phone"}
    text, (start, end) = quality.transform_pii(item, "dots")
    assert text == "call 06.12.34.56.78 now" and text[start:end] == "06.12.34.56.78"
    text, (start, end) = quality.transform_pii(item, "zero_width")
    assert text[start:end].replace("\u200b", "") == "06 12 34 56 78" and text.endswith(" now")
    assert quality.transform_pii(item, "homoglyphs") is None  # only emails get homoglyphs


def _item(category: str, text: str, subclass: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": text,
        "text": text,
        "lang": extra.pop("lang", "en"),
        "category": category,
        "subclass": subclass,
        "severity": extra.pop("severity", None),
        **extra,
    }


def test_figures_are_computed_right_on_a_tiny_corpus(quality: ModuleType) -> None:
    detector = Detector(
        [
            Term("kill myself", "self_harm", "en", 3),
            Term("help", "self_harm", "en", 1),
            Term("idiot", "offensive", "en", 2),
        ],
        pii=True,
        grammar=False,
        exceptions=[],
    )
    items = [
        _item("risk", "I want to kill myself", "intent_plan_method_act", severity=3),
        _item("risk", "I will end it tonight", "intent_plan_method_act", severity=3),
        _item("risk", "please help", "ideation_disclosure", severity=2, lang="fr"),
        _item("offensive", "you idiot", "insult"),
        _item("offensive", "you moron", "insult"),
        _item("offensive", "fools like them", "derogation"),
        _item("benign", "help with my CV", "help_request"),
        _item("benign", "what an idiot I am", "idiom"),
        _item("benign", "order 123", "not_a_phone"),
        _item("benign", "you idiot, he said", "counter_quote_nh"),
        _item("pii", "write to jean@example.org", "email:test", kind="email", span=[9, 25]),
        _item("pii", "write to jean@example.org", "email:test", kind="email", span=[0, 5]),
    ]
    items[-1]["id"] = "second-email"
    result = quality.evaluate(items, detector, max_misses=None)
    f = result["figures"]
    assert f["risk.all"] == {"hit": 2, "n": 3, "rate": 2 / 3}
    assert f["risk.sev3"]["hit"] == 1 and f["risk.sev3"]["n"] == 2
    # "please help" is caught (a self_harm hit) but below its labelled severity 2
    assert f["risk.at_severity"]["hit"] == 1
    assert f["risk.lang.fr"] == {"hit": 1, "n": 1, "rate": 1.0}
    assert f["offensive.target"] == {"hit": 1, "n": 2, "rate": 0.5}
    # "fools" is not in the toy lexicon, so derogation is 0/1
    assert f["offensive.derogation"] == {"hit": 0, "n": 1, "rate": 0.0}
    assert f["pii.all"] == {"hit": 1, "n": 2, "rate": 0.5}  # the second span lies outside the email
    # help_request: a severity-1 hit is allowed; the idiom and the counter-quote are false positives
    assert f["benign.sub.help_request"]["hit"] == 0
    assert f["benign.all"] == {"hit": 2, "n": 4, "rate": 0.5}
    assert f["benign.target"] == {"hit": 1, "n": 3, "rate": 1 / 3}
    assert result["miss_counts"]["risk.intent_plan_method_act"] == 1
    assert result["misses"]["offensive.insult"] == ["you moron"]
    # every transform that changes one of the three caught risk/offensive items, and the pii ones of the email
    caught_texts = ["I want to kill myself", "please help", "you idiot"]
    text_pairs = sum(t(text) != text for text in caught_texts for t in quality.TEXT_TRANSFORMS.values())
    assert text_pairs == 3 * len(quality.TEXT_TRANSFORMS) - 3  # no_accents leaves ASCII text alone
    pii_pairs = sum(quality.transform_pii(items[-2], name) is not None for name in quality.PII_TRANSFORMS)
    assert f["robustness.all"]["n"] == text_pairs + pii_pairs
    assert f["robustness.risk.upper"] == {"hit": 2, "n": 2, "rate": 1.0}
    targets = {t["figure"]: t for t in result["targets"]}
    assert targets["risk.all"]["pass"] is False and targets["risk.all"]["value"] == 2 / 3
    assert targets["benign.target"]["op"] == "<="


def test_misses_are_kept_up_to_the_limit_and_counted_in_full(quality: ModuleType) -> None:
    detector = Detector([Term("idiot", "offensive", "en", 2)], pii=False, exceptions=[], grammar=False)
    items = [_item("offensive", f"you moron number {n}", "insult") for n in range(4)]
    result = quality.evaluate(items, detector, max_misses=2)
    assert result["miss_counts"]["offensive.insult"] == 4
    assert len(result["misses"]["offensive.insult"]) == 2
    assert quality.evaluate(items, detector, max_misses=0)["misses"].get("offensive.insult", []) == []


def test_escape_makes_control_and_format_characters_visible(quality: ModuleType) -> None:
    text = "kill\u200b me\x1b[31m\u202e now\n"
    escaped = quality.escape(text)
    assert escaped == "kill\\u{200B} me\\u{001B}[31m\\u{202E} now\\u{000A}"
    assert all(unicodedata.category(c) not in {"Cc", "Cf"} for c in escaped)
    assert quality.escape("déjà vu") == "déjà vu"


def test_render_prints_targets_and_keeps_texts_out_when_asked(quality: ModuleType) -> None:
    detector = Detector([Term("idiot", "offensive", "en", 2)], pii=False, exceptions=[], grammar=False)
    items = [_item("offensive", "you moron", "insult"), _item("offensive", "you idiot", "insult")]
    result = quality.evaluate(items, detector, max_misses=0)
    hidden = quality.render("heldout", result, show=False)
    assert "you moron" not in hidden and "offensive.insult: 1" in hidden
    assert "offensive recall (insult+slur+threat+solicitation)" in hidden and "MISS" in hidden
    shown = quality.render("dev", quality.evaluate(items, detector, max_misses=5), show=True)
    assert "you moron" in shown
