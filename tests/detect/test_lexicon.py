"""The lexicon data files and their parsing."""

from __future__ import annotations

import pytest

from modconsole.detect import TERM_CATEGORIES, Detector, Term, load_default_exceptions, load_default_terms
from modconsole.detect.lexicon import parse_exceptions, parse_terms, written_forms
from modconsole.detect.normalize import skeleton


def test_default_terms_cover_both_languages_and_categories() -> None:
    terms = load_default_terms()
    assert len(terms) > 250
    for lang in ("fr", "en"):
        for category in TERM_CATEGORIES:
            assert sum(1 for t in terms if t.lang == lang and t.category == category) >= 40, (lang, category)


def test_default_terms_are_well_formed_and_unique() -> None:
    terms = load_default_terms()
    assert all(t.severity in (1, 2, 3) and t.category in TERM_CATEGORIES for t in terms)
    assert all(t.term == t.term.strip() and t.term for t in terms)
    keys = [(t.term.lower(), t.lang) for t in terms]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("term", "lang", "category", "severity"),
    [
        # the bare word is a mention (1); ideation (2) and intent (3) are said in phrases
        ("suicide", "fr", "self_harm", 1),
        ("suicide", "en", "self_harm", 1),
        ("suicidal", "en", "self_harm", 2),
        ("me suicider", "fr", "self_harm", 3),
        ("kill myself", "en", "self_harm", 3),
        ("je veux mourir", "fr", "self_harm", 3),
        ("me scarifier", "fr", "self_harm", 2),
        ("cutting", "en", "self_harm", 2),
        # issue 15: 3 = intent, plan, method or act; 2 = ideation or disclosure (abuse included)
        ("il m'a violée", "fr", "self_harm", 2),
        ("he abused me", "en", "self_harm", 2),
        ("help", "en", "self_harm", 1),
        ("aide", "fr", "self_harm", 1),
        ("connard", "fr", "offensive", 2),
        ("nique ta mère", "fr", "offensive", 3),
        ("kill yourself", "en", "offensive", 3),
        ("kys", "en", "offensive", 3),
        ("send nudes", "en", "offensive", 2),
        ("je vais te tuer", "fr", "offensive", 3),
    ],
)
def test_expected_entries_are_shipped(term: str, lang: str, category: str, severity: int) -> None:
    assert Term(term, category, lang, severity) in load_default_terms()


def test_exceptions_are_shipped() -> None:
    phrases = load_default_exceptions()
    for phrase in ("haircut", "mort de rire", "aide-mémoire", "Scunthorpe", "Bitche", "this film killed me"):
        assert phrase in phrases


def test_no_exception_swallows_a_whole_term() -> None:
    """An exception equal to a term would silence that term everywhere."""
    terms = {skeleton(t.term) for t in load_default_terms()}
    assert not terms & {skeleton(p) for p in load_default_exceptions()}


def test_parse_terms_reads_tsv_with_comments_header_and_notes() -> None:
    lines = [
        "# a comment",
        "term\tcategory\tseverity\tnotes",
        "",
        "gros mot\toffensive\t2\tsome note",
        "aide\tself_harm\t1",
    ]
    assert parse_terms(lines, "fr") == [
        Term("gros mot", "offensive", "fr", 2),
        Term("aide", "self_harm", "fr", 1),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("word\toffensive", "expected term"),
        ("word\tspam\t2", "unknown category"),
        ("word\toffensive\t4", "severity"),
        ("word\toffensive\thigh", "severity"),
    ],
)
def test_parse_terms_names_the_bad_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_terms(["term\tcategory\tseverity", line], "en", "x.tsv")
    assert "x.tsv:2" in str(info.value)


def test_parse_exceptions_skips_header_and_comments() -> None:
    assert parse_exceptions(["# c", "phrase\tlang\tnotes", "haircut\ten", "mort de rire\tfr\tjoke"]) == [
        "haircut",
        "mort de rire",
    ]


def test_written_forms_cover_apostrophes_hyphens_joins_and_masks() -> None:
    forms = written_forms(Term("il m'a violée", "self_harm", "fr", 3))
    assert {"il m'a violée", "il ma violée", "ilmaviolée"} <= forms
    forms = written_forms(Term("self-harm", "self_harm", "en", 2))
    assert {"self-harm", "selfharm"} <= forms
    forms = written_forms(Term("salope", "offensive", "fr", 2))
    assert {"s*lope", "sal*pe", "s*l*pe"} <= forms
    assert not any("*" in f for f in written_forms(Term("suicide", "self_harm", "en", 3)))


def test_custom_terms_replace_the_defaults() -> None:
    detector = Detector([Term("banane", "offensive", "fr", 1)], pii=False, grammar=False)
    assert [h.term for h in detector.scan("quelle B A N A N E")] == ["banane"]
    assert detector.scan("je veux mourir") == []


def test_the_grammar_works_beside_custom_terms() -> None:
    """Replacing the lexicon does not turn the phrase grammar off (it is not a word list)."""
    detector = Detector([Term("banane", "offensive", "fr", 1)], pii=False)
    assert [(h.kind, h.category) for h in detector.scan("je veux mourir")] == [("grammar", "self_harm")]
