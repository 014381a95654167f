"""First pipeline: drop records that cannot be a story, loudly and counted."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from newscrawl.items import Fields, item_fields
from newscrawl.sites import SiteProfile, load_profile, site_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """A story needs an id of the site's shape, an absolute URL, a title and one of the site's
    languages.

    Anything else is a site change or an extractor bug: dropped with a warning naming
    the URL and the reason, and counted under ``newscrawl/drop/invalid``.
    """

    def __init__(self, stats: StatsCollector, site: SiteProfile | None = None) -> None:
        site = site or load_profile()  # the id shape and the languages are the site's
        self.stats = stats
        self.id_re = re.compile(site.id_pattern)
        self.langs = frozenset(site.langs)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats, site_of(crawler.settings))

    def process_item(self, item: Any) -> Any:
        a = item_fields(item)
        problem = _problem(a, self.id_re, self.langs)
        if problem:
            self.stats.inc_value("newscrawl/drop/invalid")
            self.stats.inc_value(f"newscrawl/drop/invalid/{problem}")
            raise DropItem(f"invalid story ({problem}): {a.get('url')}", log_level="WARNING")
        return item


def _problem(a: Fields, id_re: re.Pattern[str], langs: frozenset[str]) -> str | None:
    if not isinstance(a.get("id"), str) or not id_re.match(a["id"]):
        return "id"
    url = a.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return "url"
    if not a.get("title"):
        return "title"
    if a.get("lang") not in langs:
        return "lang"
    return None
