"""Crash safety: a run killed at any point (SIGKILL, as a power cut) loses and repeats nothing.

Each test starts the real runner against a replica that holds requests back, kills the
runner and its crawl at one point, runs again to completion, and checks the promise:
every story the site listed is in exactly one complete export across the two runs, and
no half-written file ever sits under a ``.jsonl`` name.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.replica.site import Site
from tests.cronkit import (
    CRASHPOINT,
    GatedReplica,
    export_files,
    power_cut,
    records,
    reports,
    run_runner,
    start_runner,
    wait_for,
)

N_TAGS = 4


def _crashpoint_env(point: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CRASHPOINT), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "CRASHPOINT_RENAME": point}


def _parked(data: Path) -> Path | None:
    found = list((data / "exports" / "tagpage").glob("*.crashpoint"))
    return found[0] if found else None


def _staged(data: Path) -> int:
    with sqlite3.connect(data / "seen.sqlite3") as db:
        return db.execute("SELECT count(*) FROM staged").fetchone()[0]


# What the test waits for before pulling the plug, and what must hold right then.
KILL_POINTS = {
    "before any listing page": dict(allow=0, env={}),
    "mid-crawl, some listings fetched": dict(allow=5, env={}),
    "export written and fsynced, not yet renamed": dict(allow=None, env=_crashpoint_env("before")),
    "export renamed, its stories not yet seen": dict(allow=None, env=_crashpoint_env("after")),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_run_then_next_run_gives_every_story_exactly_once(
    site: Site, tmp_path: Path, point: str
) -> None:
    data = tmp_path / "data"
    tags = site.tags("en")[:N_TAGS]
    expected = site.expected("en", tags, max_pages=10)
    allow, env = KILL_POINTS[point]["allow"], KILL_POINTS[point]["env"]

    with GatedReplica(site, allow=allow) as server:
        proc = start_runner(server.base_url, data, "--tags", ",".join(tags), env=env)
        try:
            if allow is not None:
                wait_for(lambda: server.listing_requests() > allow, f"listing request {allow + 1}")
            else:
                marker = wait_for(lambda: _parked(data), "the crawl to reach the rename")
                final = marker.with_suffix("")
                part = final.with_name(f".{final.name}.part")
                if point.startswith("export written"):
                    # The whole export is on disk under its hidden name, none under .jsonl.
                    assert not final.exists()
                    assert {r["id"] for r in records(part)} == set(expected)
                    assert _staged(data) == len(expected)
                else:
                    assert not part.exists()
                    assert {r["id"] for r in records(final)} == set(expected)
                    assert _staged(data) == len(expected)  # staged, not yet promoted
            power_cut(proc)
        finally:
            server.release()

        # Whatever the kill left under a .jsonl name is complete (every line parses).
        left = {p.name: records(p) for p in export_files(data)}
        assert reports(data) == [], "the killed run got no report"

        again = run_runner(server.base_url, data, "--tags", ",".join(tags))
    assert again.returncode == 0, again.stderr

    exports = export_files(data)
    assert set(left) <= {p.name for p in exports}
    ids = Counter(r["id"] for p in exports for r in records(p))
    assert [i for i, n in ids.items() if n > 1] == [], "a story was exported twice"
    assert set(ids) == set(expected), "a story was lost"

    # The seen-store agrees: everything seen, nothing left staged.
    assert _staged(data) == 0
    with sqlite3.connect(data / "seen.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM seen").fetchone()[0] == len(expected)

    # latest.json lists every complete export, the recovered one included.
    latest = json.loads((data / "exports" / "tagpage" / "latest.json").read_text())
    assert sorted(e["file"] for e in latest["exports"]) == sorted(p.name for p in exports)
    [run] = reports(data)
    if left:  # the killed run's export was complete: recovered, not repeated
        assert run["stats"]["newscrawl/dedupe/recovered_runs"] == 1
        assert run["stories_exported"] == 0
        assert run["drops"]["seen_before"] == len(expected)
    else:
        assert run["stories_exported"] == len(expected)
