"""Console figures, headless: first paint of the board, and the time to open the next case.

`python bench/tui.py [--sizes 10000,1000000]` builds a SQLite store of N cases the way
`bench/queue.py` does, then runs the real console (`make_app` over `LocalBackend`) under
Textual's headless pilot as a moderator:
- first paint: from starting the app to the board showing its first page of cases;
- next case: from pressing Enter on the board to the case view rendered with its detail
  (claim included), then back, one row down, 30 times;
- resident memory (peak RSS) of the process at the end.
Targets (issue 4): first paint < 0.5 s and next case < 100 ms at 1M cases; RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # bench/queue.py shadows `queue`
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from modconsole.app import make_app  # noqa: E402
from modconsole.backend.local import LocalBackend  # noqa: E402
from modconsole.domain import staff  # noqa: E402
from modconsole.domain.service import Services  # noqa: E402
from modconsole.domain.store import Store  # noqa: E402
from modconsole.screens.board import BoardScreen  # noqa: E402
from modconsole.screens.case import CaseScreen  # noqa: E402
from modconsole.widgets.queue_table import QueueTable  # noqa: E402


def _queue_bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_queue", _HERE / "queue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_queue"] = module
    spec.loader.exec_module(module)
    return module


async def measure(url: str, opens: int) -> tuple[float, list[float]]:
    app = make_app(LocalBackend.open(url, "mod"))
    started = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.query_one(QueueTable).row_count):
            await asyncio.sleep(0.002)
        first_paint = time.perf_counter() - started
        times: list[float] = []
        for _ in range(opens):
            # Enter's action, run directly: the pilot's own key simulation waits ~150 ms for idle
            # on top of what a person would see, which would swamp the figure.
            t0 = time.perf_counter()
            await app.screen.run_action("open_case")
            while not (isinstance(app.screen, CaseScreen) and app.screen.detail is not None and _laid_out(app.screen)):
                await asyncio.sleep(0.001)
            times.append(time.perf_counter() - t0)  # the case's detail is mounted and has a place on screen
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("j")
    return first_paint, times


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec from the parent (here the builder of a million cases), VmHWM starts afresh."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _laid_out(screen: CaseScreen) -> bool:
    body = screen.query_one("#body")
    return bool(body.children) and all(child.region.height > 0 for child in body.children[:2])


def run(n: int, opens: int) -> bool:
    qb = _queue_bench()
    tmp = Path(tempfile.mkdtemp(prefix="modconsole-tui-"))
    try:
        url = f"sqlite:///{tmp / 'tui.db'}"
        store = Store(url)
        store.upgrade()
        svc = Services(store)
        admin, _ = staff.ensure_admin(svc, "admin")
        staff.add(svc, svc.actor("admin"), "mod", "moderator")
        t0 = time.perf_counter()
        qb.build(store, n, admin.id, datetime.now(UTC), 7)
        with store.write() as s:
            s.connection().exec_driver_sql("ANALYZE")
        wal = tmp / "tui.db-wal"
        print(f"  WAL after the build: {wal.stat().st_size / 2**20:.0f} MiB" if wal.exists() else "  no WAL left", flush=True)
        with store.engine.connect() as conn:  # as a long-running store is: checkpointed
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.dispose()
        print(f"{n:,} cases built in {time.perf_counter() - t0:.1f} s", flush=True)
        # The console runs in a fresh process, so its memory is not the builder's.
        proc = subprocess.run([sys.executable, __file__, "--measure", url, "--opens", str(opens)],
                              capture_output=True, text=True, check=True, timeout=600)
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        first, times, rss = figures["first"], figures["times"], figures["rss"]
        p50 = statistics.median(times) * 1000
        p99 = sorted(times)[max(0, int(len(times) * 0.99) - 1)] * 1000
        ok = first < 0.5 and p99 < 100 and rss < 150
        print(f"{n:,} cases: first paint {first * 1000:.0f} ms; next case p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"({len(times)} opens); peak RSS {rss:.0f} MiB  [{'ok' if ok else 'MISSES'}: < 500 ms, < 100 ms, < 150 MiB]",
              flush=True)
        return ok
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"  store kept in {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="comma-separated case counts")
    parser.add_argument("--opens", type=int, default=30, help="cases opened one after the other")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure the console on this store URL
    args = parser.parse_args(argv)
    if args.measure:
        gc.freeze()  # as `modconsole tui` does
        first, times = asyncio.run(measure(args.measure, args.opens))
        print(json.dumps({"first": first, "times": times, "rss": peak_rss_mib()}))
        return 0
    results = [run(int(n), args.opens) for n in args.sizes.split(",")]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
