"""The request guard: newscrawl only ever contacts the configured site (and its renderer).

Whatever a page links to, redirects to or paginates to, a request for any other scheme,
host or port is refused here, before the downloader: other hosts, IP literals, localhost,
link-local addresses (169.254.169.254), ``file:``, ``data:``, ``javascript:``. The site's
own pages are the only input an attacker controls, so this is the one place that decides.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

from newscrawl.sites import base_url_of
from newscrawl.urls import origin

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class RequestGuardMiddleware:
    """Refuses (IgnoreRequest) every request not on an allowed origin; counted and logged.

    Stats: ``newscrawl/guard/refused``.
    """

    def __init__(self, allowed: list[str], stats: StatsCollector) -> None:
        self.allowed = {o for o in (origin(u) for u in allowed) if o}
        if not self.allowed:
            raise ValueError(f"no valid http(s) origin among {allowed!r}")
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestGuardMiddleware:
        s = crawler.settings
        allowed = [base_url_of(s)]
        # A configured renderer is the one other origin newscrawl talks to.
        allowed += [u for u in (s.get("SPLASH_URL"),) if u]
        return cls(allowed, crawler.stats)

    def process_request(self, request: Request) -> None:
        if origin(request.url) in self.allowed:
            return
        self.stats.inc_value("newscrawl/guard/refused")
        logger.warning("refused a request off the configured site: %s", request.url[:300])
        raise IgnoreRequest(f"not on the configured site: {request.url[:300]}")
