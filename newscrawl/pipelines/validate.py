"""First pipeline: drop records that cannot be a story, loudly and counted."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)
_ID_RE = re.compile(r"^[0-9a-f]{32}$")


class ValidatePipeline:
    """A story needs its 32-hex id, an absolute URL, a title and a known language.

    Anything else is a site change or an extractor bug: dropped with a warning naming
    the URL and the reason, and counted under ``newscrawl/drop/invalid``.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        a = ItemAdapter(item)
        problem = _problem(a)
        if problem:
            self.stats.inc_value("newscrawl/drop/invalid")
            self.stats.inc_value(f"newscrawl/drop/invalid/{problem}")
            raise DropItem(f"invalid story ({problem}): {a.get('url')}", log_level="WARNING")
        return item


def _problem(a: ItemAdapter) -> str | None:
    if not isinstance(a.get("id"), str) or not _ID_RE.match(a["id"]):
        return "id"
    url = a.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return "url"
    if not a.get("title"):
        return "title"
    if a.get("lang") not in ("en", "ar"):
        return "lang"
    return None
