"""Throughput of modconsole.detect against two baselines, on one reproducible corpus.

    python bench/detect.py [--n 100000] [--seed 7] [--baseline-n 1000]

Generates ``--n`` short FR/EN messages (seeded: ordinary talk, about 3% with lexicon hits,
part of them obfuscated, about 1% with personal details) and prints messages per second for:

* full detection: ``Detector().scan`` (lexicon + personal details), on all messages;
* bare pyahocorasick: an automaton of the same lexicon terms, ``iter()`` over
  ``text.lower()`` (no folding, no boundaries, no personal details), on all messages;
* better_profanity ``contains_profanity`` (word list loaded before timing). It handles
  well under a hundred messages a second, so it is timed on the first ``--baseline-n``
  messages of the same corpus, and full detection is timed again on that very sample so
  that the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modconsole.detect import Detector, load_default_terms  # noqa: E402

EN_PARTS = [
    "Had a long shift today and the bus was late again",
    "Does anyone know a good podcast for falling asleep?",
    "My sister is visiting this weekend so I might be quiet for a bit",
    "Thanks everyone for the kind words yesterday, it meant a lot",
    "Just finished my first week at the new job, still nervous but okay",
    "The weather here has been grey for days and it gets to me",
    "I tried the breathing exercise from the last thread and it worked a little",
    "Anyone else watching the football tonight?",
    "We adopted a cat last month and she sleeps on my keyboard",
    "Went for a walk by the river before work this morning",
    "I'm looking for book recommendations, something light please",
    "My therapist suggested writing things down, so here I am",
    "Cooking pasta for the whole family tonight, wish me luck",
    "Is it normal to feel tired all the time in winter?",
    "Happy birthday to the moderators, you do a great job",
    "I finally called my mum after two weeks and we talked for an hour",
    "Exams start on Monday and I have not revised enough",
    "Does anybody have tips for talking to a new doctor?",
    "I like your profile, we seem to enjoy the same films",
    "Would you like to grab a coffee sometime next week?",
    "The new update changed the layout and I can't find the settings",
    "Honestly the best part of my day was a good sandwich",
    "I've been sleeping better since I stopped checking my phone at night",
    "Our team won the quiz at the pub, first time in months",
    "Reading everyone's stories here makes me feel less alone",
]
FR_PARTS = [
    "Grosse journée au boulot, je suis rentrée tard et je suis crevée",
    "Quelqu’un connaît un bon film à voir ce week-end ?",
    "Merci à tous pour vos messages d’hier, ça m’a fait du bien",
    "Je commence un nouveau travail lundi et j’ai un peu le trac",
    "Il pleut depuis trois jours, vivement le printemps",
    "On a adopté un chat le mois dernier, il dort sur mon clavier",
    "J’ai essayé l’exercice de respiration du dernier fil, ça aide un peu",
    "Vous regardez le match ce soir ?",
    "Ma sœur vient à la maison ce week-end, je serai moins présente",
    "Je cherche des idées de lecture, quelque chose de léger",
    "Mon psy m’a conseillé d’écrire, alors me voilà",
    "Ce soir c’est crêpes pour toute la famille",
    "C’est normal d’être fatigué tout le temps en hiver ?",
    "Bon anniversaire à l’équipe de modération, merci pour tout",
    "J’ai enfin appelé ma mère après deux semaines, on a parlé une heure",
    "Les partiels commencent lundi et je n’ai pas assez révisé",
    "Vous avez des conseils pour parler à un nouveau médecin ?",
    "J’aime bien ton profil, on a l’air d’aimer les mêmes films",
    "Ça te dirait d’aller boire un café la semaine prochaine ?",
    "La mise à jour a tout changé, je ne trouve plus les réglages",
    "Franchement le meilleur moment de ma journée c’était le goûter",
    "Je dors mieux depuis que je laisse mon téléphone dans le salon",
    "On a gagné le quiz au bar, première fois depuis des mois",
    "Lire vos histoires ici me fait sentir moins seule",
    "Je suis allée courir au bord du canal avant le travail",
]
TAILS = ["", "", "", " :)", " 😊", "!", "...", " lol", " mdr", " 🙏", " haha", " ^^"]

HIT_PHRASES = [
    "I want to kill myself",
    "i just want to die",
    "thinking about suicide again",
    "I cut myself last night",
    "he abused me when I was a kid",
    "kill yourself",
    "you stupid bitch",
    "send nudes",
    "fuck you",
    "je veux mourir",
    "j'ai envie de me suicider",
    "je me scarifie depuis un mois",
    "il m'a violée",
    "sale pute",
    "nique ta mère",
    "je vais te tuer",
    "envoie des nudes",
    "connard",
    "ta gueule",
    "au secours",
    "help me please",
    "j'ai besoin d'aide",
]
PII_PHRASES = [
    "call me on 06 12 34 56 78",
    "mon numéro c'est 07.45.12.33.90",
    "text me +44 20 7946 0958",
    "write to jean.dupont@gmail.com",
    "jean at gmail dot com",
    "marie arobase orange point fr",
    "insta: @marie_92",
    "my snap is jdoe99",
    "ajoute-moi sur insta marie.dupont",
    "j'habite au 12 rue de la Paix",
    "I live at 221B Baker Street",
    "my name is John Smith",
    "je m'appelle Marie Dupont",
]
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "i": "і", "s": "ѕ", "p": "р"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def obfuscate(phrase: str, rng: random.Random) -> str:
    """Return ``phrase`` disguised one of the ways members do."""
    way = rng.randrange(6)
    if way == 0:
        return " ".join(phrase)
    if way == 1:
        return "".join(LEET.get(c, c) for c in phrase)
    if way == 2:
        return "".join(c * 3 if c in "aeiou" and rng.random() < 0.3 else c for c in phrase)
    if way == 3:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in phrase)
    if way == 4:
        return "\u200b".join(phrase)
    return "".join(HOMOGLYPHS.get(c, c) for c in phrase)


def make_corpus(n: int, seed: int) -> list[str]:
    """Return ``n`` reproducible messages of roughly 60 to 200 characters."""
    rng = random.Random(seed)
    messages: list[str] = []
    for _ in range(n):
        parts = rng.choice((EN_PARTS, FR_PARTS))
        text = rng.choice(parts)
        while len(text) < 60 or (len(text) < 140 and rng.random() < 0.35):
            text += rng.choice((". ", ", ", " - ")) + rng.choice(parts).lower()
        roll = rng.random()
        if roll < 0.03:
            phrase = rng.choice(HIT_PHRASES)
            if rng.random() < 0.3:
                phrase = obfuscate(phrase, rng)
            text = f"{text}. {phrase}"
        elif roll < 0.04:
            text = f"{text}, {rng.choice(PII_PHRASES)}"
        messages.append(text + rng.choice(TAILS))
    return messages


def rate(func: Callable[[str], object], messages: Sequence[str], repeat: int = 3) -> float:
    """Return messages per second for ``func`` over ``messages`` (best of ``repeat`` runs)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for message in messages:
            func(message)
        best = min(best, time.perf_counter() - started)
    return len(messages) / best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="messages in the corpus")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-n", type=int, default=1_000, help="sample timed for better_profanity")
    args = parser.parse_args(argv)

    import ahocorasick
    from better_profanity import profanity

    messages = make_corpus(args.n, args.seed)
    sample = messages[: max(1, min(args.baseline_n, len(messages)))]
    detector = Detector()
    terms = load_default_terms()
    bare = ahocorasick.Automaton()
    for term in terms:
        bare.add_word(term.term.lower(), term.term)
    bare.make_automaton()
    profanity.load_censor_words()

    def bare_scan(text: str) -> None:
        for _ in bare.iter(text.lower()):
            pass

    flagged = sum(1 for m in messages if detector.scan(m))
    average = sum(map(len, messages)) / len(messages)
    print(
        f"corpus: {len(messages):,} messages, seed {args.seed}, mean {average:.0f} chars, "
        f"{flagged / len(messages):.1%} with at least one hit ({len(terms)} lexicon terms)"
    )

    full = rate(detector.scan, messages)
    aho = rate(bare_scan, messages)
    print(f"full detection: {full:,.0f} msg/s  ({1e6 / full:.2f} us/msg)")
    print(f"bare pyahocorasick (lower + iter): {aho:,.0f} msg/s  ({1e6 / aho:.2f} us/msg)")
    print(f"ratio full detection / bare pyahocorasick: {full / aho:.2f}x")

    full_sample = rate(detector.scan, sample)
    prof = rate(profanity.contains_profanity, sample, repeat=1)
    print(
        f"on the first {len(sample):,} messages: full detection {full_sample:,.0f} msg/s, "
        f"better_profanity: {prof:,.0f} msg/s"
    )
    print(f"ratio full detection / better_profanity: {full_sample / prof:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
