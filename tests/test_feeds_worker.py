"""The feeds worker: a run's feed update prepared in a child process while the run finishes.

Each test runs the real child (``python -m newscrawl.feeds.worker``) against an export
written to its ``.part`` file the way the run export writes it (in pieces, lines cut
across writes), renamed as the storage renames it, and compares the feeds with what the
crawl's process writes from the same export (``FeedWriter.apply``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.exports import part_path
from newscrawl.feeds.extension import HashtagFeeds
from newscrawl.feeds.store import FeedStore
from newscrawl.feeds.worker import FeedsWorker
from newscrawl.feeds.writer import STAGING_DIR, FeedWriter
from tests.test_feeds import (
    FEED_BASE,
    SITE,
    apply_runs,
    config,
    feed_files,
    project_settings,
    read_feed,
    record,
    write_export,
)

#: An earlier run already in the feeds (so the new run changes some files, not all).
EARLIER = [
    record("a" * 32, hashtags=["Saco", "Gaza"], published="2025-06-10T08:00:00Z"),
    record("b" * 32, hashtags=["Saco"], published="2025-06-09T08:00:00Z"),
    record("c" * 32, hashtags=["Quiet"], published="2025-06-08T08:00:00Z"),
]
#: The run: new stories, a better version of one, and two new feeds (one in Arabic).
RUN = [
    record("d" * 32, hashtags=["Saco", "Oman"], published="2025-06-12T07:00:00Z"),
    record("a" * 32, hashtags=["Saco", "Gaza"], published="2025-06-10T08:00:00Z", title="New"),
    record("e" * 32, lang="ar", hashtags=["غزة"], title="عنوان الخبر"),
    *[
        record(f"{i:032x}", hashtags=["Gaza"], published=f"2025-06-11T0{i}:00:00Z")
        for i in range(8)
    ],
]


def export_bytes(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def two_data_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """Two data dirs holding the same earlier run's feeds."""
    a, b = tmp_path / "inline", tmp_path / "worker"
    apply_runs(a, [("run-0", EARLIER)])
    shutil.copytree(a, b)
    return a, b


def start_worker(data: Path, run_id: str) -> tuple[FeedsWorker, Path]:
    final = data / "exports" / "tagpage" / f"{run_id}.jsonl"
    worker = FeedsWorker(config(data), "daily8", run_id, final)
    worker.start()
    return worker, final


def write_in_pieces(part: Path, data: bytes, pieces: int = 7) -> None:
    """The export as the feed exporter writes it: appended in pieces that cut lines."""
    part.parent.mkdir(parents=True, exist_ok=True)
    step = len(data) // pieces + 1
    with part.open("ab") as fh:
        for at in range(0, len(data), step):
            fh.write(data[at : at + step])
            fh.flush()
            time.sleep(0.06)  # longer than the child's poll: it reads each piece alone


def pending(data: Path) -> list[str]:
    store = FeedStore(config(data).state_path, config(data).window)
    try:
        return [run_id for run_id, _ in store.pending()]
    finally:
        store.close()


def windows(data: Path) -> dict[tuple[str, str], list[str]]:
    store = FeedStore(config(data).state_path, config(data).window)
    try:
        return {feed: [e["key"] for e in store.window_of(*feed)] for feed in store.feeds()}
    finally:
        store.close()


def staged_files(data: Path) -> list[Path]:
    folder = data / STAGING_DIR
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_the_worker_writes_the_bytes_the_crawls_process_writes(tmp_path: Path) -> None:
    inline, data = two_data_dirs(tmp_path)
    store = FeedStore(config(inline).state_path, config(inline).window)
    expected = FeedWriter(config(inline), store).apply("run-1", write_export(inline, "run-1", RUN))
    store.close()

    state = (data / "feeds.sqlite3").read_bytes()
    worker, final = start_worker(data, "run-1")
    part_path(final).parent.mkdir(parents=True, exist_ok=True)
    part_path(final).touch()  # the feed exporter's empty file, while the run crawls
    time.sleep(1.0)
    assert (data / "feeds.sqlite3").read_bytes() == state, "a crawling run changes nothing"
    write_in_pieces(part_path(final), export_bytes(RUN))
    assert worker.marked()
    assert pending(data) == ["run-1"], "the mark must be durable before the export is renamed"
    before = feed_files(data)
    worker.complete()
    time.sleep(0.5)  # the child prepares: still nothing published
    assert feed_files(data) == before
    os.replace(part_path(final), final)  # the storage's rename
    applied = worker.finish()

    assert applied is not None, worker.failed
    assert feed_files(data) == feed_files(inline) != before
    assert windows(data) == windows(inline)
    assert (applied.records, applied.dropped, applied.feeds, applied.written) == (
        expected.records,
        expected.dropped,
        expected.feeds,
        expected.written,
    )
    assert applied.new_feeds == expected.new_feeds == ["ar/غزة", "en/Oman"]
    assert 0 < applied.written < len(feed_files(data)), "a file that did not change is left"
    assert pending(data) == [] and staged_files(data) == []
    # Done and told to end, the child exits on its own; stop() reaps it.
    proc = worker._ended
    assert proc is not None and not worker.running
    assert proc.wait(timeout=30) == 0
    worker.stop()
    assert worker._ended is None


@pytest.mark.parametrize("whole", [False, True])
def test_a_worker_stopped_before_the_export_is_published_changes_no_feed(
    tmp_path: Path, whole: bool
) -> None:
    """Stopped (its parent killed) while the export is written, or once it is whole but
    before the rename: no feed, no window changes; the mark stays only in the second case,
    where the export may have been renamed since (the next start decides, as before)."""
    _, data = two_data_dirs(tmp_path)
    before, state = feed_files(data), windows(data)
    worker, final = start_worker(data, "run-1")
    write_in_pieces(part_path(final), export_bytes(RUN[:5] if not whole else RUN))
    assert worker.marked()
    if whole:
        worker.complete()
        time.sleep(0.5)
    worker.stop()
    assert feed_files(data) == before
    assert windows(data) == state
    assert staged_files(data) == []
    assert pending(data) == (["run-1"] if whole else [])


def test_the_next_start_completes_what_a_stopped_worker_left_after_the_rename(
    tmp_path: Path,
) -> None:
    inline, data = two_data_dirs(tmp_path)
    apply_runs(inline, [("run-1", RUN)])
    worker, final = start_worker(data, "run-1")
    write_in_pieces(part_path(final), export_bytes(RUN))
    assert worker.marked()
    worker.complete()
    os.replace(part_path(final), final)
    worker.stop()  # killed after the rename, before the feeds were published

    crawler = get_crawler(settings_dict=settings_for(data, "run-2"))
    ext = HashtagFeeds.from_crawler(crawler)
    ext.spider_opened()
    ext.engine_stopped()
    assert crawler.stats.get_value("newscrawl/feeds/recovered_runs") == 1
    assert feed_files(data) == feed_files(inline)


def settings_for(data: Path, run_id: str, **more: Any) -> dict[str, Any]:
    """The crawl's settings for the feeds that ``config(data)`` describes."""
    return {
        **project_settings(data),
        "NEWSCRAWL_RUN_ID": run_id,
        "NEWSCRAWL_BASE_URL": SITE,
        "NEWSCRAWL_FEED_BASE_URL": FEED_BASE,
        "NEWSCRAWL_TIMEZONE": "Asia/Dubai",
        **more,
    }


def _extension(data: Path, run_id: str) -> tuple[HashtagFeeds, Any]:
    crawler = get_crawler(settings_dict=settings_for(data, run_id))
    ext = HashtagFeeds.from_crawler(crawler)
    ext.spider_opened(SimpleNamespace(name="tagpage"))
    return ext, crawler.stats


def _publish(ext: HashtagFeeds, run_id: str, final: Path, records: list[dict[str, Any]]) -> None:
    """What the run export does: the part written, whole, marked, renamed, published."""
    write_in_pieces(part_path(final), export_bytes(records), pieces=3)
    ext.written(run_id, final)
    ext.before_publish(run_id, final)
    os.replace(part_path(final), final)
    ext.published(run_id, final, len(records))


def test_the_extension_publishes_through_the_worker_and_logs_its_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inline, data = two_data_dirs(tmp_path)
    bad = record("f" * 32, hashtags=["a/b"])
    apply_runs(inline, [("run-1", [*RUN, bad])])
    ext, stats = _extension(data, "run-1")
    assert ext.worker is not None
    final = (data / "exports" / "tagpage" / "run-1.jsonl").resolve()
    _publish(ext, "run-1", final, [*RUN, bad])
    ext.engine_stopped()
    assert stats.get_value("newscrawl/feeds/worker_failed") is None
    assert stats.get_value("newscrawl/feeds/worker_wait_ms") is not None
    assert stats.get_value("newscrawl/feeds/stories") == len(RUN)
    assert stats.get_value("newscrawl/feeds/dropped") == 1
    # The child's warning, in this process's log, naming the export's line.
    assert f"{final}:{len(RUN) + 1}: hashtag 'a/b' cannot name a feed file" in caplog.text
    assert feed_files(data) == feed_files(inline)
    assert pending(data) == []


def test_the_worker_publishes_once_the_export_is_renamed_its_answer_taken_after(
    tmp_path: Path,
) -> None:
    """export_renamed tells the child to publish: the feeds appear and the run's mark is
    cleared while this process is still busy (the seen-store's promote), before
    export_published takes the child's answer."""
    inline, data = two_data_dirs(tmp_path)
    apply_runs(inline, [("run-1", RUN)])
    ext, stats = _extension(data, "run-1")
    final = (data / "exports" / "tagpage" / "run-1.jsonl").resolve()
    write_in_pieces(part_path(final), export_bytes(RUN), pieces=3)
    ext.written("run-1", final)
    ext.before_publish("run-1", final)
    before = feed_files(data)
    assert pending(data) == ["run-1"]
    os.replace(part_path(final), final)
    ext.renamed("run-1", final)
    deadline = time.monotonic() + 30
    while pending(data) and time.monotonic() < deadline:  # published without a further word
        time.sleep(0.05)
    assert pending(data) == [] and feed_files(data) == feed_files(inline) != before
    assert stats.get_value("newscrawl/feeds/stories") is None  # its answer not taken yet
    ext.published("run-1", final, len(RUN))
    assert stats.get_value("newscrawl/feeds/worker_failed") is None
    assert stats.get_value("newscrawl/feeds/stories") == len(RUN)
    ext.engine_stopped()
    assert feed_files(data) == feed_files(inline) and windows(data) == windows(inline)


@pytest.mark.parametrize("when", ["while the export is written", "once it is whole"])
def test_a_worker_that_dies_leaves_the_update_to_the_crawls_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, when: str
) -> None:
    inline, data = two_data_dirs(tmp_path)
    apply_runs(inline, [("run-1", RUN)])
    ext, stats = _extension(data, "run-1")
    final = (data / "exports" / "tagpage" / "run-1.jsonl").resolve()
    write_in_pieces(part_path(final), export_bytes(RUN), pieces=3)
    assert ext.worker is not None and ext.worker.marked()
    pid = ext.worker._proc.pid  # type: ignore[union-attr]
    if when == "once it is whole":
        ext.written("run-1", final)
    os.kill(pid, signal.SIGKILL)
    if when != "once it is whole":
        ext.written("run-1", final)
    ext.before_publish("run-1", final)
    os.replace(part_path(final), final)
    ext.published("run-1", final, len(RUN))
    ext.engine_stopped()
    assert stats.get_value("newscrawl/feeds/worker_failed") == 1
    assert "feeds worker: it exited (exit code -9)" in caplog.text
    assert feed_files(data) == feed_files(inline)
    assert windows(data) == windows(inline)
    assert pending(data) == []


def test_an_empty_export_is_published_through_the_worker(tmp_path: Path) -> None:
    """A cron run that finds nothing new exports an empty file: the child, which waits for
    a first story before it marks the run, marks it when told the export is whole."""
    inline, data = two_data_dirs(tmp_path)
    apply_runs(inline, [("run-1", [])])
    ext, stats = _extension(data, "run-1")
    final = (data / "exports" / "tagpage" / "run-1.jsonl").resolve()
    _publish(ext, "run-1", final, [])
    ext.engine_stopped()
    assert stats.get_value("newscrawl/feeds/worker_failed") is None
    assert stats.get_value("newscrawl/feeds/stories") == 0
    assert feed_files(data) == feed_files(inline)
    assert pending(data) == []


def test_the_worker_can_be_switched_off(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict=settings_for(tmp_path, "run-1", NEWSCRAWL_FEEDS_WORKER=False)
    )
    ext = HashtagFeeds.from_crawler(crawler)
    ext.spider_opened(SimpleNamespace(name="tagpage"))
    assert ext.worker is None
    final = tmp_path / "exports" / "tagpage" / "run-1.jsonl"
    _publish(ext, "run-1", final, RUN)
    ext.engine_stopped()
    assert crawler.stats.get_value("newscrawl/feeds/worker_wait_ms") is None
    assert crawler.stats.get_value("newscrawl/feeds/stories") == len(RUN)
    assert read_feed(tmp_path / "feeds" / "en" / "Oman.atom").entries
