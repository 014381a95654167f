"""The project's Scrapy commands (``COMMANDS_MODULE``): Scrapy's own, with bad arguments
reported in one line.

A spider argument or setting the spider refuses (``-a tags=``, ``-a lang=xx``, a tags file
that cannot be read, ``-s NEWSCRAWL_NOW=soon``) raises ``ValueError`` while the crawler
creates the spider. Scrapy then prints the whole traceback, after ``Task exception was
never retrieved``, with the message last. Here the message is one ERROR line, the exit code
is 1 and, since no spider was made, nothing was written. The validation itself stays where
it is (the spider, ``newscrawl.tags``); any other error keeps its traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _refused_arguments(exc: BaseException, crawler: Crawler) -> bool:
    """True for the spider refusing its arguments: a ValueError before it existed."""
    return isinstance(exc, ValueError) and getattr(crawler, "spider", None) is None


def report_bad_arguments(started: Any, crawler: Crawler) -> None:
    """Turn the failed start of *crawler* (what ``CrawlerProcess.crawl`` returned: an
    asyncio task or a Deferred) into one ERROR line when its arguments were refused."""
    if isinstance(started, asyncio.Future):

        def done(task: asyncio.Future) -> None:
            if task.cancelled():
                return
            exc = task.exception()  # retrieved: asyncio no longer reports it at exit
            if exc is None:
                return
            if _refused_arguments(exc, crawler):
                logger.error("%s", exc)
            else:
                logger.error("the crawl failed to start", exc_info=exc)

        started.add_done_callback(done)
        return

    def errback(failure: Any) -> Any:
        if _refused_arguments(failure.value, crawler):
            logger.error("%s", failure.value)
            return None
        return failure

    started.addErrback(errback)
