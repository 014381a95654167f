"""Holds the run's stories and releases them: one Story per id, with every hashtag that listed it.

A story's ``hashtags`` are known only once every listing is crawled, so stories are held
(:class:`StoryCollector`) and sent through the item pipelines once, when the crawl is idle
(:class:`StoryRelease`), earliest first so that a syndicated group's first copy reaches the
pipelines first. This is the one module that feeds items to the engine itself, and
:func:`wake` is the one place that pokes the engine's loop (the fleet scheduler uses it too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import DeferredList
from twisted.python.failure import Failure

from newscrawl.dates import DateNormaliser, parse_now
from newscrawl.items import Story

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.sites.cards import Card, StoryPage

logger = logging.getLogger(__name__)

_PRECISION_RANK = {None: 0, "day": 1, "hour": 2, "minute": 3}


class StoryCollector:
    """Holds one run's stories until the crawl is over, merging hashtags as cards repeat.

    Memory is bounded by one run's stories. Stats: ``newscrawl/stories`` (distinct),
    ``newscrawl/drop/in_run_duplicate`` (cards of a story already held),
    ``newscrawl/hashtag/<tag>/stories`` (distinct stories each hashtag listed).
    """

    def __init__(self, tags: list[str], crawler: Crawler) -> None:
        self._order = {t: i for i, t in enumerate(tags)}
        self._stories: dict[str, Story] = {}
        self._by_tag: dict[str, set[str]] = {t: set() for t in tags}
        self._crawler = crawler  # stats exist only once the crawl starts
        self.released = False

    def add_tag(self, tag: str) -> None:
        """A hashtag found during the run (discovery) that will be crawled too."""
        self._order.setdefault(tag, len(self._order))
        self._by_tag.setdefault(tag, set())

    def add(self, card: Card, tag: str, *, lang: str, crawled_at: str) -> tuple[bool, bool]:
        """Record a card seen on *tag*'s listing.

        Returns (new for this hashtag, new in this run).
        """
        seen_for_tag = self._by_tag.setdefault(tag, set())
        new_for_tag = card.id not in seen_for_tag
        seen_for_tag.add(card.id)
        story = self._stories.get(card.id)
        new_story = story is None
        if story is None:
            self._stories[card.id] = Story(
                id=card.id,
                url=card.url,
                title=card.title,
                publisher=card.publisher,
                published_raw=card.date_text,
                categories=list(card.categories),
                hashtags=[tag],
                excerpt=card.excerpt,
                image=card.image,
                lang=lang,
                crawled_at=crawled_at,
            )
            self._crawler.stats.inc_value("newscrawl/stories")
        else:
            self._crawler.stats.inc_value("newscrawl/drop/in_run_duplicate")
            if tag not in story.hashtags:
                story.hashtags.append(tag)
        if new_for_tag:
            self._crawler.stats.inc_value(f"newscrawl/hashtag/{tag}/stories")
        return new_for_tag, new_story

    def enrich(self, story_id: str, page: StoryPage, *, use_page_date: bool) -> None:
        """Add what the story page shows; the listing's values stay where the page has none.

        *use_page_date*: the page's date replaces the card's (see :meth:`StoryRelease.enrich`).
        """
        story = self._stories.get(story_id)
        if story is None:
            return
        story.body = page.body
        story.story_hashtags = list(page.hashtags)
        story.title = story.title or page.title
        story.publisher = story.publisher or page.publisher
        if use_page_date and page.date_text:
            story.published_raw = page.date_text

    def get(self, story_id: str) -> Story | None:
        return self._stories.get(story_id)

    def held(self) -> list[Story]:
        """The stories held so far, not released (what ``scrapy check`` contracts read)."""
        return list(self._stories.values())

    def release(self, sort_key: Callable[[Story], Any] | None = None) -> list[Story]:
        """The merged stories, once, in *sort_key* order; hashtags in the user's order
        (discovered hashtags after them, in the order they were found)."""
        if self.released:
            return []
        self.released = True
        stories = list(self._stories.values())
        self._stories.clear()
        for s in stories:
            s.hashtags.sort(key=lambda t: self._order.get(t, len(self._order)))
        if sort_key is not None:
            stories.sort(key=sort_key)
        return stories

    def tag_counts(self) -> dict[str, int]:
        return {t: len(ids) for t, ids in self._by_tag.items()}


class StoryRelease:
    """Sends the collector's stories through the item pipelines once, when the crawl is idle.

    It orders them earliest first (undated last) and decides when a story page's date is
    more precise than its card's; both read the date normaliser's fast path (no
    dateparser), about 2.5 µs a story, once per story before the pipelines see it. The
    dates pipeline reads the dates again for the export: the order must be known before
    the first story enters the pipelines, so it cannot come from their result.

    Stats: ``newscrawl/article/date_from_story_page``, ``newscrawl/release/failed``.
    """

    def __init__(self, crawler: Crawler, collector: StoryCollector, dates: DateNormaliser) -> None:
        self.crawler = crawler
        self.collector = collector
        self.dates = dates
        self._releasing = False  # True while released stories are still in the pipelines

    @classmethod
    def from_crawler(cls, crawler: Crawler, collector: StoryCollector) -> StoryRelease:
        s = crawler.settings
        dates = DateNormaliser(
            parse_now(s.get("NEWSCRAWL_NOW") or None),
            s.get("NEWSCRAWL_TIMEZONE"),
            use_dateparser=False,
        )
        release = cls(crawler, collector, dates)
        crawler.signals.connect(release._on_idle, signal=signals.spider_idle)
        return release

    def enrich(self, story_id: str, page: StoryPage, lang: str) -> None:
        """What the story page adds to a held story; its date wins only if more precise."""
        story = self.collector.get(story_id)
        if story is None:
            return
        better = self._precision(page.date_text, lang) > self._precision(story.published_raw, lang)
        if better:
            self.crawler.stats.inc_value("newscrawl/article/date_from_story_page")
        self.collector.enrich(story_id, page, use_page_date=better)

    def _precision(self, text: str | None, lang: str) -> int:
        return _PRECISION_RANK[self.dates.normalise(text, lang).precision]

    def order(self, story: Story) -> tuple[str, str]:
        """Earliest first (undated last): a group's first copy reaches the pipelines first."""
        value = self.dates.normalise(story.published_raw, story.lang).value
        return (value or "~", story.id)

    def _on_idle(self) -> None:
        """On idle, send the run's merged stories through the pipelines once.

        Items sent now keep the engine busy, so it closes after them.
        """
        if self._releasing:  # between two batches the engine looks idle: it is not
            raise DontCloseSpider
        stories = self.collector.release(self.order)
        if not stories:
            return
        engine = self.crawler.engine
        self._releasing = True
        deferred_from_coro(_send_in_batches(engine, stories)).addBoth(self._released)
        raise DontCloseSpider

    def _released(self, result: Any) -> None:
        self._releasing = False
        if isinstance(result, Failure):
            self.crawler.stats.inc_value("newscrawl/release/failed")
            logger.error("sending the stories to the pipelines failed: %s", result.getTraceback())
        wake(self.crawler.engine)


# Stories in the pipelines at once on release. All of a run at once held every story's
# processing state together: +140 MiB peak RSS at 16k stories, +280 MiB at 33k (make bench).
_RELEASE_BATCH = 100


async def _send_in_batches(engine: Any, stories: list[Story]) -> None:
    """Every story through the pipelines, in order, a batch at a time; sent ones are freed."""
    stories.reverse()
    while stories:
        batch = [stories.pop() for _ in range(min(_RELEASE_BATCH, len(stories)))]
        done = [
            deferred_from_coro(engine.scraper.start_itemproc_async(story, response=None))
            for story in batch
        ]
        await maybe_deferred_to_future(DeferredList(done))


def wake(engine: Any) -> None:
    """Have the engine look at its scheduler and idleness now, not on its 5 s heartbeat.

    After ``DontCloseSpider``, or with new requests in a shared queue, the engine re-checks
    only every 5 s; poking its scheduler loop closes a released run as soon as its items are
    done, and lets a waiting fleet worker take new requests at once. Private API: if it goes
    away, runs end up to 5 s later, nothing worse.
    """
    nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
