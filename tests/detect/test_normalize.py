"""Folding: what the skeleton of a text is, and that its offset map points at the right text."""

from __future__ import annotations

import random

import pytest

from modconsole.detect.normalize import analyse, fold, fold_char, normalize, skeleton, skeletons

SKELETONS = [
    ("Suicide", "suicide"),
    ("SUICIDE", "suicide"),
    ("École", "ecole"),
    ("Ça m’a tué", "ca m a tue"),
    ("e\u0301cole", "ecole"),  # decomposed accent
    ("ｓｕｉｃｉｄｅ", "suicide"),  # fullwidth
    ("𝐬𝐮𝐢𝐜𝐢𝐝𝐞", "suicide"),  # mathematical bold
    ("ⓢⓤⓘⓒⓘⓓⓔ", "suicide"),  # circled letters
    ("ѕuісіdе", "suicide"),  # Cyrillic look-alikes
    ("ΚΥΣ", "kyo"),  # Greek capitals
    ("ᴋɪʟʟ", "kil"),  # small capitals
    ("su1c1d3", "suicide"),
    ("$u!c!de", "suicide"),
    ("@$$", "as"),
    ("k!ll", "kil"),
    ("help!", "help"),
    ("help!!! me", "help me"),
    ("f*ck", "f*ck"),
    ("*hug*", "hug"),
    ("f**k", "f*k"),
    ("suiiiicide", "suicide"),
    ("kiiiill", "kil"),
    ("s u i c i d e", "suicide"),
    ("S.U.I.C.I.D.E", "suicide"),
    ("s-u-i-c-i-d-e", "suicide"),
    ("s_u_i_c_i_d_e", "suicide"),
    ("s. u. i. c. i. d. e.", "suicide"),
    ("je veux me s u i c i d e r", "je veux me suicider"),
    ("sui\u200bcide", "suicide"),
    ("sui\u200ccide", "suicide"),
    ("sui\u200dcide", "suicide"),
    ("sui\u2060cide", "suicide"),
    ("sui\ufeffcide", "suicide"),
    ("sui\u00adcide", "suicide"),
    ("sui\u202ecide", "suicide"),  # bidi override
    ("ﬁn", "fin"),
    ("cœur", "coeur"),
    ("straße", "strase"),
    ("a\tb\nc", "abc"),  # three single letters are joined
    ("il y a", "il y a"),  # two single letters are not joined
    ("hello,   world", "helo world"),
    ("\x1b[31mred\x1b[0m", "eimred om"),
    ("[bold]x[/bold]", "bold x bold"),
    ("", ""),
    ("\u200b\u200b\u200b", ""),
    ("\u0301\u0301", ""),
]


@pytest.mark.parametrize(("text", "expected"), SKELETONS)
def test_normalize_folds_to_the_expected_skeleton(text: str, expected: str) -> None:
    folded, offsets = normalize(text)
    assert folded == expected
    assert len(offsets) == len(folded)
    assert skeleton(text) == f" {expected} " if expected else skeleton(text) == " "


OFFSETS = [
    ("S.U.I.C.I.D.E", "suicide", "S.U.I.C.I.D.E"),
    ("je veux me s u i c i d e r.", "suicider", "s u i c i d e r"),
    ("suiiiicide!!!", "suicide", "suiiiicide"),
    ("ok ｓｕｉｃｉｄｅ ok", "suicide", "ｓｕｉｃｉｄｅ"),
    ("x sui\u200bcide x", "suicide", "sui\u200bcide"),
    ("e\u0301cole", "ecole", "e\u0301cole"),
    ("a cœur b", "coeur", "cœur"),
    ("«ѕuісіdе»", "suicide", "ѕuісіdе"),
    ("k!ll me", "kil", "k!ll"),
]


@pytest.mark.parametrize(("text", "word", "original"), OFFSETS)
def test_offset_map_points_at_the_original_characters(text: str, word: str, original: str) -> None:
    result = analyse(text)
    first = result.text.index(f" {word} ") + 1
    start, end = result.span(first, first + len(word))
    assert text[start:end] == original


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t h i n k   a b o u t   s u i c i d e", (" think about suicide ", " thinkaboutsuicide ")),
        # dots join letters, white space separates words: "kill", then "m" and "e" apart
        ("k.i.l.l m.'.e", (" kil m e ", " kilme ")),
        ("s u i c i d e", (" suicide ",)),
        ("no spaced letters here", (" no spaced leters here ",)),
    ],
)
def test_spaced_letters_with_uneven_gaps_give_two_skeletons(text: str, expected: tuple[str, ...]) -> None:
    assert skeletons(text) == expected


def test_runs_record_how_many_characters_were_collapsed() -> None:
    result = analyse("kiiiill")
    assert result.text == " kil "
    assert [result.run(i) for i in range(1, 4)] == [1, 4, 2]


def test_fold_keeps_length_for_latin1_and_folds_accents() -> None:
    assert fold("Éçà ÔÜ!") == "eca ou!"
    assert len(fold("Ça va? Très bien.")) == len("Ça va? Très bien.")


@pytest.mark.parametrize("ch", ["é", "Ｓ", "ѕ", "Η", "ﬁ", "œ", "\u200b", "😊", "\ud800", "ß", "½", "\x00"])
def test_fold_char_is_idempotent(ch: str) -> None:
    once = fold_char(ch)
    assert "".join(fold_char(c) for c in once) == once


def test_fold_table_is_idempotent_over_the_bmp() -> None:
    for code in range(0x10000):
        for c in fold_char(chr(code)):
            assert fold_char(c) == c, (hex(code), c)


def test_latin1_characters_fold_to_at_most_one_ascii_character() -> None:
    for code in range(256):
        folded = fold_char(chr(code))
        assert len(folded) <= 1 and folded.isascii(), hex(code)


ALPHABET = list(
    "aabcdeiklmnostuy  .-_*!!@$0134579'’\u200b\u00ad\u0301ÉéçœßæＳｓ𝐬ѕаеоіΗηﬁ½²\t\n\x1b[]😊\ud800ж中"
) + ["ss", "  ", "s u i", "k!ll", "f*ck", " a b c ", "***"]


def test_fast_path_and_slow_path_build_the_same_skeleton() -> None:
    rng = random.Random(20240611)
    for _ in range(30_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 30)))
        result = analyse(text)
        assert skeleton(text) == result.text, text
        both = skeletons(text)
        assert both[0] == result.text
        if len(both) == 2:
            assert both[1] == analyse(text, join_all=True).text != both[0]
        else:
            assert analyse(text, join_all=True).text == result.text
        for k in range(1, len(result.text) - 1):
            start, end = result.span(k, k + 1)
            assert 0 <= start < end <= len(text), (text, k)


def test_skeleton_is_always_padded() -> None:
    for text in ["", " ", "a", "  a  ", "\u200b", "!!!"]:
        value = skeleton(text)
        assert value.startswith(" ") and value.endswith(" ")
