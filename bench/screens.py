"""The screens added lately, at a million cases: appeals, deletion requests, the shift dashboard.

    python bench/screens.py [--cases 1000000] [--backends sqlite,postgres] [--reps 50] [--opens 30]
                            [--seed 13] [--explain] [--keep]

The store is built the way `bench/queue.py` builds it (same factory, Core inserts in chunks),
with `ScreensFactory` on top, which gives the appeal and deletion queues their rows:
- queue weights as bench/queue.py's, but appeal 5 % and deletion 1 % of the cases: at a million,
  about 40,000 pending appeals and 8,000 pending or contacted deletion requests, with a closed
  history of about 10,000 decided appeals and 2,000 decided requests (20 % of the cases are
  resolved, as in bench/queue.py);
- every appeal case has its `Appeal` row: 75 % contest a sanction (a `Sanction` row of the
  member's, decided by one of 20 moderators; lifted when the appeal was reversed), 20 % a hidden
  or removed content item (a resolved content case of the member's, with its `Content` row and
  the `resolved` history entry naming the moderator who decided first), 5 % name nothing found;
  decided appeals carry a senior's decision;
- every deletion case has its `DeletionRequest` (scope account / data / temporary_close; pending
  85 %, contacted 15 %; decided ones approved, declined or closed, with a `Closure` for the
  closed), and the member 0-3 self-assessments (10 % suicidal);
- unresolved cases opened over the last two days (bench/queue.py opens most of them in the last
  ten minutes, their SLA being ahead), claims spread over the last 12 hours (a `Claim` row each, by 20 moderators, 4 seniors and 3
  clinicians, leases of 15 minutes, so only the last quarter-hour's are live), breaches spread
  over the last two days as bench/queue.py does, and 20 handover notes over 12 hours.

Then, on each backend, the backend calls alone, as the screens make them (a page when the call
takes a limit, the whole list otherwise), after a warm-up: `appeal_list` (pending) as a senior,
`deletion_list` (pending) as a clinician, `shift_dashboard` (12 h) as a senior, and
`appeal_show` / `deletion_show` over the first page's items. And on SQLite, in a fresh process
like bench/tui.py, the console under Textual's headless pilot: opening each screen from the
board (first rows painted) several times, and opening one item after the other from the
appeals and deletion lists (the item's screen laid out, its case claimed), 30 times; the shift
dashboard's item is its reload (`r`).

Targets (as the board's): first paint < 500 ms, open an item < 100 ms, a backend list or
dashboard call p99 < 100 ms. With `--explain` (or when a call misses), the plans of the distinct
statements a call runs are printed (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
Stores go to a temporary directory (kept with --keep) or a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import inspect
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/queue.py shadows `queue`
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from modconsole.backend.local import LocalBackend  # noqa: E402
from modconsole.domain import staff  # noqa: E402
from modconsole.domain.models import (  # noqa: E402
    Appeal,
    CaseEvent,
    Claim,
    Closure,
    Content,
    DeletionRequest,
    HandoverNote,
    Sanction,
    SelfAssessment,
)
from modconsole.domain.service import Services  # noqa: E402
from modconsole.domain.store import Store  # noqa: E402


def _queue_bench():  # type: ignore[no-untyped-def]
    if "bench_queue" in sys.modules:
        return sys.modules["bench_queue"]
    spec = importlib.util.spec_from_file_location("bench_queue", _HERE / "queue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_queue"] = module
    spec.loader.exec_module(module)
    return module


qb = _queue_bench()

TARGET_FIRST_MS = 500.0
TARGET_OPEN_MS = 100.0
TARGET_CALL_MS = 100.0
# what the screens ask for, when the backend takes a limit
APPEALS_PAGE = getattr(importlib.import_module("modconsole.screens.appeals"), "PAGE", 100)
DELETION_PAGE = getattr(importlib.import_module("modconsole.screens.deletion"), "PAGE", 100)
SCREEN_WEIGHTS = dict(qb.QUEUE_WEIGHTS, appeal=5, deletion=1)
N_MODS, N_SENIORS, N_CLINICAL = 20, 4, 3
SENIOR, CLINICIAN = "senior1", "clin1"
LEASE = timedelta(minutes=15)
WINDOW = timedelta(hours=12)


# --- building ---------------------------------------------------------------------------------


class ScreensFactory(qb.CaseFactory):  # type: ignore[misc,name-defined]
    """bench/queue.py's cases, with the appeal and deletion queues' own rows (see the module doc)."""

    serial_tables = ("sanction", "case_event", "claim", "closure")

    def __init__(self, n_members: int, admin_id: int, now: datetime, seed: int, team: dict[str, list[int]]) -> None:
        super().__init__(n_members, admin_id, now, seed)
        self.queues = list(SCREEN_WEIGHTS)
        self.weights = list(SCREEN_WEIGHTS.values())
        self.x = random.Random(seed + 1)  # the extras' own draws
        self.mods, self.seniors, self.clinical = team["moderator"], team["senior"], team["clinical"]
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.ids = Counter()  # type: Counter[str]
        self.reserved = 0  # members kept for contested content, counted down from the last member
        self.contestable: deque[tuple[int, str]] = deque()  # (content case, its author), not yet appealed
        self.counts = Counter()  # type: Counter[str]

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def extra_rows(self) -> dict[Any, list[dict[str, Any]]]:
        order = [("content", Content), ("sanction", Sanction), ("appeal", Appeal), ("deletion_request", DeletionRequest),
                 ("closure", Closure), ("self_assessment", SelfAssessment), ("case_event", CaseEvent), ("claim", Claim)]
        out = {model.__table__: self.rows.get(name, []) for name, model in order}  # type: ignore[attr-defined]
        self.rows = {}
        return out

    def make(self, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        row, signals = super().make(case_id)
        x = self.x
        if row["active"]:
            # bench/queue.py opens most unresolved cases in the last ten minutes (their SLA is
            # ahead): spread them over the last two days instead, for the dashboard's hours
            created = min(row["created_at"], self.now - timedelta(seconds=x.uniform(0, 2 * 86400)))
            row.update(created_at=created, updated_at=created)
            for sig in signals:
                sig["created_at"] = created
            row["top_signals"] = qb.top_signals([qb.summary_entry(sig["id"], sig) for sig in signals])
        if (row["subject_type"] == "content" and not row["active"] and row["resolution"] in ("hide", "remove")
                and x.random() < 0.15 and self.reserved < self.n_members // 4):
            self._contestable(row)
        if row["claimed_by"] is not None:
            self._claim(row)
        if row["queue"] == "appeal":
            self._appeal(row)
        elif row["queue"] == "deletion":
            self._deletion(row)
        return row, signals

    def _contestable(self, row: dict[str, Any]) -> None:
        """A hidden or removed content item, authored by a member no other case of the appeal
        family uses (counted down from the last member), that an appeal may contest later."""
        self.reserved += 1
        author = f"m{self.n_members - self.reserved}"
        row["member_id"] = author
        case_id, resolved = row["id"], row["resolved_at"]
        self._add("content", {
            "id": row["subject_id"], "kind": self.x.choice(("post", "comment", "message")), "author_id": author,
            "body": f"bench content {case_id}", "created_at": row["created_at"], "recipient_id": None, "thread": None,
            "parent_id": None, "wall_of": None, "visibility": "hidden" if row["resolution"] == "hide" else "removed",
            "placeholder": False, "extra": None, "edited_at": None,
        })
        self._add("case_event", {"id": self._next("case_event"), "case_id": case_id, "at": resolved,
                                 "staff_id": self.x.choice(self.mods), "action": "resolved",
                                 "detail": {"resolution": row["resolution"]}})
        self.contestable.append((case_id, author))

    def _claim(self, row: dict[str, Any]) -> None:
        """The base factory's claim (a few % of the active cases, all by the admin, all live),
        spread over the last 12 hours among the team: only the last quarter-hour's are live."""
        x = self.x
        team = self.clinical if row["queue"] == "deletion" else self.mods + self.seniors
        claimed_at = self.now - timedelta(seconds=x.uniform(0, WINDOW.total_seconds()))
        claimed_at = max(claimed_at, row["created_at"])
        row.update(claimed_by=x.choice(team), claim_expires_at=claimed_at + LEASE)
        self._add("claim", {"id": self._next("claim"), "case_id": row["id"], "staff_id": row["claimed_by"],
                            "claimed_at": claimed_at, "expires_at": claimed_at + LEASE, "released_at": None})
        self.counts["claims live"] += claimed_at + LEASE > self.now

    def _appeal(self, row: dict[str, Any]) -> None:
        x = self.x
        case_id, created, active = row["id"], row["created_at"], row["active"]
        state = "pending" if active else ("upheld" if x.random() < 0.7 else "reversed")
        decided = None if active else row["resolved_at"]
        sanction_ref = case_ref = None
        roll = x.random()
        if roll < 0.20 and self.contestable:
            contested, author = self.contestable.popleft()
            row.update(subject_id=author, member_id=author, open_key=f"appeal:member:{author}" if active else None)
            case_ref = str(contested) if x.random() < 0.5 else f"c{contested}"
            self.counts["appeals on content"] += 1
        elif roll < 0.95:
            sid = self._next("sanction")
            kind = x.choices(("warning", "comment_mute", "mute", "ban"), (30, 25, 30, 15))[0]
            starts = created - timedelta(seconds=x.uniform(3600, 5 * 86400))
            lifted = state == "reversed" and kind != "warning"
            self._add("sanction", {
                "id": sid, "member_id": row["member_id"], "kind": kind, "other_member_id": None, "starts_at": starts,
                "ends_at": None if kind in ("ban", "warning") else starts + timedelta(days=x.choice((1, 7, 30))),
                "reason": "bench: repeated insults", "rule": "respect", "statement": "Statement of reasons (bench).",
                "extends_id": None, "case_id": None, "created_by": x.choice(self.mods), "created_at": starts,
                "lifted_at": decided if lifted else None, "lifted_by": x.choice(self.seniors) if lifted else None,
                "lift_reason": "appeal reversed" if lifted else None,
            })
            sanction_ref = str(sid)
            self.counts["appeals on sanctions"] += 1
        else:
            sanction_ref = str(10**9 + case_id)  # names nothing the console knows
            self.counts["appeals on nothing known"] += 1
        if not active:
            row["resolution"] = f"appeal_{state}"
        self.counts[f"appeals {state}"] += 1
        self._add("appeal", {
            "id": f"ap{case_id}", "member_id": row["member_id"], "sanction_ref": sanction_ref, "case_ref": case_ref,
            "body": "I did nothing wrong, please look again.", "created_at": created, "state": state, "case_id": case_id,
            "extra": None, "decision": None if active else state, "decided_by": None if active else x.choice(self.seniors),
            "decided_at": decided, "decision_reason": None if active else "bench: reviewed",
        })

    def _deletion(self, row: dict[str, Any]) -> None:
        x = self.x
        case_id, created, active, member = row["id"], row["created_at"], row["active"], row["member_id"]
        scope = x.choices(("account", "data", "temporary_close"), (50, 20, 30))[0]
        decision = decided_by = decided_at = reason = None
        if active:
            state = "contacted" if x.random() < 0.15 else "pending"
            if state == "contacted":
                decision, decided_by, reason = "contacted", x.choice(self.clinical), "bench: called the member"
                decided_at = created + (self.now - created) * x.random()
        else:
            state = x.choices(("approved", "declined", "closed"), (40, 40, 20))[0]
            row["resolution"] = f"deletion_{state}"
            decision = {"approved": "approve", "declined": "decline", "closed": "close_temporarily"[:16]}[state]  # as decide() stores it
            decided_by, decided_at = x.choice(self.clinical), row["resolved_at"]
            reason = None if state == "approved" and scope != "temporary_close" else "bench: decided"
            if state == "closed":
                self._add("closure", {"id": self._next("closure"), "member_id": member, "request_id": f"dr{case_id}",
                                      "starts_at": decided_at, "ends_at": decided_at + timedelta(days=14) if x.random() < 0.5 else None,
                                      "reopened_at": None, "created_by": decided_by, "reopened_by": None})
        self.counts[f"deletion requests {state}"] += 1
        self._add("deletion_request", {
            "id": f"dr{case_id}", "member_id": member, "scope": scope, "note": "please delete everything",
            "created_at": created, "state": state, "case_id": case_id, "extra": None, "decision": decision,
            "decided_by": decided_by, "decided_at": decided_at, "decision_reason": reason,
        })
        for j in range(x.choices((0, 1, 2, 3), (40, 30, 20, 10))[0]):
            self._add("self_assessment", {
                "id": f"sa{case_id}.{j}", "member_id": member, "instrument": "PHQ-9", "score": float(x.randint(0, 27)),
                "suicidal": x.random() < 0.1, "created_at": created - timedelta(seconds=x.uniform(0, 30 * 86400)),
                "extra": None,
            })


def build_store(url: str, n_cases: int, seed: int) -> dict[str, Any]:
    """Create the store at `url` with its staff, cases and screen rows; returns what was built."""
    store = Store(url)
    try:
        store.upgrade()
        svc = Services(store)
        admin_public, _ = staff.ensure_admin(svc, "admin")
        admin = svc.actor("admin")
        team: dict[str, list[int]] = {"moderator": [], "senior": [], "clinical": []}
        for role, prefix, n in (("moderator", "mod", N_MODS), ("senior", "senior", N_SENIORS),
                                ("clinical", "clin", N_CLINICAL)):
            for i in range(1, n + 1):
                team[role].append(staff.add(svc, admin, f"{prefix}{i}", role).id)
        now = datetime.now(UTC)
        holder: list[ScreensFactory] = []

        def make_factory(n_members: int) -> ScreensFactory:
            holder.append(ScreensFactory(n_members, admin_public.id, now, seed, team))
            return holder[0]

        built = qb.build(store, n_cases, admin_public.id, now, seed, make_factory)
        rng = random.Random(seed + 2)
        with store.write() as s:
            s.execute(insert(HandoverNote.__table__), [  # type: ignore[attr-defined]
                {"staff_id": rng.choice(team["senior"]), "at": now - WINDOW + WINDOW * (i / 20),
                 "body": f"bench handover {i}: watch the self_harm queue"} for i in range(20)])
        qb.analyze(store)
        return {"built": built, "counts": dict(sorted(holder[0].counts.items()))}
    finally:
        store.dispose()


# --- the backend calls ------------------------------------------------------------------------


def _paged(fn: Callable[..., Any], page: int) -> dict[str, Any]:
    """The keyword a screen passes for one page, if this backend call takes one."""
    return {"limit": page} if "limit" in inspect.signature(fn).parameters else {}


def timed(fn: Callable[[], Any], reps: int, budget_s: float) -> list[float]:
    """Samples (seconds) of `fn` after one warm-up call: `reps` of them, or fewer (at least 3)
    when they take longer than `budget_s` in all."""
    fn()
    samples: list[float] = []
    started = time.perf_counter()
    for i in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
        if i >= 2 and time.perf_counter() - started > budget_s:
            break
    return samples


def p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))] * 1000


def explain_calls(store: Store, label: str, run: Callable[[], Any]) -> None:
    """The plans of the distinct statements one call runs (each shown once, with how often it ran)."""
    with qb.captured(store) as statements:
        run()
    seen: dict[str, tuple[Any, int]] = {}
    for statement, params in statements:
        if statement.lstrip().upper().startswith("SELECT"):
            first, n = seen.get(statement, (params, 0))
            seen[statement] = (first, n + 1)
    prefix = "EXPLAIN QUERY PLAN " if store.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    print(f"  plans of {label} ({len(statements)} statements, {len(seen)} distinct SELECTs):")
    with store.engine.connect() as conn:
        for statement, (params, n) in seen.items():
            print(f"    SQL (×{n}): " + " ".join(statement.split())[:500])
            for row in conn.exec_driver_sql(prefix + statement, params).all():
                print("      " + (str(row[-1]) if store.is_sqlite else str(row[0])))
        conn.rollback()


def bench_calls(backend_name: str, url: str, reps: int, budget_s: float, force_explain: bool) -> list[str]:
    senior, clin = LocalBackend.open(url, SENIOR), LocalBackend.open(url, CLINICIAN)
    lines: list[str] = []
    try:
        appeals = senior.appeal_list("pending", **_paged(senior.appeal_list, APPEALS_PAGE))
        requests = clin.deletion_list("pending", **_paged(clin.deletion_list, DELETION_PAGE))
        appeal_ids = [a.id for a in appeals[:APPEALS_PAGE]] or [0]
        request_ids = [d.id for d in requests[:DELETION_PAGE]] or [0]
        turn = {"appeal": 0, "deletion": 0}

        def next_of(kind: str, ids: list[int]) -> int:
            turn[kind] += 1
            return ids[turn[kind] % len(ids)]

        calls: list[tuple[str, str, Callable[[], Any], Any]] = [
            ("appeal_list", f"pending, as a senior, {'a page of ' + str(APPEALS_PAGE) if _paged(senior.appeal_list, 1) else 'unpaged'}",
             lambda: senior.appeal_list("pending", **_paged(senior.appeal_list, APPEALS_PAGE)), senior),
            ("deletion_list", f"pending, as a clinician, {'a page of ' + str(DELETION_PAGE) if _paged(clin.deletion_list, 1) else 'unpaged'}",
             lambda: clin.deletion_list("pending", **_paged(clin.deletion_list, DELETION_PAGE)), clin),
            ("shift_dashboard", "12 h, as a senior", lambda: senior.shift_dashboard(12), senior),
            ("appeal_show", "one after the other", lambda: senior.appeal_show(next_of("appeal", appeal_ids)), senior),
            ("deletion_show", "one after the other", lambda: clin.deletion_show(next_of("deletion", request_ids)), clin),
        ]
        for name, how, fn, who in calls:
            samples = timed(fn, reps, budget_s)
            p50, p99 = p50_p99(samples)
            ok = p99 < TARGET_CALL_MS
            extra = ""
            if name == "appeal_list":
                extra = f", {len(appeals)} rows"
            elif name == "deletion_list":
                extra = f", {len(requests)} rows"
            line = (f"{backend_name} {name} ({how}): p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(samples)} calls{extra}) "
                    f"[{'ok' if ok else 'MISSES'} < {TARGET_CALL_MS:.0f} ms]")
            print(line, flush=True)
            lines.append(line)
            if force_explain or not ok:
                explain_calls(who.services.store, f"{backend_name} {name}", fn)
    finally:
        senior.services.store.dispose()
        clin.services.store.dispose()
    return lines


# --- the console --------------------------------------------------------------------------------


async def _wait(cond: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not show up")
        await asyncio.sleep(0.001)


def _laid_out(screen: Any, container: str) -> bool:
    try:
        body = screen.query_one(container)
    except Exception:  # noqa: BLE001 - not composed yet
        return False
    return bool(body.children) and all(child.region.height > 0 for child in body.children[:2])


def _rows(screen: Any, table: str) -> int:
    from textual.widgets import DataTable

    try:
        return int(screen.query_one(table, DataTable).row_count)
    except Exception:  # noqa: BLE001 - not composed yet
        return 0


async def _console(url: str, user: str, list_opens: int, item_opens: int) -> dict[str, Any]:
    from modconsole.app import make_app
    from modconsole.screens.appeals import AppealScreen, AppealsScreen
    from modconsole.screens.board import BoardScreen
    from modconsole.screens.deletion import DeletionScreen, DeletionsScreen
    from modconsole.screens.shift import ShiftScreen
    from modconsole.widgets.queue_table import QueueTable

    app = make_app(LocalBackend.open(url, user))
    out: dict[str, Any] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await _wait(lambda: isinstance(app.screen, BoardScreen) and app.screen.query_one(QueueTable).row_count > 0)
        board = app.screen
        if user == SENIOR:
            screens = [("appeals", "appeals", AppealsScreen, "#appeals"), ("shift", "shift", ShiftScreen, "#queues")]
        else:
            screens = [("deletion", "deletions", DeletionsScreen, "#deletions")]
        for label, action, cls, table in screens:
            firsts: list[float] = []
            for _ in range(list_opens):
                t0 = time.perf_counter()
                await board.run_action(action)
                await _wait(lambda c=cls, t=table: isinstance(app.screen, c) and _rows(app.screen, t) > 0)
                firsts.append(time.perf_counter() - t0)
                rows = _rows(app.screen, table)
                await pilot.pause()
                if len(firsts) < list_opens:
                    await app.screen.run_action("leave")
                    await _wait(lambda: app.screen is board)
                    await pilot.pause()  # the board's refresh on coming back, before the next open
            out[f"{label} first"] = firsts
            out[f"{label} rows"] = rows
            items: list[float] = []
            listing = app.screen
            for _ in range(item_opens):
                t0 = time.perf_counter()
                if label == "appeals":
                    await listing.run_action("open_item")
                    await _wait(lambda: isinstance(app.screen, AppealScreen) and app.screen.appeal is not None
                                and _laid_out(app.screen, "#body"))
                elif label == "deletion":
                    await listing.run_action("open_item")
                    await _wait(lambda: isinstance(app.screen, DeletionScreen) and app.screen.detail is not None
                                and _laid_out(app.screen, "#request"))
                else:
                    await listing.run_action("reload")
                items.append(time.perf_counter() - t0)
                if label != "shift":
                    await pilot.press("escape")
                    await _wait(lambda s=listing: app.screen is s)
                    await pilot.pause()
                    await pilot.press("j")
            out[f"{label} item"] = items
            await app.screen.run_action("leave")
            await _wait(lambda: app.screen is board)
        # Quiet the board before the app goes: a background refresh landing while the app tears
        # down fails on its widgets already gone (NoMatches), which would fail this process.
        board._live_stop.set()
        for timer in list(board._timers):
            timer.stop()
        await app.workers.wait_for_complete()
        await pilot.pause()
    return out


def bench_console(url: str, list_opens: int, item_opens: int) -> list[str]:
    proc = subprocess.run([sys.executable, __file__, "--measure", url, "--list-opens", str(list_opens),
                           "--opens", str(item_opens)], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], flush=True)
        raise RuntimeError(f"the console measure failed (exit {proc.returncode})")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = []
    names = {"appeals": ("appeals screen", "open an appeal"), "deletion": ("deletion screen (clinical)", "open a request"),
             "shift": ("shift dashboard (senior)", "reload (r)")}
    for label, (screen, item) in names.items():
        firsts, items = figures[f"{label} first"], figures[f"{label} item"]
        p50, p99 = p50_p99(items)
        ok = firsts[0] * 1000 < TARGET_FIRST_MS and max(firsts) * 1000 < TARGET_FIRST_MS and p99 < TARGET_OPEN_MS
        line = (f"console {screen}: first paint {firsts[0] * 1000:.0f} ms (worst of {len(firsts)} opens "
                f"{max(firsts) * 1000:.0f} ms, {figures[f'{label} rows']} rows); {item} p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                f"({len(items)} times) [{'ok' if ok else 'MISSES'}: < {TARGET_FIRST_MS:.0f} ms, < {TARGET_OPEN_MS:.0f} ms]")
        print(line, flush=True)
        lines.append(line)
    return lines


# --- running ------------------------------------------------------------------------------------


def report_build(backend: str, info: dict[str, Any]) -> None:
    b = info["built"]
    print(f"{backend}: built {b.cases:,} cases ({b.active:,} unresolved, {b.breached:,} breached), {b.signals:,} signals, "
          f"{b.members:,} members in {b.seconds:.1f} s", flush=True)
    print(f"{backend}: " + ", ".join(f"{k} {v:,}" for k, v in info["counts"].items()), flush=True)


def run_sqlite(args: argparse.Namespace) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="modconsole-screens-"))
    try:
        url = f"sqlite:///{tmp / 'screens.db'}"
        report_build("sqlite", build_store(url, args.cases, args.seed))
        store = Store(url)
        with store.engine.connect() as conn:  # as a long-running store is: checkpointed
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.dispose()
        lines = bench_calls("sqlite", url, args.reps, args.budget, args.explain)
        if not args.no_console:
            lines += bench_console(url, args.list_opens, args.opens)
        return lines
    finally:
        if args.keep:
            print(f"  store kept in {tmp}", flush=True)
        else:
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
        url = cluster.url("bench")
        report_build("postgres", build_store(url, args.cases, args.seed))
        return bench_calls("postgres", url, args.reps, args.budget, args.explain)
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--reps", type=int, default=100, help="timed repetitions of each backend call")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds at most for one call's repetitions")
    parser.add_argument("--list-opens", type=int, default=5, help="times each screen is opened from the board")
    parser.add_argument("--opens", type=int, default=30, help="items opened one after the other")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--explain", action="store_true", help="print the plans of every call, target met or not")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite store (its directory is printed)")
    parser.add_argument("--no-console", action="store_true", help="the backend calls only")
    parser.add_argument("--calls-only", help=argparse.SUPPRESS)  # internal: time the calls on an existing store URL
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure the console on this store URL
    args = parser.parse_args(argv)
    if args.measure:
        gc.freeze()  # as `modconsole tui` does
        figures: dict[str, Any] = {}
        figures.update(asyncio.run(_console(args.measure, SENIOR, args.list_opens, args.opens)))
        figures.update(asyncio.run(_console(args.measure, CLINICIAN, args.list_opens, args.opens)))
        print(json.dumps(figures))
        return 0
    if args.calls_only:
        store = Store(args.calls_only)  # a store built by an earlier run (--keep): bring it to head first
        t0 = time.perf_counter()
        store.upgrade()
        qb.analyze(store)
        store.dispose()
        print(f"store upgraded to head and analyzed in {time.perf_counter() - t0:.1f} s", flush=True)
        lines = bench_calls("sqlite" if args.calls_only.startswith("sqlite") else "postgres", args.calls_only,
                            args.reps, args.budget, args.explain)
        if not args.no_console:
            lines += bench_console(args.calls_only, args.list_opens, args.opens)
        return 0 if all("MISSES" not in line for line in lines) else 1
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
