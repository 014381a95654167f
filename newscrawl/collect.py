"""Merges the run's story sightings: one Story per id, with every hashtag that listed it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawl.items import Story

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newscrawl.sites.daily8 import Card


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

    def add(self, card: Card, tag: str, *, lang: str, crawled_at: str) -> bool:
        """Record a card seen on *tag*'s listing; True if *tag* had not listed it before."""
        seen_for_tag = self._by_tag.setdefault(tag, set())
        new_for_tag = card.id not in seen_for_tag
        seen_for_tag.add(card.id)
        story = self._stories.get(card.id)
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
        return new_for_tag

    def release(self) -> list[Story]:
        """The merged stories, once; hashtags in the order the user gave them."""
        if self.released:
            return []
        self.released = True
        stories = list(self._stories.values())
        self._stories.clear()
        for s in stories:
            s.hashtags.sort(key=lambda t: self._order.get(t, len(self._order)))
        return stories

    def tag_counts(self) -> dict[str, int]:
        return {t: len(ids) for t, ids in self._by_tag.items()}
