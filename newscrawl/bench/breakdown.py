"""Where the first crawl's b/a goes: tagpage beside the bare spider with parts switched off.

``python -m newscrawl.bench.breakdown`` crawls the bench's English site (as ``make bench``
builds it) with the bare spider and with ``tagpage`` as shipped, then with syndication
off, then spidermon off as well, then the export off as well, each beside a bare crawl of
its own; the configurations alternate round by round, and each figure is the median
over the rounds. It says what each part costs a first crawl, not a target.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from newscrawl.bench.crawl import CrawlRun, run_crawl
from newscrawl.bench.runner import NOW
from newscrawl.bench.server import PrerenderedServer
from newscrawl.replica.site import build_site

#: Each step switches off one more part: (name, the setting it adds), passed as ``-s``.
#: The last leaves the spider and Scrapy's own per-item machinery: every story still goes
#: through the engine's item processing, into no pipeline (Scrapy's floor for the tail).
_STEPS: list[tuple[str, dict[str, str]]] = [
    ("as shipped", {}),
    ("syndication off", {"NEWSCRAWL_SYNDICATION_ENABLED": "0"}),
    ("and spidermon off", {"SPIDERMON_ENABLED": "0"}),
    ("and the export off", {"NEWSCRAWL_EXPORT_ENABLED": "0"}),
    ("and no item pipelines", {"ITEM_PIPELINES": "{}"}),
]


def _cumulative(steps: list[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, str]]]:
    configs, settings = [], {}
    for name, more in steps:
        settings = {**settings, **more}
        configs.append((name, settings))
    return configs


#: Each configuration's name and every setting it switches off.
CONFIGS = _cumulative(_STEPS)


def run(tags: int, rounds: int, work: Path) -> list[dict[str, float | str]]:
    site = build_site(n_tags_en=tags, n_tags_ar=0, pages_per_tag=5, cards_per_page=20, now=NOW)
    tags_file = work / "tags.txt"
    tags_file.write_text("\n".join(site.tags("en")) + "\n", encoding="utf-8")
    got: dict[str, dict[str, list[float]]] = {
        name: {"bare": [], "tagpage": [], "ratio": [], **{k: [] for k in _TAIL}}
        for name, _ in CONFIGS
    }
    with PrerenderedServer(site, variant="mixed") as server:
        for r in range(rounds):
            order = list(enumerate(CONFIGS))
            for at, (name, settings) in order if r % 2 == 0 else order[::-1]:
                runs = {}
                for spider in ("bare", "tagpage"):
                    place = work / f"{spider}-{r}-{at}"
                    runs[spider] = crawl = run_crawl(
                        server, spider, "en", tags_file, place, now=NOW, settings=settings
                    )
                    if crawl.returncode != 0:
                        raise RuntimeError(f"{spider} ({name}) exited {crawl.returncode}")
                    got[name][spider].append(crawl.cpu_s)
                _check_applied(name, settings, runs["tagpage"])
                ratio = runs["tagpage"].pages_per_min / runs["bare"].pages_per_min
                got[name]["ratio"].append(ratio)
                for part, seconds in tail_parts(runs["tagpage"]).items():
                    got[name][part].append(seconds)
                print(f"round {r + 1} {name}: b/a {ratio:.2f}", file=sys.stderr, flush=True)
    return [
        {
            "config": name,
            "bare_cpu_s": statistics.median(got[name]["bare"]),
            "tagpage_cpu_s": statistics.median(got[name]["tagpage"]),
            "ratio": statistics.median(got[name]["ratio"]),
            "ratio_min": min(got[name]["ratio"]),
            "ratio_max": max(got[name]["ratio"]),
            **{part: statistics.median(got[name][part]) for part in _TAIL},
        }
        for name, _ in CONFIGS
    ]


#: The parts of a run's end (seconds from the last page served to exit), from its stats.
_TAIL = ("tail_s", "release_s", "close_s")


def tail_parts(crawl: CrawlRun) -> dict[str, float]:
    """The last page to exit (``tail_s``); of it, the release (``release_s``: the held
    stories through Scrapy's item processing, the pipelines and the export's writes) and
    the seen-store's commit and promotion with the wait for the feeds (``close_s``)."""
    stats = crawl.stats
    close_ms = sum(
        float(stats.get(k) or 0)
        for k in (
            "newscrawl/dedupe/flush_ms",
            "newscrawl/dedupe/promote_ms",
            "newscrawl/feeds/worker_wait_ms",
        )
    )
    if "newscrawl/feeds/worker_wait_ms" not in stats:  # the feeds done in the process
        close_ms += float(stats.get("newscrawl/feeds/ms") or 0)
    return {
        "tail_s": crawl.after_last_page_s or 0.0,
        "release_s": float(stats.get("newscrawl/release/ms") or 0) / 1000,
        "close_s": close_ms / 1000,
    }


def _check_applied(name: str, settings: dict[str, str], crawl: CrawlRun) -> None:
    """The part switched off did not run, and the parts left on did (the crawl's stats)."""
    stats = crawl.stats
    on = {
        "syndication": settings.get("NEWSCRAWL_SYNDICATION_ENABLED") != "0",
        "spidermon": settings.get("SPIDERMON_ENABLED") != "0",
        "export": settings.get("NEWSCRAWL_EXPORT_ENABLED") != "0",
        "pipelines": settings.get("ITEM_PIPELINES") != "{}",
    }
    ran = {
        "syndication": any(k.startswith("newscrawl/syndication/") for k in stats),
        "spidermon": any(k.startswith("spidermon") for k in stats),
        "export": crawl.items > 0,
        "pipelines": any(k.startswith("newscrawl/dates/") for k in stats),
    }
    wrong = [part for part in on if on[part] != ran[part]]
    if not on["pipelines"] and stats.get("item_scraped_count") != stats.get("newscrawl/stories"):
        wrong.append("items (every story must still go through Scrapy's item processing)")
    if wrong:
        raise RuntimeError(f"tagpage ({name}): {', '.join(wrong)} not as configured")


def table(rows: list[dict[str, float | str]]) -> str:
    lines = [
        "| tagpage | CPU s, bare | CPU s, tagpage | b/a (pages/min) | last page → exit, s"
        " | of it: release, s | of it: store and feeds at close, s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['config']} | {row['bare_cpu_s']:.1f} | {row['tagpage_cpu_s']:.1f} |"
            f" {row['ratio']:.2f} ({row['ratio_min']:.2f}–{row['ratio_max']:.2f}) |"
            f" {row['tail_s']:.2f} | {row['release_s']:.2f} | {row['close_s']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench.breakdown")
    parser.add_argument("--tags", type=int, default=250, help="English hashtags (bench: 250)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newscrawl-breakdown-"))
    try:
        print(table(run(args.tags, args.rounds, work)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
