"""Hashtag feeds from real crawls of the replica: what they list, rebuild, retention, kills.

Every crawl is the real ``scrapy crawl tagpage`` (or the cron runner) against the loopback
replica; the feeds it writes are read back with feedparser and validated against RFC 4287's
schema (``tests/test_feeds.py: read_feed``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from newscrawl.ops import retention
from newscrawl.replica.site import Site
from newscrawl.sites.daily8 import listing_url
from tests.conftest import ROOT
from tests.cronkit import (
    CRASHPOINT,
    GatedReplica,
    power_cut,
    records,
    run_runner,
    runner_env,
    start_runner,
    wait_for,
)
from tests.test_feeds import feed_files, newest, read_feed

FEED_BASE = "https://news.example.org/feeds/"
ENV = {"NEWSCRAWL_FEED_BASE_URL": FEED_BASE}


def exported(data_dir: Path) -> list[dict[str, Any]]:
    return [
        r for p in sorted((data_dir / "exports" / "tagpage").glob("*.jsonl")) for r in records(p)
    ]


def feed_ids(data_dir: Path, lang: str, tag: str) -> list[str]:
    feed = read_feed(data_dir / "feeds" / lang / f"{tag}.atom")
    return [e.id.rsplit("/", 1)[1] for e in feed.entries]


def assert_feeds_list_the_exports(data_dir: Path, n: int = 50) -> None:
    """Every hashtag an export names has a feed listing its newest *n* exported stories
    (the replica has no syndicated copies), and no other feed exists."""
    recs = exported(data_dir)
    feeds = {(r["lang"], t) for r in recs for t in r["hashtags"]}
    on_disk = {(p.parent.name, p.stem) for p in (data_dir / "feeds").glob("*/*.atom")}
    assert on_disk == feeds
    for lang, tag in feeds:
        want = newest([r for r in recs if r["lang"] == lang and tag in r["hashtags"]], n)
        assert feed_ids(data_dir, lang, tag) == [r["id"] for r in want], (lang, tag)


def rebuild_cli(base_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m newscrawl.feeds rebuild --data-dir D`` as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.feeds", "rebuild", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=runner_env(base_url, **ENV),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_rebuild_gives_the_same_bytes(base_url: str, data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "rebuilt"
    shutil.copytree(data_dir / "exports", copy / "exports")
    done = rebuild_cli(base_url, copy)
    assert done.returncode == 0, done.stderr
    assert feed_files(copy) == feed_files(data_dir)


def test_crawls_of_the_replica_write_its_stories_feeds_and_rebuild_gives_the_same_bytes(
    crawl, replica, site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    en, ar = site.tags("en"), site.tags("ar")
    first = crawl("-a", "tags=" + ",".join(en[:3]), "-a", "max_pages=1", data_dir=data, env=ENV)
    assert first.returncode == 0, first.log[-2000:]
    assert first.stats["newscrawl/feeds/stories"] == len(first.records) > 0
    assert first.stats["newscrawl/feeds/new"] == 3
    second = crawl("-a", "tags=" + ",".join(en), data_dir=data, env=ENV)
    third = crawl("-a", "lang=ar", "-a", "tags=" + ",".join(ar), data_dir=data, env=ENV)
    assert second.returncode == third.returncode == 0
    assert third.stats["newscrawl/feeds/updated"] == len(ar)

    # Every story the replica lists is in a feed. A feed lists the stories exported under its
    # hashtag: one exported by the first run (3 hashtags, 1 page) is not exported again, so
    # a hashtag that lists it on a later page does not get it (the Arabic run is complete).
    for lang, tags in (("en", en), ("ar", ar)):
        expected = site.expected(lang, tags, max_pages=10)
        in_feeds: set[str] = set()
        for tag in tags:
            ids = feed_ids(data, lang, tag)
            listed = [sid for sid, r in expected.items() if tag in r["hashtags"]]
            assert set(ids) <= set(listed) and len(ids) == len(set(ids))
            if lang == "ar":
                assert len(ids) == min(50, len(listed)), tag
            in_feeds |= set(ids)
        assert in_feeds == set(expected)
    assert_feeds_list_the_exports(data)

    # The OPML list: every feed, grouped by language, at the served URL of its file.
    opml = etree.parse(str(data / "feeds" / "index.opml"))
    groups = opml.findall("body/outline")
    assert [g.get("text") for g in groups] == ["English", "العربية"]
    for group, lang, tags in zip(groups, ("en", "ar"), (en, ar), strict=True):
        outlines = group.findall("outline")
        assert sorted(o.get("title") for o in outlines) == sorted(f"#{t}" for t in tags)
        for o in outlines:
            tag = o.get("title")[1:]
            assert o.get("type") == "rss" and o.get("language") == lang
            assert o.get("htmlUrl") == listing_url(replica.base_url, lang, tag)
            url = o.get("xmlUrl")
            assert url.startswith(FEED_BASE)
            feed = read_feed(data / "feeds" / lang / f"{tag}.atom")
            assert {x["rel"]: x["href"] for x in feed.feed.links}["self"] == url

    assert_rebuild_gives_the_same_bytes(replica.base_url, data, tmp_path)


def test_feeds_keep_their_entries_when_retention_prunes_the_exports(
    crawl, site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    tags = site.tags("en")[:2]
    first = crawl("-a", "tags=" + ",".join(tags), "-a", "max_pages=1", data_dir=data, env=ENV)
    assert first.returncode == 0 and first.records
    pruned = retention.prune(data, "tagpage", days=1, now=_far_future())
    assert [p for p in pruned if p.suffix == ".jsonl"] == first.exports
    second = crawl("-a", "tags=" + ",".join(tags), data_dir=data, env=ENV)
    assert second.returncode == 0 and second.records
    everything = first.records + second.records
    for tag in tags:
        want = newest([r for r in everything if tag in r["hashtags"]], 50)
        assert feed_ids(data, "en", tag) == [r["id"] for r in want]
    assert any(r["id"] in feed_ids(data, "en", t) for r in first.records for t in tags)


def _far_future() -> Any:
    from datetime import UTC, datetime

    return datetime(2999, 1, 1, tzinfo=UTC)


def _crashpoint_env(point: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CRASHPOINT), os.environ.get("PYTHONPATH", "")) if p)
    return {**ENV, "PYTHONPATH": path, "CRASHPOINT_RENAME": point}


def _parked(data: Path) -> Path | None:
    found = list((data / "exports" / "tagpage").glob("*.crashpoint"))
    return found[0] if found else None


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_killed_run_changes_no_feed_and_the_next_run_completes_them(
    site: Site, tmp_path: Path, point: str
) -> None:
    data = tmp_path / "data"
    tags = ",".join(site.tags("en")[:3])
    with GatedReplica(site) as server:
        first = run_runner(server.base_url, data, "--tags", tags, "--arg", "max_pages=1", env=ENV)
        assert first.returncode == 0, first.stderr
        before = feed_files(data)
        state = (data / "feeds.sqlite3").read_bytes()
        assert any(name.endswith(".atom") for name in before)

        # The next run finds more stories for the same feeds; it is killed at its rename:
        # "before" with its export complete but not renamed, "after" renamed, not published.
        proc = start_runner(server.base_url, data, "--tags", tags, env=_crashpoint_env(point))
        marker = wait_for(lambda: _parked(data), "the crawl to reach the rename", timeout=90)
        assert feed_files(data) == before
        power_cut(proc)
        assert feed_files(data) == before, "a killed run changed a feed"
        killed_export = marker.with_suffix("")
        assert killed_export.exists() == (point == "after")

        again = run_runner(server.base_url, data, "--tags", tags, env=ENV)
    assert again.returncode == 0, again.stderr
    assert feed_files(data) != before and (data / "feeds.sqlite3").read_bytes() != state
    report = json.loads(sorted((data / "runs").glob("*.json"))[-1].read_text())
    assert report["run_id"] != killed_export.stem
    key = "recovered_runs" if point == "after" else "discarded_runs"
    assert report["stats"][f"newscrawl/feeds/{key}"] == 1
    # Whatever happened, the feeds are those of the complete exports, every story once.
    assert_feeds_list_the_exports(data)
    assert_rebuild_gives_the_same_bytes(server.base_url, data, tmp_path)
