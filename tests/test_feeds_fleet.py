"""Hashtag feeds with the Redis fleet: each worker writes the feeds of its own exports.

Workers share a frontier and each story is exported once, by one worker, into that worker's
data dir; its feeds follow its exports. No file is written by two workers (each has its own
data dir), and the workers' feeds together list every story of the site once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from newscrawl.replica.site import Site
from tests.cronkit import GatedReplica, wait_for
from tests.test_feeds import read_feed
from tests.test_feeds_crawl import ENV, assert_feeds_list_the_exports, exported
from tests.test_redis import _finish, _worker, r, redis_server  # noqa: F401 (fixtures)


@pytest.mark.usefixtures("r")  # a flushed Redis
def test_each_worker_writes_the_feeds_of_the_stories_it_exported(
    site: Site,
    tmp_path: Path,
    redis_server: str,  # noqa: F811 (the fixture, imported above)
) -> None:
    tags = site.tags("en")
    expected = site.expected("en", tags, max_pages=10)
    dirs = [tmp_path / "w1", tmp_path / "w2"]
    with GatedReplica(site, allow=0) as server:
        workers = [
            _worker(server.base_url, d, redis_server, tags, "-s", "CONCURRENT_REQUESTS=2", env=ENV)
            for d in dirs
        ]
        try:
            # Two listings in flight per worker: both hold some when the gate opens.
            wait_for(lambda: server.listing_requests() >= 4, "both workers to take listings")
        finally:
            server.release()
        for proc, d in zip(workers, dirs, strict=True):
            _finish(proc, d)

    listed: Counter[str] = Counter()
    for d in dirs:
        assert exported(d), f"{d.name} exported nothing: no share to test"
        assert_feeds_list_the_exports(d)
        for path in (d / "feeds" / "en").glob("*.atom"):
            listed.update(e.id.rsplit("/", 1)[1] for e in read_feed(path).entries)
    # Each story in one worker's feeds only (in as many of them as its hashtags there).
    owner = {rec["id"]: d for d in dirs for rec in exported(d)}
    assert set(owner) == set(expected)
    for d in dirs:
        for path in (d / "feeds" / "en").glob("*.atom"):
            for e in read_feed(path).entries:
                assert owner[e.id.rsplit("/", 1)[1]] == d
    assert set(listed) == set(expected)
