"""Tagwire: a second aggregator, unlike Daily8 wherever a site profile can differ.

A made-up site (``.example``, RFC 2606), kept as the proof that a site is one module and as
the template for the next one (docs/ARCHITECTURE.md, "Adding a site"); its saved pages are
``tests/files/tagwire/``. ``NEWSCRAWL_SITE=tagwire`` selects it. What it shows:

* one language, English;
* a hashtag's listing is ``/tags/<slug>``, its page N ``/tags/<slug>?p=N`` (``rel=next``);
* a story is ``/news/<number>`` or ``/news/<number>/<slug>``: numeric ids, which the stores
  key as numbers (``newscrawl.stores.ids.DECIMAL``);
* a card shows its date first, then the linked headline, the excerpt, the categories as a
  list, and the publisher last, as "via <name>".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from newscrawl.sites import SiteProfile, cards
from newscrawl.sites.cards import (
    ALT,
    HEADING,
    IN_LI,
    IN_LINK,
    KIND,
    STR,
    TEXT,
    Card,
    Listing,
    StoryPage,
    bound,
    clean_text,
    image_url,
    linearise,
)
from newscrawl.stores.ids import DECIMAL

LANG = "en"
STORY_PATH_RE = re.compile(r"^/news/([1-9][0-9]{0,18})(?:/[a-z0-9-]+)?/?$")
_TAG_PATH_RE = re.compile(r"^/tags/(?P<tag>[^/?#]+)/?$")
# Dates as its cards print them: "Apr 18, 2025", "April 18, 2025", "3 hours ago".
_DATE_RE = re.compile(r"^(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|(?:an?|\d+) [a-z]+ ago)$")
_VIA_RE = re.compile(r"^via\s+(?P<name>\S.*)$", re.IGNORECASE)


def _check(lang: str) -> None:
    if lang != LANG:
        raise ValueError(f"unknown lang {lang!r}: tagwire is in {LANG} only")


def listing_url(base_url: str, lang: str, tag: str) -> str:
    _check(lang)
    return f"{base_url.rstrip('/')}/tags/{quote(tag, safe='')}"


def story_url(base_url: str, lang: str, story_id: str) -> str:
    _check(lang)
    return f"{base_url.rstrip('/')}/news/{story_id}"


def story_link(href: str | None, page_url: str, base_url: str) -> tuple[str, str] | None:
    return cards.story_link(href, page_url, base_url, STORY_PATH_RE)


def parse_card(card_el: Any, story_id: str, url: str, page_url: str) -> Card:
    """Fields of one card, in this site's order: date, headline, excerpt, list, "via"."""
    toks, img = linearise(card_el)
    at = next((i for i, t in enumerate(toks) if t[KIND] == TEXT and t[HEADING] and t[IN_LINK]), -1)
    title = toks[at][STR] if at >= 0 else next((t[STR] for t in toks if t[KIND] == ALT), None)
    texts = [t for t in toks if t[KIND] == TEXT and t[STR] != title]
    # The date leads the card; if a redesign moves it, any text of a date's shape is taken.
    dates = [t[STR] for t in texts if _DATE_RE.match(t[STR])]
    date_text = dates[0] if dates else None
    publisher, categories, excerpt = None, [], []
    cut: list[str] = []
    for t in toks[at + 1 :] if at >= 0 else texts:
        text = t[STR]
        if t[KIND] != TEXT or text in (title, date_text):
            continue
        via = _VIA_RE.match(text)
        if via:
            publisher = via["name"]
        elif t[IN_LI]:
            category = bound(text, "category", cut)
            if category and len(categories) < cards.MAX_CATEGORIES:
                categories.append(category)
        else:
            excerpt.append(text)
    return Card(
        id=story_id,
        url=url,
        title=bound(title, "title", cut),
        publisher=bound(publisher, "publisher", cut),
        date_text=bound(date_text, "date_text", cut),
        categories=categories,
        excerpt=bound(" ".join(excerpt) or None, "excerpt", cut),
        image=bound(None if img is None else image_url(img, page_url), "image", cut),
        truncated=cut,
    )


def parse_listing(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> Listing:
    return cards.parse_listing(
        body, page_url, base_url, story_path=STORY_PATH_RE, parse_card=parse_card, root=root
    )


def parse_story(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> StoryPage:
    """Headline (``h1``), date (``time``), publisher ("via"), body, and hashtag links."""
    if root is None:
        root = cards.page_root(body)
    h1 = next(root.iter("h1"), None)
    when = next(root.iter("time"), None)
    via = next(filter(None, (_VIA_RE.match(clean_text(el.text)) for el in root.iter("cite"))), None)
    hashtags = cards.linked_hashtags(root, page_url, base_url, _TAG_PATH_RE)
    title = clean_text(h1.text_content()) if h1 is not None else ""
    date_text = clean_text(when.text_content()) if when is not None else ""
    cut: list[str] = []
    return StoryPage(
        title=bound(title or None, "title", cut),
        publisher=bound(via["name"] if via else None, "publisher", cut),
        date_text=bound(date_text or None, "date_text", cut),
        body=cards.story_body(root),
        hashtags=hashtags,
    )


PROFILE = SiteProfile(
    name="tagwire",
    base_url="https://www.tagwire.example",
    langs=(LANG,),
    listing_url=listing_url,
    story_url=story_url,
    parse_listing=parse_listing,
    parse_story=parse_story,
    story_link=story_link,
    id_pattern=r"^[1-9][0-9]{0,18}$",
    url_pattern=r"^https?://[^/]+/news/[1-9][0-9]{0,18}(/[a-z0-9-]+)?$",
    render_ready='a[href^="/news/"]',
    ids=DECIMAL,
)
