"""The baseline: a bare Scrapy spider that fetches the pages ``tagpage`` fetches, nothing more.

Same start URLs (``daily8.listing_url``), same next links (``rel=next``, else the link
reading "Load more"), one plain dict per story link on the page and no pipeline, export
or report: the difference between its run and ``tagpage``'s is what newscrawl costs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from newscrawl.sites import daily8
from newscrawl.tags import read_tags_file

_NEXT = (
    '//*[@rel="next"]/@href'
    ' | //a[normalize-space()="Load more" or normalize-space()="تحميل المزيد"]/@href'
)
_STORY_LINKS = '//a[contains(@href, "/article/")]/@href'


class BareSpider(scrapy.Spider):
    """Listing pages in, one ``{"url", "tag"}`` dict per card out."""

    name = "bare"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {},
        "ADDONS": {},
        "NEWSCRAWL_EXPORT_ENABLED": False,
    }

    def __init__(self, tags_file: str, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tags = read_tags_file(Path(tags_file))
        self.lang = lang

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BareSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base_url = crawler.settings.get("NEWSCRAWL_BASE_URL").rstrip("/")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for tag in self.tags:
            url = daily8.listing_url(self.base_url, self.lang, tag)
            yield scrapy.Request(url, cb_kwargs={"tag": tag})

    def parse(self, response: Response, tag: str) -> Any:
        base = self.base_url
        # A card links its story two or three times (image, headline); ads live elsewhere.
        for href in dict.fromkeys(response.xpath(_STORY_LINKS).getall()):
            if href.startswith(("/", base)):
                yield {"url": href, "tag": tag}
        next_url = response.xpath(_NEXT).get()
        if next_url:
            yield response.follow(next_url, cb_kwargs={"tag": tag})
