"""The seen-store as a crawler service: one component opens, recovers, promotes and closes it.

Which stories earlier runs exported is a resource several components read: the dedupe
pipeline (is a story new; stage it), the syndication pipeline (fingerprints staged and
promoted with the ids) and the spider (fetch a story page only for a story not exported
before). None of them owns it. This extension opens the store the settings describe
(SQLite in the data dir, or Redis with ``NEWSCRAWL_BACKEND=redis``), settles runs that died
with stories staged, makes staged stories durable before the run's export is renamed into
place, marks them seen once it is, and closes the store when the engine stops.

Components ask :func:`seen_store`; it is None when exports are off (then there is no
incremental memory, and every component says so in its own way).

Stats: ``newscrawl/dedupe/recovered_runs`` (dead runs settled at start),
``newscrawl/dedupe/flush_ms`` (the run's staged stories committed, before the rename) and
``newscrawl/dedupe/promote_ms`` (made seen, after it): what the end of a run costs here;
``newscrawl/dedupe/band_rows_folded``: earlier runs' band rows the store folded into its band
index while this run crawled (``newscrawl/stores/band_segments.py``), until the spider closed.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl import exports
from newscrawl.sites import site_of
from newscrawl.stores.band_segments import BandFolder
from newscrawl.stores.sqlite import SQLiteSeenStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawl.stores import SeenStore

logger = logging.getLogger(__name__)

#: The crawler attribute the service is published as (like ``crawler.stats``).
ATTRIBUTE = "seen_store"


def seen_store(crawler: Crawler) -> SeenStore | None:
    """The run's seen-store, or None when there is none (exports off)."""
    service = getattr(crawler, ATTRIBUTE, None)
    return service.store if service is not None else None


def open_store(settings: Any, *, check_seen: bool = True) -> SeenStore:
    """The store the settings describe: SQLite in the data dir, or the fleet's Redis."""
    if settings.get("NEWSCRAWL_BACKEND") == "redis":  # shared by a fleet: docs/REDIS.md
        from newscrawl.stores.redis import redis_seen_store

        return redis_seen_store(settings, check_seen=check_seen)
    # One file per site, so two sites' ids never meet (Daily8's keeps its old name).
    site = site_of(settings)
    return SQLiteSeenStore(
        Path(settings.get("NEWSCRAWL_DATA_DIR")) / site.seen_store_file, ids=site.ids
    )


class SeenStoreService:
    """Scrapy extension that owns the seen-store for one run (see the module's docstring)."""

    def __init__(
        self, store: SeenStore, stats: StatsCollector, *, run_id: str, exports_dir: Path
    ) -> None:
        self.store: SeenStore | None = store
        self.stats = stats
        self.run_id = run_id
        self.exports_dir = exports_dir
        #: The store's fold of earlier runs' band rows, if it started one (it stops it).
        self.folder: BandFolder | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenStoreService:
        s = crawler.settings
        if not s.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise NotConfigured("NEWSCRAWL_EXPORT_ENABLED is off: no run export, no seen-store")
        spider = crawler.spider
        # refresh=1 exports every story found: a Redis store then claims without asking
        # whether a story was seen (a SQLite store is simply not asked).
        refresh = bool(getattr(spider, "refresh", False))
        service = cls(
            open_store(s, check_seen=not refresh),
            crawler.stats,
            run_id=s.get("NEWSCRAWL_RUN_ID"),
            exports_dir=Path(s.get("NEWSCRAWL_DATA_DIR"))
            / "exports"
            / (spider.name if spider else "tagpage"),
        )
        # Settled before any component asks the store anything: the engine is not built yet.
        service.recover()
        if isinstance(service.store, SQLiteSeenStore):
            # Earlier runs' band rows into the band index while this one crawls (after the
            # recovery, whose promotes add some): none of it after the last page.
            service.folder = service.store.fold_in_background()
        setattr(crawler, ATTRIBUTE, service)
        crawler.signals.connect(service._before_publish, signal=exports.export_before_publish)
        crawler.signals.connect(service._published, signal=exports.export_published)
        crawler.signals.connect(service._closed, signal=signals.spider_closed)
        crawler.signals.connect(service.close, signal=signals.engine_stopped)
        return service

    def recover(self) -> None:
        """Settle runs that staged stories and died: their export is either complete (then
        its stories are seen) or absent (then they were never delivered and must be again)."""
        assert self.store is not None
        for run_id in self.store.staged_runs():
            if run_id == self.run_id:
                continue
            final = self.exports_dir / f"{run_id}.jsonl"
            if final.exists():
                n = self.store.promote(run_id)
                logger.warning(
                    "recovered run %s: its export is complete, %d stories seen", run_id, n
                )
            else:
                n = self.store.discard(run_id)
                logger.warning(
                    "recovered run %s: its export never completed, %d stories to export again",
                    run_id,
                    n,
                )
            self.stats.inc_value("newscrawl/dedupe/recovered_runs")

    def _flush(self) -> None:
        if self.store is not None:
            self.store.flush()

    def _closed(self) -> None:
        self._flush()
        if self.folder is not None:  # its count so far: it goes on until the store closes
            self.stats.set_value("newscrawl/dedupe/band_rows_folded", self.folder.folded)

    def _before_publish(self, run_id: str, path: Path) -> None:
        if run_id == self.run_id:
            started = time.perf_counter()
            self._flush()
            self._took("newscrawl/dedupe/flush_ms", started)

    def _published(self, run_id: str, path: Path, count: int) -> None:
        if self.store is not None and run_id == self.run_id:
            started = time.perf_counter()
            n = self.store.promote(run_id)
            self._took("newscrawl/dedupe/promote_ms", started)
            logger.info("export complete: %s (%d records, %d stories now seen)", path, count, n)

    def _took(self, stat: str, started: float) -> None:
        self.stats.set_value(stat, round((time.perf_counter() - started) * 1000, 1))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
