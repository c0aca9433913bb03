"""Lexicon hits (self_harm, offensive): positives, obfuscated forms, offsets, negatives."""

from __future__ import annotations

import pytest

from modconsole.detect import Detector, Hit, Term

from ._support import matched, obfuscations

# (text, category, the original substring that must be reported)
POSITIVES = [
    # self-harm, English
    ("I want to kill myself", "self_harm", "kill myself"),
    ("some days i just want to die honestly", "self_harm", "want to die"),
    ("I've been thinking about suicide a lot", "self_harm", "suicide"),
    ("Suicide.", "self_harm", "Suicide"),
    ("suiiicide", "self_harm", "suiiicide"),
    ("kiiill myself", "self_harm", "kiiill myself"),
    ("killllll myself", "self_harm", "killllll myself"),
    ("i'm going to end it all tonight", "self_harm", "end it all"),
    ("cut myself again last night", "self_harm", "cut myself"),
    ("been cutting again, sorry", "self_harm", "cutting"),
    ("I self-harm when it gets bad", "self_harm", "self-harm"),
    ("i selfharm", "self_harm", "selfharm"),
    ("self harm is how i cope", "self_harm", "self harm"),
    ("took an overdose once", "self_harm", "overdose"),
    ("I don't want to live anymore", "self_harm", "don't want to live"),
    ("i dont want to live anymore", "self_harm", "dont want to live"),
    ("everyone would be better off dead without me", "self_harm", "better off dead"),
    ("he abused me for years", "self_harm", "he abused me"),
    ("my husband hits me", "self_harm", "my husband hits me"),
    ("i was raped at a party", "self_harm", "i was raped"),
    ("please help", "self_harm", "please help"),
    ("can someone help me", "self_harm", "help me"),
    ("I need help", "self_harm", "help"),
    ("i can't take it anymore", "self_harm", "can't take it anymore"),
    # self-harm, French
    ("je veux mourir", "self_harm", "je veux mourir"),
    ("je vais me foutre en l'air ce soir", "self_harm", "me foutre en l'air"),
    ("j'ai pris tous mes cachets", "self_harm", "pris tous mes cachets"),
    ("je pense à sauter du pont", "self_harm", "sauter du pont"),
    ("he touched me when I was little", "self_harm", "he touched me"),
    ("I took all my pills", "self_harm", "took all my pills"),
    ("Je veux me suicider ce soir", "self_harm", "me suicider"),
    ("j'ai envie de mourir", "self_harm", "envie de mourir"),
    ("je vais me tuer", "self_harm", "je vais me tuer"),
    ("je me scarifie depuis 2 mois", "self_harm", "je me scarifie"),
    ("j'ai recommencé à me scarifier", "self_harm", "me scarifier"),
    ("j'ai envie de me couper", "self_harm", "me couper"),
    ("je veux en finir", "self_harm", "je veux en finir"),
    ("je vais en finir", "self_harm", "en finir"),
    ("j'ai fait une overdose", "self_harm", "overdose"),
    ("je veux mettre fin à mes jours", "self_harm", "mettre fin à mes jours"),
    ("il m'a violée quand j'avais 14 ans", "self_harm", "il m'a violée"),
    ("il m’a violée", "self_harm", "il m’a violée"),
    ("il ma violée", "self_harm", "il ma violée"),
    ("mon copain me frappe", "self_harm", "mon copain me frappe"),
    ("c'est de l'abus", "self_harm", "abus"),
    ("aidez-moi", "self_harm", "aidez-moi"),
    ("aidez moi svp", "self_harm", "aidez moi"),
    ("à l'aide", "self_harm", "à l'aide"),
    ("j'ai besoin d'aide", "self_harm", "besoin d'aide"),
    ("de l'aide svp", "self_harm", "aide"),
    ("au secours", "self_harm", "au secours"),
    ("je n'en peux plus", "self_harm", "je n'en peux plus"),
    ("SOS", "self_harm", "SOS"),
    # offensive, French
    ("t'es qu'un connard", "offensive", "connard"),
    ("sale pute", "offensive", "sale pute"),
    ("espèce de salope", "offensive", "salope"),
    ("fils de pute va", "offensive", "fils de pute"),
    ("nique ta mère", "offensive", "nique ta mère"),
    ("NTM", "offensive", "NTM"),
    ("ferme ta gueule", "offensive", "ferme ta gueule"),
    ("va te faire foutre", "offensive", "va te faire foutre"),
    ("enculé", "offensive", "enculé"),
    ("je vais te tuer", "offensive", "je vais te tuer"),
    ("je sais où tu habites", "offensive", "je sais où tu habites"),
    ("t'es mort", "offensive", "t'es mort"),
    ("suicide-toi", "offensive", "suicide-toi"),
    ("va crever", "offensive", "va crever"),
    ("envoie des nudes", "offensive", "envoie des nudes"),
    ("suce ma bite", "offensive", "suce ma bite"),
    ("sale pédé", "offensive", "pédé"),
    ("sale pd", "offensive", "sale pd"),
    ("espèce de bougnoule", "offensive", "bougnoule"),
    ("quel bâtard", "offensive", "bâtard"),
    ("t'es qu'un batard", "offensive", "batard"),
    # offensive, English
    ("fuck you", "offensive", "fuck you"),
    ("fuckyou", "offensive", "fuckyou"),
    ("you stupid bitch", "offensive", "bitch"),
    ("what a slut", "offensive", "slut"),
    ("kill yourself", "offensive", "kill yourself"),
    ("just kys", "offensive", "kys"),
    ("KYS", "offensive", "KYS"),
    ("go die", "offensive", "go die"),
    ("i'll kill you", "offensive", "i'll kill you"),
    ("ill kill you", "offensive", "ill kill you"),
    ("I know where you live", "offensive", "I know where you live"),
    ("send nudes", "offensive", "send nudes"),
    ("send me nudes babe", "offensive", "send me nudes"),
    ("suck my dick", "offensive", "suck my dick"),
    ("you retard", "offensive", "you retard"),
    ("asshole", "offensive", "asshole"),
    ("what an @sshole", "offensive", "@sshole"),
    ("motherfucker", "offensive", "motherfucker"),
    ("you're dead", "offensive", "you're dead"),
    # self-censored
    ("f*ck you", "offensive", "f*ck you"),
    ("f*ck off", "offensive", "f*ck off"),
    ("what a b*tch", "offensive", "b*tch"),
    ("s*lope", "offensive", "s*lope"),
    ("*connard*", "offensive", "connard"),
]


@pytest.mark.parametrize(("text", "category", "expected"), POSITIVES)
def test_positive(detector: Detector, text: str, category: str, expected: str) -> None:
    """The phrase is found: a hit of the category covers it (a grammar frame may be wider)."""
    hits = detector.scan(text)
    at = text.index(expected)
    assert any(
        h.category == category and h.start <= at and h.end >= at + len(expected) for h in hits
    ), hits


OBFUSCATED_PHRASES = [
    ("kill myself", "self_harm"),
    ("suicide", "self_harm"),
    ("want to die", "self_harm"),
    ("end it all", "self_harm"),
    ("he abused me", "self_harm"),
    ("overdose", "self_harm"),
    ("je veux mourir", "self_harm"),
    ("me suicider", "self_harm"),
    ("me scarifier", "self_harm"),
    ("il m'a violée", "self_harm"),
    ("kill yourself", "offensive"),
    ("kys", "offensive"),
    ("fuck you", "offensive"),
    ("send nudes", "offensive"),
    ("bitch", "offensive"),
    ("connard", "offensive"),
    ("salope", "offensive"),
    ("sale pute", "offensive"),
    ("nique ta mère", "offensive"),
    ("je vais te tuer", "offensive"),
]
OBFUSCATED = [
    pytest.param(f"honestly {form} tonight", category, form, id=f"{phrase}-{way}")
    for phrase, category in OBFUSCATED_PHRASES
    for way, form in obfuscations(phrase).items()
]


@pytest.mark.parametrize(("text", "category", "expected"), OBFUSCATED)
def test_obfuscated_positive_reports_the_disguised_text(
    detector: Detector, text: str, category: str, expected: str
) -> None:
    hits = detector.scan(text)
    assert matched(text, hits, category) == [expected], hits


# (text, category that must not be reported, or None for no hit at all)
NEGATIVES = [
    # ordinary talk
    ("Had a long shift today and the bus was late again", None),
    ("Thanks everyone for the kind words yesterday", None),
    ("We adopted a cat last month and she sleeps on my keyboard", None),
    ("Je commence un nouveau travail lundi et j’ai un peu le trac", None),
    ("Il pleut depuis trois jours, vivement le printemps", None),
    ("Ce soir c’est crêpes pour toute la famille", None),
    ("as soon as possible", None),
    ("as far as I know", None),
    # whole words only
    ("the class assassin had great skill", None),
    ("my therapist recommended a cocktail of habits", None),
    ("je dois faire une analyse de sang", None),
    ("a classic passage", None),
    ("Dickens wrote about Scunthorpe", None),
    ("the cockpit of the plane", None),
    ("il habite à côté", None),
    ("c'est une dispute entre amis", None),
    ("the computer is slow", None),
    ("la réputation de la ville", None),
    ("calculer le résultat", None),
    ("un helpful conseil", None),
    ("il est en retard", None),
    ("désolé pour le retard", None),
    ("je suis crevée ce soir", None),
    ("grab a bite to eat", None),
    ("455 Main", "offensive"),
    # place names
    ("I grew up in Scunthorpe", None),
    ("we moved to Essex", None),
    ("Middlesex University", None),
    ("Cockburn Street in Edinburgh", None),
    ("Penistone is near Sheffield", None),
    ("je vais à Bitche demain", None),
    ("Bitche est une ville de Moselle", None),
    ("on passe par Montcuq", None),
    ("Sexey-les-Bois est en Lorraine", None),
    # idioms and jokes
    ("I need a haircut", None),
    ("that's a cut above the rest", None),
    ("cutting-edge research", None),
    ("get a cutting board", None),
    ("stop cutting corners", None),
    ("mort de rire", None),
    ("je suis morte de rire", None),
    ("t'es mort de rire là", None),
    ("tu vas mourir de rire", None),
    ("ça m'a tué ce film", None),
    ("ce boulot va me tuer", None),
    ("ça va me tuer cette histoire", None),
    ("this film killed me", None),
    ("you killed it!", None),
    ("you're killing me", None),
    ("j'ai un aide-mémoire", None),
    ("elle est aide-soignante", None),
    ("merci pour ton aide", None),
    ("ça aide un peu", None),
    ("thanks for your help", None),
    ("happy to help", None),
    ("how can I help you", None),
    ("du fromage râpé", None),
    ("un pain bâtard", None),
    ("un raton laveur", None),
    ("je vais me couper les cheveux", None),
    ("il m'a coupé la parole", None),
    ("je craque pour lui", None),
    ("mort aux rats", None),
    ("suicide squad is a film", None),
    ("blue tits in the garden", None),
    ("drug abuse awareness week", "self_harm"),
    # repeated letters never invent a doubled one, and a doubled letter is a spelling
    ("as", None),
    ("kil", None),
    ("he rapped about it", None),
    ("suiicide", None),
    # digits alone are not a word
    ("455", None),
    ("4 5 5", None),
    ("5 3 x 1 0", None),
]


@pytest.mark.parametrize(("text", "category"), NEGATIVES)
def test_negative(detector: Detector, text: str, category: str | None) -> None:
    hits = [h for h in detector.scan(text) if h.category != "pii"]
    if category is None:
        assert hits == []
    else:
        assert all(h.category != category for h in hits)


def test_hit_carries_the_lexicon_entry() -> None:
    text = "Je veux me s.u.i.c.i.d.e.r"
    assert Detector(grammar=False).scan(text) == [
        Hit(category="self_harm", severity=3, start=8, end=26, kind="lexicon", term="me suicider", lang="fr")
    ]


def test_a_frame_holding_a_term_carries_the_rule(detector: Detector) -> None:
    """With the grammar on, "je veux" + "me suicider" is one frame: the hit spans it and names
    the rule (a term inside a wider hit of the same category and severity is dropped)."""
    text = "Je veux me s.u.i.c.i.d.e.r"
    assert detector.scan(text) == [
        Hit(category="self_harm", severity=3, start=0, end=26, kind="grammar", term="wish-to-die", lang="fr")
    ]


def test_longer_more_severe_term_absorbs_the_shorter(detector: Detector) -> None:
    text = "je veux en finir"
    hits = detector.scan(text)
    assert [(h.term, h.severity) for h in hits] == [("je veux en finir", 3)]


def test_two_categories_in_one_message(detector: Detector) -> None:
    text = "fuck you, I want to kill myself"
    hits = detector.scan(text)
    assert [(h.category, text[h.start : h.end]) for h in hits] == [
        ("offensive", "fuck you"),
        ("self_harm", "I want to kill myself"),  # the frame "I + want + kill myself" holds the term
    ]


def test_hits_are_sorted_and_repeated_terms_all_reported(detector: Detector) -> None:
    text = "kys. kys! KYS"
    hits = detector.scan(text)
    assert [text[h.start : h.end] for h in hits] == ["kys", "kys", "KYS"]
    assert [h.start for h in hits] == sorted(h.start for h in hits)


def test_exceptions_apply_to_custom_terms() -> None:
    detector = Detector([Term("tué", "self_harm", "fr", 2), Term("mort", "self_harm", "fr", 2)], pii=False)
    assert detector.scan("ça m'a tué") == []
    assert detector.scan("mort de rire") == []
    assert [h.term for h in detector.scan("il est mort")] == ["mort"]
    assert [h.term for h in detector.scan("il l'a tué")] == ["tué"]


def test_custom_exceptions_replace_the_defaults() -> None:
    terms = [Term("cutting", "self_harm", "en", 2)]
    assert Detector(terms, pii=False).scan("cutting board") == []
    assert len(Detector(terms, pii=False, exceptions=[]).scan("cutting board")) == 1
    assert Detector(terms, pii=False, exceptions=["cutting remarks"]).scan("some cutting remarks") == []


def test_repeat_check_follows_the_term_spelling() -> None:
    detector = Detector([Term("ass", "offensive", "en", 1)], pii=False)
    assert detector.scan("as if") == []
    assert matched("you asss", detector.scan("you asss")) == ["asss"]
    assert matched("you aass", detector.scan("you aass")) == []
    assert matched("kiss my @$$", detector.scan("kiss my @$$")) == []  # no letter at all
