"""Scrapy's per-call costs that a crawl of many small items pays for nothing.

Where Scrapy's own mechanisms cost more per call than newscrawl's work per item does:

* **Stats.** Scrapy 2.19's ``StatsCollector.__getattribute__`` runs on every attribute
  read of the stats object: it builds a ``_cached_<name>`` string, fails a lookup of it the
  first time and wraps each method in a shim that warns when a caller passes the
  deprecated ``spider`` argument. ``stats.inc_value(key)`` costs 2.3 µs that way and
  0.13 µs without it (timeit, this machine); a first crawl makes about ten stats calls a
  story. :class:`FastStatsCollector` is Scrapy's ``MemoryStatsCollector`` with plain
  attribute access: the same methods, the same stats; only the deprecation warning for a
  ``spider`` argument is not given (the methods still accept it).
* **Debug log records.** The scraper asks the log formatter for a "Scraped from" record
  per item and the engine for a "Crawled (200)" one per response, and logs them at DEBUG.
  Scrapy leaves the root logger at NOTSET and filters by ``LOG_LEVEL`` in its handler, so
  each record is made (caller lookup included) and then thrown away. :class:`LogFormatter`
  returns no record for those two when ``LOG_LEVEL`` is above DEBUG (Scrapy's documented
  way to silence them); at DEBUG they are logged as before. Drops are WARNING records and
  always logged.

* **The item_scraped signal.** With the asyncio reactor Scrapy sends ``item_scraped`` for
  each item through ``asyncio.gather``, one task a receiver: 4.8 µs a signal with no
  receiver, 20.6 with one, 36.5 with three (20,000 signals, one process), where the three
  of a crawl (core stats, the feed exporter, spidermon's field coverage) do about 3 µs of
  work between them. :class:`OneItemScrapedReceiver` (an extension) replaces, once the
  engine starts, every plain function or method connected to ``item_scraped`` by one
  receiver that calls them in the same order, each as Scrapy would (only the arguments it
  takes; an exception logged as Scrapy logs it, and the others still called; a Deferred or
  awaitable it returns waited for before the signal is done). A coroutine function, and a
  receiver connected later, stay connected on their own.

* **The item pipelines' chain.** For every item and every pipeline Scrapy's
  ``_process_chain`` names the method (``global_object_name``, for a warning it gives only
  if a Deferred comes back) and wraps what it returned in a new coroutine to await it
  (``ensure_awaitable``: a Deferred check, an ``Awaitable`` ABC check, a coroutine): 14-16
  µs an item through six pipelines that return it, against 0.8-1.3 this way (50,000 items,
  CPU time, one process), and about a tenth of a release's samples in a py-spy profile.
  :class:`ItemPipelineManager` (``ITEM_PROCESSOR``) calls the same methods in the same
  order with the same arguments, and awaits only what is awaitable; a Deferred is warned
  of in Scrapy's words and waited for, as there.

* **An item into the pipelines.** Scrapy's ``Scraper.start_itemproc_async`` sends every
  scraped item's ``item_scraped`` through ``send_catch_log_async`` even with a single
  receiver: a coroutine, ``asyncio.gather``, a task and a future an item, and a
  ``Deferred`` for each item the release started (about a quarter of a release's samples
  in a py-spy profile, after the folding above). :func:`scrape_item` is what the release
  (``newscrawl.collect``) sends each held story through: the scraper's own steps (its slot's
  count of items in process, the pipelines, the log formatter's records on Scrapy's
  scraper logger, ``item_dropped`` / ``item_error`` as Scrapy sends them), with
  ``item_scraped`` given straight to its receivers when they are all plain functions
  (the folded one), as :class:`OneItemScrapedReceiver` calls them; otherwise as Scrapy does.

``STATS_CLASS``, ``LOG_FORMATTER`` and ``ITEM_PROCESSOR`` are set in
``newscrawl/settings.py``, and the extension in its ``EXTENSIONS``.
"""

from __future__ import annotations

import inspect
import logging
import types
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pydispatch.dispatcher import getAllReceivers, liveReceivers
from pydispatch.robustapply import function as robust_function
from scrapy import logformatter, signals
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager as _ItemPipelineManager
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.defer import ensure_awaitable, maybe_deferred_to_future
from scrapy.utils.log import logformatter_adapter
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
# The scraper's records (a drop, an item error) keep the logger Scrapy gives them.
_scraper_logger = logging.getLogger("scrapy.core.scraper")


class FastStatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` without the per-read deprecation shim."""

    __getattribute__ = object.__getattribute__


class LogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter; no per-item or per-response DEBUG record unless at DEBUG."""

    def __init__(self, *, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogFormatter:
        level = crawler.settings.get("LOG_LEVEL") or "DEBUG"
        number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        if not isinstance(number, int):
            raise ValueError(f"LOG_LEVEL must be a logging level name, not {level!r}")
        return cls(debug=number <= logging.DEBUG)

    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        return super().crawled(*args, **kwargs) if self.debug else None

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        return super().scraped(*args, **kwargs) if self.debug else None


class OneItemScrapedReceiver:
    """Folds the plain receivers of ``item_scraped`` into one, when the engine starts (see
    the module): one task a scraped item where there was one a receiver."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # folded, in the order called, each with the named arguments it takes as
        # robustApply would pass them (None: all)
        self._calls: list[tuple[Callable[..., Any], tuple[str, ...] | None]] = []

    @property
    def receivers(self) -> list[Callable[..., Any]]:
        """The folded receivers, in the order called."""
        return [receiver for receiver, _ in self._calls]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneItemScrapedReceiver:
        ext = cls(crawler)
        crawler.signals.connect(ext.fold, signal=signals.engine_started)
        return ext

    def fold(self) -> None:
        """Take every plain receiver connected now off ``item_scraped``, and connect one
        that calls them."""
        manager = self.crawler.signals
        live = liveReceivers(getAllReceivers(manager.sender, signals.item_scraped))
        plain = [r for r in live if not _async_function(r)]
        if not plain:
            return
        for receiver in plain:
            manager.disconnect(receiver, signal=signals.item_scraped)
        self._calls = [(r, _accepted(r)) for r in plain]
        manager.connect(self.item_scraped, signal=signals.item_scraped)

    def item_scraped(self, **named: Any) -> Awaitable[None] | None:
        """Each folded receiver, as Scrapy's ``send_catch_log_async`` calls it: with the
        arguments robustApply would give it (worked out once, when folded)."""
        return _call_each(self._calls, named)


def _call_each(
    calls: list[tuple[Callable[..., Any], tuple[str, ...] | None]], named: dict[str, Any]
) -> Awaitable[None] | None:
    """Call each receiver with those of *named* it takes (:func:`_accepted`), in order, as
    Scrapy's signals call them: one that raises is logged in Scrapy's words and the others
    are still called; what the awaitable results wait for, or None if none is."""
    spider = named.get("spider")
    waiting: list[tuple[Callable[..., Any], Awaitable[Any]]] = []
    for receiver, accepted in calls:
        try:
            if accepted is None:
                result = receiver(**named)
            else:
                result = receiver(**{k: v for k, v in named.items() if k in accepted})
        except Exception:
            _log_error(receiver, spider)
            continue
        if _to_await(result):
            waiting.append((receiver, result))
    return _wait_for(waiting, spider) if waiting else None


def _accepted(receiver: Callable[..., Any]) -> tuple[str, ...] | None:
    """The named arguments robustApply passes *receiver*: those it takes by name before
    any keyword-only one; None if it takes ``**kwargs`` (then all of them)."""
    _, code, start = robust_function(receiver)
    if code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    return code.co_varnames[start : code.co_argcount]


def _to_await(result: Any) -> bool:
    """Whether Scrapy would wait for *result* (a Deferred or an awaitable; None, the
    usual result, answered first)."""
    return result is not None and (isinstance(result, Deferred) or inspect.isawaitable(result))


def _async_function(receiver: Callable[..., Any]) -> bool:
    function = getattr(receiver, "__func__", receiver)
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


async def _wait_for(waiting: list[tuple[Callable[..., Any], Awaitable[Any]]], spider: Any) -> None:
    for receiver, result in waiting:
        try:
            await ensure_awaitable(result)
        except Exception:
            _log_error(receiver, spider)


def _log_error(receiver: Callable[..., Any], spider: Any) -> None:
    # Scrapy's own words for a receiver that failed (scrapy.utils.signal)
    logger.error(
        "Error caught on signal handler: %(receiver)s",
        {"receiver": receiver},
        exc_info=True,
        extra={"spider": spider},
    )


class ItemPipelineManager(_ItemPipelineManager):
    """Scrapy's item pipeline manager, its chain without a coroutine per pipeline per item
    (see the module)."""

    def __init__(self, *middlewares: Any, crawler: Crawler | None = None) -> None:
        super().__init__(*middlewares, crawler=crawler)
        needs = self._mw_methods_requiring_spider
        # each process_item, and whether it takes the spider: known once the pipelines are
        self._chain = [(m, m in needs) for m in self.methods["process_item"]]
        #: Types a pipeline returned that are neither a Deferred nor awaitable.
        self._plain: set[type] = set()

    async def process_item_async(self, item: Any) -> Any:
        plain = self._plain
        for method, needs_spider in self._chain:
            item = method(item, self._spider) if needs_spider else method(item)
            if type(item) not in plain:
                item = await self._settled(method, item)
        return item

    async def _settled(self, method: Callable[..., Any], result: Any) -> Any:
        """*result* as Scrapy's chain has it: a Deferred or an awaitable awaited, the
        Deferred warned of; else the value, and its type remembered as plain."""
        if _to_await(result):
            return await ensure_awaitable(result, _warn=global_object_name(method))
        if not isinstance(result, types.GeneratorType):  # a generator may be a coroutine
            self._plain.add(type(result))
        return result


async def scrape_item(crawler: Crawler, item: Any) -> None:
    """*item* through the item pipelines and its signals, as the engine's scraper does for
    ``start_itemproc_async(item, response=None)``; ``item_scraped`` is sent straight to its
    receivers when none is a coroutine function (see the module)."""
    scraper = crawler.engine.scraper
    spider = crawler.spider
    slot = scraper.slot
    slot.itemproc_size += 1
    try:
        try:
            if scraper._itemproc_has_async["process_item"]:
                output = await scraper.itemproc.process_item_async(item)
            else:
                output = await maybe_deferred_to_future(scraper.itemproc.process_item(item, spider))
        except DropItem as ex:
            logkws = scraper.logformatter.dropped(item, ex, None, spider)
            if logkws is not None:
                _scraper_logger.log(
                    *logformatter_adapter(logkws), extra={"spider": spider, "item": item}
                )
            await crawler.signals.send_catch_log_async(
                signal=signals.item_dropped, item=item, response=None, spider=spider, exception=ex
            )
        except Exception as ex:
            logkws = scraper.logformatter.item_error(item, ex, None, spider)
            _scraper_logger.log(
                *logformatter_adapter(logkws),
                extra={"spider": spider, "item": item},
                exc_info=True,
            )
            await crawler.signals.send_catch_log_async(
                signal=signals.item_error,
                item=item,
                response=None,
                spider=spider,
                failure=Failure(),
            )
        else:
            logkws = scraper.logformatter.scraped(output, None, spider)
            if logkws is not None:
                _scraper_logger.log(
                    *logformatter_adapter(logkws), extra={"spider": spider, "item": output}
                )
            await _item_scraped(crawler, output, spider)
    finally:
        slot.itemproc_size -= 1


async def _item_scraped(crawler: Crawler, item: Any, spider: Any) -> None:
    """``item_scraped``, as ``send_catch_log_async`` sends it when a receiver is a coroutine
    function, else through :func:`_call_each`: when the folded receiver is the only one,
    the receivers it folded, their arguments worked out already; otherwise each receiver,
    its arguments worked out as robustApply does."""
    manager = crawler.signals
    live = list(liveReceivers(getAllReceivers(manager.sender, signals.item_scraped)))
    named = {
        "signal": signals.item_scraped,
        "sender": manager.sender,
        "item": item,
        "response": None,
        "spider": spider,
    }
    if len(live) == 1 and getattr(live[0], "__func__", None) is OneItemScrapedReceiver.item_scraped:
        calls = live[0].__self__._calls  # the crawl's case: its receivers, called directly
    elif any(_async_function(r) for r in live):
        await manager.send_catch_log_async(
            signal=signals.item_scraped, item=item, response=None, spider=spider
        )
        return
    else:
        calls = [(r, _accepted(r)) for r in live]
    waiting = _call_each(calls, named)
    if waiting is not None:
        await waiting
