"""Real names given as such, in French and English.

Three strengths of introduction, from the folded text of :mod:`.pii_fold` (case kept):

* **explicit** ("my name is", "my real name is", "my name's", "I am called", "je m'appelle",
  "je me nomme", "mon (vrai) nom/prénom (de famille) est/c'est/:"): the words that follow are
  a name, capitalised or not, unless they are function words ("my name is not important");
* **introduced** ("moi c'est", "appelle-moi", "appelez-moi", "on m'appelle", "call me",
  "you can call me", "I go by", "je me présente", "name's"): the name must be capitalised;
* **weak** ("je suis", "I'm", "im", "I am", and the frames "c'est X ici", "c'est X à
  l'appareil", "this is X here/speaking"): capitalised, and followed by the end of the text,
  punctuation, a digit (an age), or a word that closes an introduction ("btw", "by the way",
  "here", "from", "and", "ici", "et", "de", "lol"…); the frames need their closing word.

A capitalised name is one to three words each starting with a capital and holding a
lower-case letter (``MARIE`` in an all-capitals message is not taken: too many shouted
adjectives). A name word may not be a function word, a day, a month, a nationality or
language, a country or a large city, a religion, a zodiac sign, an identity, or one of the
adjectives and states people say after "I'm"/"je suis" (Tired, Fine, Back, Désolée…); "je suis
Charlie" and the like are slogans. A title before the name ("Mme", "Dr") is skipped. Each guard list is below, small and plain, so that a miss or a false positive is
fixed by one word.

For speed, the explicit pattern runs only when one of four literal anchors ("name", "nom",
"appel", "called") is in the lower-cased text, and the other leads are looked for backwards
from each capital letter that could start a name (``str.endswith`` on the 24 characters before
it): a message with "je suis" or "c'est" in it and no capitalised word after them costs a
regex scan for capitals, and a body of 32k characters a linear amount of work (at most 100
names are reported).
"""

from __future__ import annotations

import re

__all__ = ["find_names"]

_GUARDS_EN = """
a an the and or but not no is was are it its this that on in at to of for with from by as so if too also
just really very kind sort secret private important unknown known written spelled pronounced weird funny
long short hard easy nice lol btw please here there what why how who which because like
i me my mine you your yours he him his she her hers we us our they them their sure okay ok fine good great
happy sad tired exhausted bored done back home out off over up down sorry glad afraid scared alone lonely
new old single married divorced engaged pregnant sick ill better worse fat ugly stupid dumb dead alive
free busy late early ready lost broken hungry thirsty proud angry mad crazy nervous anxious depressed
suicidal confused worried stressed excited honest serious kidding joking almost about always never still
going gonna trying looking feeling getting having doing being literally basically actually currently
totally honestly probably maybe only well right wrong real fake human vegan vegetarian male female boy
girl man woman guy dude mom mum dad mother father son daughter wife husband student teacher nurse doctor
fan member moderator admin new here now today tomorrow tonight yesterday soon again finally officially
also every everyone someone nobody nothing something yes yeah yep nope hey hi hello dear god
spartacus batman superman groot legend queen king boss team later pro anti gen christmas halloween easter
thanksgiving
"""
_GUARDS_FR = """
et ou mais ni pas plus est était c'est ce ça sur dans avec pour par de du des le la les un une au aux en
que qui quoi comment pourquoi car donc aussi très trop vraiment secret privé écrit marqué affiché connu
inconnu compliqué bizarre difficile long court mdr stp svp ici là
je tu il elle on nous vous ils elles moi toi lui eux mon ton son ma ta sa mes tes ses notre votre leur
pareil pareille pareils pareilles comme pire mieux bien mal même différent différente désolé désolée
désolés fatigué fatiguée épuisé épuisée crevé crevée content contente heureux heureuse triste seul seule
perdu perdue malade enceinte mariée marié célibataire divorcé divorcée nouveau nouvelle nouveaux là
prêt prête partant partante ok okay oui non vrai faux fan membre modérateur modératrice admin étudiant
étudiante prof infirmier infirmière médecin docteur maman papa mère père fille fils femme homme garçon
humain humaine dieu rien tout toute tous personne quelqu'un bonjour salut coucou hello
aujourd'hui demain hier ce soir maintenant enfin encore toujours jamais déjà ravi ravie pâques ramadan bac
"""
_DAYS_MONTHS = """
monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi
dimanche january february march april may june july august september october november december janvier
février mars avril mai juin juillet août septembre octobre novembre décembre
"""
_NATIONS = """
french english british american canadian belgian swiss german spanish italian portuguese dutch irish
scottish welsh australian mexican brazilian chinese japanese korean indian pakistani african asian
european latino latina arab arabic russian ukrainian polish greek turkish moroccan algerian tunisian
senegalese congolese lebanese iranian persian jewish flemish walloon quebecer québécois québécoise
français française anglais anglaise britannique américain américaine canadien canadienne belge suisse
allemand allemande espagnol espagnole italien italienne portugais portugaise néerlandais néerlandaise
hollandais hollandaise irlandais irlandaise écossais écossaise australien australienne mexicain
mexicaine brésilien brésilienne chinois chinoise japonais japonaise coréen coréenne indien indienne
africain africaine asiatique européen européenne arabe russe ukrainien ukrainienne polonais polonaise
grec grecque turc turque marocain marocaine algérien algérienne tunisien tunisienne sénégalais
sénégalaise congolais congolaise libanais libanaise iranien iranienne flamand flamande wallon wallonne
parisien parisienne lyonnais lyonnaise marseillais marseillaise breton bretonne normand normande corse
alsacien alsacienne bruxellois bruxelloise genevois genevoise vaudois vaudoise londoner texan
france england angleterre britain scotland wales ireland belgium belgique switzerland suisse canada
québec quebec usa america amérique europe europa africa afrique london londres paris bruxelles brussels
genève geneva lausanne zurich lyon marseille lille toulouse montréal montreal toronto
"""
_BELIEFS = """
catholic catholique christian chrétien chrétienne muslim musulman musulmane jew juif juive protestant
protestante orthodox orthodoxe buddhist bouddhiste hindu hindou hindoue sikh atheist athée agnostic
agnostique mormon mormone evangelical évangélique pagan païen païenne
gay lesbian lesbienne bi bisexual bisexuel bisexuelle trans queer straight hétéro hetero asexual
asexuel asexuelle autistic autiste bipolar bipolaire black white noir noire blanc blanche
aries taurus gemini cancer virgo libra scorpio sagittarius capricorn aquarius pisces bélier taureau
gémeaux lion vierge balance scorpion sagittaire capricorne verseau poissons
republican democrat républicain républicaine démocrate
"""

_NAME_GUARDS = frozenset(" ".join((_GUARDS_EN, _GUARDS_FR, _DAYS_MONTHS, _NATIONS, _BELIEFS)).split())
#: Stop words of the explicit leads (a lower-case name is accepted there).
_EXPLICIT_STOPWORDS = frozenset((_GUARDS_EN + _GUARDS_FR).split()) | frozenset(
    "spelled written".split()
)

_WORD = r"[^\W\d_][\w'’\-]*+"
_CAPITAL = "A-ZÀ-ÖØ-Þ"
_TITLES = frozenset("mr mrs ms miss dr mme mlle m".split())

# Closing context of a weak introduction.
_CLOSE = re.compile(
    r"\s*(?:$|[^\w\s]|[0-9]|(?i:btw|by\s+the\s+way|here|from|and|aka|alias|lol|mdr|ptdr|haha|"
    r"ici|et|de|du|d['’]|j['’]ai|i['’]?m|nice|enchant[ée]e?|ravie?)(?![^\W\d_]))"
)
_FRAME_CLOSE = re.compile(r"\s*(?i:ici|here|speaking|à\s+l['’]appareil|a\s+l['’]appareil)(?![^\W\d_])")

_APOS = "['’]"
# The explicit leads, as one pattern (run only when one of their anchors is in the text).
_EXPLICIT = re.compile(
    r"(?<![^\W\d_])(?i:"
    rf"my\s+(?:real\s+|full\s+|actual\s+|first\s+|last\s+|sur)?name(?:\s+is|{_APOS}s)"
    rf"|i\s+am\s+called|i{_APOS}?m\s+called|je\s+m{_APOS}?\s*appelle|je\s+me\s+nomme"
    rf"|mon\s+(?:vrai\s+)?(?:nom|pr[ée]nom)(?:\s+de\s+famille)?"
    rf"(?:\s+(?:est|c{_APOS}?est|c\s+est)(?![^\W\d_])|\s*:))"
    r"\s*+:?\s*+(?P<name>[^\W\d_])"
)

# The other leads end right before a capitalised name: (ending, mode), longer endings first
# where one ends another ("moi c'est" before "c'est"). Apostrophes are read as "'".
_LEAD_ENDINGS: tuple[tuple[str, str], ...] = tuple(
    (ending, mode)
    for mode, endings in (
        (
            "introduced",
            "moi c'est|moi, c'est|moi cest|appelle-moi|appelle moi|appelez-moi|appelez moi|"
            "appelons-moi|m'appelle|call me|go by|je me présente|je me presente|name's",
        ),
        ("weak", "je suis|jsuis|j'suis|i'm|im|i am"),
        ("frame", "c'est|this is"),
    )
    for ending in endings.split("|")
)
_LAST_WORDS = frozenset(ending.split()[-1] for ending, _ in _LEAD_ENDINGS)
# The characters a lead may end with, and what may stand between it and the name.
_LAST_LETTERS = frozenset(ending[-1] for ending, _ in _LEAD_ENDINGS) | frozenset(" \t\n:,")
_CAPITALS = re.compile(rf"[{_CAPITAL}]")
_BEFORE_NAME = frozenset(" \t\n:,(\"«'")
_HEAD = 24  # characters looked at before a capital

# "je suis Charlie", "je suis Paris": slogans, not introductions.
_SLOGANS = frozenset({"charlie", "paris"})
_WORD_RE = re.compile(_WORD)
_GAP = re.compile(r"[ \t]++")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


def _name_words(text: str, start: int, explicit: bool) -> list[tuple[int, int]]:
    """Return the spans of the name words that start at ``start`` (at most three; a title
    such as "Mme" or "Dr" before them is skipped)."""
    spans: list[tuple[int, int]] = []
    position = start
    first_capital = text[start : start + 1].isupper()
    titles = 1
    while len(spans) < 3:
        match = _WORD_RE.match(text, position)
        if match is None:
            break
        word = match.group().rstrip("'’-")
        if not word:
            break
        lower = word.lower()
        end = match.start() + len(word)
        if not spans and titles and lower.rstrip(".") in _TITLES:
            titles = 0
            gap = _GAP.match(text, end + (text[end : end + 1] == "."))
            if gap is None:
                break
            position = gap.end()
            continue
        if explicit:
            if lower in _EXPLICIT_STOPWORDS or (spans and first_capital and not word[0].isupper()):
                break
        elif not _capitalised(word) or lower in _NAME_GUARDS or "-" in lower and any(
            part in _NAME_GUARDS for part in lower.split("-")
        ):
            break  # "Italian-American", "Pro-choice"
        spans.append((match.start(), end))
        gap = _GAP.match(text, match.end())
        if gap is None:
            break
        position = gap.end()
    return spans


def _accept(text: str, start: int, mode: str) -> tuple[int, int] | None:
    """Return the span of the name introduced at ``start`` in ``mode``, or None."""
    words = _name_words(text, start, mode == "explicit")
    if not words:
        return None
    if mode in ("weak", "frame"):
        if mode == "weak" and text[words[0][0] : words[0][1]].lower() in _SLOGANS:
            return None
        closing = _FRAME_CLOSE if mode == "frame" else _CLOSE
        while words and closing.match(text, words[-1][1]) is None:
            words.pop()  # the name may be shorter than the capitalised words read
        if not words:
            return None
    return words[0][0], words[-1][1]


def _lead_before(text: str, at: int) -> str | None:
    """Return the mode of the lead that ends right before ``at`` in ``text``, or None."""
    words = text[max(0, at - 12) : at].lower().rstrip(" \t:,").split()
    if not words or words[-1].rstrip(":,").replace("’", "'") not in _LAST_WORDS:
        return None  # the common case: a capital after a word that ends no lead
    head = " ".join(text[max(0, at - _HEAD) : at].lower().replace("’", "'").split()).rstrip(" :,")
    for ending, mode in _LEAD_ENDINGS:
        if head.endswith(ending):
            before = len(head) - len(ending) - 1
            if before >= 0 and (head[before].isalnum() or head[before] == "_"):
                return None
            if before < 0 and at - _HEAD > 0 and text[at - _HEAD - 1].isalnum():
                return None  # the head was cut inside a word
            return mode
    return None


def find_names(
    text: str, lower: str | None = None, *, explicit: bool = True, introduced: bool = True
) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans of the real names given as such in ``text`` (a
    folded text); a span covers the name only, not the words introducing it.

    ``explicit`` looks for the explicit leads, ``introduced`` for the others (introduced, weak
    and frames: the capital-first search, which costs next to nothing on a text without a
    capital after its first two characters). ``lower`` is ``text`` lower-cased with the same
    length, if the caller has it."""
    found: dict[int, tuple[int, int]] = {}
    if explicit:
        if lower is None or len(lower) != len(text):
            lower = _lower(text)
        if "name" in lower or "nom" in lower or "appel" in lower or "called" in lower:
            for match in _EXPLICIT.finditer(text):
                name = _accept(text, match.start("name"), "explicit")
                if name is not None:
                    found.setdefault(name[0], name)
                if len(found) >= 100:
                    return sorted(found.values())
    first = _CAPITALS.search(text, 2) if introduced else None
    if first is None:
        return sorted(found.values())  # no capital after the first two characters: no name
    for match in _CAPITALS.finditer(text, first.start()):
        at = match.start()
        if text[at - 1] not in _BEFORE_NAME or text[at - 2].lower() not in _LAST_LETTERS or at in found:
            continue
        mode = _lead_before(text, at)
        if mode is None:
            continue
        name = _accept(text, at, mode)
        if name is not None:
            found.setdefault(name[0], name)
            if len(found) >= 100:
                break
    return sorted(found.values())


def _lower(text: str) -> str:
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower
