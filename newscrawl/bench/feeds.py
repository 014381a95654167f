"""What updating the hashtag feeds costs after a run, at the demo's size and at a large run.

    python -m newscrawl.bench.feeds [--repeats 5] [--out DIR]

Exports are made from the replica's model (``build_site``: its stories, their hashtags
and dates, as a crawl exports them) and applied as the extension applies them
(``FeedWriter.apply``: read the export, merge, write the feeds it touches, fsynced). Each
case is measured ``--repeats`` times on a fresh data dir, the cases alternating; the median
is printed with its spread, wall-clock and CPU (the files' fsyncs are in the wall time).

- **demo**: the replica ``make demo`` serves (8 English and 4 Arabic hashtags), its stories
  in two English runs and one Arabic run;
- **large**: the bench replica (250 English and 250 Arabic hashtags, 5 pages of 20 cards),
  every story in one run per language, into empty feeds;
- **steady**: after the large runs, an hourly run of 20 new stories (the cost must not grow
  with the stories the feeds have seen).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from newscrawl.feeds.store import FeedStore
from newscrawl.feeds.writer import FeedConfig, FeedWriter
from newscrawl.items import SCHEMA_VERSION
from newscrawl.replica.site import Site, build_site

NOW = "2025-06-12T09:30:00Z"
SITE = "https://www.daily8.com"


def _records(site: Site, lang: str, crawled_at: str) -> list[dict[str, Any]]:
    out = []
    for rec in site.expected(lang, site.tags(lang), max_pages=10).values():
        out.append(
            {
                **rec,
                "url": SITE + rec["url"],
                "story_hashtags": None,
                "body": None,
                "duplicate_of": None,
                "crawled_at": crawled_at,
                "schema_version": SCHEMA_VERSION,
            }
        )
    # In the order a crawl exports them: earliest first, undated last (StoryRelease.order).
    return sorted(out, key=lambda r: (r["published"] or "~", r["id"]))


def _export(data_dir: Path, run_id: str, records: list[dict[str, Any]]) -> Path:
    path = data_dir / "exports" / "tagpage" / f"{run_id}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def _config(data_dir: Path) -> FeedConfig:
    return FeedConfig(
        data_dir=data_dir,
        site_base_url=SITE,
        feed_base_url="https://feeds.example.org/",
        entries=50,
        timezone="Asia/Dubai",
    )


def _runs(site: Site, split_en: int) -> list[tuple[str, list[dict[str, Any]]]]:
    en = _records(site, "en", "2025-06-12T09:30:00Z")
    ar = _records(site, "ar", "2025-06-12T09:31:00Z")
    step = -(-len(en) // split_en)
    runs = [
        (f"20250612T0930{i:02d}Z-00000{i}", en[i * step : (i + 1) * step]) for i in range(split_en)
    ]
    runs.append(("20250612T093100Z-0000aa", ar))
    return runs


def measure(runs: list[tuple[str, list[dict[str, Any]]]], root: Path) -> list[dict[str, float]]:
    """Apply *runs* in order on a fresh data dir: per run wall and CPU ms, stories, feeds."""
    data_dir = Path(tempfile.mkdtemp(dir=root))
    try:
        paths = [(run_id, _export(data_dir, run_id, recs)) for run_id, recs in runs]
        config = _config(data_dir)
        store = FeedStore(config.state_path, config.window)
        writer = FeedWriter(config, store)
        out = []
        for run_id, path in paths:
            wall, cpu = time.perf_counter(), time.process_time()
            applied = writer.apply(run_id, path)
            out.append(
                {
                    "wall_ms": (time.perf_counter() - wall) * 1000,
                    "cpu_ms": (time.process_time() - cpu) * 1000,
                    "stories": applied.records,
                    "feeds": applied.feeds,
                    "written": applied.written,
                }
            )
        store.close()
        return out
    finally:
        shutil.rmtree(data_dir)


def _steady(site: Site) -> list[tuple[str, list[dict[str, Any]]]]:
    runs = _runs(site, 1)
    en = runs[0][1]
    # 20 stories seen again as new ones: fresh ids, dated after everything before.
    fresh = [
        {**r, "id": f"{i:032x}", "published": "2025-06-12T10:29:00Z", "crawled_at": NOW}
        for i, r in enumerate(en[:20])
    ]
    for r in fresh:
        r["url"] = f"{SITE}/en/article/{r['id']}"
    return [*runs, ("20250612T103000Z-0000ff", fresh)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench.feeds", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="scratch dir (default: a temp)")
    args = parser.parse_args(argv)
    demo_site = build_site(now=NOW)
    large_site = build_site(
        n_tags_en=250, n_tags_ar=250, pages_per_tag=5, cards_per_page=20, now=NOW
    )
    cases = {
        "demo": _runs(demo_site, 2),
        "large": _runs(large_site, 1),
        "steady": _steady(large_site),
    }
    root = Path(tempfile.mkdtemp(dir=args.out))
    results: dict[str, list[list[dict[str, float]]]] = {name: [] for name in cases}
    try:
        for _ in range(args.repeats):
            for name, runs in cases.items():
                results[name].append(measure(runs, root))
    finally:
        shutil.rmtree(root)
    print(f"{'case':8} {'run':>3} {'stories':>8} {'feeds':>6} {'wall ms':>18} {'cpu ms':>18}")
    for name, reps in results.items():
        for i in range(len(reps[0])):
            if name == "steady" and i < len(reps[0]) - 1:
                continue  # the large runs again: only the hourly run after them is the case
            walls = [r[i]["wall_ms"] for r in reps]
            cpus = [r[i]["cpu_ms"] for r in reps]
            first = reps[0][i]
            print(
                f"{name:8} {i + 1:>3} {first['stories']:>8} {first['feeds']:>6}"
                f" {statistics.median(walls):>8.1f} ({min(walls):.0f}-{max(walls):.0f})"
                f" {statistics.median(cpus):>8.1f} ({min(cpus):.0f}-{max(cpus):.0f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
