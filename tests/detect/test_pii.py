"""Personal details: emails, phones, addresses, handles on external networks, real names."""

from __future__ import annotations

import pytest

from modconsole.detect import Detector, find_pii

from ._support import matched

# (text, kind, the original substring that must be reported)
POSITIVES = [
    # emails
    ("write to jean.dupont@gmail.com please", "email", "jean.dupont@gmail.com"),
    ("mail: Marie_92+tag@orange.fr.", "email", "Marie_92+tag@orange.fr"),
    ("jean at gmail dot com", "email", "jean at gmail dot com"),
    ("contact: jean (at) gmail (dot) com", "email", "jean (at) gmail (dot) com"),
    ("jean arobase gmail point fr", "email", "jean arobase gmail point fr"),
    ("jean [at] gmail [dot] fr", "email", "jean [at] gmail [dot] fr"),
    ("jean point dupont arobase gmail point com", "email", "jean point dupont arobase gmail point com"),
    ("mail jean dot smith at gmail dot com", "email", "jean dot smith at gmail dot com"),
    ("JEAN AT HOTMAIL DOT FR", "email", "JEAN AT HOTMAIL DOT FR"),
    ("marie.d @ yahoo.fr", "email", "marie.d @ yahoo.fr"),
    ("jean at gmail.com", "email", "jean at gmail.com"),
    ("jean at free.fr", "email", "jean at free.fr"),
    ("paul (at) monsite (point) net", "email", "paul (at) monsite (point) net"),
    ("jean{at}free{dot}fr", "email", "jean{at}free{dot}fr"),
    ("écris à paul arobase laposte point net", "email", "paul arobase laposte point net"),
    # phones
    ("appelle-moi au 06 12 34 56 78", "phone", "06 12 34 56 78"),
    ("06.12.34.56.78", "phone", "06.12.34.56.78"),
    ("mon num 0612345678", "phone", "0612345678"),
    ("06-12-34-56-78", "phone", "06-12-34-56-78"),
    ("+33 6 12 34 56 78", "phone", "+33 6 12 34 56 78"),
    ("+33612345678", "phone", "+33612345678"),
    ("0033 6 12 34 56 78", "phone", "0033 6 12 34 56 78"),
    ("fixe : 01 42 68 53 00", "phone", "01 42 68 53 00"),
    ("call +44 20 7946 0958 tonight", "phone", "+44 20 7946 0958"),
    ("my cell is +1 415 555 2671", "phone", "+1 415 555 2671"),
    ("whatsapp +33 7 45 12 33 90", "phone", "+33 7 45 12 33 90"),
    # addresses
    ("j'habite au 12 rue de la Paix", "address", "12 rue de la Paix"),
    ("3 bis avenue Jean Jaurès", "address", "3 bis avenue Jean Jaurès"),
    ("viens au 8, boulevard Haussmann", "address", "8, boulevard Haussmann"),
    ("5 place de la Concorde", "address", "5 place de la Concorde"),
    ("au 14 rue des Lilas, 75019 Paris", "address", "14 rue des Lilas, 75019 Paris"),
    ("12 rue de la paix", "address", "12 rue de la paix"),
    ("27 allée des Tilleuls", "address", "27 allée des Tilleuls"),
    ("2 impasse du Moulin", "address", "2 impasse du Moulin"),
    ("I live at 221B Baker Street", "address", "221B Baker Street"),
    ("10 Downing St", "address", "10 Downing St"),
    ("1600 Pennsylvania Avenue", "address", "1600 Pennsylvania Avenue"),
    ("meet me at 42 Old Kent Road", "address", "42 Old Kent Road"),
    ("15 Elm Dr.", "address", "15 Elm Dr."),
    # handles on external networks
    ("insta: @marie_92", "social_handle", "insta: @marie_92"),
    ("my snap is jdoe99", "social_handle", "snap is jdoe99"),
    ("ajoute-moi sur insta marie.dupont", "social_handle", "insta marie.dupont"),
    ("find me on telegram @xyz_1", "social_handle", "telegram @xyz_1"),
    ("mon snap c'est lea_du_69", "social_handle", "snap c'est lea_du_69"),
    ("Instagram => @Paulo", "social_handle", "Instagram => @Paulo"),
    ("add me on discord: gamer#1234", "social_handle", "discord: gamer#1234"),
    ("tiktok @danse.queen", "social_handle", "tiktok @danse.queen"),
    ("fb: jean.dupont.75", "social_handle", "fb: jean.dupont.75"),
    ("x: @someone", "social_handle", "x: @someone"),
    ("snap: mariedupont", "social_handle", "snap: mariedupont"),
    ("kik = lonelyboy", "social_handle", "kik = lonelyboy"),
    # real names
    ("my name is John Smith", "real_name", "John Smith"),
    ("Hi, my real name is Sarah Connor and", "real_name", "Sarah Connor"),
    ("my name's Tom", "real_name", "Tom"),
    ("je m'appelle Marie Dupont", "real_name", "Marie Dupont"),
    ("je m’appelle Léa, j'ai 15 ans", "real_name", "Léa"),
    ("mon vrai nom est Jean-Pierre Martin", "real_name", "Jean-Pierre Martin"),
    ("mon nom c'est Durand", "real_name", "Durand"),
    ("mon prénom c'est Chloé", "real_name", "Chloé"),
    ("je m'appelle marie dupont et j'ai peur", "real_name", "marie dupont"),
    ("My full name is Anne-Sophie O'Brien.", "real_name", "Anne-Sophie O'Brien"),
    ("they said 'my name is Kevin'", "real_name", "Kevin"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), POSITIVES)
def test_positive(detector: Detector, text: str, kind: str, expected: str) -> None:
    hits = [h for h in detector.scan(text) if h.kind == kind]
    assert expected in matched(text, hits, "pii"), hits
    assert all(h.category == "pii" and h.lang is None and h.term == kind for h in hits)


@pytest.mark.parametrize(("text", "kind", "expected"), POSITIVES)
def test_detector_gating_loses_nothing_find_pii_finds(
    detector: Detector, text: str, kind: str, expected: str
) -> None:
    ungated = {(h.start, h.end, h.kind) for h in find_pii(text)}
    gated = {(h.start, h.end, h.kind) for h in detector.scan(text) if h.category == "pii"}
    assert gated == ungated


def test_severities() -> None:
    kinds = {h.kind: h.severity for h in find_pii("12 rue de la Paix, 06 12 34 56 78, a@b.fr")}
    assert kinds == {"address": 2, "phone": 1, "email": 1}


# (text, kind that must not be reported, or None for no personal detail at all)
NEGATIVES = [
    # plain mentions are how members talk to each other on the platform
    ("@marie_92 thanks for the advice", None),
    ("merci @lea_du_69 et @tom", None),
    ("cc @someone", None),
    ("insta is down again", None),
    ("I deleted my insta yesterday", None),
    ("my snap is broken", None),
    ("oh snap, I forgot", None),
    ("je suis sur insta tous les soirs", None),
    ("facebook changed its app", None),
    ("2 x 3 = 6", None),
    # dates, versions, prices, counts, order numbers
    ("le 06/12/2024 à 14h", None),
    ("rdv le 06/12", None),
    ("on se voit le 06.12.2024", None),
    ("né le 2024-06-12", None),
    ("version 2.3.4 is out", None),
    ("ça coûte 12,50 €", None),
    ("en 2024 et 2025", None),
    ("commande n°0612345678", None),
    ("order #0612345678 shipped", None),
    ("numéro de suivi 0612345678", None),
    ("siret 73282932000074", None),
    ("j'ai 123456789 raisons", None),
    ("score: 12 34 56 78", None),
    # addresses that are not
    ("I walked 2 miles down the road", None),
    ("it is a 10 minute drive", None),
    ("j'ai 3 cours de maths demain", None),
    ("il reste 2 place libre", None),
    ("there are 3 ways to do it", None),
    ("we have 2 dogs and a cat", None),
    # emails that are not
    ("look at this point of view", None),
    ("I'm at work. It was long", None),
    ("meet me at the station dot", None),
    ("je suis au point mort", None),
    # names that are not given
    ("my name is not important", None),
    ("my name is on the list", None),
    ("mon nom est écrit sur la porte", None),
    ("what is your name?", None),
    ("Marie Dupont was on TV", None),
]


@pytest.mark.parametrize(("text", "kind"), NEGATIVES)
def test_negative(detector: Detector, text: str, kind: str | None) -> None:
    hits = [h for h in detector.scan(text) if h.category == "pii"]
    if kind is None:
        assert hits == [], hits
    else:
        assert all(h.kind != kind for h in hits)
    assert find_pii(text) == hits


def test_pii_can_be_turned_off() -> None:
    text = "je veux mourir, appelle-moi au 06 12 34 56 78 ou jean@gmail.com"
    assert {h.category for h in Detector(pii=False).scan(text)} == {"self_harm"}
    assert {h.category for h in Detector().scan(text)} == {"self_harm", "pii"}


def test_several_details_in_one_message_are_sorted(detector: Detector) -> None:
    text = "my name is John Smith, call +44 20 7946 0958 or mail john@smith.co.uk, insta: @jsmith_"
    hits = detector.scan(text)
    assert [h.kind for h in hits] == ["real_name", "phone", "email", "social_handle"]
    assert matched(text, hits) == ["John Smith", "+44 20 7946 0958", "john@smith.co.uk", "insta: @jsmith_"]
