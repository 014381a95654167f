"""Scrapy's own commands on the project (newscrawl/commands/): `scrapy crawl` with bad
arguments says so in one line; `scrapy parse` shows a page's stories and writes nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from newscrawl.sites import daily8
from tests.conftest import NOW, ROOT, run_crawl


def scrapy(*args: str, data_dir: Path, base_url: str = "http://127.0.0.1:9") -> tuple[int, str]:
    """`scrapy ARGS` as a user types it in the project; its exit code and all it printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
            "NEWSCRAWL_BASE_URL": base_url,
            "NEWSCRAWL_DATA_DIR": str(data_dir),
            "NEWSCRAWL_NOW": NOW,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-a", "tags="], "no hashtags given: use -a tags=A,B or -a tags_file=FILE"),
        (["-a", "tags=Saco", "-a", "lang=xx"], "unknown lang 'xx': use one of en, ar"),
        (["-a", "tags_file=no-such-tags.txt"], "tags_file no-such-tags.txt: cannot be read"),
        (["-a", "tags=Saco", "-a", "max_pages=0"], "max_pages must be at least 1"),
        (["-a", "tags=Saco", "-s", "NEWSCRAWL_NOW=soon"], "not an ISO 8601 instant: 'soon'"),
    ],
)
def test_a_bad_argument_is_one_error_line_a_failing_exit_and_nothing_written(
    tmp_path: Path, args: list[str], named: str
) -> None:
    data = tmp_path / "data"
    code, out = scrapy("crawl", "tagpage", *args, data_dir=data)
    assert code == 1
    errors = [line for line in out.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, out
    assert named in errors[0]
    assert "Traceback" not in out and "Task exception was never retrieved" not in out
    assert not data.exists()


def test_parse_shows_the_pages_stories_and_changes_nothing_the_next_run_delivers(
    replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    url = daily8.listing_url(replica.base_url, "en", "Saco")
    code, out = scrapy(
        "parse", "--spider=tagpage", "--nocolour", url, "-a", "tags=Saco",
        data_dir=data, base_url=replica.base_url,
    )  # fmt: skip
    assert code == 0, out[-3000:]
    items = out[out.index("# Scraped Items") : out.index("# Requests")]
    shown = re.findall(r"'id': '([0-9a-f]{32})'", items)
    assert shown == site.listing("en", "Saco", 1)
    assert "'hashtags': ['Saco']" in items
    # Dates as the export has them (the dates pipeline only computes).
    published = re.findall(r"'published': '([^']+)'", items)
    expected_published = [site.record(s, ["Saco"])["published"] for s in shown]
    assert published == [p for p in expected_published if p is not None]
    assert "Traceback" not in out
    # Nothing written: no export, no seen-store, no report, no lock, no feed.
    assert not data.exists()

    result = run_crawl(replica.base_url, data, "-a", "tags=Saco")
    expected = site.expected("en", ["Saco"], max_pages=10)
    assert set(result.by_id()) == set(expected)
    assert result.stats.get("newscrawl/drop/seen_before", 0) == 0


def test_parse_refuses_a_feed(replica: ReplicaServer, tmp_path: Path) -> None:
    url = daily8.listing_url(replica.base_url, "en", "Saco")
    out_file = tmp_path / "items.jsonl"
    code, out = scrapy(
        "parse", "--spider=tagpage", url, "-a", "tags=Saco", "-O", str(out_file),
        data_dir=tmp_path / "data", base_url=replica.base_url,
    )  # fmt: skip
    assert code != 0
    assert "scrapy parse writes nothing" in out
    assert not out_file.exists()


def _check(base_url: str, data: Path) -> tuple[int, str]:
    return scrapy("check", "tagpage", "-v", data_dir=data, base_url=base_url)


def test_check_runs_tagpages_contracts_against_the_configured_site(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    code, out = _check(replica.base_url, data)
    assert code == 0, out[-3000:]
    assert re.search(r"^Ran 3 contracts in ", out, re.MULTILINE), out[-3000:]
    for hook in ("@returns post-hook", "@holds post-hook"):
        assert f"[tagpage] parse ({hook}) ... ok" in out
    assert not data.exists()  # a check is no run: nothing written


def test_check_fails_when_the_listing_has_no_stories(site: Site, tmp_path: Path) -> None:
    # The script-shell markup: its cards come from the JSON API, none are in the HTML.
    with ReplicaServer(site, variant="js") as shell:
        code, out = _check(shell.base_url, tmp_path / "data")
    assert code == 1
    assert "FAIL: [tagpage] parse (@holds post-hook)" in out
    assert "the page left 0 stories held" in out
