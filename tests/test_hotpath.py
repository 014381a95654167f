"""Scrapy's per-call costs taken off the hot path (newscrawl/extensions/hotpath.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import ClassVar

import pytest
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import signals
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.spiders import Spider
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from newscrawl import settings as project_settings
from newscrawl.extensions.hotpath import (
    FastStatsCollector,
    ItemPipelineManager,
    LogFormatter,
    OneItemScrapedReceiver,
)
from tests.conftest import run_crawl
from tests.mockserver.static import StaticServer


def project() -> Settings:
    s = Settings()
    s.setmodule(project_settings, priority="project")
    return s


def test_the_project_uses_all_three() -> None:
    s = project()
    assert load_object(s["STATS_CLASS"]) is FastStatsCollector
    assert load_object(s["LOG_FORMATTER"]) is LogFormatter
    assert s.getdict("EXTENSIONS")["newscrawl.extensions.hotpath.OneItemScrapedReceiver"]
    assert load_object(s["ITEM_PROCESSOR"]) is ItemPipelineManager


def test_fast_stats_keep_every_value_as_scrapys_do() -> None:
    crawler = get_crawler(Spider)
    fast, plain = FastStatsCollector(crawler), MemoryStatsCollector(crawler)
    for stats in (fast, plain):
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.inc_value("b", start=10)
        stats.set_value("c", "x")
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.min_value("n", 3)
        stats.min_value("n", 5)
        stats.inc_value("d", spider=crawler.spider)  # the old argument still works
    assert (
        fast.get_stats()
        == plain.get_stats()
        == {
            "a": 3,
            "b": 11,
            "c": "x",
            "m": 3,
            "n": 3,
            "d": 1,
        }
    )
    assert fast.get_value("missing", 7) == 7


def _formatter(level: str) -> LogFormatter:
    return LogFormatter.from_crawler(get_crawler(Spider, {"LOG_LEVEL": level}))


def test_no_per_item_or_per_response_debug_record_above_debug() -> None:
    spider = Spider.from_crawler(get_crawler(Spider), name="s")
    request = Request("http://127.0.0.1:9/x")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    quiet, loud = _formatter("INFO"), _formatter("DEBUG")
    assert quiet.scraped({"id": 1}, response, spider) is None
    assert quiet.crawled(request, response, spider) is None
    assert loud.scraped({"id": 1}, response, spider)["level"] == logging.DEBUG
    assert loud.crawled(request, response, spider)["level"] == logging.DEBUG
    # A drop is a warning, and stays one at every level.
    dropped = quiet.dropped({"id": 1}, Exception("why"), response, spider)
    assert dropped is not None and dropped["level"] >= logging.WARNING


def test_a_crawl_at_debug_still_logs_each_response_and_story(tmp_path: Path) -> None:
    a = "a" * 32
    listing = (
        "<html><body><h1>#T</h1><section>"
        f"<div><a href='/en/article/{a}'><h2>A headline</h2></a><p><span>Dawn</span>"
        "<img alt='time'>a day ago</p><ul><li>Dawn</li></ul></div>"
        "</section></body></html>"
    ).encode()
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b""),
        "/en/hashtag/T": (200, {"Content-Type": "text/html; charset=utf-8"}, listing),
    }
    with StaticServer(routes) as server:
        # (At INFO the handler would hide these records whatever the formatter did, so only
        # a crawl at DEBUG can show the formatter keeps them; the INFO side is tested above.)
        loud = run_crawl(server.base_url, tmp_path / "d", "-a", "tags=T", "-s", "LOG_LEVEL=DEBUG")
    assert loud.returncode == 0
    assert "Crawled (200) <GET " in loud.log and "Scraped from" in loud.log
    assert len(loud.records) == 1


class _Receivers:
    """item_scraped receivers of every kind Scrapy takes; each says it was called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def plain(self, item: object, spider: object) -> None:
        self.calls.append(("plain", item))

    def fails(self, item: object) -> None:
        raise ValueError("this receiver fails")

    def returns_an_awaitable(self, item: object):
        async def later() -> None:
            await asyncio.sleep(0.01)
            self.calls.append(("awaited", item))

        return later()

    async def coroutine(self, item: object) -> None:
        self.calls.append(("coroutine", item))

    def every_argument(self, **named: object) -> None:
        self.calls.append(("every_argument", tuple(sorted(named))))

    def keyword_only(self, item: object, *, spider: object = "not given") -> None:
        # robustApply passes no keyword-only argument: folded, it must not either
        self.calls.append(("keyword_only", spider))


def _send_items(fold: bool) -> tuple[_Receivers, list, OneItemScrapedReceiver]:
    crawler = get_crawler(Spider)
    receivers = _Receivers()
    names = (
        "plain",
        "fails",
        "returns_an_awaitable",
        "coroutine",
        "every_argument",
        "keyword_only",
    )
    for name in names:
        crawler.signals.connect(getattr(receivers, name), signal=signals.item_scraped)
    ext = OneItemScrapedReceiver.from_crawler(crawler)
    if not fold:
        crawler.signals.disconnect(ext.fold, signal=signals.engine_started)
    live: list = []

    async def crawl() -> None:
        await crawler.signals.send_catch_log_async(signal=signals.engine_started)
        live.extend(liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped)))
        for item in (1, 2):
            await crawler.signals.send_catch_log_async(
                signal=signals.item_scraped, item=item, response=None, spider=None
            )
            # every receiver is done when the signal is: the awaitable's work included
            assert ("awaited", item) in receivers.calls

    asyncio.run(crawl())
    return receivers, live, ext


def test_item_scraped_receivers_folded_into_one_are_called_as_scrapy_calls_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One receiver where there were five plain ones (a coroutine function stays on its
    own): the same calls with the same arguments, a failing receiver logged in Scrapy's
    words and the others still called, an awaitable waited for."""
    with caplog.at_level(logging.ERROR):
        plain, unfolded, _ = _send_items(fold=False)
        scrapys = [r.getMessage() for r in caplog.records]
        caplog.clear()
        folded, live, ext = _send_items(fold=True)
        ours = [r.getMessage() for r in caplog.records]
    assert len(unfolded) == 7  # Scrapy's core stats count items through it too
    assert [r.__name__ for r in live] == ["coroutine", "item_scraped"]
    first = ext.receivers[0]
    assert f"{type(first.__self__).__name__}.{first.__name__}" == "CoreStats.item_scraped"
    assert [r.__name__ for r in ext.receivers[1:]] == [
        "plain",
        "fails",
        "returns_an_awaitable",
        "every_argument",
        "keyword_only",
    ]
    assert sorted(folded.calls, key=repr) == sorted(plain.calls, key=repr)
    assert ("every_argument", ("item", "response", "sender", "signal", "spider")) in folded.calls
    assert ("keyword_only", "not given") in folded.calls
    assert len(folded.calls) == 10
    assert len(ours) == len(scrapys) == 2
    assert all("Error caught on signal handler" in m and "fails" in m for m in ours + scrapys)


# --- the item pipelines' chain (ItemPipelineManager) ----------------------------------------


class _Calls:
    log: ClassVar[list] = []


class _Plain:
    def process_item(self, item: dict) -> dict:
        _Calls.log.append(("plain", item["n"]))
        return {**item, "plain": True}


class _TakesSpider:
    def process_item(self, item: dict, spider: Spider) -> dict:
        _Calls.log.append(("spider", spider.name))
        return item


class _Coroutine:
    async def process_item(self, item: dict) -> dict:
        await asyncio.sleep(0)
        _Calls.log.append(("coroutine", item["n"]))
        return {**item, "awaited": True}


class _Deferred:
    def process_item(self, item: dict):
        from twisted.internet import defer

        _Calls.log.append(("deferred", item["n"]))
        return defer.succeed({**item, "deferred": True})


class _Dict(dict):
    pass


class _OtherTypes:
    """Returns another type now and then: a type once seen plain must not stop an
    awaitable of another type from being awaited."""

    def process_item(self, item: dict):
        if item["n"] % 3 == 0:
            return _Dict(item)
        if item["n"] % 3 == 1:

            async def later() -> dict:
                return {**item, "later": True}

            return later()
        return item


class _Drops:
    def process_item(self, item: dict) -> dict:
        from scrapy.exceptions import DropItem

        if item["n"] == 4:
            raise DropItem("four")
        return item


def _through(manager_class: type, items: list[dict]) -> tuple[list, list]:
    crawler = get_crawler(Spider)
    crawler.spider = Spider("chain")
    pipelines = [_Plain(), _TakesSpider(), _Coroutine(), _Deferred(), _OtherTypes(), _Drops()]
    with pytest.warns(Warning):  # the spider argument, and a Deferred returned: both warned of
        manager = manager_class(*pipelines, crawler=crawler)
        _Calls.log = []
        out: list = []

        async def send() -> None:
            for item in items:
                try:
                    done = await manager.process_item_async(item)
                    out.append((type(done).__name__, sorted(done.items())))
                except Exception as e:  # compared between the two, not hidden
                    out.append((type(e).__name__, str(e)))

        asyncio.run(send())
    return out, _Calls.log


def test_the_pipelines_chain_gives_what_scrapys_gives() -> None:
    from scrapy.pipelines import ItemPipelineManager as Scrapys

    items = [{"n": n} for n in range(7)]
    theirs = _through(Scrapys, items)
    ours = _through(ItemPipelineManager, items)
    assert ours == theirs
    results, calls = ours
    assert results[4] == ("DropItem", "four")
    assert results[1][1] == sorted(
        {"n": 1, "plain": True, "awaited": True, "deferred": True, "later": True}.items()
    )
    assert results[3][0] == "_Dict"
    assert calls[:5] == [
        ("plain", 0),
        ("spider", "chain"),
        ("coroutine", 0),
        ("deferred", 0),
        ("plain", 1),
    ]


def test_the_pipelines_chain_warns_of_a_deferred_as_scrapy_does() -> None:
    from scrapy.exceptions import ScrapyDeprecationWarning

    crawler = get_crawler(Spider)
    crawler.spider = Spider("chain")
    manager = ItemPipelineManager(_Deferred(), crawler=crawler)
    with pytest.warns(
        ScrapyDeprecationWarning, match=r"_Deferred.process_item returned a Deferred"
    ):
        done = asyncio.run(manager.process_item_async({"n": 0}))
    assert done == {"n": 0, "deferred": True}


# --- an item into the pipelines (scrape_item) -----------------------------------------------

# A crawl with no request: on idle its spider sends four items through the scraper, by
# Scrapy's start_itemproc_async or by scrape_item (argv[1]), with a coroutine receiver of
# item_scraped or not (argv[2]), and prints what the signals and the scraper's logger saw.
_SCRAPE_ITEMS = r"""
import json, logging, sys
from scrapy import Spider, signals
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.exceptions import DontCloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro
from newscrawl.collect import wake
from newscrawl.extensions.hotpath import scrape_item

MODE, COROUTINE = sys.argv[1], sys.argv[2] == "1"
seen = []


class Pipe:
    def process_item(self, item):
        if item["n"] == 1:
            raise DropItem("one")
        if item["n"] == 2:
            raise ValueError("two")
        return {**item, "ok": True}


class Records(logging.Handler):
    def emit(self, record):
        if record.name == "scrapy.core.scraper":
            first = record.getMessage().splitlines()[0]
            seen.append(["log", record.levelname, first, record.exc_info is not None])


class Items(Spider):
    name = "items"
    sent = False

    async def start(self):
        return
        yield

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        def scraped(item, response, spider, signal, sender):
            seen.append(["scraped", sorted(item.items()), response, spider.name])
        def dropped(item, response, spider, exception):
            seen.append(["dropped", sorted(item.items()), response, str(exception)])
        def error(item, response, spider, failure):
            seen.append(["error", sorted(item.items()), response, repr(failure.value)])
        async def later(item):
            seen.append(["coroutine", item["n"]])
        spider.keep = [scraped, dropped, error, later]
        crawler.signals.connect(scraped, signal=signals.item_scraped)
        crawler.signals.connect(dropped, signal=signals.item_dropped)
        crawler.signals.connect(error, signal=signals.item_error)
        if COROUTINE:
            crawler.signals.connect(later, signal=signals.item_scraped)
        return spider

    def idle(self):
        if self.sent:
            return
        self.sent = True
        scraper = self.crawler.engine.scraper

        async def send():
            for n in range(4):
                if MODE == "scrapy":
                    await scraper.start_itemproc_async({"n": n}, response=None)
                else:
                    await scrape_item(self.crawler, {"n": n})
                seen.append(["in process", scraper.slot.itemproc_size])
            wake(self.crawler.engine)

        deferred_from_coro(send())
        raise DontCloseSpider


process = AsyncCrawlerProcess({
    "ITEM_PIPELINES": {"__main__.Pipe": 100},
    "ITEM_PROCESSOR": "newscrawl.extensions.hotpath.ItemPipelineManager",
    "LOG_FORMATTER": "newscrawl.extensions.hotpath.LogFormatter",
    "EXTENSIONS": {"newscrawl.extensions.hotpath.OneItemScrapedReceiver": 540},
    "LOG_LEVEL": "DEBUG",
    "TELNETCONSOLE_ENABLED": False,
})
logging.getLogger().addHandler(Records())  # after Scrapy has set up logging
process.crawl(Items)
process.start()
print("SEEN " + json.dumps(seen))
"""


def _scraped_by(mode: str, coroutine: bool) -> list:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _SCRAPE_ITEMS, mode, "1" if coroutine else "0"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("SEEN "))
    return json.loads(line[5:])


@pytest.mark.parametrize("coroutine", [False, True], ids=["plain receivers", "a coroutine one"])
def test_scrape_item_sends_an_item_through_as_scrapys_scraper_does(coroutine: bool) -> None:
    """The same signals with the same arguments, in the same order, the same records on
    the scraper's logger (a drop, an item error with its traceback, each item scraped at
    DEBUG), and the scraper's count of items in process back to none after each."""
    theirs = _scraped_by("scrapy", coroutine)
    ours = _scraped_by("ours", coroutine)
    assert ours == theirs
    kinds = [entry[0] for entry in ours]
    assert kinds.count("scraped") == 2 and kinds.count("dropped") == 1
    assert kinds.count("error") == 1 and kinds.count("coroutine") == (2 if coroutine else 0)
    assert ["in process", 0] in ours and ["in process", 1] not in ours
    logs = [entry for entry in ours if entry[0] == "log"]
    assert [level for _, level, _, _ in logs] == ["DEBUG", "WARNING", "ERROR", "DEBUG"]
    assert logs[2][3] is True  # the item error's traceback
