"""The contract with the detector: trigger words, the cheap gate, and gated scans that lose
nothing a full scan finds."""

from __future__ import annotations

import ahocorasick
import pytest

from modconsole.detect import Detector, find_pii
from modconsole.detect.normalize import skeleton, skeletons
from modconsole.detect.pii import ALL_TRIGGERS, DEFAULT_REGIONS, TRIGGERS, needs_scan, scan_pii

from .test_pii import POSITIVES
from .test_pii_fold import DETAILS, DISGUISES
from .test_pii_names import INTRODUCTIONS
from .test_pii_phone import BENIGN
from .test_pii_spelled import english_digits, french_pairs


class GatedScan:
    """What a detector that gives every kind of ALL_TRIGGERS its own flag does: one automaton
    over the folded skeletons, then ``scan_pii`` with the kinds seen, or nothing at all when
    no kind was seen and ``needs_scan`` says no."""

    def __init__(self) -> None:
        self.automaton = ahocorasick.Automaton()
        table: dict[str, set[str]] = {}
        for kind, words in ALL_TRIGGERS.items():
            for word in words:
                table.setdefault(skeleton(word), set()).add(kind)
        for key, kinds in table.items():
            self.automaton.add_word(key, frozenset(kinds))
        self.automaton.make_automaton()

    def kinds(self, text: str) -> set[str]:
        seen: set[str] = set()
        for folded in skeletons(text):
            for _, kinds in self.automaton.iter(folded):
                seen |= kinds
        return seen

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        kinds = self.kinds(text)
        if not kinds and not needs_scan(text):
            return []
        return sorted({(h.start, h.end, h.kind) for h in scan_pii(text, triggered=kinds)})


GATED = GatedScan()

TEXTS = (
    [text for text, _, _ in POSITIVES]
    + [text for text, _ in INTRODUCTIONS]
    + [frame.format(disguise(detail)) for _, detail, frame in DETAILS for disguise in DISGUISES.values()]
    + [
        f"mon numéro : {french_pairs('0612345678')}",
        f"ring me on {english_digits('07700900123', doubles=True)}",
        "call four one five five five five two six seven one",
        "06 douze 34 56 78",
        "ＭＯＮ ＮＵＭ ０６ １２ ３４ ５６ ７８",
        "écris à ｊｅａｎ＠ｇｍａｉｌ．ｃｏｍ",
    ]
)


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_a_gated_scan_finds_what_a_full_scan_finds(text: str) -> None:
    full = sorted({(h.start, h.end, h.kind) for h in find_pii(text)})
    assert full, text
    assert GATED.scan(text) == sorted({(h.start, h.end, h.kind) for h in scan_pii(text)})
    assert {span for span in GATED.scan(text)} >= set(full)


def test_every_finder_has_its_trigger_kind() -> None:
    assert ALL_TRIGGERS is TRIGGERS
    assert set(TRIGGERS) == {"email", "social_handle", "real_name", "introduction", "address", "phone"}
    assert not set(TRIGGERS["introduction"]) & set(TRIGGERS["real_name"])


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_detector_finds_what_a_full_scan_finds(detector: Detector, text: str) -> None:
    full = [(h.start, h.end, h.kind) for h in find_pii(text)]
    assert [(h.start, h.end, h.kind) for h in detector.scan(text) if h.category == "pii"] == full


def test_trigger_words_are_plain_letter_words() -> None:
    for kind, words in ALL_TRIGGERS.items():
        assert words, kind
        for word in words:
            key = skeleton(word)
            assert key.strip() and not any(c.isdigit() for c in key), (kind, word)


@pytest.mark.parametrize(
    "text",
    ["06 12 34 56 78", "０６ １２ ３４ ５６ ７８", "\u200b".join("0612345678"), "(415) 555-2671",
     "@someone", "mail ｊ＠ｂ．ｆｒ", "﹫x", "".join(chr(0x1D7CE + int(c)) for c in "0612345678"),
     "①②③④⑤⑥⑦⑧⑨", "l’adresse : jean@free.fr"],
)
def test_needs_scan_says_yes(text: str) -> None:
    assert needs_scan(text)


@pytest.mark.parametrize(
    "text",
    ["Had a long shift today and the bus was late again", "Grosse journée, je suis crevée 😊",
     "en 2024 et 2025", "j'ai 3 chats", "", "\u200b" * 20, "ça coûte 12,50 €"],
)
def test_needs_scan_says_no(text: str) -> None:
    assert not needs_scan(text)


@pytest.mark.parametrize("text", BENIGN)
def test_not_a_phone_texts_give_no_phone_through_the_gate(text: str) -> None:
    assert [hit for hit in GATED.scan(text) if hit[2] == "phone"] == []


def test_triggered_kinds_select_the_finders() -> None:
    text = "je m'appelle Léa, 06 12 34 56 78, jean@free.fr, insta: @lea_92, 12 rue de la Paix"
    every = {h.kind for h in scan_pii(text)}
    assert every == {"real_name", "phone", "email", "social_handle", "address"}
    # phones in digits and emails with an "@" are always looked for
    assert {h.kind for h in scan_pii(text, triggered=())} == {"phone", "email"}
    assert {h.kind for h in scan_pii(text, triggered={"address"})} == {"phone", "email", "address"}
    assert {h.kind for h in scan_pii("moi c'est Marie", triggered={"real_name"})} == set()
    assert {h.kind for h in scan_pii("moi c'est Marie", triggered={"introduction"})} == {"real_name"}


def test_regions_reach_the_phone_finder() -> None:
    text = "(415) 555-2671"
    assert [h.kind for h in scan_pii(text, regions=("FR",))] == []
    assert [h.kind for h in scan_pii(text, regions=DEFAULT_REGIONS)] == ["phone"]
