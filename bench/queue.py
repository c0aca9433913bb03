"""Queue paging at scale: the top 50 of a million cases, the way the console fetches it.

    python bench/queue.py [--cases 1000000] [--backends sqlite,postgres] [--reps 200]
                          [--deep-reps 200] [--seed 11] [--explain]

A store is filled fast with N cases (Core `insert()` executemany in chunks of 50,000, straight
into `member`, `moderation_case` and `signal`; no content rows, which the listing never reads):
queues weighted towards offensive, pii and self_harm; priorities 1-4 (urgent cases 4); SLA due
times from two days in the past to three days ahead with a few percent breached; about 20 %
resolved (inactive, no open key); active cases mostly open, some escalated, a few under a live
claim; each case with 1-3 signals. Then ANALYZE, and, for each view the console opens —
the "all" view as an admin (no queue filter) and as a moderator (every queue but deletion),
and the offensive, self_harm and pii queues — it times, after a warm-up:

- `cases.list_queue(svc, actor, queue=Q, limit=50)`: the full service call, signals included;
- `queues.list_cases(session, now, …, limit=50)` alone (no signals, no conversion);
- `cases.list_queue(…, offset=10_000)`: a deep page.

Each view's first page is also checked against one plain ORDER BY over the whole table.
Target (the issue): top-50 p99 under 5 ms at a million cases. When a view misses it (or with
`--explain`), the plans of the statements that view runs are printed (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's directory comes first on sys.path, where its name would shadow
# the standard library's `queue` (which SQLAlchemy's pool, logging and threading import): drop it
# before importing any of those. (None of the modules above imports `queue`.)
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

ROOT = _HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import case as sql_case  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

from modconsole.domain import auth, cases, queues, staff  # noqa: E402
from modconsole.domain.auth import Actor  # noqa: E402
from modconsole.domain.casework import summary_entry, top_signals  # noqa: E402
from modconsole.domain.models import Case, Member, Signal  # noqa: E402
from modconsole.domain.policy import DEFAULT_SLA_MINUTES, ISOLATED_QUEUES  # noqa: E402
from modconsole.domain.service import Services  # noqa: E402
from modconsole.domain.store import Store  # noqa: E402

TARGET_P99_MS = 5.0
CHUNK = 50_000
DEEP_OFFSET = 10_000

QUEUE_WEIGHTS = {
    "offensive": 30, "pii": 20, "self_harm": 18, "harassment": 10, "ask_moderator": 7,
    "evasion": 4, "appeal": 4, "urgent": 3, "deletion": 4,
}
MEMBER_SUBJECT_SHARE = {"harassment": 0.5, "evasion": 1.0, "ask_moderator": 1.0, "deletion": 1.0, "appeal": 1.0,
                        "urgent": 0.3}
SOURCES = {
    "offensive": [("lexicon", "connard (fr)"), ("lexicon", "bitch (en)"), ("report", "offensive"), ("report", "other")],
    "pii": [("pii", "email"), ("pii", "phone"), ("pii", "address")],
    "self_harm": [("lexicon", "je veux mourir (fr)"), ("lexicon", "kill myself (en)"), ("lexicon", "aide (fr)")],
    "harassment": [("harassment_rule", "4 messages without a reply"), ("report", "harassment")],
    "urgent": [("report", "urgent_help"), ("self_assessment", "suicidal on PHQ-9")],
    "evasion": [("device", "shares a device with a banned member")],
    "ask_moderator": [("ask_moderator", "question")],
    "deletion": [("deletion_request", "scope account")],
    "appeal": [("appeal", "contests a sanction")],
}


# --- building the store ---------------------------------------------------------------------------


@dataclass
class Built:
    cases: int
    active: int
    breached: int
    signals: int
    members: int
    seconds: float


def _members(n: int, now: datetime) -> Iterator[list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rows.append({"id": f"m{i}", "handle": f"member{i}", "created_at": now - timedelta(days=400 - i % 400),
                     "device": None, "language": "fr" if i % 3 else "en", "placeholder": False,
                     "pseudonymised": False, "extra": None})
        if len(rows) >= CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


class CaseFactory:
    """Random but reproducible cases and their signals, numbered from 1."""

    def __init__(self, n_members: int, admin_id: int, now: datetime, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_members = n_members
        self.admin_id = admin_id
        self.now = now
        self.queues = list(QUEUE_WEIGHTS)
        self.weights = list(QUEUE_WEIGHTS.values())
        self.member_cursor: dict[str, int] = {}  # family -> next member used as a subject
        self.active = 0
        self.signal_id = 0
        self.breached = 0

    def extra_rows(self) -> dict[Any, list[dict[str, Any]]]:
        """Rows of other tables made along with the cases since the last call, by table, in an
        order their foreign keys accept (none here; bench/screens.py's factory adds appeals,
        deletion requests, sanctions…)."""
        return {}

    #: tables with integer ids given explicitly by `extra_rows` (their PostgreSQL sequences are moved past them)
    serial_tables: tuple[str, ...] = ()

    def _subject(self, case_id: int, queue: str, active: bool) -> tuple[str, str, str]:
        """(subject_type, subject_id, member) — one open case per (family, subject)."""
        rng = self.rng
        family = queue if queue in ISOLATED_QUEUES else "mod"
        if rng.random() < MEMBER_SUBJECT_SHARE.get(queue, 0.0):
            k = self.member_cursor.get(family, 0)
            if k < self.n_members or not active:
                self.member_cursor[family] = k + 1
                mid = f"m{k % self.n_members}"
                return "member", mid, mid
        return "content", f"c{case_id}", f"m{int(self.n_members * rng.random() ** 2)}"

    def make(self, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        now = self.now
        queue = rng.choices(self.queues, self.weights)[0]
        priority = rng.choices((1, 2, 3, 4), (35, 35, 22, 8))[0]
        if queue == "urgent":
            priority = 4
        elif queue == "self_harm":
            priority = max(priority, 2)
        resolved = rng.random() < 0.20
        if resolved or rng.random() < 0.04:
            due = now - timedelta(seconds=rng.uniform(0, 2 * 86400))
        else:
            due = now + timedelta(seconds=rng.uniform(1, 3 * 86400))
        sla = timedelta(minutes=DEFAULT_SLA_MINUTES[queue])
        created = min(due - sla, now - timedelta(seconds=rng.uniform(1, 600)))
        subject_type, subject_id, member = self._subject(case_id, queue, not resolved)
        family = queue if queue in ISOLATED_QUEUES else "mod"
        row: dict[str, Any] = {
            "id": case_id, "queue": queue, "state": "open", "active": True, "priority": priority,
            "subject_type": subject_type, "subject_id": subject_id, "member_id": member,
            "open_key": f"{family}:{subject_type}:{subject_id}", "created_at": created, "updated_at": created,
            "sla_due_at": due, "escalated_to": None, "claimed_by": None, "claim_expires_at": None,
            "resolved_at": None, "resolution": None, "signal_count": 0,
        }
        if resolved:
            row.update(state="resolved", active=False, open_key=None, updated_at=due, resolved_at=due,
                       resolution=rng.choice(("dismiss", "hide", "remove")))
        else:
            self.active += 1
            self.breached += due < now
            roll = rng.random()
            if roll < 0.02:
                row.update(state="escalated", escalated_to=rng.choice(("senior", "clinical")))
            elif roll < 0.03:
                row.update(claimed_by=self.admin_id, claim_expires_at=now + timedelta(minutes=10))
        n_signals = rng.choices((1, 2, 3), (60, 30, 10))[0]
        row["signal_count"] = n_signals
        signals = []
        for j in range(n_signals):
            source, detail = rng.choice(SOURCES[queue])
            self.signal_id += 1
            signals.append({
                "id": self.signal_id, "case_id": case_id, "source": source, "category": queue,
                "severity": max(1, min(4, priority - (j > 0))), "detail": detail,
                "content_id": subject_id if subject_type == "content" else None,
                "span_start": 10 if source == "lexicon" else None, "span_end": 18 if source == "lexicon" else None,
                "matched": None, "ref": f"{source}:{case_id}.{j}", "created_at": created,
            })
        # the board's summary, as apply_signals keeps it
        row["top_signals"] = top_signals([summary_entry(sig["id"], sig) for sig in signals])
        return row, signals


def build(store: Store, n_cases: int, admin_id: int, now: datetime, seed: int,
          make_factory: Callable[[int], CaseFactory] | None = None) -> Built:
    """`make_factory(n_members)` gives another factory (bench/screens.py's adds appeals,
    deletion requests and their rows); by default, `CaseFactory`."""
    started = time.perf_counter()
    n_members = max(1_000, n_cases // 3)
    member_t, case_t, signal_t = Member.__table__, Case.__table__, Signal.__table__  # type: ignore[attr-defined]
    for rows in _members(n_members, now):
        with store.write() as s:
            s.execute(insert(member_t), rows)
    factory = make_factory(n_members) if make_factory else CaseFactory(n_members, admin_id, now, seed)
    n_signals = 0
    for first in range(1, n_cases + 1, CHUNK):
        case_rows: list[dict[str, Any]] = []
        signal_rows: list[dict[str, Any]] = []
        for case_id in range(first, min(first + CHUNK, n_cases + 1)):
            row, sigs = factory.make(case_id)
            case_rows.append(row)
            signal_rows.extend(sigs)
        with store.write() as s:
            s.execute(insert(case_t), case_rows)
            s.execute(insert(signal_t), signal_rows)
            for table, rows in factory.extra_rows().items():
                if rows:
                    s.execute(insert(table), rows)
        n_signals += len(signal_rows)
    with store.write() as s:
        if store.dialect == "postgresql":
            # ids were given explicitly: move the sequences past them, as a real store would be
            for table in ("moderation_case", "signal", *factory.serial_tables):
                s.connection().exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    analyze(store)
    return Built(n_cases, factory.active, factory.breached, n_signals, n_members, time.perf_counter() - started)


def analyze(store: Store) -> None:
    """Planner statistics; on PostgreSQL also the visibility map that autovacuum would have set by
    now on a real store (without it, the deep page's counts cannot use index-only scans)."""
    if store.is_sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class View:
    label: str
    queue: str | None
    actor: Actor


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) in milliseconds."""
    if not samples:
        return float("nan"), float("nan")
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return p50 * 1000, p99 * 1000


@dataclass
class Timing:
    p50: float
    p99: float
    full_gcs: int  # samples during which CPython ran a full (generation 2) collection
    p99_no_gc: float  # p99 of the other samples

    def text(self) -> str:
        out = f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms"
        if self.full_gcs:
            out += f" ({self.full_gcs} with a full GC; p99 without them {self.p99_no_gc:.1f} ms)"
        return out


def timed(fn: Callable[[], Any], reps: int, warmup: int) -> Timing:
    """Time `fn`, noting which samples a full garbage collection of the interpreter fell into."""
    for _ in range(warmup):
        fn()
    full_gc = [False]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info.get("generation") == 2:
            full_gc[0] = True

    samples: list[float] = []
    clean: list[float] = []
    gc.callbacks.append(on_gc)
    try:
        for _ in range(reps):
            full_gc[0] = False
            t0 = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - t0
            samples.append(elapsed)
            if not full_gc[0]:
                clean.append(elapsed)
    finally:
        gc.callbacks.remove(on_gc)
    p50, p99 = percentiles(samples)
    return Timing(p50, p99, len(samples) - len(clean), percentiles(clean)[1])


@contextmanager
def captured(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (and parameters) run on the read engine inside the block."""
    statements: list[tuple[str, Any]] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)


def explain(store: Store, label: str, run: Callable[[], Any]) -> None:
    with captured(store) as statements:
        run()
    prefix = "EXPLAIN QUERY PLAN " if store.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    print(f"  plans of {label} ({len(statements)} statements):")
    with store.engine.connect() as conn:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            print("    SQL: " + " ".join(statement.split())[:400])
            rows = conn.exec_driver_sql(prefix + statement, params).all()
            for row in rows:
                print("      " + (" | ".join(str(x) for x in row[-1:]) if store.is_sqlite else str(row[0])))
        conn.rollback()


def check_order(store: Store, view: View, now: datetime) -> str:
    """The first page against one plain ORDER BY over the whole table (breached first)."""
    visible = None if view.queue else auth.visible_queues(view.actor.role)
    with store.read() as s:
        got = [c.id for c in queues.list_cases(s, now, queue=view.queue, visible=visible, limit=50)]
        where = [Case.active.is_(True)]  # type: ignore[attr-defined]
        if view.queue:
            where.append(Case.queue == view.queue)
        elif visible is not None:
            where.append(Case.queue.in_(sorted(visible)))  # type: ignore[attr-defined]
        breached = sql_case((Case.sla_due_at < now, 0), else_=1)
        want = list(s.execute(
            select(Case.id).where(*where).order_by(breached, Case.priority.desc(), Case.sla_due_at, Case.id).limit(50)
        ).scalars())
    return "order checked" if got == want else f"ORDER MISMATCH: got {got[:5]}…, expected {want[:5]}…"


def measure(store: Store, svc: Services, backend: str, views: list[View], reps: int, deep_reps: int,
            force_explain: bool) -> list[str]:
    """Print (and return) one result line per view; plans of the views slow even without GC pauses."""
    lines = []
    missed = []
    for view in views:
        visible = None if view.queue else auth.visible_queues(view.actor.role)
        page = cases.list_queue(svc, view.actor, queue=view.queue, limit=50)
        breached_on_page = sum(1 for c in page if c.breached)

        def full(v: View = view) -> Any:
            return cases.list_queue(svc, v.actor, queue=v.queue, limit=50)

        def alone(v: View = view, vis: frozenset[str] | None = visible) -> Any:
            with store.read() as s:
                return queues.list_cases(s, svc.now(), queue=v.queue, visible=vis, limit=50)

        def deep(v: View = view) -> Any:
            return cases.list_queue(svc, v.actor, queue=v.queue, limit=50, offset=DEEP_OFFSET)

        top = timed(full, reps, max(5, reps // 10))
        only = timed(alone, reps, max(5, reps // 10))
        deep_t = timed(deep, deep_reps, max(2, deep_reps // 10))
        ok = top.p99 < TARGET_P99_MS
        if top.p99_no_gc >= TARGET_P99_MS:
            missed.append(view)  # slow without the interpreter's GC pauses too: show the plans
        line = (f"{backend} {view.label} top-50: {top.text()} [{'ok' if ok else 'MISSES'} < {TARGET_P99_MS:.0f} ms]"
                f"\n    list_cases alone: {only.text()}"
                f"\n    offset {DEEP_OFFSET:,}: {deep_t.text()}"
                f"\n    page 1: {len(page)} cases, {breached_on_page} breached; {check_order(store, view, svc.now())}")
        print(line, flush=True)
        lines.append(line)
    for view in views if force_explain else missed:
        visible = None if view.queue else auth.visible_queues(view.actor.role)
        now = svc.now()

        def top(v: View = view, vis: frozenset[str] | None = visible, at: datetime = now) -> Any:
            with store.read() as s:
                cs = queues.list_cases(s, at, queue=v.queue, visible=vis, limit=50)
                return queues.publics(s, cs, at)

        def deep_page(v: View = view, vis: frozenset[str] | None = visible, at: datetime = now) -> Any:
            with store.read() as s:
                return queues.list_cases(s, at, queue=v.queue, visible=vis, limit=50, offset=DEEP_OFFSET)

        explain(store, f"{backend} {view.label} top-50", top)
        if force_explain:
            explain(store, f"{backend} {view.label} offset {DEEP_OFFSET:,}", deep_page)
    return lines


def bench_store(backend: str, url: str, n_cases: int, reps: int, deep_reps: int, seed: int,
                force_explain: bool, freeze: bool) -> list[str]:
    store = Store(url)
    try:
        store.upgrade()
        svc = Services(store)
        admin_public, _ = staff.ensure_admin(svc, "admin")
        admin = svc.actor("admin")
        staff.add(svc, admin, "mod1", "moderator")
        moderator = svc.actor("mod1")
        now = datetime.now(UTC)
        built = build(store, n_cases, admin_public.id, now, seed)
        maintenance = "ANALYZE" if store.is_sqlite else "VACUUM ANALYZE"
        print(f"{backend}: built {built.cases:,} cases ({built.active:,} unresolved, {built.breached:,} breached), "
              f"{built.signals:,} signals, {built.members:,} members in {built.seconds:.1f} s ({maintenance} included)",
              flush=True)
        if freeze:
            # what a long-running console could do once started: move everything allocated so far
            # (modules, caches) out of the collector's sight, so a full collection stays short
            gc.collect()
            gc.freeze()
            print(f"{backend}: gc.freeze() applied ({gc.get_freeze_count():,} objects frozen)")
        views = [
            View("all-queues (admin)", None, admin),
            View("all-queues (moderator)", None, moderator),
            View("offensive", "offensive", moderator),
            View("self_harm", "self_harm", moderator),
            View("pii", "pii", moderator),
        ]
        return measure(store, svc, backend, views, reps, deep_reps, force_explain)
    finally:
        store.dispose()


def run_sqlite(args: argparse.Namespace) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="modconsole-bench-"))
    try:
        return bench_store("sqlite", f"sqlite:///{tmp / 'store.db'}", args.cases, args.reps, args.deep_reps,
                           args.seed, args.explain, args.gc_freeze)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_postgres(args: argparse.Namespace) -> list[str]:
    from tests.pg import Cluster

    try:
        cluster = Cluster()
    except (FileNotFoundError, OSError) as exc:
        print(f"postgres: skipped ({exc})")
        return []
    try:
        cluster.sql("CREATE DATABASE bench")
        return bench_store("postgres", cluster.url("bench"), args.cases, args.reps, args.deep_reps, args.seed,
                           args.explain, args.gc_freeze)
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the store (default 1000000)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--reps", type=int, default=200, help="timed repetitions of each top-50 fetch")
    parser.add_argument("--deep-reps", type=int, default=200, help=f"timed repetitions of the offset {DEEP_OFFSET:,} page")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after building, before measuring (shortens full GC pauses)")
    parser.add_argument("--explain", action="store_true", help="print every view's query plans, target met or not")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in ("sqlite", "postgres")]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}: sqlite, postgres")
    started = time.perf_counter()
    lines: list[str] = []
    for backend in backends:
        lines += run_sqlite(args) if backend == "sqlite" else run_postgres(args)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if all("MISSES" not in line for line in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
