"""Everything Daily8: URL shapes and the listing page object (HTML in, plain data out).

The site's markup is not ours and changes with every deploy (CSS-module hashes) and
redesign (utility classes), so nothing here keys on a class name. The signals used are
the ones the site cannot drop without breaking itself:

* a story is a link to ``/article/<32 hex>`` or ``/en/article/<32 hex>`` on the site's host;
* a card is the largest element around a story's links that holds no other story's link;
* inside a card the fields come in a fixed order: headline (image alt, heading),
  publisher, a clock icon labelled ``time`` followed by the date text, a list of
  categories ending with the publisher, the headline again, the excerpt.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from newscrawl.sites import SiteProfile, cards
from newscrawl.sites.cards import (
    ALT,
    BULLET,
    HEADING,
    ICON,
    KIND,
    MAX_CATEGORIES,
    STR,
    TEXT,
    Card,
    Listing,
    StoryPage,
    Token,
    bound,
    clean_text,
    image_url,
    is_list_token,
    linearise,
    story_body,
    tokens,
)

DEFAULT_BASE_URL = "https://www.daily8.com"
LANGS = ("en", "ar")

ARTICLE_PATH_RE = re.compile(r"^/(?:en/)?article/([0-9a-f]{32})/?$")

# A text node that is wholly a date as cards show it (used only when the icon is missing).
_DATE_SHAPE = r"(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|(?:an?|\d+|a few) [a-z]+ ago|منذ\s.{1,20})"
_DATE_TEXT_RE = re.compile(rf"^(?:time)?\s*{_DATE_SHAPE}$", re.IGNORECASE)
# "Yahoo2 days ago", "Express Tribune21-03-2025": a publisher glued to the date.
_GLUED_DATE_RE = re.compile(rf"^(?P<pub>.*?\D)\s*(?P<date>{_DATE_SHAPE})$", re.IGNORECASE)


def listing_path(lang: str, tag: str) -> str:
    """Path of a hashtag listing: English under ``/en``, Arabic (the default) at the root."""
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}: expected one of {', '.join(LANGS)}")
    prefix = "/en" if lang == "en" else ""
    # safe="" so '&', '/', '?' and non-ASCII are all percent-encoded (Prince&Knight, Arabic).
    return f"{prefix}/hashtag/{quote(tag, safe='')}"


def listing_url(base_url: str, lang: str, tag: str) -> str:
    return base_url.rstrip("/") + listing_path(lang, tag)


def story_url(base_url: str, lang: str, story_id: str) -> str:
    """A story's page as the site links it (its listing's ``/en`` prefix, ARTICLE_PATH_RE)."""
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}: expected one of {', '.join(LANGS)}")
    prefix = "/en" if lang == "en" else ""
    return f"{base_url.rstrip('/')}{prefix}/article/{story_id}"


def _strip_glued_label(text: str) -> str:
    # "time18-04-2025": the icon rendered as text, glued to the date.
    if text[:4].lower() == "time" and _DATE_TEXT_RE.match(text):
        return text[4:].strip()
    return text


def parse_card(card_el: Any, story_id: str, url: str, page_url: str) -> Card:
    """Fields of one card, by position relative to the stable signals."""
    toks, img = linearise(card_el)
    title = _title(toks)
    start = _after_headline(toks, title)
    # The headline repeated above the excerpt closes the meta row and the list.
    second = None
    for i in range(start, len(toks)):
        if toks[i][HEADING] and toks[i][STR] == title:
            second = i
            break
    region_end = len(toks) if second is None else second

    icon = _first_of_kind(toks, ICON, start, region_end)
    publisher = date_text = None
    if icon is not None:
        publisher = _publisher_before(toks, start, icon, title)
        list_begin = icon + 1
        date_i = _first_of_kind(toks, TEXT, icon + 1, region_end)
        if date_i is not None and not is_list_token(toks[date_i]):
            date_text = _strip_glued_label(toks[date_i][STR])
            list_begin = date_i + 1
        items, list_end = _list_items(toks, list_begin, region_end, bounded=second is not None)
    else:
        # No clock icon: the meta row is what precedes the list; a date is recognised
        # by its shape, the publisher by its place (first).
        first_list = _first_list_index(toks, start, region_end)
        meta = [t[STR] for t in toks[start:first_list] if t[KIND] == TEXT and t[STR] != title]
        dated = [m for m in meta if _DATE_TEXT_RE.match(m)]
        if dated:
            date_text = _strip_glued_label(dated[0])
        else:
            glued = next((g for g in map(_GLUED_DATE_RE.match, meta) if g), None)
            if glued:
                date_text = glued["date"]
                meta = [glued["pub"].strip() if m == glued.string else m for m in meta]
        rest = [m for m in meta if m not in dated]
        publisher = rest[0] if rest else None
        items, list_end = _list_items(toks, first_list, region_end, bounded=second is not None)
        items = rest[1:] + items

    if publisher:
        items = [c for c in items if c != publisher]
    # With no publisher shown, every list item is taken as a category.
    excerpt_from = second + 1 if second is not None else list_end
    cut: list[str] = []
    categories = []
    for c in items:
        c = bound(c, "category", cut)
        if c:
            categories.append(c)
    if len(categories) > MAX_CATEGORIES:
        cut.append("categories")
        categories = categories[:MAX_CATEGORIES]
    return Card(
        id=story_id,
        url=url,
        title=bound(title, "title", cut),
        publisher=bound(publisher, "publisher", cut),
        date_text=bound(date_text or None, "date_text", cut),
        categories=categories,
        excerpt=bound(_excerpt(toks, excerpt_from, title), "excerpt", cut),
        image=bound(None if img is None else image_url(img, page_url), "image", cut),
        truncated=cut,
    )


def _first_of_kind(toks: list[Token], kind: int, begin: int, end: int) -> int | None:
    for i in range(begin, end):
        if toks[i][KIND] == kind:
            return i
    return None


def _after_headline(toks: list[Token], title: str | None) -> int:
    """Index of the first token past the headline block (image alt, heading).

    Text before the headline (a section heading around a lone card) is skipped.
    """
    i = 0
    for n, t in enumerate(toks):
        if t[STR] == title and t[KIND] != ICON:
            i = n
            break
    while i < len(toks) and (toks[i][STR] == title or toks[i][KIND] == ALT):
        i += 1
    return i


def _title(toks: list[Token]) -> str | None:
    # Headline: a heading inside the story link, else the image's alt text, else any
    # heading (a section heading such as "Related Articles" sits outside the link).
    for kind, text, heading, _, in_link in toks:
        if kind == TEXT and heading and in_link:
            return text
    for kind, text, *_ in toks:
        if kind == ALT:
            return text
    for kind, text, heading, *_ in toks:
        if kind == TEXT and heading:
            return text
    for kind, text, *_ in toks:
        if kind == TEXT:
            return text
    return None


def _publisher_before(toks: list[Token], start: int, icon: int, title: str | None) -> str | None:
    for i in range(icon - 1, start - 1, -1):
        t = toks[i]
        if t[KIND] == TEXT and t[STR] != title and not t[HEADING] and not is_list_token(t):
            return t[STR]
    return None


def _first_list_index(toks: list[Token], begin: int, end: int) -> int:
    for i in range(begin, end):
        if toks[i][KIND] == TEXT and is_list_token(toks[i]):
            return i
    return end


def _list_items(toks: list[Token], begin: int, end: int, *, bounded: bool) -> tuple[list[str], int]:
    """The category list after the meta row, split on bullets; and where it ends.

    *bounded*: the repeated headline closes the list, so every text before it is an
    item (a one-item list has no bullet to recognise it by). Otherwise the list is the
    run of ``li`` items and bullet-separated texts.
    """
    items: list[str] = []
    last = begin
    for i in range(begin, end):
        t = toks[i]
        if t[KIND] != TEXT:
            continue
        if not bounded and not is_list_token(t):
            break
        if BULLET in t[STR]:
            items.extend(p.strip() for p in t[STR].split(BULLET) if p.strip())
        else:  # one item; a token's text is already stripped and not empty
            items.append(t[STR])
        last = i + 1
    return items, last


def _excerpt(toks: list[Token], begin: int, title: str | None) -> str | None:
    text = " ".join([t[STR] for t in toks[begin:] if t[KIND] == TEXT and t[STR] != title])
    return text or None


# --- story pages ----------------------------------------------------------------------

# A hashtag listing: ``/hashtag/<tag>`` (Arabic) or ``/en/hashtag/<tag>``.
_HASHTAG_PATH_RE = re.compile(r"^/(?:en/)?hashtag/(?P<tag>[^/?#]+)/?$")


def parse_story(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> StoryPage:
    """The story page object. Signals: the ``h1`` headline, the meta text after it
    (publisher then date, often glued: ``Express Tribune21-03-2025``), the element whose
    direct paragraphs hold the most text (the body), and links to hashtag listings."""
    if root is None:
        root = cards.page_root(body)
    h1 = next(root.iter("h1"), None)
    title = clean_text(h1.text_content()) if h1 is not None else None
    publisher, date_text = _story_meta(h1, title)
    hashtags = cards.linked_hashtags(root, page_url, base_url, _HASHTAG_PATH_RE)
    cut: list[str] = []
    return StoryPage(
        title=bound(title or None, "title", cut),
        publisher=bound(publisher, "publisher", cut),
        date_text=bound(date_text, "date_text", cut),
        body=story_body(root),
        hashtags=hashtags,
    )


def _story_meta(h1: Any, title: str | None) -> tuple[str | None, str | None]:
    """Publisher and date: the first texts after the headline, before the body."""
    if h1 is None:
        return None, None
    texts: list[str] = []
    icon_seen = False
    for el in h1.itersiblings():
        if not isinstance(el.tag, str):
            continue
        for kind, text, *_ in tokens(el):
            if kind == ICON:
                icon_seen = True
            elif kind == TEXT and text != title:
                texts.append(text)
        if texts and (len(texts) >= 2 or icon_seen or _GLUED_DATE_RE.match(texts[0])):
            break
        if len(texts) >= 1 and len(texts[0]) > 200:
            return None, None  # the body came first: no meta row
    if not texts:
        return None, None
    if len(texts) >= 2 and _DATE_TEXT_RE.match(texts[1]):
        return texts[0], _strip_glued_label(texts[1])
    glued = _GLUED_DATE_RE.match(texts[0])
    if glued:
        return glued["pub"].strip(), glued["date"]
    if _DATE_TEXT_RE.match(texts[0]):
        return None, _strip_glued_label(texts[0])
    return texts[0], None


def story_link(href: str | None, page_url: str, base_url: str) -> tuple[str, str] | None:
    """(id, canonical absolute URL) if *href* is a Daily8 story on the site's own host."""
    return cards.story_link(href, page_url, base_url, ARTICLE_PATH_RE)


def parse_listing(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> Listing:
    """Cards and next-page link of a Daily8 hashtag listing (HTML in, plain data out).

    *root* may be an already parsed lxml tree (Scrapy's ``response.selector.root``).
    """
    return cards.parse_listing(
        body, page_url, base_url, story_path=ARTICLE_PATH_RE, parse_card=parse_card, root=root
    )


PROFILE = SiteProfile(
    name="daily8",
    base_url=DEFAULT_BASE_URL,
    langs=LANGS,
    listing_url=listing_url,
    story_url=story_url,
    parse_listing=parse_listing,
    parse_story=parse_story,
    story_link=story_link,
    id_pattern=r"^[0-9a-f]{32}$",
    url_pattern=r"^https?://[^/]+/(en/)?article/[0-9a-f]{32}$",
    # A rendered listing is ready once it shows a story link.
    render_ready='a[href*="/article/"]',
    # Kept as it was named before there was a second site, so existing data dirs go on.
    seen_store_file="seen.sqlite3",
)
