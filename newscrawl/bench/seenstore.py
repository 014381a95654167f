"""The SQLite seen-store from empty to a million stories, driven as the dedupe pipeline drives it.

Each simulated run looks every story up (``is_seen``), stages the new ones, flushes and
promotes them, as a crawl's dedupe pipeline and export do. The per-story cost of runs into
an empty store is compared with runs into a store of N stories, and lookups alone (hits and
misses) likewise. Runs in its own process (``python -m newscrawl.bench.seenstore DIR OUT``)
so its RSS is the store's and nothing else's.

The store is log-structured (``newscrawl/stores/sqlite.py``): promoted ids stay in a small
level, merged into the large one in one transaction when they reach a fixed fraction of it.
Most runs cost little and one in many pays for a merge, so a single run, or a median of a
few, could skip the merge and say nothing about the real cost. Both figures compared are
therefore means over a *window* of consecutive runs one whole merge cycle long at N stories
(``window_runs``: ``SQLiteSeenStore.merge_interval(N)`` ids, in runs):

* **empty**: the first ``window_runs`` runs into a new store, with the merges that happen
  while it grows, at their real rate;
* **at N**: ``window_runs`` runs into the store filled to N, which hold exactly one merge
  of the small level into the large one, as every cycle of that length does.

``run_us`` is the mean per story over a window (its total time over its stories). With
``--repeats`` each window is measured that many times (the N-story store copied back to its
filled state each time, then read once so that its pages are cached as the filling process
had them), the empty and the N window alternating which goes first; the median of the
window means is reported, with their spread. ``merges`` counts the merges in one window of
each; ``first_run_us`` is the first run alone into an empty store (the old single-run figure).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from newscrawl.stores.sqlite import SQLiteSeenStore


def rss_mib(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A process's resident memory (Linux /proc), in MiB: now (VmRSS) or at its peak (VmHWM).

    VmHWM, not getrusage's ru_maxrss: ru_maxrss survives fork and exec, so a child started
    by a large parent reports the parent's size as its own peak.
    """
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Ids:
    """Random 32-hex story ids, reproducible, never repeating."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def take(self, n: int) -> list[str]:
        return [f"{self.rng.getrandbits(128):032x}" for _ in range(n)]


def pipeline_run(store: SQLiteSeenStore, run_id: str, ids: list[str]) -> float:
    """One run's dedupe work for *ids* (all new): seconds per story."""
    t0 = time.perf_counter()
    for sid in ids:
        if not store.is_seen(sid):
            store.stage(run_id, sid)
    store.flush()
    store.promote(run_id)
    return (time.perf_counter() - t0) / len(ids)


def lookups(store: SQLiteSeenStore, ids: list[str]) -> float:
    """Seconds per ``is_seen`` over *ids*."""
    t0 = time.perf_counter()
    for sid in ids:
        store.is_seen(sid)
    return (time.perf_counter() - t0) / len(ids)


def _fresh(directory: Path, name: str) -> Path:
    for old in directory.glob(f"{name}*"):
        old.unlink()
    return directory / name


def _spread(values: list[float]) -> list[float]:
    return [min(values), max(values)]


def window(store: SQLiteSeenStore, ids: _Ids, runs: int, run_size: int, tag: str) -> list[float]:
    """*runs* consecutive pipeline runs into *store*: µs per story of each."""
    return [pipeline_run(store, f"{tag}-{i}", ids.take(run_size)) * 1e6 for i in range(runs)]


def run(directory: Path, n: int, run_size: int, repeats: int) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    ids = _Ids(8)
    gc.collect()
    rss_start = rss_mib()

    store = SQLiteSeenStore(_fresh(directory, "seen.sqlite3"))
    empty_miss = [lookups(store, ids.take(run_size)) * 1e6 for _ in range(repeats)]
    rss_empty = rss_mib()

    # Fill to n in runs the size of a big crawl; every run is timed (the insert rate).
    known: list[str] = []
    fill: list[tuple[int, float]] = []
    t_fill = time.perf_counter()
    count = batch = 0
    step = max(1, n // run_size)  # keep ~run_size ids to look up as hits later, not all n
    while count < n:
        chunk = ids.take(min(run_size, n - count))
        cost = pipeline_run(store, f"fill-{batch}", chunk)
        batch += 1
        count += len(chunk)
        fill.append((count, cost * 1e6))
        known.extend(chunk[::step])
    fill_s = time.perf_counter() - t_fill
    rss_full = rss_mib()
    runs = max(1, math.ceil(SQLiteSeenStore.merge_interval(store.count()) / run_size))
    store.close()
    filled = directory / "filled.sqlite3"
    shutil.copyfile(directory / "seen.sqlite3", _fresh(directory, "filled.sqlite3"))
    _fresh(directory, "seen.sqlite3")

    # Window pairs, the order alternating from one repeat to the next.
    empty_means: list[float] = []
    full_means: list[float] = []
    firsts: list[float] = []
    misses: list[float] = []
    hits: list[float] = []
    merges = {"empty": 0, "full": 0}
    for r in range(repeats):
        for part in ("empty", "full") if r % 2 == 0 else ("full", "empty"):
            if part == "empty":
                store = SQLiteSeenStore(_fresh(directory, "empty.sqlite3"))
                costs = window(store, ids, runs, run_size, f"empty-{r}")
                empty_means.append(statistics.mean(costs))
                firsts.append(costs[0])
            else:
                probe = _fresh(directory, "probe.sqlite3")
                shutil.copyfile(filled, probe)
                store = SQLiteSeenStore(probe)
                lookups(store, ids.take(run_size))  # not timed: brings its pages into the cache
                misses.append(lookups(store, ids.take(run_size)) * 1e6)
                if known:
                    hits.append(lookups(store, known) * 1e6)
                full_means.append(statistics.mean(window(store, ids, runs, run_size, f"full-{r}")))
                stored = store.count()
            merges[part] = store.merges
            store.close()
    size = sum(p.stat().st_size for p in directory.glob("probe.sqlite3*"))
    for name in ("empty.sqlite3", "probe.sqlite3", "filled.sqlite3"):
        _fresh(directory, name)

    empty = {
        "run_us": statistics.median(empty_means),
        "run_spread_us": _spread(empty_means),
        "miss_us": statistics.median(empty_miss),
        "first_run_us": statistics.median(firsts),
        "merges": merges["empty"],
    }
    full = {
        "run_us": statistics.median(full_means),
        "run_spread_us": _spread(full_means),
        "miss_us": statistics.median(misses),
        "hit_us": statistics.median(hits) if hits else float("nan"),
        "merges": merges["full"],
    }
    return {
        "stories": n,
        "stored_after_probe": stored,
        "run_size": run_size,
        "repeats": repeats,
        "window_runs": runs,
        "empty": empty,
        "full": full,
        "ratio_run": full["run_us"] / empty["run_us"],
        "fill_seconds": fill_s,
        "fill_rate_per_s": n / fill_s if fill_s else 0.0,
        "fill_curve": [fill[i] for i in range(0, len(fill), max(1, len(fill) // 10))] + fill[-1:],
        "file_mib": size / 2**20,
        "rss_start_mib": rss_start,
        "rss_empty_mib": rss_empty,
        "rss_full_mib": rss_full,
        "rss_peak_mib": rss_mib("VmHWM"),
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench.seenstore")
    parser.add_argument("dir", type=Path, help="a scratch directory for the store")
    parser.add_argument("out", type=Path, help="where to write the figures (JSON)")
    parser.add_argument("--stories", type=int, default=1_000_000)
    parser.add_argument("--run-size", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.dir, args.stories, args.run_size, args.repeats)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
