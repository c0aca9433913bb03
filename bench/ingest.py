"""Ingest throughput: a realistic, reproducible JSONL stream through `ingest_file`, per backend.

    python bench/ingest.py [--events 100000] [--backends sqlite,postgres] [--seed 7]
                           [--out FILE.jsonl] [--profile]

The stream (seeded, so every run ingests the same bytes) is mostly `content` events — posts,
comments, bricks, profile texts and private messages, in French and English, 40-300 characters,
with about 3 % lexicon hits (self-harm and offensive, some of them obfuscated) and about 1 %
personal details (emails, French and international phone numbers) — plus `member` events
carrying registration data and device fingerprints, reports of every reason, self-assessments
(a few suicidal), questions to the moderators, deletion requests, blocks, unblocks and appeals.
Now and then a member sends a run of unanswered messages to another one (the harassment rule).

For each backend a fresh store is made (SQLite: a file in a temporary directory; PostgreSQL:
a throwaway cluster from `tests.pg`, skipped with the reason when the server binaries are
missing), initialised as `modconsole init` does (an admin) plus a `platform` service account,
and `ingest_file` is timed over the file as that account. The resident memory is sampled at
every tenth of the file to show it stays flat whatever the file's size.

Targets (the issue): at least 10,000 events/s on SQLite and 5,000 events/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's directory comes first on sys.path, where bench/queue.py would
# shadow the standard library's `queue` (which psycopg and SQLAlchemy import): drop it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from modconsole.domain import ingest, staff  # noqa: E402
from modconsole.domain.service import Services  # noqa: E402
from modconsole.domain.store import Store  # noqa: E402
from modconsole.schemas import IngestResult  # noqa: E402

TARGETS = {"sqlite": 10_000, "postgres": 5_000}
START = datetime(2026, 11, 1, tzinfo=UTC)

# --- what members write ---------------------------------------------------------------------------
# Neutral sentences avoid every lexicon term (including the low-severity "help", "aide", "sos",
# "abus", "idiot"…), so that the hit rate is the one injected below.

NEUTRAL = {
    "en": [
        "Had a long walk by the river this morning and it felt good.",
        "Does anyone have tips for sleeping better before exams?",
        "Thanks for the kind words yesterday, it meant a lot to me.",
        "I started a new job last week and the team seems friendly.",
        "My cat knocked the plant over again, classic Monday.",
        "Trying to cook more at home, any easy recipes to share?",
        "The weather finally turned and we went to the beach.",
        "Finished the book you recommended, what an ending!",
        "My session with the therapist went better than expected today.",
        "Looking for people who like board games around Leeds.",
        "Small win today: I went to the gym twice this week.",
        "Anyone else finds Sunday evenings a bit heavy?",
        "I made pancakes for the whole family and nobody complained.",
        "The train was late again, so I read three chapters on the platform.",
        "Still learning to say no at work, it is harder than it sounds.",
        "We adopted a rescue dog, she is shy but very sweet.",
        "Went to a concert with my sister, first time in years.",
        "Writing in my journal every night is starting to pay off.",
        "Does the meditation app you mentioned have a free version?",
        "Grateful for this group, reading your posts calms me down.",
    ],
    "fr": [
        "J'ai fait une longue balade au bord du lac ce matin, ça fait du bien.",
        "Quelqu'un a des conseils pour mieux dormir avant les examens ?",
        "Merci pour vos messages d'hier, ça m'a vraiment touché.",
        "Nouveau boulot depuis lundi, l'équipe a l'air sympa.",
        "Mon chat a encore renversé la plante verte, la routine.",
        "J'essaie de cuisiner plus souvent, vous avez des recettes faciles ?",
        "Il fait enfin beau, on est allés à la plage avec les enfants.",
        "J'ai terminé le livre que tu m'avais conseillé, quelle histoire !",
        "La séance avec la psy s'est mieux passée que prévu.",
        "On cherche des joueurs de jeux de société sur Lyon.",
        "Petite victoire du jour : je suis allée courir deux fois cette semaine.",
        "Vous aussi vous trouvez les dimanches soirs un peu lourds ?",
        "J'ai préparé des crêpes pour toute la famille, succès total.",
        "Le train avait encore du retard, j'ai lu trois chapitres sur le quai.",
        "J'apprends à dire non au travail, c'est plus dur qu'il n'y paraît.",
        "On a adopté une chienne, elle est timide mais très douce.",
        "Concert avec ma sœur hier soir, une première depuis des années.",
        "Écrire dans mon carnet chaque soir commence à porter ses fruits.",
        "L'appli de méditation dont tu parlais est gratuite ?",
        "Merci à ce groupe, vous lire me calme beaucoup.",
    ],
}

# (phrase, lang) injected into ~3 % of bodies; some written the way members dodge filters.
LEXICON_HITS = [
    ("je veux mourir", "fr"), ("j'en peux plus", "fr"), ("je me scarifie", "fr"), ("envie d'en finir", "fr"),
    ("il me frappe", "fr"), ("connard", "fr"), ("sale pute", "fr"), ("ta gueule", "fr"),
    ("je vais te tuer", "fr"), ("va crever", "fr"), ("c0nn4rd", "fr"), ("je veux m o u r i r", "fr"),
    ("kill myself", "en"), ("want to die", "en"), ("i can't go on", "en"), ("cutting myself", "en"),
    ("my boyfriend hits me", "en"), ("bitch", "en"), ("fuck you", "en"), ("send nudes", "en"),
    ("i know where you live", "en"), ("asshole", "en"), ("biiiitch", "en"), ("k i l l myself", "en"),
    ("ｂｉｔｃｈ", "en"),
]

FIRST = ["julie", "marc", "sophie", "thomas", "emma", "lucas", "chloe", "hugo", "sarah", "nathan"]
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau"]
DOMAINS = ["gmail.com", "yahoo.fr", "hotmail.com", "orange.fr", "outlook.com"]


def _phone_fr(rng: random.Random) -> str:
    digits = [f"{rng.randint(0, 99):02d}" for _ in range(4)]
    return f"0{rng.choice('67')} " + " ".join(digits)


def _pii(rng: random.Random, lang: str) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    kind = rng.random()
    if kind < 0.4:
        email = f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
        return f"écris-moi à {email}" if lang == "fr" else f"write to me at {email}"
    if kind < 0.75:
        return f"mon num c'est {_phone_fr(rng)}" if lang == "fr" else f"call me on +44 7911 {rng.randint(100000, 999999)}"
    if kind < 0.9:
        return f"{first} point {last} at gmail point com"
    return f"appelle-moi au +33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


@dataclass
class Mix:
    """Fractions of the stream by event type (content takes the rest)."""

    member: float = 0.06
    report: float = 0.035
    self_assessment: float = 0.015
    ask_moderator: float = 0.01
    deletion_request: float = 0.003
    block: float = 0.01
    appeal: float = 0.002


class StreamWriter:
    """Generates the event stream; the state it keeps is bounded (recent ids, open conversations)."""

    def __init__(self, n_events: int, seed: int, lexicon_rate: float = 0.03, pii_rate: float = 0.01) -> None:
        self.n = n_events
        self.rng = random.Random(seed)
        self.lexicon_rate = lexicon_rate
        self.pii_rate = pii_rate
        self.mix = Mix()
        self.members = max(200, n_events // 16)  # ~ one member event each (6 %)
        self.next_member_event = 0
        self.t = START
        self.seq: dict[str, int] = {}
        self.recent_posts: list[tuple[str, str]] = []  # (content id, thread)
        self.recent_content: list[str] = []
        self.last_sender: dict[tuple[str, str], str] = {}
        self.bursts: list[list[Any]] = []  # [sender, recipient, messages left]
        self.stats: dict[str, int] = {}

    # --- helpers ---------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        n = self.seq.get(prefix, 0) + 1
        self.seq[prefix] = n
        return f"{prefix}{n}"

    def _member(self) -> str:
        """A member id; a few members are much more active than the rest."""
        return f"m{int(self.members * self.rng.random() ** 2)}"

    def _now(self) -> str:
        self.t += timedelta(seconds=self.rng.expovariate(1 / 3))
        return self.t.isoformat().replace("+00:00", "Z")

    def _count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    def _remember(self, bucket: list, item: Any, cap: int = 10_000) -> None:  # type: ignore[type-arg]
        """Keep a bounded sample of recent items (older ones are replaced at random)."""
        if len(bucket) >= cap:
            bucket[self.rng.randrange(cap)] = item
        else:
            bucket.append(item)

    def body(self, lang: str | None = None) -> str:
        rng = self.rng
        lang = lang or ("fr" if rng.random() < 0.55 else "en")
        target = rng.randint(40, 300)
        parts: list[str] = []
        roll = rng.random()
        if roll < self.lexicon_rate:
            phrase, plang = rng.choice(LEXICON_HITS)
            lang = plang
            inject = phrase
            self._count("bodies_with_lexicon_phrase")
        elif roll < self.lexicon_rate + self.pii_rate:
            inject = _pii(rng, lang)
            self._count("bodies_with_pii")
        else:
            inject = ""
        pool = NEUTRAL[lang]
        length = len(inject)
        while length < target - 20 or not parts:
            s = rng.choice(pool)
            parts.append(s)
            length += len(s) + 1
        if inject:
            parts.insert(rng.randrange(len(parts) + 1), inject + ("." if rng.random() < 0.5 else ""))
        text = " ".join(parts)
        if len(text) > 300:
            text = text[:300].rsplit(" ", 1)[0]
            if inject and inject not in text:
                text = (inject + " " + text)[:300].rsplit(" ", 1)[0]
        return text

    # --- events ----------------------------------------------------------------------------

    def member_event(self) -> dict[str, Any]:
        """A new member's registration (the same id twice would be a duplicate event)."""
        rng = self.rng
        if self.next_member_event >= self.members:
            return self.content_event()
        mid = f"m{self.next_member_event}"
        self.next_member_event += 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        ev: dict[str, Any] = {
            "type": "member", "id": mid, "handle": f"{first[:3]}{rng.choice(['_', '.', ''])}{rng.randint(1, 9999)}",
            "created_at": self._now(), "language": rng.choice(["fr", "fr", "en"]),
        }
        if rng.random() < 0.9:
            ev["email"] = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.4:
            ev["phone"] = _phone_fr(rng)
        if rng.random() < 0.3:
            ev["real_name"] = f"{first.title()} {last.title()}"
        if rng.random() < 0.8:
            # ~5 % of devices are shared by two accounts (linked accounts)
            ev["device"] = f"dev-{rng.randrange(self.members) if rng.random() < 0.05 else mid}"
        if rng.random() < 0.05:
            ev["signup_source"] = rng.choice(["ios", "android", "web"])  # an unknown field, kept
        return ev

    def content_event(self) -> dict[str, Any]:
        rng = self.rng
        cid = self._id("c")
        now = self._now()
        if self.bursts and rng.random() < 0.3:
            burst = self.bursts[rng.randrange(len(self.bursts))]
            sender, recipient = burst[0], burst[1]
            burst[2] -= 1
            if burst[2] <= 0:
                self.bursts.remove(burst)
            lang = rng.choice(["fr", "en"])
            text = rng.choice(["tu réponds ?", "pourquoi tu m'ignores", "réponds-moi", "allô ?"] if lang == "fr"
                              else ["why won't you answer", "answer me", "hello??", "you can't ignore me forever"])
            body = f"{text} {self.body(lang)}"[:300]
            self.last_sender[(min(sender, recipient), max(sender, recipient))] = sender
            self._count("harassment_burst_messages")
            ev = {"type": "content", "id": cid, "kind": "message", "author": sender, "recipient": recipient,
                  "body": body, "created_at": now}
            self._remember(self.recent_content, cid)
            return ev
        kind = rng.choices(["post", "comment", "message", "brick", "profile"], [30, 34, 26, 7, 3])[0]
        author = self._member()
        ev = {"type": "content", "id": cid, "kind": kind, "author": author, "body": self.body(), "created_at": now}
        if kind == "post":
            ev["thread"] = f"t{cid}"
            self._remember(self.recent_posts, (cid, ev["thread"]))
        elif kind == "comment":
            if self.recent_posts and rng.random() < 0.95:
                parent, thread = rng.choice(self.recent_posts)
                ev["parent"], ev["thread"] = parent, thread
            if rng.random() < 0.1:
                ev["wall_of"] = self._member()
        elif kind == "message":
            recipient = self._member()
            if recipient == author:
                recipient = f"m{(int(author[1:]) + 1) % self.members}"
            pair = (min(author, recipient), max(author, recipient))
            # conversations take turns: the one who wrote last mostly waits for an answer
            if self.last_sender.get(pair) == author and rng.random() < 0.85:
                author, recipient = recipient, author
                ev["author"] = author
            self.last_sender[pair] = author
            ev["recipient"] = recipient
            if len(self.last_sender) > 200_000:
                self.last_sender.clear()
            if rng.random() < 0.004:
                # someone starts writing to a member who never answers
                self.bursts.append([self._member(), self._member(), rng.randint(3, 7)])
                if self.bursts[-1][0] == self.bursts[-1][1]:
                    self.bursts.pop()
        self._remember(self.recent_content, cid)
        return ev

    def report_event(self) -> dict[str, Any]:
        rng = self.rng
        reason = rng.choices(["urgent_help", "offensive", "harassment", "other"], [15, 40, 25, 20])[0]
        ev: dict[str, Any] = {"type": "report", "id": self._id("r"), "reporter": self._member(), "reason": reason,
                              "created_at": self._now()}
        if self.recent_content and rng.random() < 0.8:
            ev["content"] = rng.choice(self.recent_content)
        else:
            ev["member"] = self._member()
        if rng.random() < 0.5:
            ev["note"] = rng.choice(["ce message m'inquiète", "worried about this person", "rude again",
                                     "il insulte tout le monde", "spam?", "she keeps writing to me"])
        return ev

    def self_assessment_event(self) -> dict[str, Any]:
        rng = self.rng
        score = rng.randint(0, 27)
        return {"type": "self_assessment", "id": self._id("sa"), "member": self._member(),
                "instrument": rng.choice(["PHQ-9", "GAD-7", "C-SSRS"]), "score": score,
                "suicidal": score > 18 and rng.random() < 0.4, "created_at": self._now()}

    def ask_event(self) -> dict[str, Any]:
        return {"type": "ask_moderator", "id": self._id("q"), "member": self._member(),
                "body": self.rng.choice(["Comment je change mon pseudo ?", "How do I hide my profile from search?",
                                         "Pourquoi mon post a été masqué ?", "Can I export my messages?"]),
                "created_at": self._now()}

    def deletion_event(self) -> dict[str, Any]:
        rng = self.rng
        return {"type": "deletion_request", "id": self._id("d"), "member": self._member(),
                "scope": rng.choices(["account", "data", "temporary_close"], [50, 20, 30])[0],
                "note": rng.choice(["", "je veux faire une pause", "please remove everything", None]),
                "created_at": self._now()}

    def block_event(self) -> dict[str, Any]:
        a, b = self._member(), self._member()
        if a == b:
            b = f"m{(int(a[1:]) + 1) % self.members}"
        return {"type": "unblock" if self.rng.random() < 0.15 else "block", "blocker": a, "blocked": b,
                "created_at": self._now()}

    def appeal_event(self) -> dict[str, Any]:
        rng = self.rng
        ev: dict[str, Any] = {"type": "appeal", "id": self._id("a"), "member": self._member(),
                              "body": rng.choice(["Je n'ai rien fait de mal", "This was a joke between friends"]),
                              "created_at": self._now()}
        if rng.random() < 0.5:
            ev["case"] = str(rng.randint(1, 1000))
        else:
            ev["sanction"] = str(rng.randint(1, 1000))
        return ev

    def events(self) -> Iterator[dict[str, Any]]:
        m = self.mix
        kinds: list[tuple[float, Callable[[], dict[str, Any]]]] = []
        acc = 0.0
        for frac, fn in ((m.member, self.member_event), (m.report, self.report_event),
                         (m.self_assessment, self.self_assessment_event), (m.ask_moderator, self.ask_event),
                         (m.deletion_request, self.deletion_event), (m.block, self.block_event),
                         (m.appeal, self.appeal_event)):
            acc += frac
            kinds.append((acc, fn))
        for _ in range(self.n):
            roll = self.rng.random()
            fn = self.content_event
            for bound, candidate in kinds:
                if roll < bound:
                    fn = candidate
                    break
            ev = fn()
            self._count(ev["type"])
            yield ev

    def write(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            for ev in self.events():
                out.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")))
                out.write("\n")


# --- measuring ------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return float("nan")


class RssSampler:
    """The ingest progress callback: samples the resident memory at every tenth of the lines."""

    def __init__(self, lines: int) -> None:
        self.lines = lines
        self.seen = 0
        self.step = max(1, lines // 10)
        self.samples: list[float] = []

    def __call__(self, _nbytes: int) -> None:
        self.seen += 1
        if self.seen % self.step == 0:
            self.samples.append(current_rss_mb())


@dataclass
class Run:
    backend: str
    seconds: float
    result: IngestResult
    cases: int
    rss: list[float]


def _count_cases(store: Store) -> int:
    from sqlalchemy import func, select

    from modconsole.domain.models import Case

    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(Case)).scalar_one())


def ingest_once(backend: str, url: str, path: Path, lines: int, profile: bool) -> Run:
    store = Store(url)
    try:
        store.upgrade()
        svc = Services(store)
        staff.ensure_admin(svc, "admin")
        staff.add(svc, svc.actor("admin"), "platform", "platform")
        actor = svc.actor("platform")
        svc.policy()
        svc.detector()  # built once per process, as in a long-running server
        sampler = RssSampler(lines)
        profiler = cProfile.Profile() if profile else None
        with path.open("rb") as stream:
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = ingest.ingest_file(svc, actor, stream, progress=sampler)
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - started
        if profiler is not None:
            report = io.StringIO()
            stats = pstats.Stats(profiler, stream=report)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(25)
            print(f"--- cProfile of the {backend} ingest (with profiling overhead) ---")
            print(report.getvalue())
        return Run(backend, seconds, result, _count_cases(store), sampler.samples)
    finally:
        store.dispose()


def run_sqlite(path: Path, lines: int, profile: bool) -> Run:
    tmp = Path(tempfile.mkdtemp(prefix="modconsole-bench-"))
    try:
        return ingest_once("sqlite", f"sqlite:///{tmp / 'store.db'}", path, lines, profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_postgres(path: Path, lines: int, profile: bool) -> Run | None:
    from tests.pg import Cluster

    try:
        cluster = Cluster()
    except (FileNotFoundError, OSError) as exc:
        print(f"postgres: skipped ({exc})")
        return None
    try:
        cluster.sql("CREATE DATABASE bench")
        return ingest_once("postgres", cluster.url("bench"), path, lines, profile)
    finally:
        cluster.stop()


def report(run: Run) -> None:
    r = run.result
    rate = r.events / run.seconds if run.seconds else float("inf")
    target = TARGETS[run.backend]
    verdict = "meets" if rate >= target else "MISSES"
    print(f"{run.backend}: {r.events:,} events in {run.seconds:.1f} s = {rate:,.0f} events/s "
          f"(cases opened {r.cases_opened:,}, joined {r.cases_joined:,}; {run.cases:,} cases in the store) "
          f"— {verdict} the {target:,}/s target")
    if r.rejected or r.duplicates:
        print(f"  rejected {len(r.rejected):,}, duplicates {r.duplicates:,}; first rejects: "
              + "; ".join(f"line {x.line}: {x.error}" for x in r.rejected[:3]))
    print(f"  by type: {', '.join(f'{k} {v:,}' for k, v in sorted(r.by_type.items()))}")
    samples = ", ".join(f"{x:.0f}" for x in run.rss)
    print(f"  resident memory (MiB) at each tenth of the file: {samples}; peak RSS so far {peak_rss_mb():.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events in the generated file (default 100000)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated stream")
    parser.add_argument("--out", type=Path, help="keep the generated JSONL file at this path")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each ingest (slower)")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in TARGETS]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}: sqlite, postgres")

    tmp = Path(tempfile.mkdtemp(prefix="modconsole-bench-data-"))
    try:
        path = args.out or tmp / "events.jsonl"
        started = time.perf_counter()
        writer = StreamWriter(args.events, args.seed)
        writer.write(path)
        size = path.stat().st_size
        content = writer.stats.get("content", 0) or 1
        print(f"generated {args.events:,} events ({size / 1e6:.1f} MB, seed {args.seed}) in "
              f"{time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(writer.stats.items()) if not k.startswith("bodies")))
        print(f"  bodies with a lexicon phrase {writer.stats.get('bodies_with_lexicon_phrase', 0):,} "
              f"({writer.stats.get('bodies_with_lexicon_phrase', 0) / content:.1%} of content), with personal details "
              f"{writer.stats.get('bodies_with_pii', 0):,} ({writer.stats.get('bodies_with_pii', 0) / content:.1%})")
        print(f"peak RSS after generation {peak_rss_mb():.0f} MiB (current {current_rss_mb():.0f} MiB)")
        runs: list[Run] = []
        for backend in backends:
            run = run_sqlite(path, args.events, args.profile) if backend == "sqlite" else \
                run_postgres(path, args.events, args.profile)
            if run is not None:
                report(run)
                runs.append(run)
        missed = [r.backend for r in runs if r.result.events / r.seconds < TARGETS[r.backend]]
        return 1 if missed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
