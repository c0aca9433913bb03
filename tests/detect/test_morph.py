"""The inflected forms of lexicon terms (modconsole.detect.morph)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from modconsole.detect import morph
from modconsole.detect.morph import (
    MAX_FORMS,
    exception_forms,
    generate_forms,
    grammar_words,
    render_table,
    shipped_entries,
    shipped_table,
    term_forms,
)

ROOT = Path(__file__).resolve().parents[2]

# The brief's function words: never varied in a phrase.
FUNCTION_WORDS = {
    "je", "j", "me", "m", "te", "t", "se", "s", "mon", "ma", "mes", "de", "d", "du", "des", "la", "le",
    "les", "l", "un", "une", "à", "en", "y", "au", "aux", "et", "ou", "tu", "il", "on", "ne", "n",
    "the", "a", "an", "my", "your", "i", "you", "to", "of", "and", "off", "myself", "yourself",
}  # fmt: skip


def forms(term: str, lang: str) -> frozenset[str]:
    found = term_forms(term, lang)
    assert term in found, "the term itself is always among its forms"
    return found


# --------------------------------------------------------------------------------------
# The morphology, stated literally


def test_french_reflexive_self_harm_verbs() -> None:
    scarifier = forms("me scarifier", "fr")
    assert {"me scarifie", "me scarifiais", "me scarifierai", "me scarifierais"} <= scarifier
    assert {"me suis scarifié", "me suis scarifiée"} <= scarifier  # the compound past
    assert "me scarifions" not in scarifier  # "me" is the first person singular
    assert {"je me scarifiais", "je me suis scarifiée"} <= forms("je me scarifie", "fr")
    assert {"s'est suicidé", "se suicidait"} <= forms("se suicider", "fr")
    assert {"me pends", "me suis pendue"} <= forms("me pendre", "fr")


def test_cutting_verbs_get_their_participles() -> None:
    couper = forms("me couper", "fr")
    assert {"me coupais", "me couperai", "me suis coupé", "me suis coupée", "me suis coupées"} <= couper
    # "ça me coupe l'appétit", "elle me coupe les cheveux": the bare form is kept out on
    # purpose; "je me coupe" is a term of its own and varies.
    assert "me coupe" not in couper
    assert {"je me coupais", "je me suis coupée"} <= forms("je me coupe", "fr")
    # simplemma's inverse lacks these (they are also other lemmas): the rules fill them in.
    assert {"coupe", "coupes", "coupé", "coupée", "coupés", "coupées", "coupant"} <= forms("couper", "fr")
    assert {"tailladé", "tailladée", "tailladais"} <= forms("taillader", "fr")
    assert {"mort", "morte", "meurs", "mourrais"} <= forms("mourir", "fr")
    assert {"ouvert", "ouverte"} <= forms("ouvrir", "fr")
    assert {"tué", "tuée", "tués"} <= forms("tuer", "fr")
    assert {"crève", "crevé", "crèverai"} <= forms("crever", "fr")


def test_medication_nouns_get_their_plural() -> None:
    assert "cachets" in forms("cachet", "fr")
    assert "comprimés" in forms("comprimé", "fr")
    assert "pills" in forms("pill", "en")


def test_insults_and_slurs_get_plural_and_feminine() -> None:
    assert "connards" in forms("connard", "fr")
    assert {"enculée", "enculés", "enculées"} <= forms("enculé", "fr")
    assert {"salauds"} <= forms("salaud", "fr")
    assert {"bâtards", "bâtardes"} <= forms("bâtard", "fr")
    assert "bastards" in forms("bastard", "en")
    assert "sale juive" in forms("sale juif", "fr")


def test_an_english_word_no_dictionary_has_gets_the_regular_plural() -> None:
    # slurs and slang are absent from lemminflect: read as nouns, they take -s, -es or -ies
    assert generate_forms("kike", "en") == {"kike", "kikes"}
    assert generate_forms("darky", "en") == {"darky", "darkies"}
    assert generate_forms("fuckwit", "en") == {"fuckwit", "fuckwits"}
    # a capitalised word is a name: no plural
    assert generate_forms("Scunthorpe", "en") == {"Scunthorpe"}


def test_english_verbs() -> None:
    assert {"killed myself", "killing myself", "kills myself"} <= forms("kill myself", "en")
    assert {"slitting my wrists", "slit my wrist"} <= forms("slit my wrists", "en")
    assert {"hung myself", "hanged myself"} <= forms("hang myself", "en")
    assert {"took my own life", "taking my own life"} <= forms("take my own life", "en")
    assert {"unalived myself"} <= forms("unalive myself", "en")  # unknown verb: inflected by rule
    assert {"self-harmed", "self-harming"} <= forms("self-harm", "en")
    assert "selves-harm" not in forms("self-harm", "en")


def test_a_modal_varies_and_its_infinitive_does_not() -> None:
    mourir = forms("je veux mourir", "fr")
    assert {"je voulais mourir", "je voudrais mourir"} <= mourir
    assert all(form.endswith(" mourir") for form in mourir)  # governed by "veux"
    assert all(form.startswith("je ") for form in mourir)
    assert "je voulons mourir" not in mourir  # "je" is the first person singular
    assert {"i wanted to die"} <= forms("i want to die", "en")
    assert all(form.endswith(" to die") for form in forms("i want to die", "en"))


def test_context_keeps_the_junk_small() -> None:
    # A noun after a determiner keeps its number; an imperative keeps to the imperative.
    assert forms("nique ta mère", "fr") == {"nique ta mère", "niquez ta mère"}
    assert {"ferme ta gueule", "fermez ta gueule"} <= forms("ferme ta gueule", "fr")
    assert "ta mères" not in " ".join(forms("nique ta mère", "fr"))
    assert {"envoyez-moi des nudes"} <= forms("envoie-moi des nudes", "fr")
    # A subject keeps its person.
    frappe = forms("il me frappe", "fr")
    assert {"il me frappait", "il me frappera"} <= frappe
    assert "il me frappons" not in frappe and "il me frappent" not in frappe
    assert forms("he hits me", "en") == {"he hits me", "he hit me"}
    # "les veines" is a noun after its determiner (the dictionary lemmatizes it as "veiner").
    veines = forms("me tailler les veines", "fr")
    assert {"me taillais les veines", "me suis taillée les veines"} <= veines
    assert all(form.endswith(" les veines") for form in veines)
    # "vous" is the subject here, not a clitic: the verb keeps the 2nd person plural.
    assert forms("vous ne me verrez plus", "fr") - {"vous ne me verrez plus"} == {
        "vous ne me verriez plus", "vous ne me voyez plus", "vous ne me voyiez plus"
    }


def test_function_words_are_never_varied() -> None:
    for (term, _), found in shipped_table().items():
        words = term.lower().replace("'", "' ").split()
        if len(words) < 2:
            continue
        for form in found:
            other = form.lower().replace("'", "' ").split()
            if len(other) != len(words):
                continue  # a compound past ("me suis coupée"), checked below
            changed = [i for i, (a, b) in enumerate(zip(words, other, strict=True)) if a != b]
            assert len(changed) <= 1, (term, form)
            for i in changed:
                assert words[i].strip("'") not in FUNCTION_WORDS, (term, form)
    for form in forms("me jeter sous un train", "fr"):
        assert form.startswith("me ") and form.endswith(" sous un train")


def test_accents_are_kept_as_written() -> None:
    assert {"me défenestrais", "me suis défenestrée"} <= forms("me défenestrer", "fr")
    found = forms("mon père me frappe", "fr")
    assert all("père" in form for form in found)  # not the dictionary's "pere"


def test_the_cap() -> None:
    assert all(len(found) <= MAX_FORMS for found in shipped_table().values())
    assert len(generate_forms("mettre fin à mes jours", "fr")) > 10
    capped = generate_forms("mettre fin à mes jours", "fr", limit=10)
    assert len(capped) == 10 and "mettre fin à mes jours" in capped
    # Past the cap the varied words take turns: each keeps some of its forms.
    assert len(generate_forms("gros con", "fr")) > 3
    pair = generate_forms("gros con", "fr", limit=3) - {"gros con"}
    assert len(pair) == 2
    assert any(form.endswith(" con") for form in pair) and any(form.startswith("gros ") for form in pair)


def test_determinism() -> None:
    term = "avaler tous mes médicaments"
    assert generate_forms(term, "fr") == generate_forms(term, "fr")
    # In another process, with another hash seed, the whole table comes out the same.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    script = "from modconsole.detect.morph import render_table, shipped_entries as s; print(render_table(s()), end='')"
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert other == render_table(shipped_entries())


def test_the_shipped_table_matches_the_lexicon() -> None:
    shipped = (ROOT / "modconsole" / "detect" / "data" / "forms.tsv").read_text(encoding="utf-8")
    fresh = render_table(shipped_entries())
    assert shipped == fresh, (
        "data/forms.tsv is out of date with the lexicon, exception or grammar files: "
        "run python -m modconsole.detect.morph --write"
    )


def test_the_table_covers_every_shipped_entry() -> None:
    table = shipped_table()
    for term in ("me scarifier", "connard", "je veux mourir"):
        assert (term, "fr") in table
    assert ("kill myself", "en") in table
    assert ("me couper les cheveux", "fr") in table  # an exception phrase
    assert all(lang in ("fr", "en") for _, lang in table)


def test_exception_phrases_vary_like_terms() -> None:
    assert {"me suis coupé les cheveux", "me coupais les cheveux"} <= exception_forms("me couper les cheveux")
    assert "morte de rire" in exception_forms("mort de rire", "fr")
    assert exception_forms("Scunthorpe") == {"Scunthorpe"}  # a place name ("any"): as written
    assert exception_forms("une phrase inconnue") == {"une phrase inconnue"}


def test_a_single_word_varies_whatever_its_class() -> None:
    # The phrase grammar asks for "avoir~", "être~": alone, a word is a lemma to inflect.
    assert {"ai", "avais", "aurais", "eu"} <= forms("avoir", "fr")
    assert {"suis", "étais", "serais"} <= forms("être", "fr")
    assert {"was", "been"} <= forms("be", "en")
    assert {"jumped", "jumping"} <= forms("jump", "en")


def test_grammar_words() -> None:
    text = (
        "class fr.cut = couper~ | ouvrir~ les veines\n"
        "    | lacérer~\n"
        "class neg.en = not | never\n"
        "rule x any self_harm 3 : [stab~ | stabbed]! _2 @fr.cut\n"
        "# hate~ in a comment\n"
    )
    assert grammar_words(text) == [
        ("couper", "fr"), ("ouvrir", "fr"), ("lacérer", "fr"), ("stab", "fr"), ("stab", "en"),
    ]  # fmt: skip


def test_other_languages_get_the_term_alone() -> None:
    assert term_forms("Scheiße", "de") == {"Scheiße"}


# --------------------------------------------------------------------------------------
# Speed: the table first, the dictionaries lazily


def test_an_admin_term_is_expanded_from_the_dictionaries() -> None:
    table = shipped_table()
    assert ("me lacérer", "fr") not in table and ("stab myself", "en") not in table
    assert {"me lacère", "me lacérais", "me suis lacérée"} <= forms("me lacérer", "fr")
    assert {"stabbed myself", "stabbing myself"} <= forms("stab myself", "en")


def test_shipped_terms_load_no_dictionary_and_others_load_them_once() -> None:
    script = """
import sys
from modconsole.detect.morph import term_forms, exception_forms
from modconsole.detect.lexicon import load_default_terms
for t in load_default_terms():
    assert t.term in term_forms(t.term, t.lang)
exception_forms("ça me tue"); exception_forms("pas dans la table")
print("simplemma" in sys.modules, "lemminflect" in sys.modules)
assert "me lacère" in term_forms("me lacérer", "fr")
print("simplemma" in sys.modules, "lemminflect" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "False False"  # the shipped lexicon: table only
    assert out[1] == "True False"  # a French admin term: the French dictionary only


def test_the_dictionaries_load_once_across_threads() -> None:
    loaded: list[object] = []
    barrier = threading.Barrier(6)

    def work(i: int) -> None:
        barrier.wait()
        term_forms(f"me lacérer {'encore ' * i}".strip(), "fr")
        loaded.append(morph._french())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loaded) == 6 and len({id(x) for x in loaded}) == 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_form_of_the_table_is_a_phrase_of_words(lang: str) -> None:
    for (_, code), found in shipped_table().items():
        if code == lang:
            for form in found:
                assert form == form.strip() and "  " not in form and "\t" not in form
