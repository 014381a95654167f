"""``scrapy parse`` for tagpage: a listing page's stories shown as items, nothing written.

Scrapy's ``parse`` calls the callback and prints what it returns. ``tagpage`` returns no
item from ``parse``: it holds each story until every listing is crawled (a story's
hashtags are known only then) and sends them through the pipelines when the crawl goes
idle, where they were exported and marked seen, so the next real crawl skipped them. Here:

- the callback gets the arguments Scrapy cannot know: ``tag``, the one of ``-a tags``
  whose listing the URL is (else the first), ``page`` 1; ``--cbkwargs`` still wins;
- the stories the page listed are shown as its items, dates normalised by the dates
  pipeline (which only computes); the other pipelines, which export and mark stories
  seen, are not run (``--pipelines`` is refused);
- nothing is written: no run export, no seen-store, no run report, no lock, no monitors,
  and a feed (``-o``/``-O``) is refused. A debugging command must never change what the
  next run delivers.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.commands.parse import Command as ScrapyParse
from scrapy.exceptions import UsageError
from scrapy.http import Response
from twisted.internet.defer import Deferred

from newscrawl.commands import report_bad_arguments
from newscrawl.pipelines.dates import DatesPipeline

# What a run writes and whom it tells, all off for a look at one page.
WRITES_NOTHING = {
    "NEWSCRAWL_EXPORT_ENABLED": False,  # run export, seen-store, run report, data dir lock
    "NEWSCRAWL_BACKEND": "sqlite",  # no Redis fleet: no claims, no shared queue
    "SPIDERMON_ENABLED": False,  # no monitors, no webhook
    "FEEDS": {},
}


class Command(ScrapyParse):
    """Scrapy's ``parse``, made to show tagpage's stories and to write nothing."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if opts.output or opts.overwrite_output:
            raise UsageError(
                "scrapy parse writes nothing: use scrapy crawl -O FILE for a feed",
                print_help=False,
            )
        if opts.pipelines:
            raise UsageError(
                "scrapy parse writes nothing: the pipelines would export the stories and"
                " mark them seen; scrapy crawl runs them",
                print_help=False,
            )
        assert self.settings is not None
        for name, value in WRITES_NOTHING.items():
            self.settings.set(name, value, priority="cmdline")

    def start_parsing(self, url: str, opts: argparse.Namespace) -> None:
        # Scrapy's, with a refused spider argument in one line (newscrawl.commands).
        assert self.crawler_process
        assert self.spidercls
        self.pcrawler = self._create_crawler(self.spidercls)
        report_bad_arguments(
            self.crawler_process.crawl(self.pcrawler, **opts.spargs), self.pcrawler
        )
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        if not self.first_response:
            self.exitcode = 1

    def run_callback(
        self, response: Response, callback: Any, cb_kwargs: dict[str, Any] | None = None
    ) -> Deferred[Any]:
        spider = getattr(callback, "__self__", None)
        collector = getattr(spider, "collector", None)
        if collector is None or getattr(callback, "__func__", None) is not type(spider).parse:
            return super().run_callback(response, callback, cb_kwargs)
        kwargs = {"tag": _tag_of(response.url, spider), "page": 1, **(cb_kwargs or {})}
        d = super().run_callback(response, callback, kwargs)
        d.addCallback(_with_held_stories, response, spider)
        return d


def _tag_of(url: str, spider: Any) -> str:
    """The spider's hashtag whose first listing page *url* is (query aside); else its first."""
    path = url.split("?", 1)[0].rstrip("/")
    for tag in spider.tags:
        if spider.site.listing_url(spider.base_url, spider.lang, tag).rstrip("/") == path:
            return tag
    return spider.tags[0]


def _with_held_stories(output: Any, response: Response, spider: Any) -> list[Any]:
    """The callback's requests, and the stories of this page that the spider now holds."""
    output = list(output)  # runs the callback: only then does the spider hold the stories
    listing = spider.site.parse_listing(
        None, response.url, spider.base_url, root=response.selector.root
    )
    held = [s for s in (spider.collector.get(card.id) for card in listing.cards) if s is not None]
    # Marked released, so the idle release has nothing to send to the pipelines.
    spider.collector.release()
    dates = spider.crawler.get_item_pipeline(DatesPipeline)
    if dates is not None:
        held = [dates.process_item(story) for story in held]
    return [*output, *held]
