"""Syndicated copies, measured: precision/recall on the labelled set, and cost at 1M stories.

``python -m newscrawl.bench.syndication labelled [--seeds N] [--method 1]``
    runs the labelled set (tests/files/syndication/labelled.jsonl) through the real
    pipeline and store and prints precision and recall per split and per kind of edit;
    with ``--seeds`` also over N other MinHash seeds (how much luck is in the figure);
    ``--method`` picks the fingerprinting method (``newscrawl.syndication.METHODS``).

``python -m newscrawl.bench.syndication probe DIR``
    after ``scale``: lookups in its full store and in an empty one, interleaved, so that
    other work on the machine weighs on both alike.

``python -m newscrawl.bench.syndication scale DIR OUT [--stories 1000000]``
    fills a seen-store in DIR through the pipeline, run by run as crawls do, to N stories,
    timing each run's lookups; then looks up new stories and light copies of stored ones in
    the full store and in an empty one. Writes the figures to OUT (JSON). Runs in its own
    process so its RSS is the pipeline's and the store's.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.bench.seenstore import rss_mib
from newscrawl.pipelines.syndication import SyndicationPipeline
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import METHOD_VERSION, METHODS

LABELLED = Path(__file__).resolve().parents[2] / "tests/files/syndication/labelled.jsonl"
DEFAULTS: dict[str, Any] = {
    "threshold": 0.5,
    "num_perm": 128,
    "bands": 32,
    "shingle_size": 3,
    "min_shingles": 10,
}


_METHODS = {m.method: m for m in METHODS}


class _Stats:
    """The StatsCollector methods the pipeline calls, without a crawler."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def set_value(self, key: str, value: float) -> None:
        self.values[key] = value  # type: ignore[assignment]


def make_pipeline(
    store: SQLiteSeenStore,
    run_id: str,
    *,
    seed: int = 1,
    method: str = METHOD_VERSION,
    worker: bool = False,
    **params: Any,
) -> SyndicationPipeline:
    """The pipeline on *store*; *worker*: with its fingerprint worker (a child process,
    ended by ``close_spider()``)."""
    p = {**DEFAULTS, **params}
    fingerprinter = _METHODS[method](
        num_perm=p["num_perm"], bands=p["bands"], shingle_size=p["shingle_size"], seed=seed
    )
    pipe = SyndicationPipeline(
        _Stats(),
        fingerprinter,
        run_id=run_id,
        threshold=p["threshold"],
        min_shingles=p["min_shingles"],
        store=store,
        worker=worker,
    )
    pipe.open_spider()
    return pipe


# --- the labelled set --------------------------------------------------------------------


def load_labelled(path: Path = LABELLED) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _item(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title", "excerpt", "body", "published", "publisher", "lang")
    return {**{k: r[k] for k in keys}, "duplicate_of": None}


@dataclass
class Score:
    """Copies found right (tp), stories called copies wrongly (fp), copies missed (fn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, r: dict[str, Any], got: str | None) -> None:
        want = r["expected_duplicate_of"]
        if got is not None and got == want:
            self.tp += 1
            return
        if got is not None:
            self.fp += 1
            self.errors.append(f"wrongly a copy: {r['label']} {r['group']} -> {got}")
        if want is not None:
            self.fn += 1
            self.errors.append(f"missed: {r['group']} ({', '.join(r['edits'])})")


def evaluate(
    records: list[dict[str, Any]],
    directory: Path,
    *,
    runs: int = 1,
    seed: int = 1,
    method: str = METHOD_VERSION,
    worker: bool = False,
    **params: Any,
) -> dict[str, Any]:
    """*records* through the pipeline in (published, id) order, split over *runs* runs
    (each promoted before the next, as complete exports are); the decisions, scored.

    *worker*: each run's texts go to the fingerprint worker first, in the order of
    *records* (as a crawl's arrive, not in the order they are released)."""
    ordered = sorted(records, key=lambda r: (r["published"] or "~", r["id"]))
    store_path = directory / "labelled-seen.sqlite3"
    for old in directory.glob("labelled-seen.sqlite3*"):
        old.unlink()
    store = SQLiteSeenStore(store_path)
    got: dict[str, str | None] = {}
    per_run = -(-len(ordered) // runs)
    stats: Counter[str] = Counter()
    try:
        for n in range(runs):
            run_id = f"run{n}"
            pipe = make_pipeline(store, run_id, seed=seed, method=method, worker=worker, **params)
            run = ordered[n * per_run : (n + 1) * per_run]
            if pipe.worker is not None:
                arriving = {r["id"] for r in run}
                pipe.worker.submit(
                    [
                        (r["id"], r["title"], r["excerpt"], r["body"])
                        for r in records
                        if r["id"] in arriving
                    ]
                )
            try:
                for r in run:
                    store.stage(run_id, r["id"])  # what dedupe does first
                    got[r["id"]] = pipe.process_item(_item(r))["duplicate_of"]
            finally:
                pipe.close_spider()
            store.flush()
            store.promote(run_id)
            stats.update(pipe.stats.values)
    finally:
        store.close()
    result: dict[str, Any] = {"decisions": got, "stats": dict(stats), "splits": {}}
    for split in [*sorted({r["split"] for r in records}), "all"]:
        score = Score()
        for r in records:
            if split in ("all", r["split"]):
                score.add(r, got[r["id"]])
        result["splits"][split] = score
    edits: dict[str, list[int]] = {}
    for r in records:
        if r["expected_duplicate_of"] is None:
            continue
        for e in r["edits"] or ["(none)"]:
            hit = got[r["id"]] == r["expected_duplicate_of"]
            edits.setdefault(e, [0, 0])[0 if hit else 1] += 1
    result["recall_by_edit"] = edits
    near = [r for r in records if r["label"] == "near_miss" and r["expected_duplicate_of"] is None]
    result["near_misses_grouped"] = sum(got[r["id"]] is not None for r in near)
    result["near_misses"] = len(near)
    return result


def labelled_report(directory: Path, seeds: int, method: str = METHOD_VERSION) -> str:
    records = load_labelled()
    out = [f"method {method}"]
    main = evaluate(records, directory, method=method)
    two = evaluate(records, directory, runs=2, method=method)
    same = main["decisions"] == two["decisions"]
    for split, s in main["splits"].items():
        out.append(
            f"{split:>4}: precision {s.precision:.3f} recall {s.recall:.3f}"
            f" (tp {s.tp}, fp {s.fp}, fn {s.fn})"
        )
    out.append(f"near-misses grouped: {main['near_misses_grouped']} of {main['near_misses']}")
    out.append(
        "recall by edit: "
        + ", ".join(f"{e} {h}/{h + m}" for e, (h, m) in sorted(main["recall_by_edit"].items()))
    )
    out.append(f"same decisions when split over two runs: {same}")
    out.extend(f"  {e}" for e in main["splits"]["all"].errors)
    if seeds:
        per: dict[str, list[tuple[float, float]]] = {}
        for seed in range(2, seeds + 2):
            res = evaluate(records, directory, seed=seed, method=method)
            for split, s in res["splits"].items():
                per.setdefault(split, []).append((s.precision, s.recall))
        for split, vals in per.items():
            ps, rs = [v[0] for v in vals], [v[1] for v in vals]
            out.append(
                f"{split:>4} over {seeds} other seeds: precision mean {statistics.mean(ps):.3f}"
                f" min {min(ps):.3f}, recall mean {statistics.mean(rs):.3f} min {min(rs):.3f}"
            )
    return "\n".join(out)


# --- at scale ----------------------------------------------------------------------------


class _Texts:
    """Synthetic stories: 40-160 words drawn from a Zipf-like vocabulary, reproducible.

    Word frequencies follow Zipf's law like real prose, so common shingles ("said on the")
    are shared by many stories as they are in news; no two stories share a sentence.
    """

    def __init__(self, seed: int, vocabulary: int = 50_000) -> None:
        self.rng = random.Random(seed)
        self.words = [f"w{i:x}" for i in range(vocabulary)]
        weights = [1.0 / (i + 1) ** 1.05 for i in range(vocabulary)]
        self.cum = list(itertools.accumulate(weights))
        self.n = 0

    def story(self) -> dict[str, Any]:
        self.n += 1
        words = self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(40, 160))
        return {
            "id": f"{self.rng.getrandbits(128):032x}",
            "title": " ".join(words[:10]),
            "excerpt": " ".join(words[10:]),
            "body": None,
            "duplicate_of": None,
        }

    def copy_of(self, story: dict[str, Any]) -> dict[str, Any]:
        """A light copy: a dateline, two headline words and one word changed, three dropped."""
        words = story["excerpt"].split()
        words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
        cut = self.rng.randrange(len(words) - 3)
        del words[cut : cut + 3]
        title = story["title"].split()
        title[:2] = self.rng.choices(self.words, k=2)
        return {
            "id": f"{self.rng.getrandbits(128):032x}",
            "title": " ".join(title),
            "excerpt": "LONDON (Reuters) - " + " ".join(words),
            "body": None,
            "duplicate_of": None,
        }


def _lookups(pipe: SyndicationPipeline, stories: list[dict[str, Any]]) -> tuple[float, int]:
    """µs per story of the store's side of a lookup (own fingerprint and band candidates)."""
    fps = [pipe.fingerprinter.fingerprint(s["title"], s["excerpt"]) for s in stories]
    store = pipe.store
    t0 = time.perf_counter()
    found = 0
    for s, fp in zip(stories, fps, strict=True):
        store.fingerprint_of(pipe.run_id, s["id"])
        found += bool(store.similar(pipe.run_id, fp.keys, 50))
    return (time.perf_counter() - t0) / len(stories) * 1e6, found


def _run(store: SQLiteSeenStore, run_id: str, stories: list[dict[str, Any]]) -> tuple[float, int]:
    """One run through the pipeline as a crawl drives it: µs per story, copies found."""
    pipe = make_pipeline(store, run_id)
    copies = 0
    t0 = time.perf_counter()
    for s in stories:
        store.stage(run_id, s["id"])
        copies += pipe.process_item(dict(s))["duplicate_of"] is not None
    store.flush()
    store.promote(run_id)
    return (time.perf_counter() - t0) / len(stories) * 1e6, copies


def scale(directory: Path, n: int, run_size: int, probe: int) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("synd-*.sqlite3*"):
        old.unlink()
    texts = _Texts(8)
    load_start = os.getloadavg()[0]
    gc.collect()
    rss_start = rss_mib()

    # Empty store: lookups of new stories and a run's full pipeline cost.
    empty = SQLiteSeenStore(directory / "synd-empty.sqlite3")
    pipe = make_pipeline(empty, "probe")
    empty_lookup_us, _ = _lookups(pipe, [texts.story() for _ in range(probe)])
    empty_run_us, _ = _run(empty, "empty-run", [texts.story() for _ in range(probe)])
    empty.close()

    store = SQLiteSeenStore(directory / "synd-full.sqlite3")
    curve: list[dict[str, float]] = []
    keep: list[dict[str, Any]] = []
    t_fill = time.perf_counter()
    count = batch = 0
    while count < n:
        stories = [texts.story() for _ in range(min(run_size, n - count))]
        # Before each run: what a lookup costs at this size (the curve of the claim).
        pipe = make_pipeline(store, f"look-{batch}")
        look_us, _ = _lookups(pipe, stories[: min(1000, len(stories))])
        run_us, _ = _run(store, f"fill-{batch}", stories)
        count += len(stories)
        batch += 1
        curve.append({"stored": count - len(stories), "lookup_us": look_us, "run_us": run_us})
        keep.extend(stories[:: max(1, n // probe)][: probe - len(keep)])
    fill_s = time.perf_counter() - t_fill
    rss_full = rss_mib()

    pipe = make_pipeline(store, "probe")
    full_lookup_us, false_candidates = _lookups(pipe, [texts.story() for _ in range(probe)])
    copies = [texts.copy_of(s) for s in keep]
    hit_lookup_us, _ = _lookups(pipe, copies)
    full_run_us, copies_found = _run(store, "probe-run", copies)
    stored = store.fingerprint_count()
    store.close()
    size = sum(p.stat().st_size for p in directory.glob("synd-full.sqlite3*"))
    step = max(1, len(curve) // 10)
    return {
        "stories": n,
        "stored": stored,
        "run_size": run_size,
        "probe": probe,
        "params": DEFAULTS,
        "empty": {"lookup_us": empty_lookup_us, "run_us": empty_run_us},
        "full": {
            "lookup_new_us": full_lookup_us,
            "lookup_copy_us": hit_lookup_us,
            "run_of_copies_us": full_run_us,
            "new_stories_with_a_candidate": false_candidates,
            "copies_found": copies_found,
            "copies": len(copies),
        },
        "ratio_lookup": full_lookup_us / empty_lookup_us,
        "fill_seconds": fill_s,
        "fill_rate_per_s": n / fill_s if fill_s else 0.0,
        "curve": curve[::step] + curve[-1:],
        "file_mib": size / 2**20,
        "bytes_per_story": size / max(1, stored),
        "rss_start_mib": rss_start,
        "rss_full_mib": rss_full,
        "rss_peak_mib": rss_mib("VmHWM"),
        # Other work on the machine skews every µs above: say how busy it was.
        "load_average_start_end": [load_start, os.getloadavg()[0]],
        "cpus": os.cpu_count(),
    }


def probe_existing(directory: Path, probe: int, repeats: int) -> dict[str, Any]:
    """Lookups in the store ``scale`` left in *directory* and in an empty one, interleaved
    so that whatever else the machine is doing weighs on both alike; medians in µs."""
    full = SQLiteSeenStore(directory / "synd-full.sqlite3")
    stored = full.fingerprint_count()
    for old in directory.glob("synd-empty.sqlite3*"):
        old.unlink()
    empty = SQLiteSeenStore(directory / "synd-empty.sqlite3")
    texts = _Texts(99)
    times: dict[str, list[float]] = {"empty": [], "full": []}
    candidates = 0
    for _ in range(repeats):
        stories = [texts.story() for _ in range(probe)]
        for name, store in (("empty", empty), ("full", full)):
            us, found = _lookups(make_pipeline(store, "probe"), stories)
            times[name].append(us)
            candidates += found if name == "full" else 0
    full.close()
    empty.close()
    return {
        "stored": stored,
        "probe": probe,
        "repeats": repeats,
        "lookup_us_empty": statistics.median(times["empty"]),
        "lookup_us_full": statistics.median(times["full"]),
        "ratio": statistics.median(times["full"]) / statistics.median(times["empty"]),
        "spread_us": {k: [min(v), max(v)] for k, v in times.items()},
        "new_stories_with_a_candidate": candidates,
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench.syndication")
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("labelled", help="precision and recall on the labelled set")
    lab.add_argument("--seeds", type=int, default=0, help="also over N other MinHash seeds")
    lab.add_argument(
        "--method", choices=sorted(_METHODS), default=METHOD_VERSION, help="fingerprinting method"
    )
    lab.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()), help="scratch directory"
    )
    sc = sub.add_parser("scale", help="lookup cost as the store grows")
    sc.add_argument("dir", type=Path, help="a scratch directory for the stores")
    sc.add_argument("out", type=Path, help="where to write the figures (JSON)")
    sc.add_argument("--stories", type=int, default=1_000_000)
    sc.add_argument("--run-size", type=int, default=20_000)
    sc.add_argument("--probe", type=int, default=2_000)
    pr = sub.add_parser("probe", help="lookups in the store 'scale' left, against an empty one")
    pr.add_argument("dir", type=Path)
    pr.add_argument("--probe", type=int, default=2_000)
    pr.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.command == "probe":
        print(json.dumps(probe_existing(args.dir, args.probe, args.repeats), indent=1))
        return 0
    if args.command == "labelled":
        args.dir.mkdir(parents=True, exist_ok=True)
        print(labelled_report(args.dir, args.seeds, args.method))
        return 0
    result = scale(args.dir, args.stories, args.run_size, args.probe)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "curve"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
