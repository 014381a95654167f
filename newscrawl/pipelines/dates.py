"""Date pipeline: the card's date text becomes ``published`` and ``published_precision``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from newscrawl.dates import DateNormaliser, parse_now
from newscrawl.items import item_fields

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class DatesPipeline:
    """Fills ``published``; an unreadable date keeps ``published_raw``, warns and is counted.

    Stats: ``newscrawl/dates/<method>`` (fast, dateparser, empty, failed).
    """

    def __init__(self, normaliser: DateNormaliser, stats: StatsCollector) -> None:
        self.normaliser = normaliser
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatesPipeline:
        s = crawler.settings
        now = parse_now(s.get("NEWSCRAWL_NOW") or None)
        normaliser = DateNormaliser(now, s.get("NEWSCRAWL_TIMEZONE"))
        crawler.stats.set_value("newscrawl/now", now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return cls(normaliser, crawler.stats)

    def process_item(self, item: Any) -> Any:
        a = item_fields(item)
        parsed = self.normaliser.normalise(a.get("published_raw"), a["lang"])
        a["published"] = parsed.value
        a["published_precision"] = parsed.precision
        self.stats.inc_value(f"newscrawl/dates/{parsed.method}")
        if parsed.method == "failed":
            logger.warning("unreadable date %r on %s", a.get("published_raw"), a.get("url"))
        elif parsed.method == "empty":
            logger.info("no date on the card of %s", a.get("url"))
        return item
