"""scrapy-splash 0.11.1 made to work with Scrapy 2.19: import this module, not ``scrapy_splash``.

scrapy-splash's last release (0.11.1) predates three Scrapy changes that break it (1-3) and
one deprecation that will (4). Each workaround below is numbered as in
``tests/test_splash_compat.py``, which also checks that the break is still there: when a test
named ``test_break_N_still_present...`` fails after an upgrade, upstream has fixed break N
and its workaround can go.

Use the classes from here in settings (``newscrawl.compat.splash.SplashMiddleware``, ...),
never ``scrapy_splash``'s own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import scrapy.utils.url
from scrapy import Request
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# 1. ImportError: scrapy-splash imports ``canonicalize_url`` from ``scrapy.utils.url``, which
#    Scrapy 2.16 removed (it has lived in w3lib since 2016). Put w3lib's back under the old
#    name before scrapy_splash is imported. Can go when scrapy-splash imports it from w3lib
#    (scrapy-plugins/scrapy-splash#332).
if not hasattr(scrapy.utils.url, "canonicalize_url"):
    scrapy.utils.url.canonicalize_url = canonicalize_url  # type: ignore[attr-defined]

# Both imports need workaround 1 first.
import scrapy_splash
from scrapy_splash import (
    SlotPolicy,
    SplashAwareDupeFilter,
    SplashAwareFSCacheStorage,
    SplashCookiesMiddleware,
    SplashFormRequest,
    SplashJsonResponse,
    SplashRequest,
    SplashRequestFingerprinter,
    SplashResponse,
    SplashTextResponse,
)

__all__ = [
    "SlotPolicy",
    "SplashAwareDupeFilter",
    "SplashAwareFSCacheStorage",
    "SplashCookiesMiddleware",
    "SplashDeduplicateArgsMiddleware",
    "SplashFormRequest",
    "SplashJsonResponse",
    "SplashMiddleware",
    "SplashRequest",
    "SplashRequestFingerprinter",
    "SplashResponse",
    "SplashTextResponse",
]


class SplashMiddleware(scrapy_splash.SplashMiddleware):
    """scrapy-splash's downloader middleware, working on Scrapy 2.19."""

    # 3. AttributeError: 'Downloader' object has no attribute '_get_slot_key'. Scrapy 2.12
    #    made it public as ``get_slot_key(request)`` and 2.14 removed the private name; the
    #    per-domain slot policy (the default) calls it for every Splash request. Can go when
    #    scrapy-splash calls ``get_slot_key`` (scrapy-plugins/scrapy-splash#330).
    def _get_slot_key(self, request_or_response: Any) -> str:
        return self.crawler.engine.downloader.get_slot_key(request_or_response)

    # 4. Not a break yet: Scrapy 2.19 warns that the ``spider`` argument of middleware
    #    methods is deprecated and will stop being passed. Declared optional, Scrapy no
    #    longer passes it (no warning); scrapy-splash still gets the spider it expects.
    #    Can go with 3, when scrapy-splash drops the argument.
    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        return super().process_request(request, spider or self.crawler.spider)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Any:
        return super().process_response(request, response, spider or self.crawler.spider)


class SplashDeduplicateArgsMiddleware(scrapy_splash.SplashDeduplicateArgsMiddleware):
    """scrapy-splash's spider middleware (``cache_args``), working on Scrapy 2.19."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplashDeduplicateArgsMiddleware:
        return cls(crawler)

    # 2. TypeError at start: "doesn't support asynchronous spider output". Scrapy 2.16
    #    removed support for spider middlewares whose ``process_spider_output`` is a plain
    #    generator, and start requests now come from ``process_start`` (an async generator)
    #    instead of ``process_start_requests``, so the argument store was never set up and
    #    ``cache_args`` failed with a KeyError. Both methods as async generators, doing what
    #    the originals do. Can go when scrapy-splash ships async spider middleware methods.
    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        async for element in result:
            if isinstance(element, Request):
                yield self._process_request(element, spider)
            else:
                yield element

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        if not hasattr(spider, "state"):
            spider.state = {}
        spider.state.setdefault(self.local_values_key, {})  # fingerprint -> value
        async for element in start:
            if isinstance(element, Request):
                yield self._process_request(element, spider)
            else:
                yield element
