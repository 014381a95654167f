"""Scrapy's per-call costs that a crawl of many small items pays for nothing.

Two of Scrapy's own mechanisms cost more per call than newscrawl's work per item does:

* **Stats.** Scrapy 2.19's ``StatsCollector.__getattribute__`` runs on every attribute
  read of the stats object: it builds a ``_cached_<name>`` string, fails a lookup of it the
  first time and wraps each method in a shim that warns when a caller passes the
  deprecated ``spider`` argument. ``stats.inc_value(key)`` costs 2.3 µs that way and
  0.13 µs without it (timeit, this machine); a first crawl makes about ten stats calls a
  story. :class:`FastStatsCollector` is Scrapy's ``MemoryStatsCollector`` with plain
  attribute access: the same methods, the same stats; only the deprecation warning for a
  ``spider`` argument is not given (the methods still accept it).
* **Debug log records.** The scraper asks the log formatter for a "Scraped from" record
  per item and the engine for a "Crawled (200)" one per response, and logs them at DEBUG.
  Scrapy leaves the root logger at NOTSET and filters by ``LOG_LEVEL`` in its handler, so
  each record is made (caller lookup included) and then thrown away. :class:`LogFormatter`
  returns no record for those two when ``LOG_LEVEL`` is above DEBUG (Scrapy's documented
  way to silence them); at DEBUG they are logged as before. Drops are WARNING records and
  always logged.

Both are set in ``newscrawl/settings.py`` (``STATS_CLASS``, ``LOG_FORMATTER``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import logformatter
from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class FastStatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` without the per-read deprecation shim."""

    __getattribute__ = object.__getattribute__


class LogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter; no per-item or per-response DEBUG record unless at DEBUG."""

    def __init__(self, *, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFormatter:
        level = crawler.settings.get("LOG_LEVEL") or "DEBUG"
        number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        if not isinstance(number, int):
            raise ValueError(f"LOG_LEVEL must be a logging level name, not {level!r}")
        return cls(debug=number <= logging.DEBUG)

    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        return super().crawled(*args, **kwargs) if self.debug else None

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        return super().scraped(*args, **kwargs) if self.debug else None
