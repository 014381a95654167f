"""Holds the run's stories and releases them: one Story per id, with every hashtag that listed it.

A story's ``hashtags`` are known only once every listing is crawled, so stories are held
(:class:`StoryCollector`) and sent through the item pipelines once, when the crawl is idle
(:class:`StoryRelease`), earliest first so that a syndicated group's first copy reaches the
pipelines first. This is the one module that feeds items to the engine itself, and
:func:`wake` is the one place that pokes the engine's loop (the fleet scheduler uses it too).
"""

from __future__ import annotations

import itertools
import logging
import marshal
import operator
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from newscrawl.dates import DateNormaliser, parse_now
from newscrawl.extensions.hotpath import scrape_item
from newscrawl.items import STORY_FIELDS, Story

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.fingerprint_worker import Text
    from newscrawl.sites.cards import Card, StoryPage

logger = logging.getLogger(__name__)

_PRECISION_RANK = {None: 0, "day": 1, "hour": 2, "minute": 3}


class HeldStories:
    """The run's held stories, but for their hashtags, in a private temporary SQLite database.

    Holding every story in memory until the last listing is crawled cost about 1.9 KB a
    story (make bench): 400k cards for a user of 2,000 hashtags. Here a story is one row,
    its fields marshalled, keyed by id and kept with the text it is released by (``sort``),
    and the database is SQLite's private temporary one (an empty file name): on disk once
    its page cache fills, deleted when it is closed, or when the process dies. Rows are
    written in batches; a story read back is a new :class:`Story` (write changes back with
    :meth:`put`).
    """

    #: Rows written per statement; also how many new stories wait in memory at most.
    BATCH = 512
    #: SQLite's page cache for the table, KiB: what the held stories cost in memory.
    CACHE_KIB = 8 * 1024

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        # Nothing here outlives the process: no syncs, and the rollback journal in memory
        # (without one, a batch that fails half-way could not be rolled back).
        self._db.execute("PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(f"PRAGMA cache_size=-{self.CACHE_KIB}")
        self._db.execute(
            "CREATE TABLE held (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
            " sort TEXT NOT NULL, data BLOB NOT NULL)"
        )
        self._pending: dict[str, tuple[str, bytes]] = {}  # new rows, not written yet

    def add(self, story: Story, sort: str) -> None:
        """A new story (not held before)."""
        self._pending[story.id] = (sort, _pack(story))
        if len(self._pending) >= self.BATCH:
            self._write()

    def put(self, story: Story, sort: str) -> None:
        """A held story, changed."""
        if story.id in self._pending:
            self._pending[story.id] = (sort, _pack(story))
        else:
            self._db.execute(
                "UPDATE held SET sort = ?, data = ? WHERE id = ?", (sort, _pack(story), story.id)
            )

    def get(self, story_id: str, hashtags: list[str]) -> Story | None:
        row = self._pending.get(story_id)
        if row is not None:
            return _unpack(row[1], hashtags)
        found = self._db.execute("SELECT data FROM held WHERE id = ?", (story_id,)).fetchone()
        return None if found is None else _unpack(found[0], hashtags)

    def rows(self, *, sorted_by_sort: bool) -> Iterator[tuple[str, bytes]]:
        """(id, data) of every story, by (sort, id), or in the order they were added."""
        self._write()
        order = "sort, id" if sorted_by_sort else "n"
        cursor = self._db.execute(f"SELECT id, data FROM held ORDER BY {order}")
        while True:
            batch = cursor.fetchmany(self.BATCH)
            if not batch:
                return
            yield from batch

    def close(self) -> None:
        self._pending.clear()
        self._db.close()

    def _write(self) -> None:
        # One transaction a batch, written whole or not at all: without it (autocommit) each
        # row was its own, 12-16 µs a row against 5-6 for the bench's 16k English stories
        # (a throwaway timeit).
        if self._pending:
            rows = [(sid, sort, data) for sid, (sort, data) in self._pending.items()]
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT INTO held (id, sort, data) VALUES (?, ?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._pending.clear()


# What a held row keeps: every field but the hashtags (in memory, merged as cards repeat).
_HELD_FIELDS = tuple(name for name in STORY_FIELDS if name != "hashtags")
_fields = operator.attrgetter(*_HELD_FIELDS)


def _pack(story: Story) -> bytes:
    # marshal: the fields are str, None and lists of str; the bytes never leave the process.
    return marshal.dumps(_fields(story))


def _unpack(data: bytes, hashtags: list[str]) -> Story:
    return Story(**dict(zip(_HELD_FIELDS, marshal.loads(data), strict=True)), hashtags=hashtags)


class StoryCollector:
    """Holds one run's stories until the crawl is over, merging hashtags as cards repeat.

    Only each story's id and hashtags stay in memory; the rest is in :class:`HeldStories`
    until the release, which reads it back in order, a batch at a time. A story an earlier
    run exported (:meth:`skip_seen`) is not held at all: it would only reach the dedupe
    pipeline to be dropped there. Stats: ``newscrawl/stories`` (distinct),
    ``newscrawl/drop/in_run_duplicate`` (cards of a story already met),
    ``newscrawl/drop/seen_before`` (stories not held: exported by an earlier run),
    ``newscrawl/hashtag/<tag>/stories`` (distinct stories each hashtag listed).
    """

    def __init__(self, tags: list[str], crawler: Crawler) -> None:
        self._order = {t: i for i, t in enumerate(tags)}
        self._hashtags: dict[str, list[str]] = {}  # held id -> the hashtags that listed it
        self._held = HeldStories()
        # Whether a card is new for its hashtag is in the story's hashtags (held or seen
        # before): a set of ids per hashtag said it again, about 13 MiB at 160k stories
        # (make bench, 10x). The counts are the ``newscrawl/hashtag/<tag>/stories`` stats.
        self._crawler = crawler  # stats exist only once the crawl starts
        self._sort: Callable[[Story], str] | None = None
        self._seen_among: Callable[[Sequence[str]], Collection[str]] | None = None
        # Ids met in this run that an earlier one exported -> the hashtags that listed them.
        self._seen_before: dict[str, list[str]] = {}
        self._prepare: Callable[[list[Text]], None] | None = None
        self._to_prepare: list[Text] = []  # held stories' texts not handed to _prepare yet
        self._on_release: list[Callable[[], None]] = []
        self.released = False

    def skip_seen(self, seen_among: Callable[[Sequence[str]], Collection[str]]) -> None:
        """Do not hold a story an earlier run exported: *seen_among* says which of a batch
        of ids are (asked once a story, at its first card; a listing's new ids at once).
        In a cron run nearly every card is such a story: held, each went through the
        pipelines after the crawl only for dedupe to drop it, 2.6 s from the last page to
        exit in a crawl of 16k seen stories, 0.3 s without (one crawl each). Dedupe still
        decides for every story held, so a story another worker exports during this run is
        still dropped at the release."""
        self._seen_among = seen_among

    def prepare_with(self, submit: Callable[[list[Text]], None]) -> None:
        """Hand each held story's text to *submit* (a batch at a time) as it arrives, and
        again when its story page changes it: work that needs no hashtag merge (the
        fingerprint worker, ``newscrawl.fingerprint_worker``) is then done during the crawl,
        not after it. The rest is handed over when the release starts."""
        self._prepare = submit

    def when_released(self, done: Callable[[], None]) -> None:
        """Call *done* once the release begins, after the last texts are handed to
        :meth:`prepare_with`'s *submit*: nothing is held after it, so a helper that only
        served the crawl (the listing and fingerprint workers' children) can end then and
        exit while the release runs, not be waited for at the close."""
        self._on_release.append(done)

    def _to_be_prepared(self, story: Story) -> None:
        if self._prepare is not None:
            self._to_prepare.append((story.id, story.title, story.excerpt, story.body))
            if len(self._to_prepare) >= HeldStories.BATCH:
                self._hand_over()

    def _hand_over(self) -> None:
        if self._prepare is not None and self._to_prepare:
            batch, self._to_prepare = self._to_prepare, []
            self._prepare(batch)

    def order_by(self, sort: Callable[[Story], str]) -> None:
        """Release stories by ``(sort(story), id)``; without it, in the order first seen."""
        self._sort = sort

    def _sort_text(self, story: Story) -> str:
        return "" if self._sort is None else self._sort(story)

    def add_tag(self, tag: str) -> None:
        """A hashtag found during the run (discovery) that will be crawled too."""
        self._order.setdefault(tag, len(self._order))

    def add_listing(
        self, cards: Sequence[Card], tag: str, *, lang: str, crawled_at: str
    ) -> list[tuple[bool, bool]]:
        """Record a listing's cards, each as :meth:`add` does; the seen-store is asked once
        about the page's stories new to this run (one query for the page, not one a card)."""
        seen = self._seen_of(cards)
        return [self._add(card, tag, lang, crawled_at, card.id in seen) for card in cards]

    def add(self, card: Card, tag: str, *, lang: str, crawled_at: str) -> tuple[bool, bool]:
        """Record a card seen on *tag*'s listing.

        Returns (new for this hashtag, new in this run).
        """
        return self.add_listing([card], tag, lang=lang, crawled_at=crawled_at)[0]

    def _seen_of(self, cards: Sequence[Card]) -> Collection[str]:
        """Which of the cards' stories new to this run an earlier run exported."""
        if self._seen_among is None:
            return ()
        fresh = dict.fromkeys(
            c.id for c in cards if c.id not in self._hashtags and c.id not in self._seen_before
        )
        return self._seen_among(list(fresh)) if fresh else ()

    def _add(
        self, card: Card, tag: str, lang: str, crawled_at: str, seen: bool
    ) -> tuple[bool, bool]:
        hashtags = self._hashtags.get(card.id) or self._seen_before.get(card.id)
        new_story = hashtags is None
        new_for_tag = hashtags is None or tag not in hashtags
        stats = self._crawler.stats
        if hashtags is not None:
            stats.inc_value("newscrawl/drop/in_run_duplicate")
            if new_for_tag:
                hashtags.append(tag)
        elif seen:
            stats.inc_value("newscrawl/stories")
            stats.inc_value("newscrawl/drop/seen_before")
            self._seen_before[card.id] = [tag]
        else:
            stats.inc_value("newscrawl/stories")
            story = Story(
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
            self._hashtags[card.id] = story.hashtags
            self._held.add(story, self._sort_text(story))
            self._to_be_prepared(story)
        if new_for_tag:
            stats.inc_value(f"newscrawl/hashtag/{tag}/stories")
        return new_for_tag, new_story

    def enrich(self, story_id: str, page: StoryPage, *, use_page_date: bool) -> None:
        """Add what the story page shows; the listing's values stay where the page has none.

        *use_page_date*: the page's date replaces the card's (see :meth:`StoryRelease.enrich`).
        """
        story = self.get(story_id)
        if story is not None:
            self.enrich_story(story, page, use_page_date=use_page_date)

    def enrich_story(self, story: Story, page: StoryPage, *, use_page_date: bool) -> None:
        """:meth:`enrich` of a held story already read (with :meth:`get`): written back."""
        story.body = page.body
        story.story_hashtags = list(page.hashtags)
        story.title = story.title or page.title
        story.publisher = story.publisher or page.publisher
        if use_page_date and page.date_text:
            story.published_raw = page.date_text
        self._held.put(story, self._sort_text(story))
        self._to_be_prepared(story)

    def has(self, story_id: str) -> bool:
        return story_id in self._hashtags

    def get(self, story_id: str) -> Story | None:
        """A copy of the held story (its hashtags list is the held one); None if not held."""
        hashtags = self._hashtags.get(story_id)
        return None if hashtags is None else self._held.get(story_id, hashtags)

    def held(self) -> list[Story]:
        """The stories held so far, not released (what ``scrapy check`` contracts read)."""
        return [self._story(sid, data) for sid, data in self._held.rows(sorted_by_sort=False)]

    def release(self, sort_key: Callable[[Story], Any] | None = None) -> list[Story]:
        """The merged stories, once, in *sort_key* order (else the release order); hashtags
        in the user's order (discovered hashtags after them, in the order they were found)."""
        stories = [s for batch in self.release_batches() for s in batch]
        if sort_key is not None:
            stories.sort(key=sort_key)
        return stories

    def release_batches(self, size: int = 100) -> Iterator[list[Story]]:
        """The merged stories, once, in the release order, *size* at a time, each batch read
        from disk when it is asked for (so a run's stories are never all in memory)."""
        if self.released:
            return
        self.released = True
        self._hand_over()
        for done in self._on_release:
            done()
        try:
            batch: list[Story] = []
            for sid, data in self._held.rows(sorted_by_sort=self._sort is not None):
                story = self._story(sid, data)
                story.hashtags.sort(key=lambda t: self._order.get(t, len(self._order)))
                batch.append(story)
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch
        finally:
            self._hashtags.clear()
            self._held.close()

    def _story(self, story_id: str, data: bytes) -> Story:
        return _unpack(data, self._hashtags[story_id])

    def tag_counts(self) -> dict[str, int]:
        """Distinct stories each hashtag of the run (requested or discovered) listed."""
        stats = self._crawler.stats
        return {t: stats.get_value(f"newscrawl/hashtag/{t}/stories", 0) for t in self._order}


class StoryRelease:
    """Sends the collector's stories through the item pipelines once, when the crawl is idle.

    It orders them earliest first (undated last) and decides when a story page's date is
    more precise than its card's; both read the date normaliser's fast path (no
    dateparser), about 2.5 µs a story, once per story before the pipelines see it. The
    dates pipeline reads the dates again for the export: the order must be known before
    the first story enters the pipelines, so it cannot come from their result.

    Stats: ``newscrawl/article/date_from_story_page``, ``newscrawl/release/failed``,
    ``newscrawl/release/ms`` (from the first story sent to the pipelines to the last one
    through them and the export).
    """

    def __init__(self, crawler: Crawler, collector: StoryCollector, dates: DateNormaliser) -> None:
        self.crawler = crawler
        self.collector = collector
        self.dates = dates
        self._releasing = False  # True while released stories are still in the pipelines
        self._started = 0.0  # time.perf_counter() when the release began

    @classmethod
    def from_crawler(cls, crawler: Crawler, collector: StoryCollector) -> StoryRelease:
        s = crawler.settings
        dates = DateNormaliser(
            parse_now(s.get("NEWSCRAWL_NOW") or None),
            s.get("NEWSCRAWL_TIMEZONE"),
            use_dateparser=False,
        )
        release = cls(crawler, collector, dates)
        collector.order_by(release.sort_text)
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
        self.collector.enrich_story(story, page, use_page_date=better)  # read once, not twice

    def _precision(self, text: str | None, lang: str) -> int:
        return _PRECISION_RANK[self.dates.normalise(text, lang).precision]

    def order(self, story: Story) -> tuple[str, str]:
        """Earliest first (undated last): a group's first copy reaches the pipelines first."""
        return (self.sort_text(story), story.id)

    def sort_text(self, story: Story) -> str:
        """The story's date as the export will print it, "~" (after every date) if none: the
        collector keeps its stories in ``(sort_text, id)`` order, which is :meth:`order`."""
        return self.dates.normalise(story.published_raw, story.lang).value or "~"

    def _on_idle(self) -> None:
        """On idle, send the run's merged stories through the pipelines once.

        Items sent now keep the engine busy, so it closes after them.
        """
        if self._releasing:  # between two batches the engine looks idle: it is not
            raise DontCloseSpider
        batches = self.collector.release_batches(_RELEASE_BATCH)
        first = next(batches, None)
        if first is None:
            return
        self._releasing = True
        self._started = time.perf_counter()
        sending = _send_in_batches(self.crawler, itertools.chain([first], batches))
        deferred_from_coro(sending).addBoth(self._released)
        raise DontCloseSpider

    def _released(self, result: Any) -> None:
        self._releasing = False
        ms = round((time.perf_counter() - self._started) * 1000, 1)
        self.crawler.stats.set_value("newscrawl/release/ms", ms)
        if isinstance(result, Failure):
            self.crawler.stats.inc_value("newscrawl/release/failed")
            logger.error("sending the stories to the pipelines failed: %s", result.getTraceback())
        wake(self.crawler.engine)


# Stories in the pipelines at once on release. All of a run at once held every story's
# processing state together: +140 MiB peak RSS at 16k stories, +280 MiB at 33k (make bench).
_RELEASE_BATCH = 100


async def _send_in_batches(crawler: Crawler, batches: Iterable[list[Story]]) -> None:
    """Every story through the pipelines, in order, a batch at a time (each read from the
    held stories when the one before is done); sent ones are freed.

    A batch's stories go one after the other (``scrape_item``: the scraper's steps,
    without a task, a gather and a Deferred a story), and the loop gets its turn between
    batches, for whatever else is due (a worker's answer, the engine's heartbeat)."""
    for batch in batches:
        for story in batch:
            await scrape_item(crawler, story)
        await sleep(0)


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
