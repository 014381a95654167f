"""``python -m newscrawl.bench``: every benchmark part, then ``BENCHMARKS.md``.

1. Build a large replica (both languages, mixed markup, stories listed under several
   hashtags), pre-render it and serve it on loopback; measure the server's own ceiling.
2. Crawl it with the bare spider and with ``tagpage`` (every pipeline and the export),
   alternating which goes first, per language, ``--repeats`` times; medians and spread.
3. The date normaliser beside dateparser, and the seen-store up to a million stories,
   each in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from newscrawl.bench import extract as extract_bench
from newscrawl.bench import profile as profiling
from newscrawl.bench.crawl import ROOT, CrawlRun, export_ids, heavy_imports, run_crawl
from newscrawl.bench.dates import corpus_from_site
from newscrawl.bench.server import Ceiling, PrerenderedServer, listing_paths, measure_ceiling
from newscrawl.replica.site import build_site

NOW = "2025-06-12T09:30:00Z"
SPIDERS = ("bare", "tagpage")


@dataclass(frozen=True)
class Plan:
    """How big each part is: the full benchmark or the quick smoke run."""

    tags_en: int
    tags_ar: int
    pages: int
    cards: int
    repeats: int
    ceiling_s: float
    date_passes: int
    stories: int
    run_size: int
    store_repeats: int
    extract_pages: int
    #: The memory case: this many times the English hashtags, ``scale_repeats`` crawls per
    #: spider (one each gave a 10x b/a of 0.72 in one bench run and 0.63 in the next).
    scale: int = 10
    scale_repeats: int = 3


FULL = Plan(250, 250, 5, 20, 3, 5.0, 15, 1_000_000, 20_000, 5, 200)
QUICK = Plan(6, 4, 2, 5, 1, 0.5, 2, 20_000, 2_000, 1, 10, scale=3, scale_repeats=1)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(values: list[float], fmt: str = "{:.0f}") -> str:
    if len(values) < 2:
        return ""
    return f" ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="ascii").split(" ", 3)[:3].__str__()
    except OSError:
        return "?"


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text(encoding="ascii").split()[1])
        mem = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    import lxml.etree

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": (
            f"Scrapy {_pkg('scrapy')}, Twisted {_pkg('twisted')}, lxml {_pkg('lxml')} "
            f"(libxml2 {'.'.join(map(str, lxml.etree.LIBXML_VERSION))}), "
            f"dateparser {_pkg('dateparser')}, SQLite {sqlite3.sqlite_version}"
        ),
    }


# --- the parts ------------------------------------------------------------------------------


def crawl_part(
    plan: Plan, server: PrerenderedServer, site: Any, work: Path, log: Any
) -> dict[str, Any]:
    """Alternated bare/tagpage crawls per language; per-repeat totals over both languages."""
    tags_files = {}
    for lang in ("en", "ar"):
        tags_files[lang] = work / f"tags-{lang}.txt"
        tags_files[lang].write_text("\n".join(site.tags(lang)) + "\n", encoding="utf-8")
    runs: list[dict[str, CrawlRun]] = []
    problems: list[str] = []
    repeat: dict[str, dict[str, CrawlRun]] = {}
    for r in range(plan.repeats):
        per: dict[str, CrawlRun] = {}
        for i, lang in enumerate(("en", "ar")):
            order = SPIDERS if (r + i) % 2 == 0 else SPIDERS[::-1]
            for spider in order:
                where = work / f"crawl-{r}-{lang}-{spider}"
                run = run_crawl(server, spider, lang, tags_files[lang], where, now=NOW)
                per[f"{spider}/{lang}"] = run
                log(
                    f"  repeat {r + 1} {lang} {spider:8}: {run.pages} pages in {run.wall_s:.1f} s"
                    f" ({run.pages_per_min:.0f}/min), {run.items} items, CPU {run.cpu_s:.1f} s,"
                    f" peak RSS {run.maxrss_mib:.0f} MiB, start-up {run.startup_s or 0:.2f} s"
                )
                if run.returncode != 0:
                    problems.append(f"{spider}/{lang} exited {run.returncode}: see {run.log}")
            bare, real = per[f"bare/{lang}"], per[f"tagpage/{lang}"]
            if bare.hits != real.hits:
                problems.append(f"repeat {r + 1} {lang}: the two spiders fetched different pages")
            expected = site.expected(lang, site.tags(lang), max_pages=10)
            if sorted(export_ids(real)) != sorted(expected):
                problems.append(f"repeat {r + 1} {lang}: tagpage's export is not the oracle's")
            if real.dateparser_loaded:
                problems.append(f"repeat {r + 1} {lang}: dateparser was imported")
            if r == 0:
                # The cron case: the same site crawled again into the same data dir, nothing
                # new to export (every story is seen), beside this repeat's bare crawl.
                where = work / f"crawl-{r}-{lang}-tagpage-again"
                shutil.copytree(work / f"crawl-{r}-{lang}-tagpage" / "data", where / "data")
                again = run_crawl(server, "tagpage", lang, tags_files[lang], where, now=NOW)
                log(
                    f"  repeat {r + 1} {lang} again   : {again.pages} pages in {again.wall_s:.1f} s"
                    f" ({again.pages_per_min:.0f}/min), {again.items} items, CPU"
                    f" {again.cpu_s:.1f} s"
                )
                if again.hits != bare.hits:
                    problems.append(f"{lang} again: it fetched other pages than the bare spider")
                if again.items != 0 or again.returncode != 0:
                    problems.append(
                        f"{lang} again: exported {again.items}, exited {again.returncode}"
                    )
                repeat[lang] = {"again": again, "bare": bare}
                shutil.rmtree(where / "data", ignore_errors=True)
            for spider in SPIDERS:  # keep the logs and probes, drop the exports
                shutil.rmtree(work / f"crawl-{r}-{lang}-{spider}" / "data", ignore_errors=True)
        runs.append(per)
    return {"runs": runs, "problems": problems, "again": repeat}


def summarise_crawls(runs: list[dict[str, CrawlRun]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spider in SPIDERS:
        keys = [k for k in runs[0] if k.startswith(spider + "/")]
        pages = [sum(r[k].pages for k in keys) for r in runs]
        wall = [sum(r[k].wall_s for k in keys) for r in runs]
        cpu = [sum(r[k].cpu_s for k in keys) for r in runs]
        items = [sum(r[k].items for k in keys) for r in runs]
        cards = [sum(r[k].cards for k in keys) for r in runs]
        out[spider] = {
            "pages": pages[0],
            "items": items[0],
            "cards": cards[0],
            "pages_per_min": [p / w * 60 for p, w in zip(pages, wall, strict=True)],
            "items_per_s": [i / w for i, w in zip(items, wall, strict=True)],
            "pages_per_cpu_s": [p / c for p, c in zip(pages, cpu, strict=True)],
            "cpu_s": cpu,
            "wall_s": wall,
            "rss": {k.split("/")[1]: [r[k].maxrss_mib for r in runs] for k in keys},
            "rss_crawled": {
                k.split("/")[1]: [r[k].rss_crawled_mib or 0.0 for r in runs] for k in keys
            },
            "after_last_page_s": {
                k.split("/")[1]: [r[k].after_last_page_s or 0.0 for r in runs] for k in keys
            },
            "startup": [r[k].startup_s for r in runs for k in keys if r[k].startup_s is not None],
            "per_lang": {
                k.split("/")[1]: {
                    "pages": runs[0][k].pages,
                    "items": runs[0][k].items,
                    "pages_per_min": [r[k].pages_per_min for r in runs],
                }
                for k in keys
            },
        }
    b, a = out["tagpage"], out["bare"]
    out["ratio"] = [x / y for x, y in zip(b["pages_per_min"], a["pages_per_min"], strict=True)]
    out["ratio_cpu"] = [
        x / y for x, y in zip(b["pages_per_cpu_s"], a["pages_per_cpu_s"], strict=True)
    ]
    out["dates"] = _first_repeat_stats(runs, "newscrawl/dates/")
    out["syndication"] = _first_repeat_stats(runs, "newscrawl/syndication/")
    out["dateparser_loaded"] = any(
        r[f"tagpage/{lang}"].dateparser_loaded for r in runs for lang in ("en", "ar")
    )
    return out


def _first_repeat_stats(runs: list[dict[str, CrawlRun]], prefix: str) -> dict[str, int]:
    """tagpage's stats under *prefix* in the first repeat, both languages added up, keyed by
    what follows the prefix."""
    first = runs[0]
    names = [k for k in first["tagpage/en"].stats if k.startswith(prefix)]
    return {
        k[len(prefix) :]: sum(first[f"tagpage/{lang}"].stats.get(k, 0) for lang in ("en", "ar"))
        for k in names
    }


def child(module: str, *args: str, timeout: float = 900) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, check=True, timeout=timeout
    )


def dates_part(plan: Plan, site: Any, work: Path) -> dict[str, Any]:
    corpus = work / "dates-corpus.json"
    corpus.write_text(json.dumps(corpus_from_site(site), ensure_ascii=False), encoding="utf-8")
    out = work / "dates.json"
    child(
        "newscrawl.bench.dates",
        str(corpus),
        str(out),
        "--now",
        NOW,
        "--passes",
        str(plan.date_passes),
    )
    return json.loads(out.read_text(encoding="utf-8"))


def store_part(plan: Plan, work: Path) -> dict[str, Any]:
    out = work / "seenstore.json"
    child(
        "newscrawl.bench.seenstore",
        str(work / "seenstore"),
        str(out),
        "--stories",
        str(plan.stories),
        "--run-size",
        str(plan.run_size),
        "--repeats",
        str(plan.store_repeats),
    )
    shutil.rmtree(work / "seenstore", ignore_errors=True)
    return json.loads(out.read_text(encoding="utf-8"))


def startup_part(server: PrerenderedServer, site: Any, work: Path) -> dict[str, Any]:
    """One tagpage crawl of a single hashtag under ``-X importtime``: what start-up imports."""
    tags = work / "tags-startup.txt"
    tags.write_text(site.tags("en")[0] + "\n", encoding="utf-8")
    run = run_crawl(
        server, "tagpage", "en", tags, work / "startup", now=NOW, python_flags=["-X", "importtime"]
    )
    return {"startup_s": run.startup_s, "imports": heavy_imports(run.log) if run.log else []}


def scale_part(plan: Plan, work: Path, log: Any) -> dict[str, Any]:
    """The memory case: a site with ``plan.scale`` times the English hashtags (so about as
    many times the stories), crawled ``plan.scale_repeats`` times by each spider, the order
    alternated (bare first in the first repeat)."""
    site = build_site(
        n_tags_en=plan.tags_en * plan.scale,
        n_tags_ar=0,
        pages_per_tag=plan.pages,
        cards_per_page=plan.cards,
        now=NOW,
    )
    tags = work / "tags-scale.txt"
    tags.write_text("\n".join(site.tags("en")) + "\n", encoding="utf-8")
    runs: dict[str, list[CrawlRun]] = {spider: [] for spider in SPIDERS}
    with PrerenderedServer(site, variant="mixed") as server:
        log(f"  {plan.scale}x site: pages rendered in {server.render_seconds:.1f} s")
        for r in range(plan.scale_repeats):
            for spider in SPIDERS if r % 2 == 0 else SPIDERS[::-1]:
                run = run_crawl(
                    server, spider, "en", tags, work / f"scale-{spider}-{r}", now=NOW, timeout=3600
                )
                if run.returncode != 0:
                    raise RuntimeError(
                        f"{spider} exited {run.returncode} on the {plan.scale}x site"
                    )
                log(
                    f"  {plan.scale}x en {spider:8}: {run.pages} pages in {run.wall_s:.1f} s, "
                    f"{run.items} items, peak RSS {run.maxrss_mib:.0f} MiB"
                )
                runs[spider].append(run)
    return {"scale": plan.scale, "runs": runs}


def _scale_median(scale: dict[str, Any], spider: str, figure: str) -> float:
    """The median of one figure (a CrawlRun attribute) over the memory case's repeats."""
    return _median([getattr(run, figure) or 0.0 for run in scale["runs"][spider]])


def profile_part(server: PrerenderedServer, site: Any, work: Path) -> str:
    """One ``tagpage`` crawl (English) under py-spy; its CPU by where it went."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    raw = work / "profile-tagpage.txt"
    tags = work / "tags-en.txt"
    run_crawl(
        server,
        "tagpage",
        "en",
        tags,
        work / "profile",
        now=NOW,
        wrap=[spy, "record", "--rate", "200", "--format", "raw", "--output", str(raw), "--"],
    )
    return profiling.render(raw)


# --- the report -----------------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(
    plan: Plan,
    info: dict[str, Any],
    site_info: dict[str, Any],
    ceiling: Ceiling | None,
    crawl: dict[str, Any] | None,
    extraction: dict[str, Any] | None,
    dates: dict[str, Any] | None,
    store: dict[str, Any] | None,
    profile: str | None,
    argv: list[str],
    scale: dict[str, Any] | None = None,
) -> str:
    cmd = "make bench" + (f" BENCH_ARGS='{' '.join(argv)}'" if argv else "")
    out = [
        "# Benchmarks",
        "",
        f"Written by `{cmd}` (`python -m newscrawl.bench {' '.join(argv)}`) on "
        f"{info['date']}, in {info['elapsed_s'] / 60:.1f} min. Regenerate rather than edit.",
        "",
        "## Machine",
        "",
        f"- {info['cpu']}, {info['memory']}, {info['os']}, Python {info['python']}",
        f"- {info['versions']}",
        f"- Load average (1, 5, 15 min) at the start {info['load_start']}, at the end "
        f"{info['load_end']}. The machine is shared: other work running at the same time "
        "shows up as spread between repeats.",
        "- The replica's server and the crawler run on the same 2 cores and compete for them: "
        "the server runs in the bench's process (one thread, asyncio), each crawl in its own "
        "process. A crawl is CPU-bound on one core; the server needs a small share of the other.",
        "",
    ]
    rows: list[tuple[str, str, str, str]] = []
    if crawl:
        s = crawl["summary"]
        ratio = _median(s["ratio"])
        rows.append(
            (
                "crawl: tagpage / bare pages per min (b/a)",
                "≥ 0.90",
                f"{ratio:.2f}{_spread(s['ratio'], '{:.2f}')}",
                _yes(ratio >= 0.90),
            )
        )
        rows.append(
            (
                "crawl: dateparser imported by a fast-path-only crawl",
                "no",
                "yes" if s["dateparser_loaded"] else "no",
                _yes(not s["dateparser_loaded"]),
            )
        )
    if dates:
        rows.append(
            (
                "dates: median per date",
                "≤ 10 µs",
                f"{dates['ours']['median_us']:.1f} µs (p99 {dates['ours']['p99_us']:.1f} µs)",
                _yes(dates["ours"]["median_us"] <= 10),
            )
        )
        rows.append(
            (
                "dates: faster than dateparser (median)",
                "≥ 100×",
                f"{dates['speedup_median']:.0f}×",
                _yes(dates["speedup_median"] >= 100),
            )
        )
        a = dates["answers"]
        rows.append(
            (
                "dates: same answer where dateparser is right",
                "all",
                f"{a['agree_where_dateparser_right']} of {a['dateparser_right']}",
                _yes(a["agree_where_dateparser_right"] == a["dateparser_right"]),
            )
        )
    if store:
        rows.append(
            (
                f"seen-store: process RSS at {store['stories']:,} stories",
                "≤ 100 MB",
                f"{store['rss_peak_mib']:.0f} MiB peak",
                _yes(store["rss_peak_mib"] * 1.048576 <= 100),
            )
        )
        rows.append(
            (
                f"seen-store: per-story cost at {store['stories']:,} / empty",
                "≤ 1.2×",
                f"{store['ratio_run']:.2f}×",
                _yes(store["ratio_run"] <= 1.2),
            )
        )
    if scale and crawl:
        small = crawl["summary"]["tagpage"]
        big_peak = _scale_median(scale, "tagpage", "maxrss_mib")
        big_tail = _scale_median(scale, "tagpage", "after_last_page_s")
        peak = big_peak / _median(small["rss"]["en"])
        rows.append(
            (
                f"memory: tagpage's peak RSS, {scale['scale']}x the English stories / 1x",
                "≤ 1.5×",
                f"{peak:.2f}× ({big_peak:.0f} / {_median(small['rss']['en']):.0f} MiB)",
                _yes(peak <= 1.5),
            )
        )
        near = _scale_ratio(scale) - _en_ratio(crawl)
        rows.append(
            (
                f"crawl: b/a at {scale['scale']}x minus b/a at 1x (English)",
                "within ±0.05",
                f"{near:+.2f} ({_scale_ratio(scale):.2f} against {_en_ratio(crawl):.2f})",
                _yes(abs(near) <= 0.05),
            )
        )
        rows.append(
            (
                "end of run: seconds from the last page served to exit, 1x / "
                f"{scale['scale']}x (English, unthrottled)",
                "≤ 2 s (against a throttled site)",
                f"{_median(small['after_last_page_s']['en']):.1f} / {big_tail:.1f} s",
                _yes(max(_median(small["after_last_page_s"]["en"]), big_tail) <= 2),
            )
        )
    if crawl:
        st = crawl["summary"]["tagpage"]["startup"]
        rows.append(
            (
                "start-up: `scrapy crawl tagpage` to first request",
                "(reported)",
                f"{_median(st):.2f} s{_spread(st, '{:.2f}')}",
                "",
            )
        )
    out += ["## Targets", "", "| figure | target | measured | met |", "| --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out.append("")

    out += [
        "## Site and server",
        "",
        f"Replica `build_site(n_tags_en={plan.tags_en}, n_tags_ar={plan.tags_ar}, "
        f"pages_per_tag={plan.pages}, cards_per_page={plan.cards})`, markup variant `mixed` "
        "(the four markups page by page). The replica gives some tags fewer pages and a partly "
        "filled last page, and lists about one story in five under several hashtags.",
        "",
        "| | en | ar |",
        "| --- | ---: | ---: |",
        f"| hashtags | {site_info['tags']['en']} | {site_info['tags']['ar']} |",
        f"| listing pages | {site_info['pages']['en']:,} | {site_info['pages']['ar']:,} |",
        f"| story cards | {site_info['cards']['en']:,} | {site_info['cards']['ar']:,} |",
        f"| distinct stories | {site_info['stories']['en']:,} | {site_info['stories']['ar']:,} |",
        "",
        f"All {site_info['pages']['en'] + site_info['pages']['ar']:,} pages "
        f"({site_info['html_mb']:.0f} MB of HTML) are rendered to complete HTTP responses "
        f"before any crawl ({site_info['render_s']:.1f} s) and served from a dict by an asyncio "
        "server (`newscrawl/bench/server.py`).",
        "",
    ]
    if ceiling:
        out += [
            f"Server ceiling, alone: **{ceiling.per_second:,.0f} requests/s** "
            f"({ceiling.per_minute:,.0f} pages/min, {ceiling.megabytes / ceiling.seconds:,.0f} "
            f"MB/s) over the same listing pages, {ceiling.tool}, {ceiling.connections} "
            f"keep-alive connections, {ceiling.seconds:.1f} s."
            + (_headroom(crawl, ceiling) if crawl else ""),
            "",
        ]
    if crawl:
        out += _crawl_section(plan, crawl)
    if scale:
        out += _scale_section(scale)
    if extraction:
        out += _extract_section(extraction)
    if dates:
        out += _dates_section(dates)
    if store:
        out += _store_section(store)
    if profile:
        out += [
            "## Profile of one tagpage crawl (English)",
            "",
            "py-spy at 200 Hz over the whole process (`--profile`); the profiler slows the run.",
            "",
            profile,
        ]
    notes = Path(__file__).with_name("NOTES.md")
    if notes.exists():
        out += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(out) + "\n"


def _headroom(crawl: dict[str, Any], ceiling: Ceiling) -> str:
    fastest = max(crawl["summary"]["bare"]["pages_per_min"])
    return (
        f" The fastest crawl below fetched {fastest:,.0f} pages/min, "
        f"{fastest / ceiling.per_minute:.1%} of it: the server is not the bottleneck."
    )


def _en_ratio(crawl: dict[str, Any]) -> float:
    per = {k: crawl["summary"][k]["per_lang"]["en"]["pages_per_min"] for k in SPIDERS}
    return _median(per["tagpage"]) / _median(per["bare"])


def _scale_ratio(scale: dict[str, Any]) -> float:
    """b/a of the memory case: the median pages/min of tagpage over bare's."""
    tagpage = _scale_median(scale, "tagpage", "pages_per_min")
    return tagpage / _scale_median(scale, "bare", "pages_per_min")


def _scale_section(scale: dict[str, Any]) -> list[str]:
    runs = scale["runs"]
    a, b = runs["bare"][0], runs["tagpage"][0]
    repeats = len(runs["tagpage"])
    pairs = zip(runs["tagpage"], runs["bare"], strict=True)
    ratios = [t.pages_per_min / r.pages_per_min for t, r in pairs]
    out = [
        f"## Memory: {scale['scale']}x the English stories in one run",
        "",
        f"A site of {scale['scale']} times the English hashtags (same pages per hashtag, same "
        f"markup mix), {a.pages:,} listing pages and {b.items:,} distinct stories, crawled "
        f"{repeats} time(s) by each spider (the order alternated, bare first) with the same "
        "settings as above; medians (min–max).",
        "",
        "| | pages/min | CPU s | peak RSS (MiB) | RSS at the last page (MiB) "
        "| seconds from the last page to exit |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, spider in (("(a) bare Scrapy", "bare"), ("(b) tagpage", "tagpage")):
        ppm = [r.pages_per_min for r in runs[spider]]
        out.append(
            f"| {name} | {_median(ppm):,.0f}{_spread(ppm)} "
            f"| {_scale_median(scale, spider, 'cpu_s'):.1f} "
            f"| {_scale_median(scale, spider, 'maxrss_mib'):.0f} "
            f"| {_scale_median(scale, spider, 'rss_crawled_mib'):.0f} "
            f"| {_scale_median(scale, spider, 'after_last_page_s'):.1f} |"
        )
    out += [
        f"| **b/a** | **{_scale_ratio(scale):.2f}**{_spread(ratios, '{:.2f}')} | | | | |",
        "",
    ]
    return out


def _crawl_section(plan: Plan, crawl: dict[str, Any]) -> list[str]:
    s = crawl["summary"]
    a, b = s["bare"], s["tagpage"]
    out = [
        "## Crawl: bare Scrapy (a) beside tagpage (b)",
        "",
        "Both run as `python -m scrapy crawl SPIDER -a lang=LANG -a tags_file=FILE` with "
        "`SCRAPY_SETTINGS_MODULE=newscrawl.bench.settings` (the `settings_loopback` layer: "
        "16 concurrent requests, no delay, robots.txt obeyed) and fetch exactly the same pages "
        "(checked per run from the server's log). (a) `newscrawl/bench/spiders.py` yields one "
        "dict per story link on the page, with no pipeline, export or report; (b) is the "
        "project's spider with every pipeline, the JSON Lines export and the run report. "
        f"{plan.repeats} repeat(s), each an English and an Arabic crawl per spider, the order "
        "alternated; figures are per repeat over both languages: median (min–max). Wall time "
        "is from process start to exit, start-up included.",
        "",
        "| | pages | items out | pages/min | items/s | CPU s | pages per CPU s |"
        " peak RSS en / ar (MiB) | start-up (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, x in (("(a) bare Scrapy", a), ("(b) tagpage", b)):
        rss = " / ".join(f"{_median(x['rss'][lang]):.0f}" for lang in ("en", "ar"))
        out.append(
            f"| {label} | {x['pages']:,} | {x['items']:,} | "
            f"{_median(x['pages_per_min']):,.0f}{_spread(x['pages_per_min'])} | "
            f"{_median(x['items_per_s']):,.0f}{_spread(x['items_per_s'])} | "
            f"{_median(x['cpu_s']):.1f} | {_median(x['pages_per_cpu_s']):.0f} | {rss} | "
            f"{_median(x['startup']):.2f} |"
        )
    out.append(
        f"| **b/a** | | | **{_median(s['ratio']):.2f}**{_spread(s['ratio'], '{:.2f}')} | | | "
        f"{_median(s['ratio_cpu']):.2f}{_spread(s['ratio_cpu'], '{:.2f}')} | | |"
    )
    out += [
        "",
        "Items: (a) yields one dict per story link per page (cards, in-page copies merged); "
        "(b) exports each distinct story once, with every hashtag that listed it.",
        "",
        "Memory and the end of a run (median): tagpage holds every story until the last "
        "listing is crawled, then sends them through the pipelines.",
        "",
        "| | RSS at the last page served, en / ar (MiB) | peak RSS, en / ar (MiB) |"
        " seconds from the last page to exit, en / ar |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, x in (("(a) bare Scrapy", a), ("(b) tagpage", b)):
        at = " / ".join(f"{_median(x['rss_crawled'][lang]):.0f}" for lang in ("en", "ar"))
        peak = " / ".join(f"{_median(x['rss'][lang]):.0f}" for lang in ("en", "ar"))
        tail = " / ".join(f"{_median(x['after_last_page_s'][lang]):.1f}" for lang in ("en", "ar"))
        out.append(f"| {label} | {at} | {peak} | {tail} |")
    out += [
        "",
        "| per language (median pages/min) | (a) bare | (b) tagpage | b/a |",
        "| --- | ---: | ---: | ---: |",
    ]
    for lang in ("en", "ar"):
        pa = _median(a["per_lang"][lang]["pages_per_min"])
        pb = _median(b["per_lang"][lang]["pages_per_min"])
        out.append(
            f"| {lang}: {a['per_lang'][lang]['pages']:,} pages, "
            f"{b['per_lang'][lang]['items']:,} stories | {pa:,.0f} | {pb:,.0f} | {pb / pa:.2f} |"
        )
    again = crawl.get("again")
    if again:
        out += [
            "",
            "The cron case, (b′): tagpage crawls the same site again into the first repeat's "
            "data dir, so every story is already seen and nothing is exported (the same pages "
            "are fetched: the stop rule is per run). Beside that repeat's bare crawl:",
            "",
            "| | pages | items out | pages/min (a) | pages/min (b′) | CPU s (a) | CPU s (b′) |"
            " b′/a |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for lang in ("en", "ar"):
            x, y = again[lang]["bare"], again[lang]["again"]
            out.append(
                f"| {lang} | {y.pages:,} | {y.items:,} | {x.pages_per_min:,.0f} | "
                f"{y.pages_per_min:,.0f} | {x.cpu_s:.1f} | {y.cpu_s:.1f} | "
                f"{y.pages_per_min / x.pages_per_min:.2f} |"
            )
    startup = crawl.get("startup")
    if startup:
        heavy = ", ".join(f"{name} {sec:.2f}" for name, sec in startup["imports"])
        out += [
            "",
            f"Start-up, process start to the first request at the server: tagpage "
            f"{_median(b['startup']):.2f} s, bare {_median(a['startup']):.2f} s (median of every "
            "crawl above; bytecode cached, as an installed project runs). What a tagpage "
            f"start-up imports, costliest packages (s, cumulative, `-X importtime`): {heavy}.",
        ]
    dates = ", ".join(f"{k} {v:,}" for k, v in sorted(s["dates"].items()))
    out += [
        "",
        f"Dates in (b), first repeat: {dates}. dateparser imported by any (b) crawl: "
        f"{'yes' if s['dateparser_loaded'] else 'no'} (checked in the crawl process at its end "
        "by `newscrawl/bench/probe.py`).",
        "",
    ]
    synd = ", ".join(f"{k} {v:,}" for k, v in sorted(s.get("syndication", {}).items()))
    if synd:
        out += [
            f"Syndication in (b), first repeat, both languages: {synd} (the replica has no "
            "syndicated copies: a copy found here is two unrelated stories whose texts share "
            "most of their 3-word shingles, such as two cards without an excerpt whose "
            "headlines of one template differ by two words).",
            "",
        ]
    if crawl["problems"]:
        out += ["Problems seen:", ""] + [f"- {p}" for p in crawl["problems"]] + [""]
    return out


def _extract_section(x: dict[str, Any]) -> list[str]:
    return [
        "## Extraction beside lxml's parse",
        "",
        f"`daily8.parse_listing` on {x['pages']} pre-rendered listing pages "
        f"({x['cards_per_page']:.1f} cards each, the four markups), in the bench's process, "
        f"median of {x['passes']} passes; beside `lxml.html.fromstring` of the same pages, "
        "the parse Scrapy does for any spider that reads a response.",
        "",
        "| | µs per page | µs per card |",
        "| --- | ---: | ---: |",
        f"| lxml parse (every spider) | {x['parse_us_per_page']:,.0f} | |",
        f"| `parse_listing` (newscrawl) | {x['extract_us_per_page']:,.0f} | "
        f"{x['extract_us_per_card']:,.0f} |",
        f"| ratio | {x['extract_us_per_page'] / x['parse_us_per_page']:.1f}× | |",
        "",
    ]


def _dates_section(d: dict[str, Any]) -> list[str]:
    o, p, a = d["ours"], d["dateparser"], d["answers"]
    shapes = ", ".join(f"{k} {v}" for k, v in d["shapes"].items())
    out = [
        "## Date normaliser beside dateparser",
        "",
        f"Corpus: {d['n']} texts ({shapes}): every distinct date text the site prints, with "
        "the value the replica knows to be right, and (`library`) a sample of what moment, "
        "date-fns, dayjs and node's Intl print in en and ar locales (`tests/jsdates`), with "
        "the value the text says. `DateNormaliser.normalise(text, lang)` is timed per "
        f"call over {o['passes']} shuffled passes (each text's median, then median and p99 "
        "over texts; garbage collection paused); `dateparser.parse(text, languages=[lang], "
        "settings=...)` (day first, the zone, the same `now`) once per text after a warm-up "
        "call per language. Separate process.",
        "",
        "| | median µs | p99 µs | per story, weighted by the site's use (µs) |",
        "| --- | ---: | ---: | ---: |",
        f"| newscrawl `DateNormaliser` | {o['median_us']:.1f} | {o['p99_us']:.1f} | "
        f"{o['per_story_mean_us']:.1f} |",
        f"| `dateparser.parse` {p['version']} | {p['median_us']:,.0f} | {p['p99_us']:,.0f} | |",
        f"| **speed-up** | **{d['speedup_median']:,.0f}×** | {p['p99_us'] / o['p99_us']:,.0f}× | |",
        "",
        "Median per shape (µs): "
        + ", ".join(f"{k} {v:.1f}" for k, v in o["by_shape_median_us"].items())
        + f". Timer overhead per call {o['timer_overhead_us']:.2f} µs (not subtracted).",
        "",
        f"dateparser import {p['import_s'] * 1000:.0f} ms, first call "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in p["first_call_s"].items())
        + f"; imported while the normaliser ran the corpus: "
        f"{'yes' if o['dateparser_loaded'] else 'no'}.",
        "",
        f"Answers: newscrawl right on {a['ours_right']} of {a['n']}, dateparser on "
        f"{a['dateparser_right']}; where dateparser is right the two agree on "
        f"{a['agree_where_dateparser_right']} of {a['dateparser_right']}. "
        "dateparser's misses: "
        + (
            ", ".join(
                f"`{w['text']}` ({w['dateparser'] or 'nothing'})"
                for w in a["dateparser_wrong_examples"]
            )
            or "none"
        )
        + ".",
        "",
    ]
    return out


def _store_section(s: dict[str, Any]) -> list[str]:
    e, f = s["empty"], s["full"]
    one = "{:.1f}"
    return [
        "## Seen-store (SQLite)",
        "",
        f"Driven as the dedupe pipeline drives it: runs of {s['run_size']:,} new stories "
        "(`is_seen`, `stage`, then `flush` and `promote`). A figure is the mean per story over "
        f"a window of {s.get('window_runs', 1)} consecutive runs, so that the store's merges "
        "(the small level into the large one) count at their real rate: the first runs into "
        f"an empty store (merges in the window: {e.get('merges', 0)}), and runs into the store "
        f"filled to {s['stories']:,} stories (merges: {f.get('merges', 0)}); median over "
        f"{s['repeats']} windows each. Random 32-hex ids. SQLite {s['sqlite']}. Separate "
        "process.",
        "",
        "| | empty | at {:,} | ratio |".format(s["stories"]),
        "| --- | ---: | ---: | ---: |",
        f"| pipeline run, µs per story | {e['run_us']:.1f}{_spread(e['run_spread_us'], one)} | "
        f"{f['run_us']:.1f}{_spread(f['run_spread_us'], one)} | {s['ratio_run']:.2f}× |",
        f"| `is_seen`, new id (miss), µs | {e['miss_us']:.1f} | {f['miss_us']:.1f} | "
        f"{f['miss_us'] / e['miss_us']:.2f}× |",
        f"| `is_seen`, known id (hit), µs | | {f['hit_us']:.1f} | |",
        f"| one run alone into an empty store, µs per story | {e['first_run_us']:.1f} | | |",
        f"| process RSS, MiB | {s['rss_empty_mib']:.0f} | {s['rss_full_mib']:.0f} | |",
        "",
        f"Filling to {s['stories']:,}: {s['fill_seconds']:.1f} s, {s['fill_rate_per_s']:,.0f} "
        f"stories/s through the pipeline path. File {s['file_mib']:.0f} MiB "
        f"({s['file_mib'] * 2**20 / s['stored_after_probe']:.0f} bytes per story); process peak "
        f"RSS {s['rss_peak_mib']:.0f} MiB (Python, SQLite's fixed 48 MiB page cache and the "
        "filter of seen ids, 10 bits an id, at most 16 MiB; "
        f"{s['rss_start_mib']:.0f} MiB before the store opened). µs per story while "
        "filling, by store size: "
        + ", ".join(f"{n // 1000:,}k {us:.0f}" for n, us in s["fill_curve"])
        + ".",
        "",
    ]


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tiny site, one repeat")
    parser.add_argument("--repeats", type=int, help="alternated crawl repeats (default 3)")
    parser.add_argument("--out", type=Path, help="Markdown report (default BENCHMARKS.md)")
    parser.add_argument("--work", type=Path, help="keep logs and figures here")
    parser.add_argument(
        "--parts",
        default="extract,crawl,dates,store,scale",
        help="comma list of extract, crawl, dates, store, scale, profile (default: all but"
        " profile)",
    )
    parser.add_argument("--profile", action="store_true", help="add a py-spy profile of tagpage")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.repeats:
        plan = Plan(**{**plan.__dict__, "repeats": args.repeats})
    parts = set(args.parts.split(","))
    if args.profile:
        parts.add("profile")
    keep = args.work is not None
    work = args.work or Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    out_path = args.out or (work / "BENCHMARKS.md" if args.quick else ROOT / "BENCHMARKS.md")

    def log(msg: str) -> None:
        print(msg, flush=True)

    started = time.monotonic()
    info = {**machine(), "load_start": _loadavg()}
    info["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    log(f"building the replica ({plan.tags_en}+{plan.tags_ar} hashtags) ...")
    site = build_site(
        n_tags_en=plan.tags_en,
        n_tags_ar=plan.tags_ar,
        pages_per_tag=plan.pages,
        cards_per_page=plan.cards,
        now=NOW,
    )
    site_info: dict[str, Any] = {"tags": {}, "pages": {}, "cards": {}, "stories": {}}
    for lang in ("en", "ar"):
        tags = site.tags(lang)
        site_info["tags"][lang] = len(tags)
        site_info["pages"][lang] = sum(site.pages(lang, t) for t in tags)
        site_info["cards"][lang] = sum(
            len(site.listing(lang, t, p)) for t in tags for p in range(1, site.pages(lang, t) + 1)
        )
        site_info["stories"][lang] = len(site.expected(lang, tags, max_pages=10))
    ceiling = crawl = extraction = dates = store = profile = scale = None
    try:
        with PrerenderedServer(site, variant="mixed") as server:
            site_info["render_s"] = server.render_seconds
            site_info["html_mb"] = server.html_bytes / 1e6
            log(f"serving {server.base_url}: pages rendered in {server.render_seconds:.1f} s")
            paths = [p for *_, p in listing_paths(site)]
            ceiling = measure_ceiling(server, paths, seconds=plan.ceiling_s)
            log(f"server ceiling: {ceiling.per_second:,.0f} requests/s ({ceiling.tool})")
            if "extract" in parts:
                log("extraction beside lxml's parse ...")
                extraction = extract_bench.run(server, plan.extract_pages)
            if "crawl" in parts:
                log("crawling: bare Scrapy and tagpage, alternated ...")
                crawl = crawl_part(plan, server, site, work, log)
                crawl["summary"] = summarise_crawls(crawl["runs"])
            if "crawl" in parts:
                log("start-up imports ...")
                crawl["startup"] = startup_part(server, site, work)
            if "profile" in parts:
                log("profiling one tagpage crawl with py-spy ...")
                (work / "tags-en.txt").write_text(
                    "\n".join(site.tags("en")) + "\n", encoding="utf-8"
                )
                profile = profile_part(server, site, work)
        if "scale" in parts:
            log(f"the memory case: {plan.scale}x the English stories ...")
            scale = scale_part(plan, work, log)
        if "dates" in parts:
            log("date normaliser beside dateparser ...")
            dates = dates_part(plan, site, work)
        if "store" in parts:
            log(f"seen-store up to {plan.stories:,} stories ...")
            store = store_part(plan, work)
        info["load_end"] = _loadavg()
        info["elapsed_s"] = time.monotonic() - started
        report = render(
            plan, info, site_info, ceiling, crawl, extraction, dates, store, profile, argv, scale
        )
        out_path.write_text(report, encoding="utf-8")
        print()
        print(report)
        print(f"written to {out_path}")
        raw = {k: v for k, v in (crawl or {}).items() if k not in ("runs", "again")}
        (work / "bench.json").write_text(
            json.dumps({"crawl": raw, "dates": dates, "store": store}, indent=1, default=str),
            encoding="utf-8",
        )
        problems = (crawl or {}).get("problems", [])
        return 1 if problems else 0
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
