"""SeenStoreService: one extension opens, recovers, promotes and closes the run's seen-store.

The unit tests build a real Crawler (``scrapy.utils.test.get_crawler``) with the service in
``EXTENSIONS``, so Scrapy's own extension manager builds it, and send the real signals. The
last test is a real crawl: with the dedupe pipeline switched off, copy detection still
remembers earlier runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl import exports, settings_loopback
from newscrawl.extensions.seenstore import SeenStoreService, seen_store
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.sites import load_profile
from newscrawl.stores.sqlite import SQLiteSeenStore
from tests.conftest import run_crawl
from tests.mockserver.static import StaticServer
from tests.test_syndication import COPY, ORIG_ID, ORIGINAL, card, listing, routes

#: The default site's seen-store file in the data dir.
SEEN_STORE_FILE = load_profile().seen_store_file
SERVICE = "newscrawl.extensions.seenstore.SeenStoreService"
A, B, C, D = "a" * 32, "b" * 32, "c" * 32, "d" * 32
RUN = "20250612T093000Z-00000a"


def make_crawler(data_dir: Path, run_id: str = RUN, **settings: Any) -> Crawler:
    return get_crawler(
        settings_dict={
            "EXTENSIONS": {SERVICE: 100},
            "NEWSCRAWL_EXPORT_ENABLED": True,
            "NEWSCRAWL_DATA_DIR": str(data_dir),
            "NEWSCRAWL_RUN_ID": run_id,
            **settings,
        }
    )


def exports_dir(data_dir: Path) -> Path:
    # A crawler without a spider yet: the service names the default spider's folder.
    return data_dir / "exports" / "tagpage"


def staged(data_dir: Path, runs: dict[str, list[str]]) -> None:
    """Leave *runs* staged in the data dir's store, as runs that died before promoting."""
    store = SQLiteSeenStore(data_dir / SEEN_STORE_FILE)
    for run_id, ids in runs.items():
        for sid in ids:
            store.stage(run_id, sid)
    store.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    exports_dir(d).mkdir(parents=True)
    return d


@pytest.fixture
def crawler(data_dir: Path) -> Iterator[Crawler]:
    c = make_crawler(data_dir)
    yield c
    c.signals.send_catch_log(signals.engine_stopped)  # closes the store


def test_the_crawler_has_one_store_every_component_asks(crawler: Crawler, data_dir: Path) -> None:
    store = seen_store(crawler)
    assert isinstance(store, SQLiteSeenStore)
    assert (data_dir / SEEN_STORE_FILE).exists()
    # The dedupe pipeline is handed the service's store, not one of its own.
    assert DedupePipeline.from_crawler(crawler).store is store
    assert crawler.get_extension(SeenStoreService).store is store  # type: ignore[union-attr]


def test_recover_promotes_a_dead_run_whose_export_is_complete_and_discards_one_whose_is_not(
    data_dir: Path,
) -> None:
    done, died = "20250611T093000Z-0000d0", "20250611T103000Z-0000d1"
    staged(data_dir, {done: [A, B], died: [C]})
    (exports_dir(data_dir) / f"{done}.jsonl").write_text('{"id": "a"}\n')
    # died's export never got renamed into place; its temporary file does not count.
    (exports_dir(data_dir) / f".{died}.jsonl.part").write_text('{"id": "c"}\n')
    crawler = make_crawler(data_dir)
    try:
        store = seen_store(crawler)
        assert store is not None
        assert store.is_seen(A) and store.is_seen(B)  # delivered: later runs skip them
        assert not store.is_seen(C)  # never delivered: exported again
        assert store.staged_runs() == []
        assert crawler.stats.get_value("newscrawl/dedupe/recovered_runs") == 2
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)


def test_recover_leaves_the_current_runs_own_staging_alone(data_dir: Path) -> None:
    staged(data_dir, {RUN: [A]})
    crawler = make_crawler(data_dir)
    try:
        store = seen_store(crawler)
        assert store is not None
        assert store.staged_runs() == [RUN]
        assert not store.is_seen(A)
        assert crawler.stats.get_value("newscrawl/dedupe/recovered_runs") is None
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)


def test_nothing_to_recover_counts_nothing(crawler: Crawler) -> None:
    assert crawler.stats.get_value("newscrawl/dedupe/recovered_runs") is None


def test_only_its_own_runs_published_export_promotes(crawler: Crawler, data_dir: Path) -> None:
    store = seen_store(crawler)
    assert store is not None
    other = "20250612T093000Z-0000ff"
    store.stage(RUN, A)
    store.stage(other, B)  # another process's run (a fleet sharing the store)
    final = exports_dir(data_dir) / f"{other}.jsonl"
    crawler.signals.send_catch_log(exports.export_published, run_id=other, path=final, count=1)
    assert not store.is_seen(A) and not store.is_seen(B)
    final = exports_dir(data_dir) / f"{RUN}.jsonl"
    crawler.signals.send_catch_log(exports.export_before_publish, run_id=RUN, path=final)
    crawler.signals.send_catch_log(exports.export_published, run_id=RUN, path=final, count=1)
    assert store.is_seen(A)
    assert not store.is_seen(B)
    assert store.staged_runs() == [other]


def test_staged_ids_are_on_disk_before_the_export_is_published(
    crawler: Crawler, data_dir: Path
) -> None:
    store = seen_store(crawler)
    assert store is not None
    store.stage(RUN, A)
    final = exports_dir(data_dir) / f"{RUN}.jsonl"
    crawler.signals.send_catch_log(exports.export_before_publish, run_id=RUN, path=final)
    # The process could die right after the rename: another connection must find the staging.
    reader = SQLiteSeenStore(data_dir / SEEN_STORE_FILE)
    try:
        assert reader.staged_runs() == [RUN]
    finally:
        reader.close()


def test_engine_stopped_closes_the_store(data_dir: Path) -> None:
    crawler = make_crawler(data_dir)
    store = seen_store(crawler)
    assert store is not None
    store.stage(RUN, A)
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert seen_store(crawler) is None
    # Closed, so what it held is committed: the next run finds the staged run to settle.
    again = SQLiteSeenStore(data_dir / SEEN_STORE_FILE)
    try:
        assert again.staged_runs() == [RUN]
    finally:
        again.close()


def test_exports_off_means_no_service_and_no_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    crawler = make_crawler(data_dir, NEWSCRAWL_EXPORT_ENABLED=False)
    with pytest.raises(NotConfigured):
        SeenStoreService.from_crawler(crawler)
    assert crawler.get_extension(SeenStoreService) is None
    assert seen_store(crawler) is None
    assert not (data_dir / SEEN_STORE_FILE).exists()  # nothing opened, nothing written
    assert DedupePipeline.from_crawler(crawler).store is None


# --- behaviour: switching the dedupe pipeline off leaves copy detection's memory alone ---------


def test_copy_detection_remembers_earlier_runs_with_the_dedupe_pipeline_off(
    tmp_path: Path,
) -> None:
    # Before the service, the seen-store belonged to the dedupe pipeline: without it the
    # syndication pipeline fell back to an in-memory store and found copies within a run only.
    pipelines = {
        **settings_loopback.ITEM_PIPELINES,
        DedupePipeline.__module__ + ".DedupePipeline": None,
    }
    off = ("-s", f"ITEM_PIPELINES={json.dumps(pipelines)}", "-a", "tags=Syndicated")
    data = tmp_path / "data"
    copy_id = "e" * 32
    with StaticServer(routes(listing([card(ORIG_ID, ORIGINAL, "16-04-2025", "Arab News")]))) as s:
        first = run_crawl(s.base_url, data, *off)
        assert first.returncode == 0, first.log[-3000:]
        assert [r["id"] for r in first.records] == [ORIG_ID]
        # A week later the same wire story is republished by another publisher.
        s.routes.update(routes(listing([card(copy_id, COPY, "23-04-2025", "Dawn")])))
        second = run_crawl(s.base_url, data, *off)
    assert second.returncode == 0, second.log[-3000:]
    for run in (first, second):  # the switch took: no story went through dedupe
        assert "newscrawl/dedupe/new" not in run.stats, run.stats
    assert {r["id"]: r["duplicate_of"] for r in second.records} == {copy_id: ORIG_ID}
    assert second.stats["newscrawl/syndication/copies/of_earlier_run"] == 1


def test_the_next_run_folds_the_band_rows_an_earlier_run_promoted(tmp_path: Path) -> None:
    # A run's promote leaves its band rows in segments; the next run folds them into the band
    # index while it crawls, and every row is in one or the other whenever it stops.
    data = tmp_path / "data"
    copy_id = "e" * 32
    with StaticServer(routes(listing([card(ORIG_ID, ORIGINAL, "16-04-2025", "Arab News")]))) as s:
        first = run_crawl(s.base_url, data, "-a", "tags=Syndicated")
        assert first.returncode == 0, first.log[-3000:]
        s.routes.update(routes(listing([card(copy_id, COPY, "23-04-2025", "Dawn")])))
        second = run_crawl(s.base_url, data, "-a", "tags=Syndicated")
    assert second.returncode == 0, second.log[-3000:]
    assert "newscrawl/dedupe/band_rows_folded" not in first.stats  # nothing to fold yet
    folded = second.stats["newscrawl/dedupe/band_rows_folded"]  # a fold is 32 rows or none
    assert {r["id"]: r["duplicate_of"] for r in second.records} == {copy_id: ORIG_ID}
    with sqlite3.connect(data / SEEN_STORE_FILE) as db:
        index = db.execute("SELECT count(*) FROM synd_band").fetchone()[0]
        left = db.execute("SELECT coalesce(sum(rows - folded), 0) FROM synd_band_segment")
        left = left.fetchone()[0]
        stories = db.execute("SELECT count(*) FROM synd_story").fetchone()[0]
    # Both stories' rows (the copy's fingerprint is stored too): the first run's folded
    # (or left in its segment if the second stopped before), the second's in its own.
    assert stories == 2 and folded in (0, 32)
    assert index >= folded and index + left == 32 * stories
