"""Dedupe pipeline: each story once per run, and once ever across runs (incremental).

A story exported by this run is *staged* in the seen-store and becomes *seen* only when
the run's export file is complete on disk, so a crash loses and duplicates nothing: the
next run either finds the complete export (and marks its stories seen) or re-exports.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from newscrawl import exports
from newscrawl.stores import StoryClaimed
from newscrawl.stores.sqlite import SQLiteSeenStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawl.stores import SeenStore

logger = logging.getLogger(__name__)

SEEN_STORE_FILE = "seen.sqlite3"


class DedupePipeline:
    """Drops in-run duplicates and stories a complete earlier export already holds.

    Stats: ``newscrawl/drop/in_run_duplicate``, ``newscrawl/drop/seen_before``,
    ``newscrawl/dedupe/new``, ``newscrawl/dedupe/recovered_runs``,
    ``newscrawl/drop/claimed_by_other_run`` (Redis backend: another worker exports it).
    """

    def __init__(
        self,
        store: SeenStore | None,
        stats: StatsCollector,
        *,
        run_id: str,
        exports_dir: Path,
        refresh: bool = False,
    ) -> None:
        self.store = store
        self.stats = stats
        self.run_id = run_id
        self.exports_dir = exports_dir
        self.refresh = refresh
        # Ids exported in this run: bounded by one run's stories, not by history.
        self._run_ids: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        s = crawler.settings
        data_dir = Path(s.get("NEWSCRAWL_DATA_DIR"))
        spider = crawler.spider
        refresh = bool(getattr(spider, "refresh", False))
        store = None
        if s.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            if s.get("NEWSCRAWL_BACKEND") == "redis":  # shared by a fleet: docs/REDIS.md
                from newscrawl.fleet.backend import redis_seen_store

                store = redis_seen_store(s, check_seen=not refresh)
            else:
                store = SQLiteSeenStore(data_dir / SEEN_STORE_FILE)
        pipe = cls(
            store,
            crawler.stats,
            run_id=s.get("NEWSCRAWL_RUN_ID"),
            exports_dir=data_dir / "exports" / (spider.name if spider else "tagpage"),
            refresh=refresh,
        )
        crawler.signals.connect(pipe._before_publish, signal=exports.export_before_publish)
        crawler.signals.connect(pipe._published, signal=exports.export_published)
        crawler.signals.connect(pipe._close_store, signal=signals.engine_stopped)
        return pipe

    def open_spider(self) -> None:
        if self.store is None:
            return
        # Runs that staged stories and died: their export is either complete (then its
        # stories are seen) or absent (then they were never delivered and must be again).
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

    def process_item(self, item: Any) -> Any:
        story_id = ItemAdapter(item)["id"]
        if story_id in self._run_ids:
            self.stats.inc_value("newscrawl/drop/in_run_duplicate")
            raise DropItem(f"story {story_id} already exported in this run", log_level="DEBUG")
        if self.store is not None and not self.refresh and self.store.is_seen(story_id):
            self.stats.inc_value("newscrawl/drop/seen_before")
            raise DropItem(f"story {story_id} exported by an earlier run", log_level="DEBUG")
        if self.store is not None:
            try:
                self.store.stage(self.run_id, story_id)
            except StoryClaimed as claimed:  # another worker of the fleet exports it
                self.stats.inc_value("newscrawl/drop/claimed_by_other_run")
                raise DropItem(str(claimed), log_level="DEBUG") from None
        self._run_ids.add(story_id)
        self.stats.inc_value("newscrawl/dedupe/new")
        return item

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.flush()

    def _before_publish(self, run_id: str, path: Path) -> None:
        if self.store is not None and run_id == self.run_id:
            self.store.flush()

    def _published(self, run_id: str, path: Path, count: int) -> None:
        if self.store is not None and run_id == self.run_id:
            n = self.store.promote(run_id)
            logger.info("export complete: %s (%d records, %d stories now seen)", path, count, n)

    def _close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
