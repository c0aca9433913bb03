"""Real names given as such: the ways members introduce themselves, and what is not a name."""

from __future__ import annotations

import pytest

from modconsole.detect import Detector, find_pii


def names(text: str) -> list[str]:
    return [text[h.start : h.end] for h in find_pii(text) if h.kind == "real_name"]


INTRODUCTIONS = [
    ("moi c'est Marie", "Marie"),
    ("Salut ! Moi, c'est Julien, 17 ans", "Julien"),
    ("moi c’est Chloé et toi ?", "Chloé"),
    ("c'est Marie ici, tu te souviens ?", "Marie"),
    ("allô, c'est Karim à l'appareil", "Karim"),
    ("appelle-moi Julie", "Julie"),
    ("appelez-moi Jean-Baptiste", "Jean-Baptiste"),
    ("tout le monde m'appelle Lulu", "Lulu"),
    ("on m'appelle Léa", "Léa"),
    ("mon nom c'est Dupont", "Dupont"),
    ("je suis Marie Dupont", "Marie Dupont"),
    ("bonjour je suis Marie, j'ai 16 ans", "Marie"),
    ("je suis Mme Girard", "Girard"),
    ("je me présente : Théo, 22 ans", "Théo"),
    ("I'm Sarah btw", "Sarah"),
    ("hi everyone, I'm Tom and I'm new here", "Tom"),
    ("im Jessica lol", "Jessica"),
    ("Hello, I am Priya.", "Priya"),
    ("I'm Sarah Connor by the way", "Sarah Connor"),
    ("call me Jake", "Jake"),
    ("you can call me Ishmael", "Ishmael"),
    ("my name's Tom", "Tom"),
    ("name's Bond, James Bond", "Bond"),
    ("I go by Sam", "Sam"),
    ("this is Anna here, from the group", "Anna"),
    ("this is Dr Martin speaking", "Martin"),
    ("je m'appelle marie dupont", "marie dupont"),
    ("my real name is Sarah Connor", "Sarah Connor"),
]


@pytest.mark.parametrize(("text", "name"), INTRODUCTIONS)
def test_names_introduced_as_such(detector: Detector, text: str, name: str) -> None:
    assert names(text) == [name]
    detected = [text[h.start : h.end] for h in detector.scan(text) if h.kind == "real_name"]
    assert detected == [name]


NOT_NAMES = [
    "moi c'est pareil",
    "moi c'est Pareil",
    "moi c'est pas mon truc",
    "c'est Marie qui m'a dit",  # a frame without its closing word
    "I'm French btw",
    "I'm Catholic",
    "I'm Gay and proud",
    "I'm Tired of this",
    "I'm So done",
    "I'm Back!",
    "I'm Sorry",
    "je suis Charlie",
    "je suis Paris",
    "je suis Française",
    "je suis Musulmane, et alors ?",
    "je suis Bélier",
    "je suis rentrée tard",
    "je suis Désolée",
    "JE SUIS FATIGUÉE",
    "call me Monday",
    "call me Tomorrow",
    "call me on my cell",
    "appelle-moi Demain",
    "appelle-moi quand tu peux",
    "I'm April's mum",
    "this is Sparta",
    "this is England here",
    "my name is not important",
    "Marie Dupont was on TV",
    "I am Spanish",
    "Im Sad",
    "je suis Lundi au bureau",
    "I'm Italian-American",
    "I'm Team Edward",
    "Call me Later",
    "This is Halloween here lol",
    "je suis Ravie",
]


@pytest.mark.parametrize("text", NOT_NAMES)
def test_what_is_not_a_name(text: str) -> None:
    assert names(text) == []


def test_several_names_in_one_message() -> None:
    text = "je suis Marie, et lui c'est Paul ici. My name is Kevin"
    assert names(text) == ["Marie", "Paul", "Kevin"]


def test_hostile_bodies_of_introductions_are_bounded() -> None:
    for text in ("I'm Sarah btw " * 3_000, "je suis Marie, " * 3_000, "moi c'est " * 5_000, "A " * 16_000):
        found = names(text)
        assert len(found) <= 100
