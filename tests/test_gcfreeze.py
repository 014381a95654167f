"""The GC extension: what lives as long as the run is frozen at open and first idle, and
everything is unfrozen at close (newscrawl/extensions/gcfreeze.py)."""

from __future__ import annotations

import gc

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


def test_frozen_at_open_and_first_idle_only_and_unfrozen_at_close() -> None:
    crawler = get_crawler(_Spider, {"EXTENSIONS": {GcFreeze: 0}})
    crawler.spider = _Spider()
    GcFreeze.from_crawler(crawler)
    send = crawler.signals.send_catch_log

    send(signals.spider_opened, spider=crawler.spider)
    at_open = gc.get_freeze_count()
    assert at_open > 0

    held = [[i] for i in range(1000)]  # what a crawl holds until it is over: tracked lists
    send(signals.spider_idle, spider=crawler.spider)
    after_crawl = gc.get_freeze_count()
    assert after_crawl >= at_open + len(held)

    in_flight = [[i] for i in range(1000)]  # made while the stories go through the pipelines
    send(signals.spider_idle, spider=crawler.spider)  # idle again between two batches
    # Not frozen again: what the release makes stays in the collector's sight.
    assert gc.get_freeze_count() == after_crawl
    del held, in_flight

    send(signals.spider_closed, spider=crawler.spider, reason="finished")
    assert gc.get_freeze_count() == 0


def test_off_by_setting() -> None:
    crawler = get_crawler(_Spider, {"NEWSCRAWL_GC_FREEZE": False})
    with pytest.raises(NotConfigured):
        GcFreeze.from_crawler(crawler)
