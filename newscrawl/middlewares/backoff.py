"""Retries that wait: exponential backoff with jitter, ``Retry-After`` honoured, RETRY_TIMES bound.

Scrapy's own RetryMiddleware re-sends a failed request at once, so a site that is down or
rate limiting gets the retries within milliseconds and a 429's ``Retry-After`` is ignored.
This replaces it (same place in ``DOWNLOADER_MIDDLEWARES``, same ``retry/*`` stats, same
``RETRY_TIMES`` / ``RETRY_HTTP_CODES`` / ``RETRY_EXCEPTIONS``) and waits before each retry:

* ``base * 2**(n-1)`` seconds before retry *n*, capped at ``NEWSCRAWL_RETRY_BACKOFF_MAX``,
  with "equal jitter" (a random point in the upper half) so that pages failing together
  do not come back together;
* at least what a ``Retry-After`` header asks (seconds or an HTTP date), unless it asks for
  more than ``NEWSCRAWL_RETRY_AFTER_MAX``: then the page is given up at once, logged and
  counted, rather than holding the run for as long as the site likes.

The wait is an ``await`` inside the middleware: it does not block the reactor, and the
request stays "in the downloader", so the engine does not think the crawl is idle (and
end the run, or release its stories) while a retry is pending. It ends early when the
engine stops (Ctrl-C, SIGTERM), so a shutdown is not held up by a long wait.

Stats: ``newscrawl/retry/backoff_seconds`` (total waited), ``newscrawl/retry/retry_after``
(retries that honoured a Retry-After), ``newscrawl/retry/retry_after_too_long`` (pages given
up because of one), ``newscrawl/retry/retry_after_unreadable``, ``newscrawl/retry/interrupted``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# The longest single sleep between checks that the engine is still running.
_WAKE_EVERY = 1.0


def parse_retry_after(value: bytes | str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), at ``now``
    (a Unix time); None if it is absent or unreadable. A date in the past means 0."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)  # float(): a 5000-digit value is inf, not a ValueError
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 9110 dates are GMT anyway
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt: int, base: float, cap: float, rand: float) -> float:
    """Seconds before retry ``attempt`` (1 for the first): ``full = min(cap, base * 2**(attempt
    - 1))``, and ``rand`` in [0, 1) picks a point between ``full / 2`` and ``full``."""
    full = min(cap, base * 2 ** min(attempt - 1, 64))
    return full / 2 + rand * full / 2


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry (backoff, jitter, Retry-After)."""

    # Not calling RetryMiddleware.__init__: it reads settings, and here only from_crawler does.
    def __init__(
        self,
        *,
        stats: StatsCollector,
        retry_times: int,
        retry_http_codes: set[int],
        exceptions_to_retry: tuple[type[BaseException], ...],
        priority_adjust: int = -1,
        give_up_log_level: int | str = "ERROR",
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        retry_after_max: float = 120.0,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
        is_running: Callable[[], bool] = lambda: True,
    ) -> None:
        if backoff_base < 0 or backoff_max < 0 or retry_after_max < 0:
            raise ValueError("backoff and Retry-After limits must not be negative")
        self.stats = stats
        self.max_retry_times = retry_times
        self.retry_http_codes = retry_http_codes
        self.exceptions_to_retry = exceptions_to_retry
        self.priority_adjust = priority_adjust
        self.give_up_log_level = give_up_log_level
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.rand = rand
        self.clock = clock
        self.is_running = is_running

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        s = crawler.settings
        if not s.getbool("RETRY_ENABLED"):
            raise NotConfigured
        mw = cls(
            stats=crawler.stats,
            retry_times=s.getint("RETRY_TIMES"),
            retry_http_codes={int(x) for x in s.getlist("RETRY_HTTP_CODES")},
            exceptions_to_retry=tuple(
                x if isinstance(x, type) else load_object(x) for x in s.getlist("RETRY_EXCEPTIONS")
            ),
            priority_adjust=s.getint("RETRY_PRIORITY_ADJUST"),
            give_up_log_level=s["RETRY_GIVE_UP_LOG_LEVEL"],
            backoff_base=s.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE"),
            backoff_max=s.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX"),
            retry_after_max=s.getfloat("NEWSCRAWL_RETRY_AFTER_MAX"),
            is_running=lambda: crawler.engine is not None and crawler.engine.running,
        )
        mw.crawler = crawler
        return mw

    def backoff_delay(self, attempt: int) -> float:
        """Seconds before retry number ``attempt`` (1 for the first retry), jitter included."""
        return backoff_delay(attempt, self.backoff_base, self.backoff_max, self.rand())

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        retry_after = None
        header = response.headers.get(b"Retry-After")
        if header is not None:
            retry_after = parse_retry_after(header, self.clock())
            if retry_after is None:
                self.stats.inc_value("newscrawl/retry/retry_after_unreadable")
                logger.warning(
                    "Unreadable Retry-After %r from %s, backing off as usual", header, request
                )
            elif retry_after > self.retry_after_max:
                self.stats.inc_value("newscrawl/retry/retry_after_too_long")
                logger.warning(
                    "Not retrying %s: the site asks to wait %.0f s (Retry-After), more than"
                    " NEWSCRAWL_RETRY_AFTER_MAX (%.0f s)",
                    request,
                    retry_after,
                    self.retry_after_max,
                )
                return response
        retried = await self._retry_later(request, reason, retry_after)
        return retried or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get(
            "dont_retry", False
        ):
            return await self._retry_later(request, exception, None)
        return None

    async def _retry_later(
        self, request: Request, reason: str | Exception, retry_after: float | None
    ) -> Request | None:
        """The retry request after its wait, or None when retries are used up (Scrapy logs
        that at RETRY_GIVE_UP_LOG_LEVEL) or the engine stopped during the wait."""
        assert self.crawler.spider is not None
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )
        if retry is None:
            return None
        attempt = retry.meta["retry_times"]
        delay = self.backoff_delay(attempt)
        if retry_after is not None:
            delay = max(delay, retry_after)
            self.stats.inc_value("newscrawl/retry/retry_after")
        logger.info(
            "Retrying %s in %.1f s (retry %d of %d%s): %s",
            request,
            delay,
            attempt,
            request.meta.get("max_retry_times", self.max_retry_times),
            ", as Retry-After asks" if retry_after is not None else "",
            _reason_text(reason),
        )
        waited = await self._wait(delay)
        total = self.stats.get_value("newscrawl/retry/backoff_seconds", 0.0) + waited
        self.stats.set_value("newscrawl/retry/backoff_seconds", round(total, 3))
        if waited < delay:
            self.stats.inc_value("newscrawl/retry/interrupted")
            logger.warning("Not retrying %s: the crawl is shutting down", request)
            return None
        return retry

    async def _wait(self, delay: float) -> float:
        """Sleep ``delay`` seconds in steps, stopping early if the engine stops; time slept."""
        start = time.monotonic()
        remaining = delay
        while remaining > 0:
            if not self.is_running():
                return time.monotonic() - start
            await sleep(min(remaining, _WAKE_EVERY))
            remaining = delay - (time.monotonic() - start)
        return max(delay, time.monotonic() - start)


def _reason_text(reason: Any) -> str:
    return reason if isinstance(reason, str) else f"{type(reason).__name__}: {reason}"
