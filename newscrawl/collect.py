"""Merges the run's story sightings: one Story per id, with every hashtag that listed it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newscrawl.items import Story

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.sites.daily8 import Card, StoryPage


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
        """Add what the story page shows; the listing's values stay where the page has none."""
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
