"""The SQLite seen-store from empty to a million stories, driven as the dedupe pipeline drives it.

Each simulated run looks every story up (``is_seen``), stages the new ones, flushes and
promotes them, as a crawl's dedupe pipeline and export do. The per-story cost of a run
into an empty store is compared with the same run into a store of N stories, and lookups
alone (hits and misses) likewise. Runs in its own process (``python -m
newscrawl.bench.seenstore DIR OUT``) so its RSS is the store's and nothing else's.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
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


def probe(
    store: SQLiteSeenStore, ids: _Ids, known: list[str], run_size: int, repeats: int
) -> dict[str, float]:
    """Per-story cost of lookups (misses, hits) and of a pipeline run into *store*.

    The run's new stories are promoted: the store grows by ``repeats * run_size``.
    """
    misses = [lookups(store, ids.take(run_size)) for _ in range(repeats)]
    sample = random.Random(len(known)).sample(known, min(run_size, len(known)))
    hits = [lookups(store, sample) for _ in range(repeats)] if sample else []
    runs = [pipeline_run(store, f"probe-{i}", ids.take(run_size)) for i in range(repeats)]
    return {
        "run_us": statistics.median(runs) * 1e6,
        "run_spread_us": [min(runs) * 1e6, max(runs) * 1e6],
        "miss_us": statistics.median(misses) * 1e6,
        "hit_us": statistics.median(hits) * 1e6 if hits else float("nan"),
    }


def _fresh(directory: Path, name: str) -> Path:
    for old in directory.glob(f"{name}*"):
        old.unlink()
    return directory / name


def run(directory: Path, n: int, run_size: int, repeats: int) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    ids = _Ids(8)
    gc.collect()
    rss_start = rss_mib()

    # Empty: every repeat into a new store, so each one really starts from nothing.
    empty_runs = []
    for i in range(repeats):
        store = SQLiteSeenStore(_fresh(directory, f"empty-{i}.sqlite3"))
        empty_runs.append(pipeline_run(store, "empty", ids.take(run_size)) * 1e6)
        store.close()
        _fresh(directory, f"empty-{i}.sqlite3")
    store = SQLiteSeenStore(_fresh(directory, "seen.sqlite3"))
    empty_miss = [lookups(store, ids.take(run_size)) * 1e6 for _ in range(repeats)]
    rss_empty = rss_mib()

    # Fill to n in runs the size of a big crawl; every run is timed (the insert rate).
    known: list[str] = []
    fill: list[tuple[int, float]] = []
    t_fill = time.perf_counter()
    count = batch = 0
    step = max(1, n // 100_000)  # keep ~100k ids to look up as hits later, not all n
    while count < n:
        chunk = ids.take(min(run_size, n - count))
        cost = pipeline_run(store, f"fill-{batch}", chunk)
        batch += 1
        count += len(chunk)
        fill.append((count, cost * 1e6))
        known.extend(chunk[::step])
    fill_s = time.perf_counter() - t_fill
    rss_full = rss_mib()
    full = probe(store, ids, known, run_size, repeats)
    stored = store.count()
    store.close()
    size = sum(p.stat().st_size for p in directory.glob("seen.sqlite3*"))
    empty = {
        "run_us": statistics.median(empty_runs),
        "run_spread_us": [min(empty_runs), max(empty_runs)],
        "miss_us": statistics.median(empty_miss),
    }
    return {
        "stories": n,
        "stored_after_probe": stored,
        "run_size": run_size,
        "repeats": repeats,
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
