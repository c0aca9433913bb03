"""The phrase grammar (modconsole/detect/grammar.py): its rules file, its evaluation, and the
shipped frames stated as the issue states them.

Severity, literally (issue 15): 3 = intent, plan, method or act; 2 = ideation or disclosure;
1 = distress words and indirect signs. Indirect signs go to ``self_harm`` at severity 1.
"""

from __future__ import annotations

import pytest

from modconsole.detect import Detector, Term
from modconsole.detect.grammar import GrammarError, load_default_grammar, parse_grammar, trigger_words
from modconsole.detect.typos import generate_table, render_table, shipped_table, shipped_words, transpositions


def same(word: str, lang: str) -> frozenset[str]:
    return frozenset({word})


def toy(*lines: str) -> Detector:
    grammar = parse_grammar(lines, "toy", inflect=same)
    return Detector([], pii=False, exceptions=[], grammar=grammar)


def frames(detector: Detector, text: str) -> list[tuple[str, str]]:
    return [(h.term, text[h.start : h.end]) for h in detector.scan(text) if h.kind == "grammar"]


# --- the rules file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["rule r en self_harm 3 : [i] [die]"], "toy:1: rule r has no trigger"),
        (["rule r en self_harm 3 : [i]! [die]!"], "toy:1: more than one trigger"),
        (["rule r en self_harm 3 : @nope! [die]"], "toy:1: unknown class @nope"),
        (["rule r en rude 3 : [die]!"], "toy:1: unknown category 'rude'"),
        (["rule r en except 2 : [die]!"], "toy:1: severity 0 is for except rules"),
        (["rule r en self_harm 0 : [die]!"], "toy:1: severity 0 is for except rules"),
        (["rule r en demote 3 : [himself]!"], "toy:1: a demote rule caps severity at 1 or 2"),
        (["rule r en demote 0 : [himself]!"], "toy:1: severity 0 is for except rules"),
        (["class a = x", "class a = y"], "toy:2: class a defined twice"),
        (["rule r en self_harm 3 : [die]!", "rule r en self_harm 2 : [dead]!"], "toy:2: rule r (en) defined twice"),
        (["class c = dead 😭"], "toy:1: 'dead 😭': only letters"),
        (["rule r en self_harm 3 noneg : [die]!"], "toy:1: noneg needs class neg.en"),
        (["rule r en self_harm 3 : _2! [die]"], "toy:1: a gap cannot be optional or a trigger"),
        (["something else"], "toy:1: expected 'class NAME = ...'"),
    ],
)
def test_a_malformed_file_names_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(GrammarError) as caught:
        parse_grammar(lines, "toy", inflect=same)
    assert message in str(caught.value)


def test_continuation_lines_and_comment_lines() -> None:
    detector = toy(
        "# a comment line",
        "class en.die = die |",
        "    be dead",
        "rule wish en self_harm 3 : [i] _2 [want to] @en.die!",
    )
    assert frames(detector, "I really want to be dead") == [("wish", "I really want to be dead")]


def test_only_trigger_words_enter_the_automaton() -> None:
    grammar = parse_grammar(["rule wish en self_harm 3 : [i] _2 [want to] [die | perish]!"], "toy", inflect=same)
    assert set(grammar.triggers) == {"die", "perish"}


def test_gaps_are_bounded() -> None:
    detector = toy("rule wish en self_harm 3 : [i] _2 [want to] [die]!")
    assert frames(detector, "i so very much want to die") == []  # three words between: the gap holds two
    assert frames(detector, "i so very want to die") == [("wish", "i so very want to die")]


def test_optional_elements_and_obfuscation() -> None:
    detector = toy("rule wish en self_harm 3 : [i] [really]? [want to] [die]!")
    for text in ("i want to die", "I REALLY want to d.i.e", "і wаnt tо dіе", "i w4nt t0 diiiie"):
        assert [t for t, _ in frames(detector, text)] == ["wish"], text


def test_an_elided_word_may_be_glued_to_the_next() -> None:
    detector = toy("rule plan fr self_harm 3 : [j'] [ai prévu] [ma mort]!")
    for text in ("j'ai prévu ma mort", "jai prévu ma mort", "j ai prévu ma mort"):
        assert frames(detector, text) == [("plan", text)]


def test_a_negation_is_a_whole_word() -> None:
    """An elided "n'" is a negation before a word ("n'ai"), never the n of "nue"."""
    detector = toy(
        "class neg.fr = ne | n' | pas",
        "rule pic fr offensive 2 noneg : [envoie] _3 [photo] _2 [nue]!",
    )
    assert [t for t, _ in frames(detector, "envoie une photo de toi nue")] == ["pic"]
    assert frames(detector, "n'envoie pas une photo de toi nue") == []


def test_negation_inside_or_just_before_a_frame() -> None:
    detector = toy(
        "class neg.en = not | never | don't",
        "rule threat en offensive 3 noneg : [i] _2 [will] [hurt]! [you]",
        "rule scum en offensive 2 noneg : [women] [are]! [scum]",
    )
    assert frames(detector, "i will hurt you") == [("threat", "i will hurt you")]
    assert frames(detector, "i will never hurt you") == []
    assert frames(detector, "i never said that women are scum") == []  # four words back
    assert frames(detector, "women are scum") == [("scum", "women are scum")]


def test_why_dont_we_is_a_question_not_a_negation() -> None:
    detector = toy(
        "class neg.en = not | never | don't",
        "rule rid en offensive 3 noneg : [don't we | let's] _1 [get rid of]! [them]",
    )
    assert [t for t, _ in frames(detector, "why don't we just get rid of them")] == ["rid"]


def test_a_number_element_reads_folded_digits() -> None:
    detector = toy("rule pills en self_harm 3 : [took] _2 # [pills]!")
    for text in ("I took 56 pills", "I took about 30 pills", "took 15 pills"):
        assert [t for t, _ in frames(detector, text)] == ["pills"], text
    assert frames(detector, "I took the pills") == []


def test_a_negated_element_is_any_other_word() -> None:
    detector = toy(
        "class en.drug = pills | heroin",
        "rule od en self_harm 3 : [overdose]! [on] ^@en.drug",
    )
    assert frames(detector, "an overdose on sugar") == [("od", "overdose on sugar")]
    assert frames(detector, "an overdose on heroin") == []


def test_except_rules_drop_overlapping_hits_of_lexicon_and_grammar() -> None:
    grammar = parse_grammar(
        [
            "rule wish en self_harm 3 : [i] [want to] [die]!",
            "rule idiom en except 0 : [die]! [laughing]",
        ],
        "toy",
        inflect=same,
    )
    detector = Detector([Term("die", "self_harm", "en", 2)], pii=False, exceptions=[], grammar=grammar)
    assert detector.scan("I want to die laughing") == []
    assert [(h.kind, h.term) for h in detector.scan("I want to die")] == [("grammar", "wish")]


def test_demote_rules_cap_the_severity_of_overlapping_self_harm_hits_only() -> None:
    grammar = parse_grammar(
        [
            "rule wish en self_harm 3 : [i] [want to] [die]!",
            "rule threat en offensive 3 : [kill]! [him]",
            "rule other en demote 1 : [he] [said] [i]!",
            "rule is-cutting en demote 2 : [he] [is]! [cutting]",
        ],
        "toy",
        inflect=same,
    )
    detector = Detector([Term("cutting", "self_harm", "en", 3)], pii=False, exceptions=[], grammar=grammar)
    # the grammar hit and the lexicon hit the demote match overlaps are kept, at severity 1,
    # and say which rule lowered them
    lowered = detector.scan("he said i want to die")
    assert [(h.category, h.severity, h.term) for h in lowered] == [("self_harm", 1, "wish · lowered by other")]
    assert [(h.severity, h.term) for h in detector.scan("he is cutting")] == [(2, "cutting · lowered by is-cutting")]
    assert [(h.severity, h.term) for h in detector.scan("i am cutting")] == [(3, "cutting")]
    # a hit it does not overlap keeps its severity; so does another category
    text = "he said i am fine. i want to die"
    assert [(h.severity, h.term) for h in detector.scan(text)] == [(3, "wish")]
    assert [(h.category, h.severity) for h in detector.scan("he said i kill him")] == [("offensive", 3)]


def test_inflected_alternatives_use_the_inflector() -> None:
    grammar = parse_grammar(
        ["rule cut en self_harm 3 : [i] [cut~]! [my wrists]"],
        "toy",
        inflect=lambda word, lang: frozenset({word, word + "ting", word + "s"}),
    )
    detector = Detector([], pii=False, exceptions=[], grammar=grammar)
    assert [h.term for h in detector.scan("i cutting my wrists")] == ["cut"]


def test_trigger_words_lists_the_words_of_trigger_elements() -> None:
    words = trigger_words(
        "class en.die = die | be dead\nrule a en self_harm 3 : [i] _1 @en.die!\nrule b en offensive 3 : [kill~]! [you]"
    )
    assert sorted(words) == ["be", "dead", "die", "kill"]


# --- the shipped grammar: the severity rule and the classes of issue 15 ---------------------


@pytest.fixture(scope="module")
def shipped() -> Detector:
    return Detector(pii=False)


def top(detector: Detector, text: str, category: str) -> int:
    return max((h.severity for h in detector.scan(text) if h.category == category), default=0)


@pytest.mark.parametrize(
    "text",
    [
        "I wish I were dead",
        "je voudrais tellement être morte",
        "j'ai envie de crever",
        "I'm going to kill myself tonight",
        "I've been saving up my sleeping pills",
        "je vais avaler toute la boîte de doliprane",
        "I took about 40 tablets",
        "je me suis tailladé les bras",
        "I slit my wrists again",
        "I'm gonna OD tonight",
        "j'ai fait une TS la semaine dernière",
        "I'm going to jump off the bridge",
        "je vais me jeter sous un train",
        "I bought a rope to hang myself",
        # acts told by their means or marks, overdoses told as a story, method searches
        "je me griffe jusqu'au sang quand ça va pas",
        "hier je me suis entaillée avec une lame de rasoir",
        "j'ai avalé toute la boîte de somnifères",
        "comment mourir sans souffrir ?",
        "what's the easiest way to kill myself",
        "I OD'd on saturday",
        "cutting is the only thing that helps",
    ],
)
def test_intent_plan_method_or_act_is_severity_3(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "self_harm") == 3


@pytest.mark.parametrize(
    "text",
    [
        "I keep thinking about dying",
        "j'ai des idées noires",
        "I can't go on living like this",
        "mon beau-père me frappe",
        "my dad hits me when he's drunk",
        "I was raped by my uncle",
        "j'ai été violée par mon ex",
        # violence told as an event, with no word for abuse
        "my boyfriend slammed my head against the car door",
        "mon copain me rabaisse devant tout le monde",
        "il m'a étranglée quand j'ai voulu partir",
        "I think about suicide every night",
    ],
)
def test_ideation_or_disclosure_is_severity_2(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "self_harm") == 2


@pytest.mark.parametrize(
    "text",
    [
        "everyone would be better off without me",
        "tout le monde serait mieux sans moi",
        "I'm a burden to everyone",
        "je ne compte pour personne",
        "nobody would miss me if I was gone",
        "I'm giving away my things",
        "ils seraient plus heureux sans moi",
        "bientôt tu n'auras plus à te soucier de moi",
        "j'ai réglé mes dettes et rangé toutes mes affaires",
        "it would be easier for them if I wasn't around",
        # the bare word is a mention
        "we watched a documentary about suicide",
    ],
)
def test_indirect_signs_are_self_harm_at_severity_1(shipped: Detector, text: str) -> None:
    hits = [h for h in shipped.scan(text) if h.category == "self_harm"]
    assert hits and max(h.severity for h in hits) == 1


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to stab you",
        "je vais te retrouver et te faire la peau",
        "I know where you live",
        "je sais où tu habites",
        "you deserve to die",
        "tu mérites de crever",
        "I want to klil all of them",
        "Death to all immigrants",
        "send me a pic of your tits",
        "envoie-moi une photo de toi nue",
        "it's our secret, don't tell your parents",
    ],
)
def test_threats_and_solicitation_without_an_insult_word_are_offensive(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "offensive") >= 2


@pytest.mark.parametrize(
    "text",
    [
        "this job is killing me",
        "je me tue à la tâche",
        "overdose de séries ce week-end",
        "a total Netflix overdose",
        "I'm dying to see that film",
        "je vais mourir de rire",
        "I would kill for a pizza",
        "I'd rather die than wear that",
        "je suis crevée ce soir",
        "my Labrador bitch had six puppies",
        "je suis en retard au travail",
        "I'll help you move on Saturday",
        "ça me coupe l'appétit",
        "I never said that women are scum",
        "posting that would be career suicide",
        "le suicide politique du ministre",
        "on s'est tués à la tâche toute la semaine",
        "I'm dead tired after that shift",
        "this cake is to die for",
        "I nearly died laughing at the video",
        "over my dead body will he drive my car",
        "can you kill the lights please",
        "my feet are killing me",
        "je crève de faim, on mange ?",
        "une soirée à mourir d'ennui",
        "je me casse la tête sur cet exercice",
        "c'est tirer sur l'ambulance",
        # asking someone directly is what prevention pages teach
        "are you thinking about killing yourself? you can tell me",
        "est-ce que tu penses à te suicider ? tu peux m'en parler",
    ],
)
def test_idioms_homonyms_and_negations_fire_nothing(shipped: Detector, text: str) -> None:
    assert [h for h in shipped.scan(text) if h.category != "pii"] == []


@pytest.mark.parametrize(
    "text",
    [
        # a killing verb on people is a threat at severity 3, whoever says it
        "I will murder every one of them",
        "we should slaughter those people",
        "someone should shoot all these immigrants",
        "one can only hope someone will put an end to those disabled people",
        "they should all suffer for it",
        "on devrait pendre tous ces immigrés",
        "qu'ils crèvent tous",
        "il faut tous les exterminer",
    ],
)
def test_a_killing_verb_on_people_is_a_threat(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "offensive") == 3


@pytest.mark.parametrize(
    "text",
    [
        # the same verbs on things, pests, game characters or time are not threats
        "shoot you an email tonight",
        "kill all the processes and restart",
        "I want to kill every mosquito in this room",
        "somebody should just stab those balloons",
        "kill all the zombies in level 3",
        "they should suffer the consequences",
        "je vais tuer le temps en lisant",
        "il faut les éliminer du tournoi",
        "mort aux rats",
    ],
)
def test_a_killing_verb_on_things_is_not_a_threat(shipped: Detector, text: str) -> None:
    assert [h for h in shipped.scan(text) if h.category == "offensive"] == []


@pytest.mark.parametrize(
    "text",
    [
        # an insult addressed to the reader, with no slur in it, is offensive
        "shut up, you nincompoop",
        "what a buffoon you are",
        "you're such a knucklehead",
        "quel guignol tu fais",
        "ferme-la, sale crapule",
        "t'es qu'une pouffiasse",
        # a group called by an insult
        "Trans people are all complete assholes",
        "les musulmans sont tous des guignols",
    ],
)
def test_an_insult_addressed_to_someone_is_offensive(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "offensive") >= 1


@pytest.mark.parametrize(
    "text",
    [
        "My son is cutting himself, I saw the marks. What should we do?",
        "my friend said she wants to kill herself",
        "Mon fils se scarifie depuis des mois, je ne sais plus quoi faire.",
        "Ma meilleure amie veut se suicider, comment l'aider ?",
        "Elle parle souvent de mourir, je m'inquiète pour elle.",
        "What are the warning signs of suicide in a teenager?",
        "Quels sont les signes d'une crise suicidaire chez un adolescent ?",
        "He's been really suicidal lately and I don't know how to help.",
        "She took her own life last year.",
    ],
)
def test_someone_elses_risk_is_self_harm_at_severity_1_at_most(shipped: Detector, text: str) -> None:
    # issue 15: help requests about others are seen, but at no more than severity 1
    assert top(shipped, text, "self_harm") <= 1


@pytest.mark.parametrize(
    "text",
    [
        "My son is cutting himself and honestly I want to kill myself too.",
        "Mon frère s'est scarifié. Moi je veux me tuer.",
        "He said I'm a burden and I'm going to end my life tonight.",
    ],
)
def test_the_writers_own_intent_keeps_severity_3_beside_someone_elses(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "self_harm") == 3


@pytest.mark.parametrize("text", ["can someone help me with my CV", "besoin d'aide pour mon code"])
def test_everyday_help_requests_are_at_most_severity_1(shipped: Detector, text: str) -> None:
    assert top(shipped, text, "self_harm") <= 1


def test_a_grammar_hit_names_its_rule(shipped: Detector) -> None:
    [hit] = shipped.scan("I wish I were dead")
    assert (hit.kind, hit.term, hit.lang) == ("grammar", "wish-dead-conditional", "en")


def test_every_rule_has_a_unique_name_per_language() -> None:
    grammar = load_default_grammar()
    names = [(r.name, r.lang) for r in grammar.rules]
    assert len(names) == len(set(names)) and len(names) > 50


# --- typing slips ---------------------------------------------------------------------------


def test_transpositions_swap_neighbours_of_words_of_four_letters_or_more() -> None:
    assert transpositions("kill") == {"ikll", "klil"}
    assert transpositions("die") == set()
    assert "klil" in shipped_table()["kill"]


def test_a_slip_that_is_a_word_is_not_generated() -> None:
    assert "from" not in generate_table(["form"]).get("form", frozenset())
    assert "unite" not in generate_table(["untie"]).get("untie", frozenset())


def test_the_shipped_slips_match_a_fresh_generation() -> None:
    fresh = render_table(generate_table(shipped_words()))
    from importlib import resources

    shipped_text = resources.files("modconsole.detect").joinpath("data", "typos.tsv").read_text(encoding="utf-8")
    assert shipped_text == fresh, "run: python -m modconsole.detect.typos --write"


def test_a_long_message_searched_around_its_triggers_gives_the_hits_of_a_whole_search(
    shipped: Detector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long skeleton has each rule searched only around its trigger words (see
    ``grammar._windows``): on the development corpus's texts, joined into forum-length posts
    (over 800 characters), that finds exactly what a search of the whole text finds."""
    import json
    from pathlib import Path

    from modconsole.detect import detector as detector_module

    dev = Path(__file__).resolve().parents[2] / "bench" / "corpus" / "dev"
    texts = [
        json.loads(line)["text"]
        for name in ("risk.jsonl", "offensive.jsonl", "benign.jsonl")
        for line in (dev / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    posts: list[str] = [""]
    for text in texts:
        if len(posts[-1]) > 2 * detector_module._WINDOWED:
            posts.append("")
        posts[-1] = f"{posts[-1]} {text}".strip()

    def hits() -> list[list[tuple[str, int, int, int, str]]]:
        return [[(h.category, h.severity, h.start, h.end, h.term) for h in shipped.scan(p)] for p in posts]

    windowed = hits()
    monkeypatch.setattr(detector_module, "_WINDOWED", 10**9)
    whole = hits()
    assert sum(map(len, whole)) > len(posts)  # the posts do hold frames
    assert windowed == whole
