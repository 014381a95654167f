"""Redirects that end: a loop is refused at its first repeat, a long chain at REDIRECT_MAX_TIMES.

Scrapy's redirect middlewares send a redirect back through the scheduler, whose duplicate
filter drops a URL already requested without telling anyone: a page that redirects to
itself (or A -> B -> A) just vanishes from the run, uncounted, and the run looks complete.
These subclasses refuse such a redirect with ``RedirectLoop`` and a chain longer than
``REDIRECT_MAX_TIMES`` with ``TooManyRedirects``; both reach the request's errback (which
names the page and marks the run incomplete) and are counted here.

Stats: ``newscrawl/redirect/loop``, ``newscrawl/redirect/max_reached``.
A redirect to another host is not this module's business: the request guard refuses it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class RedirectLoop(IgnoreRequest):
    """A redirect to a URL already visited on the way to it."""


class TooManyRedirects(IgnoreRequest):
    """A redirect chain longer than REDIRECT_MAX_TIMES."""


class _LoopCheck:
    """Wraps a Scrapy redirect middleware's ``process_response`` with the two checks."""

    crawler: Crawler

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:  # the parent raises it only when the chain is too long
            self.crawler.stats.inc_value("newscrawl/redirect/max_reached")
            chain = [*request.meta.get("redirect_urls", []), request.url]
            logger.warning(
                "Not following %s: more than %d redirects (%s)",
                response.headers.get("Location", b"").decode("latin-1")[:300],
                len(chain) - 1,
                " -> ".join(u[:200] for u in chain),
            )
            raise TooManyRedirects(f"more than {len(chain) - 1} redirects") from exc
        if isinstance(result, Request):
            chain = [*request.meta.get("redirect_urls", []), request.url]
            seen = {canonicalize_url(u) for u in chain}
            if canonicalize_url(result.url) in seen:
                self.crawler.stats.inc_value("newscrawl/redirect/loop")
                logger.warning(
                    "Not following a redirect loop: %s -> %s",
                    " -> ".join(u[:200] for u in chain),
                    result.url[:200],
                )
                raise RedirectLoop(f"redirect loop back to {result.url[:300]}")
        return result


class LoopSafeRedirectMiddleware(_LoopCheck, RedirectMiddleware):
    """Scrapy's RedirectMiddleware (3xx + Location) that refuses loops and long chains."""


class LoopSafeMetaRefreshMiddleware(_LoopCheck, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (``<meta http-equiv=refresh>``), the same way."""
