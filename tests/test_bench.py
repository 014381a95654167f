"""`make bench BENCH_ARGS=--quick` runs end to end on a tiny site (figures are not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` from the source tree, as `make bench` runs it."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_quick_bench_runs_every_part_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    work = tmp_path / "work"
    args = ["--quick", "--out", str(out), "--work", str(work)]
    proc = _run_module("newscrawl.bench", *args)
    # Exit 0 means the bench's own checks held: both spiders fetched the same pages,
    # tagpage exported the replica's stories and never imported dateparser.
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for heading in (
        "## Targets",
        "## Crawl",
        "## Memory: 3x the English stories",
        "## Extraction",
        "## Date",
        "## Seen-store",
    ):
        assert heading in report, heading
    assert "| **b/a** |" in report
    assert "The cron case, (b′)" in report
    assert "memory: tagpage's peak RSS, 3x the English stories / 1x" in report
    figures = json.loads((work / "bench.json").read_text(encoding="utf-8"))
    assert figures["crawl"]["problems"] == []
    assert figures["dates"]["answers"]["ours_right"] == figures["dates"]["n"]
    assert figures["store"]["stories"] == 20_000


def test_breakdown_switches_each_part_off_and_reports_it() -> None:
    # Exit 0 means each configuration ran as set: the crawl's stats show the part switched
    # off did not run and the parts left on did (newscrawl/bench/breakdown.py).
    proc = _run_module("newscrawl.bench.breakdown", "--tags", "3", "--rounds", "1")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")][2:]
    names = [row.split("|")[1].strip() for row in rows]
    assert names == [
        "as shipped",
        "syndication off",
        "and spidermon off",
        "and the export off",
        "and no item pipelines",
    ]
    for n, row in enumerate(rows):
        bare, tagpage, ratio = (cell.strip() for cell in row.split("|")[2:5])
        assert float(bare) > 0 and float(tagpage) > 0 and float(ratio.split()[0]) > 0
        # The end of the run, from its stats: every configuration releases its stories;
        # only those with the export on have a seen-store and feeds to close.
        tail, release, close = (float(cell) for cell in row.split("|")[5:8])
        assert 0 < release < tail, row
        assert (close > 0) == (n < 3), row
