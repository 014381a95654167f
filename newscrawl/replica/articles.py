"""Story pages of the replica, and the oracle for crawls that fetch them.

A story page shows the headline, the publisher and date (on some pages glued into one
text, ``Express Tribune21-03-2025``, as the real site shows them), the body in paragraphs,
and a Hashtags box linking every hashtag whose listing shows the story. Some stories have
no page (404). A card without a date has one on its story page.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscrawl.replica.site import Site, Story


def _bucket(story_id: str, salt: str, n: int) -> int:
    return int(hashlib.md5(f"{salt}:{story_id}".encode()).hexdigest()[:8], 16) % n


def page_missing(story: Story) -> bool:
    """About 1 in 15 stories has no story page (the site answers 404)."""
    return _bucket(story.id, "missing", 15) == 0


def meta_glued(story: Story) -> bool:
    """Half the pages print publisher and date as one text with no space between."""
    return _bucket(story.id, "glued", 2) == 0


def page_date(site: Site, story: Story) -> tuple[str | None, str | None, str | None]:
    """(date text on the page, published, precision): the card's, or for a card without
    a date, the local calendar date of the true instant."""
    if story.date_text:
        return story.date_text, story.published, story.published_precision
    local = story.published_at.astimezone(site.tz).date()
    text = local.strftime("%d-%m-%Y")
    if story.lang == "ar":
        text = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    return text, local.isoformat(), "day"


def paragraphs(story: Story) -> list[str]:
    """The body's paragraphs: the story text, two sentences a paragraph."""
    text = story.excerpt or story.title
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]


def with_article(site: Site, record: dict[str, Any]) -> dict[str, Any]:
    """*record* as a crawl that fetched the story page outputs it."""
    story = site.story(record["id"])
    if page_missing(story):
        return record
    out = dict(record)
    out["body"] = "\n\n".join(" ".join(p.split()) for p in paragraphs(story))
    out["story_hashtags"] = site.hashtags_of(story.id)
    text, published, precision = page_date(site, story)
    if record["published_raw"] is None and text:
        out["published_raw"], out["published"], out["published_precision"] = (
            text,
            published,
            precision,
        )
    return out


def expected_with_articles(
    site: Site, lang: str, tags: list[str], max_pages: int, *, discover: int = 0
) -> dict[str, dict[str, Any]]:
    """The records of a crawl with story pages (``-a articles=1``) and ``-a discover=N``
    (no limit on how many hashtags are discovered), keyed by id."""
    crawled = list(tags)
    frontier = list(tags)
    for _ in range(discover):
        found: list[str] = []
        stories = site.expected(lang, frontier, max_pages)
        for sid in stories:
            if page_missing(site.story(sid)):
                continue
            for tag in site.hashtags_of(sid):
                if tag not in crawled and tag not in found:
                    found.append(tag)
        crawled += found
        frontier = found
    records = site.expected(lang, crawled, max_pages)
    return {sid: with_article(site, rec) for sid, rec in records.items()}
