"""Scrapy extension: the hashtag feeds follow the run export, at the moment it is published.

Why on ``export_published`` (after the rename) and not before it: the feeds must never
show a story that no complete export holds. A run killed before its rename must change no
feed, and writing feed files before the rename would need them undone at the next start
while a reader may already have fetched them. So:

- ``export_before_publish``: the run is marked *pending* in the feeds' state (one small
  commit); nothing else is touched.
- ``export_published``: the export is complete; its stories are merged into the windows of
  the feeds they name, those feeds (and the OPML list, if a feed is new) are written, and
  the mark is cleared.
- at the next start (``spider_opened``, under the data dir's lock): a run still marked
  either completed its export and was killed before its feeds were written (they are
  written now, from that export), or never completed it (the mark is dropped; its stories
  are exported, and reach the feeds, with a later run).

A killed run therefore leaves every feed byte for byte as it was, and a complete export
always reaches the feeds, at once or at the next run.

With ``NEWSCRAWL_FEEDS_WORKER`` (on by default) the same update is prepared by a child
process while the run finishes (``newscrawl.feeds.worker``): it marks the run pending at
the export's first story, follows the export as it is written, prepares the feeds once the
export is whole (``export_written``), and publishes them once it is renamed
(``export_renamed``), while this process promotes the run in the seen-store; its answer is
taken on ``export_published``. The states above are the same; a run killed
before its export is whole has its mark cleared by the child, or dropped at the next start.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import exports
from newscrawl.feeds.store import FeedStore
from newscrawl.feeds.worker import FeedsWorker
from newscrawl.feeds.writer import Applied, FeedConfig, FeedWriter
from newscrawl.sites import DEFAULT_SITE, site_name_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class HashtagFeeds:
    """Writes ``<DATA_DIR>/feeds/<lang>/<hashtag>.atom`` and ``index.opml`` after each export.

    Stats: ``newscrawl/feeds/stories`` (records merged), ``newscrawl/feeds/updated`` (feeds
    the export touched), ``newscrawl/feeds/files_written``, ``newscrawl/feeds/new``,
    ``newscrawl/feeds/dropped`` (records that cannot be entries, each logged),
    ``newscrawl/feeds/ms``, ``newscrawl/feeds/recovered_runs``,
    ``newscrawl/feeds/discarded_runs``, ``newscrawl/feeds/failed``.
    """

    def __init__(
        self,
        config: FeedConfig,
        stats: StatsCollector,
        *,
        run_id: str,
        worker: bool = False,
        site: str = DEFAULT_SITE,
    ) -> None:
        self.config = config
        self.stats = stats
        self.run_id = run_id
        self.use_worker = worker
        self.site = site  # the site module's name, for the worker to load
        self.writer: FeedWriter | None = None
        self.worker: FeedsWorker | None = None
        self._waited = 0.0  # seconds this process waited for the worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HashtagFeeds:
        s = crawler.settings
        if not s.getbool("NEWSCRAWL_FEEDS_ENABLED"):
            raise NotConfigured("NEWSCRAWL_FEEDS_ENABLED is off")
        if not s.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise NotConfigured("feeds follow the run export, which is off")
        ext = cls(
            FeedConfig.from_settings(s),
            crawler.stats,
            run_id=s.get("NEWSCRAWL_RUN_ID"),
            worker=s.getbool("NEWSCRAWL_FEEDS_WORKER"),
            site=site_name_of(s),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.written, signal=exports.export_written)
        crawler.signals.connect(ext.before_publish, signal=exports.export_before_publish)
        crawler.signals.connect(ext.renamed, signal=exports.export_renamed)
        crawler.signals.connect(ext.published, signal=exports.export_published)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def _open(self) -> FeedWriter:
        if self.writer is None:
            store = FeedStore(self.config.state_path, self.config.window)
            self.writer = FeedWriter(self.config, store)
        return self.writer

    def spider_opened(self, spider: Any = None) -> None:
        self._recover()
        if self.use_worker and spider is not None:
            export = exports.export_path(self.config.data_dir, spider.name, self.run_id)
            self.worker = FeedsWorker(self.config, self.site, self.run_id, export.resolve())
            self.worker.start()

    def _recover(self) -> None:
        writer = self._open()
        for run_id, path in writer.store.pending():
            if run_id == self.run_id:
                continue
            if not path.exists():
                writer.store.clear_pending(run_id)
                self.stats.inc_value("newscrawl/feeds/discarded_runs")
                logger.warning(
                    "feeds: run %s never completed its export; no feed has its stories", run_id
                )
                continue
            applied = self._apply(run_id, path, rewrite_index=True)
            if applied is not None:
                self.stats.inc_value("newscrawl/feeds/recovered_runs")
                logger.warning(
                    "feeds: run %s completed its export but not its feeds: %d files written"
                    " from %s",
                    run_id,
                    applied.written,
                    path,
                )

    def written(self, run_id: str, path: Path) -> None:
        """The export is whole: the worker, if it marked the run, prepares the feeds now."""
        worker = self.worker
        if run_id != self.run_id or worker is None:
            return
        if worker.export != path.resolve():
            worker.failed = f"it followed {worker.export}, the run exported {path}"
        started = time.perf_counter()
        worker.complete()
        worker.marked()  # before_publish goes on without the worker if it did not say so
        self._waited += time.perf_counter() - started

    def before_publish(self, run_id: str, path: Path) -> None:
        if run_id != self.run_id:
            return
        if self.worker is not None and self.worker.running and self.worker.marked():
            return  # the worker marked the run pending when it started
        self._without_worker()
        self._open().store.mark_pending(run_id, path)

    def renamed(self, run_id: str, path: Path) -> None:
        """The export is complete: the worker publishes the feeds while the seen-store
        promotes the run (``export_published``, whose receiver runs before :meth:`published`:
        the seen-store service comes first in ``EXTENSIONS``); the worker's answer is taken
        there. Before, the run waited for the child's publish after the promote: 0.16-0.33 s
        at the end of an English bench crawl, 0.74 s of an Arabic one."""
        if run_id == self.run_id and self.worker is not None and self.worker.running:
            self.worker.go()

    def published(self, run_id: str, path: Path, count: int) -> None:
        if run_id != self.run_id:
            return
        applied = None
        if self.worker is not None and self.worker.running:
            started = time.perf_counter()
            applied = self.worker.finish()
            self._waited += time.perf_counter() - started
            if applied is not None:
                self._count(applied)
                self.stats.set_value(
                    "newscrawl/feeds/worker_wait_ms", round(self._waited * 1000, 1)
                )
        if applied is None:
            self._without_worker()
            applied = self._apply(run_id, path)
        if applied is not None:
            logger.info(
                "feeds: %d stories into %d feeds (%d files written, %d new feeds) in %.1f ms",
                applied.records,
                applied.feeds,
                applied.written,
                len(applied.new_feeds),
                applied.ms,
            )

    def _without_worker(self) -> None:
        """Stop the worker (what it had not published is rolled back) if it failed: this
        process updates the feeds itself."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        worker.stop()
        self.stats.inc_value("newscrawl/feeds/worker_failed")
        logger.warning(
            "feeds worker: %s; the feeds are updated by the crawl's process",
            worker.failed or "it stopped",
        )

    def _apply(self, run_id: str, path: Path, *, rewrite_index: bool = False) -> Applied | None:
        """The export's stories into the feeds, then the run's mark cleared; None if it failed
        (the mark stays, so the next run writes these feeds from this export)."""
        writer = self._open()
        try:
            applied = writer.apply(run_id, path, rewrite_index=rewrite_index)
            writer.store.clear_pending(run_id)
        except (OSError, sqlite3.Error) as exc:
            self.stats.inc_value("newscrawl/feeds/failed")
            logger.error("feeds: not updated from %s (%s); the next run retries", path, exc)
            return None
        self._count(applied)
        return applied

    def _count(self, applied: Applied) -> None:
        self.stats.inc_value("newscrawl/feeds/stories", applied.records)
        self.stats.inc_value("newscrawl/feeds/updated", applied.feeds)
        self.stats.inc_value("newscrawl/feeds/files_written", applied.written)
        self.stats.inc_value("newscrawl/feeds/new", len(applied.new_feeds))
        self.stats.inc_value("newscrawl/feeds/ms", round(applied.ms, 1))
        if applied.dropped:
            self.stats.inc_value("newscrawl/feeds/dropped", applied.dropped)

    def engine_stopped(self) -> None:
        if self.worker is not None:  # the export was never published: nothing is
            self.worker.stop()
            self.worker = None
        if self.writer is not None:
            self.writer.store.close()
            self.writer = None
