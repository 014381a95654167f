"""The ``tagpage`` spider: crawls hashtag listings and their pagination, nothing else.

It decides what to request and when to stop; the fields come from the site profile's page
objects (``NEWSCRAWL_SITE``, ``newscrawl.sites.daily8`` by default), the normalising and
deduping from the pipelines.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawl.collect import StoryCollector, StoryRelease
from newscrawl.dates import parse_now, zone
from newscrawl.extensions.seenstore import seen_store
from newscrawl.failures import failure_reason
from newscrawl.fingerprint_worker import fingerprint_worker
from newscrawl.listing_worker import ListingWorker, page_tree
from newscrawl.sites import base_url_of, site_name_of, site_of
from newscrawl.sites.blocks import block_marker
from newscrawl.sites.cards import Card, Listing
from newscrawl.stores.hashtags import REGISTRY_FILE, HashtagRegistry
from newscrawl.tags import parse_tag_list, read_tags_file
from newscrawl.urls import origin

logger = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
DEFAULT_MAX_HASHTAGS = 20


def _count_arg(name: str, value: str | int | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if n < 0:
        raise ValueError(f"{name} must be 0 or more, not {value!r}")
    return n


class TagPageSpider(scrapy.Spider):
    """Hashtag listings → one Story per story card, all its hashtags merged, per run."""

    name = "tagpage"
    #: Scrapy handles each response's output with CONCURRENT_ITEMS (default 100) tasks
    #: started for it, whatever it yields. A listing yields no items (stories are held and
    #: released past this path) and a few requests, so one task does the same work: first
    #: crawl b/a 0.54 -> 0.64 in an alternated A/B (bench site, 3 rounds). ``-s`` overrides.
    custom_settings: ClassVar[dict[str, Any]] = {"CONCURRENT_ITEMS": 1}

    def __init__(
        self,
        tags: str | None = None,
        tags_file: str | None = None,
        lang: str | None = None,
        max_pages: str | int | None = None,
        refresh: str | bool | None = None,
        articles: str | bool | None = None,
        discover: str | int | None = None,
        max_hashtags: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Checked against the site's languages once the site is known (from_crawler).
        self.lang = lang
        found: list[str] = []
        if tags:
            found += parse_tag_list(tags)
        if tags_file:
            found += read_tags_file(Path(tags_file))
        if not found:
            raise ValueError("no hashtags given: use -a tags=A,B or -a tags_file=FILE")
        self.tags = list(dict.fromkeys(found))  # keep the user's order, drop repeats
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        if self.max_pages is not None and self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {max_pages!r}")
        self.refresh = str(refresh).lower() in _TRUE if refresh is not None else False
        self.discover = _count_arg("discover", discover, 0)
        self.max_hashtags = _count_arg("max_hashtags", max_hashtags, DEFAULT_MAX_HASHTAGS)
        # Discovery reads hashtags off story pages, so it fetches them.
        self.articles = self.discover > 0 or (
            str(articles).lower() in _TRUE if articles is not None else False
        )
        self.discovered: list[str] = []  # hashtags found and crawled, in discovery order
        self._linked: dict[str, int] = {}  # hashtag -> story pages linking it this run
        # Started when the spider opens, if from_crawler made one (setting on, cores to spare).
        self._listing_worker: ListingWorker | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> TagPageSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        _check_settings(s)
        spider.site = site_of(s)
        spider.lang = spider.site.check_lang(spider.lang or spider.site.default_lang)
        spider.base_url = base_url_of(s)
        if spider.max_pages is None:
            spider.max_pages = s.getint("NEWSCRAWL_MAX_PAGES")
        spider.collector = StoryCollector(spider.tags, crawler)
        spider.collector.skip_seen(spider._seen_among)
        # Holds the stories until every listing is crawled, then sends them to the pipelines.
        spider.release = StoryRelease.from_crawler(crawler, spider.collector)
        spider.data_dir = Path(s.get("NEWSCRAWL_DATA_DIR"))
        if s.getbool("NEWSCRAWL_LISTING_WORKER") and _other_cores():
            spider._listing_worker = ListingWorker(site_name_of(s), spider.base_url)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _opened(self) -> None:
        # Every requested hashtag has a count, so one that lists nothing shows as 0.
        stats = self.crawler.stats
        stats.set_value("newscrawl/lang", self.lang)
        stats.set_value("newscrawl/hashtags_requested", len(self.tags))
        for tag in self.tags:
            stats.set_value(f"newscrawl/hashtag/{tag}/stories", 0)
        # The pipelines are open by now: their fingerprint worker, if any, takes held
        # stories' texts during the crawl.
        worker = fingerprint_worker(self.crawler)
        if worker is not None:
            self.collector.prepare_with(worker.submit)
            self.collector.when_released(worker.end)
        if self._listing_worker is not None:
            self._listing_worker.start()
            self.collector.when_released(self._listing_worker.end)

    async def start(self) -> AsyncIterator[Any]:
        for tag in self.tags:
            yield self._listing_request(tag, 0)

    def _listing_request(self, tag: str, depth: int) -> scrapy.Request:
        return scrapy.Request(
            self.site.listing_url(self.base_url, self.lang, tag),
            callback=self.parse,
            errback=self.listing_failed,
            cb_kwargs={"tag": tag, "page": 1, "depth": depth},
        )

    async def parse(
        self, response: Response, tag: str, page: int, depth: int = 0
    ) -> AsyncIterator[Any]:
        """A listing page: its cards held in the collector, its next page followed.

        Contracts (``scrapy check tagpage``, newscrawl/contracts.py):
        @listing en Pakistan-UKCounterTerrorismDialogue
        @returns items 0 0
        @returns requests 1 1
        @holds 10 title hashtags
        """
        stats = self.crawler.stats
        stats.inc_value("newscrawl/pages")
        listing = await self._listing(response)
        crawled_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        new = 0
        added = self.collector.add_listing(
            listing.cards, tag, lang=self.lang, crawled_at=crawled_at
        )
        for card, (new_for_tag, new_story) in zip(listing.cards, added, strict=True):
            new += new_for_tag
            if new_story and self.articles:
                request = self._story_request(card, depth)
                if request is not None:
                    yield request
        self._report_page(response, tag, page, listing)
        if not listing.next_url:
            return
        if page >= self.max_pages:
            stats.inc_value("newscrawl/pagination/max_pages_reached")
            logger.info("#%s: stopping at max_pages=%d (%s)", tag, self.max_pages, response.url)
        elif new == 0:
            stats.inc_value("newscrawl/pagination/no_new_stories")
            logger.info(
                "#%s: page %d brought no new story, not following %s", tag, page, listing.next_url
            )
        else:
            yield response.follow(
                listing.next_url,
                callback=self.parse,
                errback=self.listing_failed,
                cb_kwargs={"tag": tag, "page": page + 1, "depth": depth},
            )

    async def _listing(self, response: Response) -> Listing:
        """The page's cards and next link: parsed by the listing worker if there is one
        (another core), else, or if it could not, here."""
        worker = self._listing_worker
        # Exactly an HtmlResponse: the worker makes the tree as its selector does (a
        # rendering plugin's own response class may make it otherwise).
        if worker is not None and type(response) is HtmlResponse:
            listing = await maybe_deferred_to_future(
                worker.parse(response.url, response.encoding, response.body)
            )
            if listing is not None:
                self.crawler.stats.inc_value("newscrawl/listing_worker/parsed_ahead")
                return listing
            self.crawler.stats.inc_value("newscrawl/listing_worker/parsed_inline")
        return self.site.parse_listing(None, response.url, self.base_url, root=_tree(response))

    def _story_request(self, card: Card, depth: int) -> scrapy.Request | None:
        """The story page of a story this run may export (never one exported before: the
        collector, which asked the seen-store at this first card, does not hold it)."""
        if not self.collector.has(card.id):
            self.crawler.stats.inc_value("newscrawl/article/skipped_seen")
            return None
        return scrapy.Request(
            card.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"story_id": card.id, "depth": depth},
        )

    def _seen_among(self, story_ids: list[str]) -> set[str]:
        """Those exported by an earlier run (none, with refresh=1 or without exports)."""
        seen = self._seen_store()
        return set() if seen is None else seen.seen_among(story_ids)

    def _seen_store(self) -> Any:
        """The crawler's seen-store (SQLite or Redis): story pages are fetched only for
        stories it does not hold. None with refresh=1 or without exports."""
        if self.refresh:
            return None
        return seen_store(self.crawler)

    def parse_article(self, response: Response, story_id: str, depth: int) -> Any:
        stats = self.crawler.stats
        stats.inc_value("newscrawl/article/fetched")
        page = self.site.parse_story(None, response.url, self.base_url, root=_tree(response))
        if not self.collector.has(story_id):
            return
        if page.body is None:
            stats.inc_value("newscrawl/article/no_body")
            logger.info("story page without a body: %s", response.url)
        self.release.enrich(story_id, page, self.lang)
        for tag in page.hashtags:
            self._linked[tag] = self._linked.get(tag, 0) + 1
        if depth < self.discover:
            yield from self._discover(page.hashtags, depth + 1)

    def _discover(self, found: list[str], depth: int) -> Any:
        for tag in found:
            if tag in self.tags or tag in self.discovered:
                continue
            if len(self.discovered) >= self.max_hashtags:
                self.crawler.stats.inc_value("newscrawl/discover/over_limit")
                continue
            self.discovered.append(tag)
            self.collector.add_tag(tag)
            self.crawler.stats.inc_value("newscrawl/discover/hashtags")
            self.crawler.stats.set_value(f"newscrawl/hashtag/{tag}/stories", 0)
            logger.info("discovered #%s (depth %d), crawling its listing", tag, depth)
            yield self._listing_request(tag, depth)

    def article_failed(self, failure: Any) -> None:
        """A story page that failed for good: the story keeps what its listing showed."""
        request = failure.request
        reason = failure_reason(failure)
        self.crawler.stats.inc_value("newscrawl/article/failed")
        self.crawler.stats.inc_value(f"newscrawl/article/failed/{reason}")
        logger.warning(
            "story page failed (%s); the story is exported as its listing showed it: %s",
            reason,
            request.url,
        )

    def _closed(self) -> None:
        if self._listing_worker is not None:
            self._listing_worker.close()
            self._listing_worker = None
        if self._linked:
            crawled = self.collector.tag_counts()
            registry = HashtagRegistry(self.data_dir / REGISTRY_FILE)
            registry.record(
                self.lang,
                datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                self._linked,
                {t: crawled.get(t, 0) for t in self._linked if t in crawled},
            )
            registry.close()

    def _report_page(self, response: Response, tag: str, page: int, listing: Listing) -> None:
        stats = self.crawler.stats
        stats.inc_value("newscrawl/cards", len(listing.cards))
        if listing.duplicate_cards:
            stats.inc_value("newscrawl/cards/duplicate_on_page", listing.duplicate_cards)
        if not listing.cards:
            self._no_cards(response, tag, page)
            return
        # The page object counts; the spider reports (stats, and a line naming the page).
        for name, n in listing.truncated().items():
            stats.inc_value(f"newscrawl/extract/truncated/{name}", n)
        missing = listing.missing()
        for name, n in missing.items():
            stats.inc_value(f"newscrawl/extract/missing/{name}", n)
        if missing:
            shown = ", ".join(f"{k}×{v}" for k, v in sorted(missing.items()))
            logger.info(
                "#%s page %d: %d cards, missing %s (%s)",
                tag,
                page,
                len(listing.cards),
                shown,
                response.url,
            )

    def _no_cards(self, response: Response, tag: str, page: int) -> None:
        """A listing with no story card: blocked, an empty hashtag, or an empty page."""
        stats = self.crawler.stats
        marker = block_marker(response.text) if hasattr(response, "text") else None
        if marker:
            self._blocked(response, tag, page, marker)
        elif page == 1:
            stats.inc_value("newscrawl/hashtag/no_stories")
            logger.warning("#%s lists no stories (no story card on %s)", tag, response.url)
        else:
            stats.inc_value("newscrawl/listing/empty")
            logger.warning("#%s: page %d has no story cards: %s", tag, page, response.url)

    def _blocked(self, response: Response, tag: str, page: int, marker: str) -> None:
        self.crawler.stats.inc_value("newscrawl/blocked")
        self._incomplete()
        logger.error(
            "#%s page %d: BLOCKED, the site answered HTTP %d with a challenge or consent page"
            " (marker %r) instead of the listing: %s",
            tag,
            page,
            response.status,
            marker,
            response.url,
        )

    def _incomplete(self) -> None:
        self.crawler.stats.set_value("newscrawl/run/incomplete", 1)

    def listing_failed(self, failure: Any) -> None:
        """A listing page that failed for good (after retries): named, counted, and the run
        marked incomplete; a hashtag the site does not have is named as such."""
        request = failure.request
        tag = request.cb_kwargs.get("tag")
        page = request.cb_kwargs.get("page")
        stats = self.crawler.stats
        response = getattr(failure.value, "response", None)
        if isinstance(failure.value, HttpError) and response is not None:
            marker = block_marker(response.text) if hasattr(response, "text") else None
            if marker:
                self._blocked(response, tag, page, marker)
                return
            if response.status in (404, 410) and page == 1:
                stats.inc_value("newscrawl/hashtag/not_found")
                logger.error(
                    "#%s does not exist on the site (HTTP %d for %s)",
                    tag,
                    response.status,
                    _page_url(request),
                )
                return
        reason = failure_reason(failure)
        stats.inc_value("newscrawl/listing/failed")
        stats.inc_value(f"newscrawl/listing/failed/{reason}")
        self._incomplete()
        logger.error(
            "#%s page %s failed for good (%s), its stories are missing from this run: %s",
            tag,
            page,
            reason,
            _page_url(request),
        )


def _page_url(request: Any) -> str:
    """The listing page a request is for: not a redirect's target, not a renderer's URL."""
    redirected = request.meta.get("redirect_urls")
    if redirected:
        return redirected[0]
    rendered = request.meta.get("splash", {}).get("args", {}).get("url")
    return rendered or request.url


def _tree(response: Response) -> Any:
    """The page's lxml tree, made as ``response.selector`` makes it but not kept on the
    response: a tree held by its selector, which the response holds and which holds the
    response, is freed only by the garbage collector's next full pass (some 50 MiB of
    trees waited for it at a time on the bench's site); this one goes with the callback.
    A selector made already (the render middleware's check of a page with scripts: read
    from Scrapy's private cache, and if that goes, such a page is parsed twice, nothing
    worse), or a response of another class than HtmlResponse, is used as it is."""
    if type(response) is HtmlResponse and getattr(response, "_cached_selector", None) is None:
        return page_tree(response.url, response.encoding, response.body)
    return response.selector.root


def _other_cores() -> bool:
    """Whether this process may run on more than one core (else a worker only adds work)."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # not on Linux
        return (os.cpu_count() or 1) > 1


def _check_settings(s: Any) -> None:
    """Refuse unusable settings before anything is fetched or written, naming the value."""
    base = base_url_of(s)
    if origin(base) is None:
        raise ValueError(f"NEWSCRAWL_BASE_URL must be an http(s) URL with a host, not {base!r}")
    parse_now(s.get("NEWSCRAWL_NOW") or None)
    zone(s.get("NEWSCRAWL_TIMEZONE"))
