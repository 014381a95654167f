"""`make demo`: serve the bundled offline replica of Daily8 on loopback and crawl it for real.

Runs the real ``scrapy crawl tagpage`` (a subprocess, exactly as cron would) three times
into ``data/demo``: English hashtags, Arabic hashtags, then English again to show that an
incremental run exports only what is new. Prints a summary, checks every record against
the JSON Schema and the replica's own answer, and exits non-zero if anything is off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import build_site
from newscrawl.schema import story_schema

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "demo"
NOW = "2025-06-12T09:30:00Z"  # the replica's clock; relative dates count back from it


def crawl(base_url: str, lang: str, tags_file: Path) -> tuple[Path, dict]:
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
        "NEWSCRAWL_BASE_URL": base_url,
        "NEWSCRAWL_DATA_DIR": str(DATA),
        "NEWSCRAWL_NOW": NOW,
        "NEWSCRAWL_LOG_LEVEL": "WARNING",
    }
    before = set((DATA / "runs").glob("*.json"))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "tagpage", "-a", f"lang={lang}"]
    cmd += ["-a", f"tags_file={tags_file}"]
    print(f"$ scrapy crawl tagpage -a lang={lang} -a tags_file={tags_file.relative_to(ROOT)}")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed with exit code {proc.returncode}")
    [report] = set((DATA / "runs").glob("*.json")) - before
    stats = json.loads(report.read_text(encoding="utf-8"))["stats"]
    return Path(stats["newscrawl/export/path"]), stats


def check(path: Path, expected: dict[str, dict], base_url: str) -> list[dict]:
    validator = jsonschema.Draft202012Validator(
        story_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    problems = []
    for r in records:
        problems += [e.message for e in validator.iter_errors(r)]
        want = expected.get(r["id"])
        if want is None:
            problems.append(f"{r['id']}: not a story the replica listed")
            continue
        for k, v in want.items():
            got = r[k] if k != "url" else r[k].removeprefix(base_url)
            if k == "hashtags":
                got, v = sorted(got), sorted(v)
            if got != v:
                problems.append(f"{r['id']} {k}: got {got!r}, the replica says {v!r}")
    if problems:
        print("\n".join(problems[:20]))
        raise SystemExit(f"{len(problems)} problems in {path}")
    return records


def summary(title: str, path: Path, records: list[dict], stats: dict) -> None:
    print(f"  {title}: {len(records)} stories exported to {path.relative_to(ROOT)}")
    print(
        f"    pages {stats.get('newscrawl/pages', 0)}, cards {stats.get('newscrawl/cards', 0)}, "
        f"in-run duplicates {stats.get('newscrawl/drop/in_run_duplicate', 0)}, "
        f"seen before {stats.get('newscrawl/drop/seen_before', 0)}, "
        f"date failures {stats.get('newscrawl/dates/failed', 0)}"
    )
    precisions = Counter(r["published_precision"] for r in records)
    if records:
        print(f"    published precision: {dict(precisions)}")
        multi = max(records, key=lambda r: len(r["hashtags"]))
        print("    a story listed under several hashtags:")
        print(
            "    "
            + json.dumps(
                {
                    k: multi[k]
                    for k in ("id", "title", "publisher", "published", "published_raw", "hashtags")
                },
                ensure_ascii=False,
            )
        )


def main() -> int:
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    site = build_site(now=NOW)
    tags = {}
    for lang in ("en", "ar"):
        tags[lang] = DATA / f"tags-{lang}.txt"
        tags[lang].write_text("\n".join(site.tags(lang)) + "\n", encoding="utf-8")
    with ReplicaServer(site, variant="mixed") as server:
        base = server.base_url
        print(f"replica of the site serving on {base} (markup varies page by page)\n")
        results = []
        for title, lang in (("English run", "en"), ("Arabic run", "ar"), ("English again", "en")):
            path, stats = crawl(base, lang, tags[lang])
            expected = site.expected(lang, site.tags(lang), max_pages=10)
            records = check(path, expected, base)
            summary(title, path, records, stats)
            results.append(records)
    if results[2]:
        raise SystemExit("the repeated run exported stories the first run already had")
    print("\nall records match the JSON Schema and the replica; the repeated run exported none")
    print(f"exports: {(DATA / 'exports' / 'tagpage').relative_to(ROOT)}/")
    print(next_steps())
    return 0


def next_steps() -> str:
    """The last thing the demo prints: what a newcomer does next (README.md says the same)."""
    return f"""
next steps:
  read the exports: README.md "What you get" (jq, pandas, DuckDB on data/demo/exports/tagpage/)
  crawl the real site (polite: robots.txt, AutoThrottle, 1 s delay), into data/:
    .venv/bin/scrapy crawl tagpage -a tags=Pakistan-UKCounterTerrorismDialogue,Saco
  run it every hour from cron (exit codes, reports: README.md "Running from cron"):
    cp data/tags.example.txt data/tags.txt    # then list your hashtags in it
    7 * * * * cd {ROOT} && .venv/bin/python -m newscrawl.cron --tags-file data/tags.txt
  serve this replica yourself: .venv/bin/python -m newscrawl.replica --help"""


if __name__ == "__main__":
    sys.exit(main())
