"""StoryCollector and StoryRelease on plain cards and story pages, no engine.

One Story per id with its hashtags merged in the user's order; the release's order (earliest
first) and its choice of the story page's date.
"""

from __future__ import annotations

import sqlite3

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.collect import StoryCollector, StoryRelease
from newscrawl.dates import DateNormaliser, parse_now
from newscrawl.sites.cards import Card, StoryPage

A, B, C = "a" * 32, "b" * 32, "c" * 32
CRAWLED_AT = "2025-06-12T09:30:00Z"


def card(sid: str, **kw: object) -> Card:
    values: dict[str, object] = {
        "id": sid,
        "url": f"https://www.daily8.com/en/article/{sid}",
        "title": f"Story {sid[0]}",
        "publisher": "Dawn",
        "date_text": "16-04-2025",
        "categories": ["Politics"],
        "excerpt": "An excerpt.",
        "image": f"https://www.daily8.com/i/{sid}.jpg",
    }
    values.update(kw)
    return Card(**values)  # type: ignore[arg-type]


def page(**kw: object) -> StoryPage:
    values: dict[str, object] = {
        "title": "Headline on the story page",
        "publisher": "Page Publisher",
        "date_text": "16-04-2025 10:30",
        "body": "First paragraph.\n\nSecond paragraph.",
        "hashtags": ["Pakistan", "UK"],
    }
    values.update(kw)
    return StoryPage(**values)  # type: ignore[arg-type]


def collector(tags: list[str]) -> tuple[StoryCollector, Crawler]:
    crawler = get_crawler()  # a real Crawler with Scrapy's real MemoryStatsCollector
    return StoryCollector(tags, crawler), crawler


def add(c: StoryCollector, sid: str, tag: str, **kw: object) -> tuple[bool, bool]:
    return c.add(card(sid, **kw), tag, lang="en", crawled_at=CRAWLED_AT)


def test_a_story_is_built_from_its_first_card() -> None:
    c, _ = collector(["Pakistan"])
    listed = card(A, categories=["Politics", "Dawn"])
    c.add(listed, "Pakistan", lang="en", crawled_at=CRAWLED_AT)
    listed.categories.append("changed after")  # the card's list is not the story's
    [story] = c.release()
    assert story.id == A
    assert story.url == listed.url
    assert story.title == "Story a"
    assert story.publisher == "Dawn"
    assert story.published_raw == "16-04-2025"
    assert story.categories == ["Politics", "Dawn"]
    assert story.hashtags == ["Pakistan"]
    assert story.excerpt == "An excerpt."
    assert story.image == listed.image
    assert story.lang == "en"
    assert story.crawled_at == CRAWLED_AT
    assert story.body is None and story.story_hashtags is None


def test_flags_say_new_for_the_hashtag_and_new_in_the_run() -> None:
    c, _ = collector(["Pakistan", "UK"])
    assert add(c, A, "Pakistan") == (True, True)
    assert add(c, A, "Pakistan") == (False, False)  # the same listing shows it again
    assert add(c, A, "UK") == (True, False)  # another hashtag lists a story already held
    assert add(c, B, "UK") == (True, True)


def test_hashtags_are_merged_in_the_users_order_whatever_order_they_were_seen() -> None:
    c, _ = collector(["UK", "Pakistan", "Oil"])
    add(c, A, "Oil")
    add(c, A, "Pakistan")
    add(c, A, "UK")
    add(c, A, "Pakistan")  # once only
    add(c, B, "Pakistan")
    stories = {s.id: s for s in c.release()}
    assert stories[A].hashtags == ["UK", "Pakistan", "Oil"]
    assert stories[B].hashtags == ["Pakistan"]


def test_discovered_hashtags_come_after_the_users_in_the_order_found() -> None:
    c, _ = collector(["UK", "Pakistan"])
    c.add_tag("Trade")
    c.add_tag("Counterterrorism")
    c.add_tag("UK")  # already requested: keeps its place
    add(c, A, "Counterterrorism")
    add(c, A, "Trade")
    add(c, A, "Pakistan")
    add(c, A, "UK")
    [story] = c.release()
    assert story.hashtags == ["UK", "Pakistan", "Trade", "Counterterrorism"]


def test_stats_count_distinct_stories_repeats_and_stories_per_hashtag() -> None:
    c, crawler = collector(["Pakistan", "UK"])
    add(c, A, "Pakistan")
    add(c, B, "Pakistan")
    add(c, A, "Pakistan")
    add(c, A, "UK")
    add(c, C, "UK")
    stats = crawler.stats
    assert stats.get_value("newscrawl/stories") == 3
    assert stats.get_value("newscrawl/drop/in_run_duplicate") == 2
    assert stats.get_value("newscrawl/hashtag/Pakistan/stories") == 2
    assert stats.get_value("newscrawl/hashtag/UK/stories") == 2


def test_tag_counts_are_distinct_stories_and_zero_for_a_silent_hashtag() -> None:
    c, _ = collector(["Pakistan", "UK", "Silent"])
    c.add_tag("Trade")
    add(c, A, "Pakistan")
    add(c, A, "Pakistan")
    add(c, B, "Pakistan")
    add(c, B, "UK")
    add(c, C, "Trade")
    assert c.tag_counts() == {"Pakistan": 2, "UK": 1, "Silent": 0, "Trade": 1}
    c.release()  # the spider asks at spider_closed, after the release
    assert c.tag_counts() == {"Pakistan": 2, "UK": 1, "Silent": 0, "Trade": 1}


def test_enrich_adds_the_page_and_keeps_the_listings_values() -> None:
    c, _ = collector(["Pakistan"])
    add(c, A, "Pakistan")
    c.enrich(A, page(), use_page_date=False)
    story = c.get(A)
    assert story is not None
    assert story.body == "First paragraph.\n\nSecond paragraph."
    assert story.story_hashtags == ["Pakistan", "UK"]
    assert story.title == "Story a"  # the listing's headline stays
    assert story.publisher == "Dawn"
    assert story.published_raw == "16-04-2025"  # not asked to take the page's date


def test_enrich_fills_what_the_listing_lacked() -> None:
    c, _ = collector(["Pakistan"])
    add(c, A, "Pakistan", title=None, publisher=None)
    c.enrich(A, page(), use_page_date=False)
    story = c.get(A)
    assert story is not None
    assert story.title == "Headline on the story page"
    assert story.publisher == "Page Publisher"


def test_enrich_takes_the_page_date_only_when_asked_and_the_page_has_one() -> None:
    c, _ = collector(["Pakistan"])
    add(c, A, "Pakistan")
    add(c, B, "Pakistan")
    c.enrich(A, page(), use_page_date=True)
    c.enrich(B, page(date_text=None, title=None, publisher=None), use_page_date=True)
    a, b = c.get(A), c.get(B)
    assert a is not None and b is not None
    assert a.published_raw == "16-04-2025 10:30"
    assert b.published_raw == "16-04-2025"  # the page shows no date: the listing's stays
    assert (b.title, b.publisher) == ("Story b", "Dawn")


def test_enrich_of_a_story_not_held_does_nothing() -> None:
    c, _ = collector(["Pakistan"])
    c.enrich(A, page(), use_page_date=True)
    assert c.get(A) is None
    assert c.release() == []


def test_release_is_once_and_in_sort_key_order() -> None:
    c, _ = collector(["Pakistan"])
    add(c, A, "Pakistan", date_text="18-04-2025")
    add(c, B, "Pakistan", date_text="16-04-2025")
    add(c, C, "Pakistan", date_text="17-04-2025")
    released = c.release(lambda s: s.published_raw)
    assert [s.id for s in released] == [B, C, A]
    assert c.released
    assert c.release() == []  # a second idle signal releases nothing twice
    assert c.get(A) is None  # nothing is held once released


def test_release_without_a_sort_key_keeps_the_order_first_seen() -> None:
    c, _ = collector(["Pakistan", "UK"])
    add(c, C, "UK")
    add(c, A, "Pakistan")
    add(c, C, "Pakistan")
    add(c, B, "UK")
    assert [s.id for s in c.release()] == [C, A, B]


# --- StoryRelease: the order stories reach the pipelines, the story page's date ----------------


def release_of(c: StoryCollector, crawler: Crawler) -> StoryRelease:
    dates = DateNormaliser(parse_now(CRAWLED_AT), "Asia/Dubai", use_dateparser=False)
    return StoryRelease(crawler, c, dates)


def test_the_release_order_is_earliest_first_and_undated_last() -> None:
    c, crawler = collector(["Pakistan"])
    d = "d" * 32
    add(c, A, "Pakistan", date_text=None)
    add(c, B, "Pakistan", date_text="2 hours ago")  # 2025-06-12T07:30:00Z
    add(c, C, "Pakistan", date_text="16-04-2025")
    add(c, d, "Pakistan", date_text="15-04-2025")
    add(c, "e" * 32, "Pakistan", date_text="not a date")
    released = c.release(release_of(c, crawler).order)
    assert [s.id for s in released] == [d, C, B, A, "e" * 32]  # undated ones by id


def test_the_pages_date_wins_only_when_it_is_more_precise() -> None:
    c, crawler = collector(["Pakistan"])
    release = release_of(c, crawler)
    add(c, A, "Pakistan", date_text="16-04-2025")  # a day
    add(c, B, "Pakistan", date_text="2 hours ago")  # an hour
    add(c, C, "Pakistan", date_text="16-04-2025")
    release.enrich(A, page(date_text="3 hours ago"), "en")
    release.enrich(B, page(date_text="16-04-2025"), "en")
    release.enrich(C, page(date_text="15-04-2025"), "en")  # as precise: the card's stays
    release.enrich("f" * 32, page(), "en")  # not held: nothing happens
    stories = {s.id: s for s in c.release()}
    assert stories[A].published_raw == "3 hours ago"
    assert stories[B].published_raw == "2 hours ago"
    assert stories[C].published_raw == "16-04-2025"
    assert all(s.body is not None for s in stories.values())  # every page was added
    assert crawler.stats.get_value("newscrawl/article/date_from_story_page") == 1


# --- held stories on disk (HeldStories): released in order, a batch at a time ------------------


def test_many_stories_come_back_whole_in_the_release_order_a_batch_at_a_time() -> None:
    c, crawler = collector(["Pakistan", "UK"])
    release = StoryRelease(crawler, c, DateNormaliser(parse_now(CRAWLED_AT), "Asia/Dubai"))
    c.order_by(release.sort_text)
    ids = [f"{n:032x}" for n in range(3000)]  # more than one write batch of HeldStories
    for n, sid in enumerate(ids):
        add(c, sid, "Pakistan", date_text=f"{1 + n % 28:02d}-04-2025", excerpt=f"Excerpt {n}.")
    for sid in ids[::3]:
        add(c, sid, "UK")  # a hashtag added after the story was written to disk
    release.enrich(ids[5], page(date_text="2 hours ago"), "en")  # moves to the end of dated
    assert len(c.held()) == 3000 and c.has(ids[7]) and not c.has("f" * 32)

    batches = list(c.release_batches(size=100))
    assert [len(b) for b in batches] == [100] * 30
    stories = [s for b in batches for s in b]
    by_id = {s.id: s for s in stories}
    assert [s.id for s in stories] == sorted(ids, key=lambda sid: release.order(by_id[sid]))
    assert by_id[ids[3]].hashtags == ["Pakistan", "UK"] and by_id[ids[4]].hashtags == ["Pakistan"]
    assert by_id[ids[42]].excerpt == "Excerpt 42." and by_id[ids[42]].categories == ["Politics"]
    assert by_id[ids[5]].published_raw == "2 hours ago" and by_id[ids[5]].body.startswith("First")
    assert stories[-1].id == ids[5]  # 2025-06-12, after every April date
    # Once released, nothing is held and nothing is released twice.
    assert c.released and c.get(ids[0]) is None and list(c.release_batches()) == []


def test_a_listing_asks_the_seen_store_once_about_its_stories_new_to_the_run() -> None:
    c, crawler = collector(["Pakistan", "UK"])
    asked: list[list[str]] = []

    def seen(sids: list[str]) -> set[str]:
        asked.append(list(sids))
        return {B} & set(sids)

    c.skip_seen(seen)
    cards = [card(A), card(B), card(A), card(C)]
    assert c.add_listing(cards, "Pakistan", lang="en", crawled_at=CRAWLED_AT) == [
        (True, True),
        (True, True),
        (False, False),
        (True, True),
    ]
    assert asked == [[A, B, C]]  # one question for the page, each new id once
    assert c.add_listing([card(B), card(C)], "UK", lang="en", crawled_at=CRAWLED_AT) == [
        (True, False),
        (True, False),
    ]
    assert asked == [[A, B, C]]  # met already in this run: nothing to ask
    assert c.has(A) and c.has(C) and not c.has(B)
    assert crawler.stats.get_value("newscrawl/drop/seen_before") == 1
    assert c.tag_counts() == {"Pakistan": 3, "UK": 2}


def test_a_story_an_earlier_run_exported_is_counted_but_never_held() -> None:
    """With skip_seen, a seen story is asked about once (its first card), counted as a
    story of each hashtag that lists it and as seen_before, and never released."""
    c, crawler = collector(["Pakistan", "UK"])
    asked: list[str] = []

    def seen(sids: list[str]) -> set[str]:
        asked.extend(sids)
        return {B} & set(sids)

    c.skip_seen(seen)
    assert add(c, A, "Pakistan") == (True, True)
    assert add(c, B, "Pakistan") == (True, True)  # new in this run, whoever exported it
    assert add(c, B, "UK") == (True, False)
    assert add(c, B, "UK") == (False, False)
    assert asked == [A, B]
    assert not c.has(B) and c.get(B) is None
    stats = crawler.stats
    assert stats.get_value("newscrawl/stories") == 2
    assert stats.get_value("newscrawl/drop/seen_before") == 1
    assert stats.get_value("newscrawl/drop/in_run_duplicate") == 2
    assert c.tag_counts() == {"Pakistan": 2, "UK": 1}
    assert [s.id for s in c.release()] == [A]


def test_held_stories_write_a_batch_whole_or_not_at_all() -> None:
    """A batch is written in one transaction: a row that cannot be written (an id held
    already) leaves none of its batch on disk and the batch still pending, and says so."""
    from newscrawl.collect import HeldStories
    from newscrawl.items import Story

    def story_of(sid: str) -> Story:
        return Story(
            id=sid,
            url=f"https://www.daily8.com/en/article/{sid}",
            title="A headline",
            publisher=None,
            published_raw="18-04-2025",
            excerpt=None,
            image=None,
            lang="en",
            crawled_at=CRAWLED_AT,
        )

    held = HeldStories()
    first = [f"{n:032x}" for n in range(HeldStories.BATCH)]  # written when the batch fills
    for sid in first:
        held.add(story_of(sid), "2025-04-18")
    assert held._db.execute("SELECT count(*) FROM held").fetchone() == (HeldStories.BATCH,)
    second = [f"{n:032x}" for n in range(HeldStories.BATCH, 2 * HeldStories.BATCH - 1)]
    for sid in second:
        held.add(story_of(sid), "2025-04-18")
    with pytest.raises(sqlite3.IntegrityError):
        held.add(story_of(first[0]), "2025-04-18")  # fills the batch: its write fails
    assert held._db.execute("SELECT count(*) FROM held").fetchone() == (HeldStories.BATCH,)
    assert len(held._pending) == HeldStories.BATCH and not held._db.in_transaction
    held.close()


def test_the_release_ends_the_crawls_helpers_once_after_the_last_texts() -> None:
    """when_released: called once, when the release begins, after the texts not yet
    handed to prepare_with's submit are handed over (the fingerprint worker's last batch
    must be queued before its child is told to end)."""
    c, _ = collector(["Pakistan"])
    said: list[object] = []
    c.prepare_with(lambda batch: said.append(("texts", [t[0] for t in batch])))
    c.when_released(lambda: said.append("ended"))
    add(c, A, "Pakistan")
    add(c, B, "Pakistan")
    assert said == []  # under a batch: the texts wait for the release
    assert [s.id for b in c.release_batches() for s in b] == [A, B]
    assert said == [("texts", [A, B]), "ended"]
    assert list(c.release_batches()) == [] and said == [("texts", [A, B]), "ended"]
