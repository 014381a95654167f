"""The GC extension: what lives as long as the run is frozen at open and first idle, and
everything is unfrozen at close (newscrawl/extensions/gcfreeze.py).

Nothing here may depend on what ran before in the process. ``gc.get_freeze_count()`` is
process-wide: another thread's loop (the replica server an earlier test left serving, its
``serve_forever`` poll) frees objects that a freeze caught, so the count drops by one or
two under the test's feet. The counts are therefore read while this thread keeps the GIL
(``_this_thread_only``), and each claim is also checked on the very objects it is about.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extensions.gcfreeze import GcFreeze


class _Spider(scrapy.Spider):
    name = "gc"


@pytest.fixture(autouse=True)
def _unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


@contextmanager
def _this_thread_only() -> Iterator[None]:
    """No other thread runs Python code inside: this one gives the GIL up only when it blocks,
    and nothing inside blocks."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(3600)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _frozen(objects: list[list[int]]) -> list[bool]:
    """For each (tracked) object: is it in the permanent generation, out of the collector's
    sight? ``gc.get_objects()`` lists the three collected generations only."""
    collected = {id(o) for o in gc.get_objects()}
    return [gc.is_tracked(o) and id(o) not in collected for o in objects]


def test_frozen_at_open_and_first_idle_only_and_unfrozen_at_close() -> None:
    # Only the extension under test: a crawler's default extensions (LogStats wants a
    # reactor or a running asyncio loop at spider_opened) have nothing to do with it.
    crawler = get_crawler(_Spider, {"EXTENSIONS_BASE": {}})
    crawler.spider = _Spider()
    extension = GcFreeze.from_crawler(crawler)  # kept: signals hold their receivers weakly
    send = crawler.signals.send_catch_log

    with _this_thread_only():
        setup = [[i] for i in range(100)]  # what the setup made before the spider opened
        send(signals.spider_opened, spider=crawler.spider)
        at_open = gc.get_freeze_count()
        assert at_open > 0
        assert all(_frozen(setup))

        held = [[i] for i in range(1000)]  # what a crawl holds until it is over: tracked lists
        assert not any(_frozen(held))
        send(signals.spider_idle, spider=crawler.spider)
        after_crawl = gc.get_freeze_count()
        assert after_crawl >= at_open + len(held)
        assert all(_frozen(held))

        in_flight = [[i] for i in range(1000)]  # made while the stories go through the pipelines
        send(signals.spider_idle, spider=crawler.spider)  # idle again between two batches
        # Not frozen again: what the release makes stays in the collector's sight.
        assert gc.get_freeze_count() == after_crawl
        assert not any(_frozen(in_flight))

    send(signals.spider_closed, spider=crawler.spider, reason="finished")
    assert gc.get_freeze_count() == 0
    assert not any(_frozen(setup + held + in_flight))
    del held, in_flight, extension


def test_off_by_setting() -> None:
    crawler = get_crawler(_Spider, {"NEWSCRAWL_GC_FREEZE": False})
    with pytest.raises(NotConfigured):
        GcFreeze.from_crawler(crawler)
