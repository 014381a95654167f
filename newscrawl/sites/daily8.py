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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html

from newscrawl.urls import origin, same_origin

DEFAULT_BASE_URL = "https://www.daily8.com"
LANGS = ("en", "ar")

ARTICLE_PATH_RE = re.compile(r"^/(?:en/)?article/([0-9a-f]{32})/?$")
# Labels the clock icon carries (alt / aria-label / title); compared case-insensitively.
TIME_ICON_LABELS = frozenset({"time", "clock", "الوقت", "وقت"})
# The share control after the excerpt: never part of the excerpt.
SHARE_LABELS = frozenset({"copy the story link", "انسخ رابط الخبر", "نسخ رابط الخبر"})
NEXT_LINK_TEXTS = frozenset({"load more", "next", "more", "تحميل المزيد", "المزيد", "التالي"})
BULLET = "•"
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "button", "select", "textarea"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A text node that is wholly a date as cards show it (used only when the icon is missing).
_DATE_SHAPE = r"(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|(?:an?|\d+|a few) [a-z]+ ago|منذ\s.{1,20})"
_DATE_TEXT_RE = re.compile(rf"^(?:time)?\s*{_DATE_SHAPE}$", re.IGNORECASE)
# "Yahoo2 days ago", "Express Tribune21-03-2025": a publisher glued to the date.
_GLUED_DATE_RE = re.compile(rf"^(?P<pub>.*?\D)\s*(?P<date>{_DATE_SHAPE})$", re.IGNORECASE)
_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]"
)


def listing_path(lang: str, tag: str) -> str:
    """Path of a hashtag listing: English under ``/en``, Arabic (the default) at the root."""
    if lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}: expected one of {', '.join(LANGS)}")
    prefix = "/en" if lang == "en" else ""
    # safe="" so '&', '/', '?' and non-ASCII are all percent-encoded (Prince&Knight, Arabic).
    return f"{prefix}/hashtag/{quote(tag, safe='')}"


def listing_url(base_url: str, lang: str, tag: str) -> str:
    return base_url.rstrip("/") + listing_path(lang, tag)


# Markup that arrives as text (an escaped "<script>" in a headline) is never passed on.
# Only real HTML element names count: "<Vision & Reform>" in an excerpt is prose.
_TAG_RE = re.compile(
    r"<!--.*?-->|<!doctype[^<>]{0,200}>|</?(?:a|abbr|audio|b|base|body|br|button|div|em|embed"
    r"|font|form|frame|frameset|h[1-6]|head|html|i|iframe|img|input|li|link|marquee|math|meta"
    r"|object|ol|option|p|script|select|source|span|strong|style|sub|sup|svg|table|td|template"
    r"|textarea|title|tr|u|ul|video)(?=[\s/>])[^<>]{0,1000}>",
    re.IGNORECASE | re.DOTALL,
)

#: Longest value kept per field; longer ones are cut (with "…") and counted as truncated.
FIELD_LIMITS = {
    "title": 500,
    "publisher": 150,
    "date_text": 64,
    "category": 100,
    "excerpt": 20_000,
    "body": 100_000,
    "image": 2_000,
}
MAX_CATEGORIES = 20


def clean_text(text: str | None) -> str:
    """Plain text: control characters and tag-like markup out, whitespace runs to one space."""
    if not text:
        return ""
    text = _CONTROL_RE.sub("", text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    return " ".join(text.split())


def _bound(value: str | None, field: str, truncated: list[str]) -> str | None:
    limit = FIELD_LIMITS[field]
    if value is None or len(value) <= limit:
        return value
    truncated.append(field)
    return value[: limit - 1] + "…"


def same_site(url: str, base_url: str) -> bool:
    """True for http(s) URLs on exactly the configured scheme, host and port."""
    return same_origin(url, base_url)


def story_link(href: str | None, page_url: str, base_url: str) -> tuple[str, str] | None:
    """(id, canonical absolute URL) if *href* is a story on the site's own host."""
    return _Links(page_url, base_url).story(href)


class _Links:
    """Resolves a page's links against the site once per page, not once per link."""

    def __init__(self, page_url: str, base_url: str) -> None:
        self.page_url = page_url
        self.site = origin(base_url)
        page = urlsplit(page_url)
        # A host-relative href ("/en/article/...") on a page of the site is on the site:
        # the common case needs no URL parsing at all.
        self.prefix = f"{page.scheme}://{page.netloc}" if origin(page_url) == self.site else None

    def story(self, href: str | None) -> tuple[str, str] | None:
        if not href:
            return None
        h = href.strip()
        if self.prefix and h[:1] == "/" and h[1:2] != "/" and "/." not in h and "\\" not in h:
            path = h.split("#", 1)[0].split("?", 1)[0]
            m = ARTICLE_PATH_RE.match(path)
            return (m.group(1), self.prefix + path.rstrip("/")) if m else None
        try:
            absolute = urljoin(self.page_url, h)
            parts = urlsplit(absolute)
        except ValueError:
            return None
        if self.site is None or origin(absolute) != self.site:
            return None
        m = ARTICLE_PATH_RE.match(parts.path)
        if not m:
            return None
        return m.group(1), urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


@dataclass(slots=True)
class Card:
    """What one story card shows, as plain text; nothing normalised beyond whitespace."""

    id: str
    url: str
    title: str | None
    publisher: str | None
    date_text: str | None
    categories: list[str]
    excerpt: str | None
    image: str | None
    truncated: list[str] = field(default_factory=list)  # fields cut to FIELD_LIMITS


@dataclass(slots=True)
class Listing:
    """One hashtag listing page: its cards in page order and the next page's URL."""

    cards: list[Card] = field(default_factory=list)
    next_url: str | None = None
    duplicate_cards: int = 0


# Token kinds of a card's linearised content.
_TEXT, _ALT, _ICON = 0, 1, 2


@dataclass(slots=True)
class _Tok:
    kind: int
    text: str
    heading: bool = False
    in_li: bool = False
    in_link: bool = False


def _label(el: Any) -> str:
    for attr in ("alt", "aria-label", "title"):
        v = el.get(attr)
        if v:
            return v.strip().lower()
    return ""


def _is_time_icon(el: Any) -> bool:
    if _label(el) in TIME_ICON_LABELS:
        # A labelled element that also holds the date text is the wrapper, not the icon.
        return el.tag in ("img", "svg", "i", "use") or not clean_text(el.text_content())
    if el.tag == "svg":
        t = el.find("title")
        return t is not None and clean_text(t.text).lower() in TIME_ICON_LABELS
    return False


# Inline elements continue the text around them ("Big <b>news</b> today" is one text);
# any other element starts a new one.
_INLINE = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "font"),
        *("i", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong"),
        *("sub", "sup", "time", "u", "var", "wbr"),
    }
)


def _tokens(card: Any) -> list[_Tok]:
    """The card's text in document order, one token per run of inline text, with icons
    and image alt texts as tokens of their own."""
    out: list[_Tok] = []
    buf: list[str] = []
    ctx: list[tuple[bool, bool, bool]] = []  # the context of the buffer's first piece

    def push(text: str | None, c: tuple[bool, bool, bool]) -> None:
        if text:
            if not buf:
                ctx[:] = [c]
            buf.append(text)

    def flush() -> None:
        if buf:
            t = clean_text("".join(buf))
            buf.clear()
            if t and t.lower() not in SHARE_LABELS:
                out.append(_Tok(_TEXT, t, *ctx[0]))

    def walk(el: Any, c: tuple[bool, bool, bool]) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP_TAGS or el.get("role") == "button":
            return
        if _is_time_icon(el):
            flush()
            out.append(_Tok(_ICON, "time"))
            return
        if tag == "img":
            flush()
            alt = clean_text(el.get("alt"))
            if alt:
                out.append(_Tok(_ALT, alt))
            return
        if tag == "br":
            push(" ", c)
            return
        heading, in_li, in_link = c
        if el is not card:  # a card that is itself an <li> is not a list item of its own
            heading = heading or tag in _HEADINGS
            in_li = in_li or tag == "li"
        c = (heading, in_li, in_link or tag == "a")
        inline = tag in _INLINE and el is not card
        if not inline:
            flush()
        push(el.text, c)
        for child in el:
            walk(child, c)
            push(child.tail, c)
        if not inline:
            flush()

    walk(card, (False, False, False))
    flush()
    return out


def _image(card: Any, page_url: str) -> str | None:
    for img in card.iter("img"):
        if _is_time_icon(img):
            continue
        for attr in ("src", "data-src", "data-lazy-src"):
            src = (img.get(attr) or "").strip()
            if src and not src.startswith("data:"):
                return _http_url(urljoin(page_url, src))
        srcset = (img.get("srcset") or "").strip()
        if srcset:
            return _http_url(urljoin(page_url, srcset.split(",")[0].split()[0]))
    return None


def _http_url(url: str) -> str | None:
    # An image may live on a CDN, but only an http(s) URL is passed on (never javascript:).
    return url if origin(url) is not None else None


def _strip_glued_label(text: str) -> str:
    # "time18-04-2025": the icon rendered as text, glued to the date.
    if text[:4].lower() == "time" and _DATE_TEXT_RE.match(text):
        return text[4:].strip()
    return text


def _is_list_tok(tok: _Tok) -> bool:
    return tok.in_li or BULLET in tok.text


def parse_card(card_el: Any, story_id: str, url: str, page_url: str) -> Card:
    """Fields of one card, by position relative to the stable signals."""
    toks = _tokens(card_el)
    title = _title(toks)
    start = _after_headline(toks, title)
    # The headline repeated above the excerpt closes the meta row and the list.
    second = next(
        (i for i in range(start, len(toks)) if toks[i].heading and toks[i].text == title),
        None,
    )
    region_end = len(toks) if second is None else second

    icon = next((i for i in range(start, region_end) if toks[i].kind == _ICON), None)
    publisher = date_text = None
    if icon is not None:
        publisher = _publisher_before(toks, start, icon, title)
        list_begin = icon + 1
        date_i = next((i for i in range(icon + 1, region_end) if toks[i].kind == _TEXT), None)
        if date_i is not None and not _is_list_tok(toks[date_i]):
            date_text = _strip_glued_label(toks[date_i].text)
            list_begin = date_i + 1
        items, list_end = _list_items(toks, list_begin, region_end, bounded=second is not None)
    else:
        # No clock icon: the meta row is what precedes the list; a date is recognised
        # by its shape, the publisher by its place (first).
        first_list = _first_list_index(toks, start, region_end)
        meta = [t.text for t in toks[start:first_list] if t.kind == _TEXT and t.text != title]
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
    categories = [c for c in (_bound(c, "category", cut) for c in items) if c]
    if len(categories) > MAX_CATEGORIES:
        cut.append("categories")
        categories = categories[:MAX_CATEGORIES]
    return Card(
        id=story_id,
        url=url,
        title=_bound(title, "title", cut),
        publisher=_bound(publisher, "publisher", cut),
        date_text=_bound(date_text or None, "date_text", cut),
        categories=categories,
        excerpt=_bound(_excerpt(toks, excerpt_from, title), "excerpt", cut),
        image=_bound(_image(card_el, page_url), "image", cut),
        truncated=cut,
    )


def _after_headline(toks: list[_Tok], title: str | None) -> int:
    """Index of the first token past the headline block (image alt, heading).

    Text before the headline (a section heading around a lone card) is skipped.
    """
    i = next((n for n, t in enumerate(toks) if t.text == title and t.kind != _ICON), 0)
    while i < len(toks) and (toks[i].text == title or toks[i].kind == _ALT):
        i += 1
    return i


def _title(toks: list[_Tok]) -> str | None:
    # Headline: a heading inside the story link, else the image's alt text, else any
    # heading (a section heading such as "Related Articles" sits outside the link).
    for t in toks:
        if t.kind == _TEXT and t.heading and t.in_link:
            return t.text
    for t in toks:
        if t.kind == _ALT:
            return t.text
    for t in toks:
        if t.kind == _TEXT and t.heading:
            return t.text
    for t in toks:
        if t.kind == _TEXT:
            return t.text
    return None


def _publisher_before(toks: list[_Tok], start: int, icon: int, title: str | None) -> str | None:
    for i in range(icon - 1, start - 1, -1):
        t = toks[i]
        if t.kind == _TEXT and t.text != title and not t.heading and not _is_list_tok(t):
            return t.text
    return None


def _first_list_index(toks: list[_Tok], begin: int, end: int) -> int:
    return next(
        (i for i in range(begin, end) if toks[i].kind == _TEXT and _is_list_tok(toks[i])), end
    )


def _list_items(toks: list[_Tok], begin: int, end: int, *, bounded: bool) -> tuple[list[str], int]:
    """The category list after the meta row, split on bullets; and where it ends.

    *bounded*: the repeated headline closes the list, so every text before it is an
    item (a one-item list has no bullet to recognise it by). Otherwise the list is the
    run of ``li`` items and bullet-separated texts.
    """
    items: list[str] = []
    last = begin
    for i in range(begin, end):
        t = toks[i]
        if t.kind != _TEXT:
            continue
        if not bounded and not _is_list_tok(t):
            break
        items.extend(p.strip() for p in t.text.split(BULLET) if p.strip())
        last = i + 1
    return items, last


def _excerpt(toks: list[_Tok], begin: int, title: str | None) -> str | None:
    text = " ".join(t.text for t in toks[begin:] if t.kind == _TEXT and t.text != title)
    return text or None


def parse_listing(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> Listing:
    """Cards and next-page link of a hashtag listing (HTML in, plain data out).

    *root* may be an already parsed lxml tree (Scrapy's ``response.selector.root``).
    """
    if root is None:
        try:
            root = lxml_html.fromstring(body if body else "<html></html>")
        except etree.ParserError:  # only whitespace or comments: a page with nothing on it
            root = lxml_html.fromstring("<html></html>")
    links: list[tuple[Any, str, str]] = []
    resolve = _Links(page_url, base_url).story
    for a in root.iter("a"):
        hit = resolve(a.get("href"))
        if hit:
            links.append((a, hit[0], hit[1]))

    owner: dict[Any, str | None] = {}  # element -> the one story id under it, None if several
    for a, sid, _ in links:
        el = a
        while el is not None:
            prev = owner.get(el, sid)
            owner[el] = sid if prev == sid else None
            if prev is None:
                break  # every ancestor above is already marked as holding several
            el = el.getparent()

    # Elements holding page chrome (the h1, the pager) can never be a card.
    chrome: set[Any] = set()
    for el in root.iter("h1", "nav", "body", "html"):
        chrome.update(el.iterancestors())
        chrome.add(el)

    listing = Listing(next_url=_next_url(root, page_url, base_url))
    done: set[str] = set()
    for a, sid, url in links:
        if sid in done:
            continue
        card = a
        parent = card.getparent()
        while parent is not None and parent not in chrome and owner.get(parent) == sid:
            card = parent
            parent = card.getparent()
        done.add(sid)
        listing.cards.append(parse_card(card, sid, url, page_url))
    listing.duplicate_cards = _count_copies(links) - len(listing.cards)
    return listing


def _count_copies(links: list[tuple[Any, str, str]]) -> int:
    """Cards on the page, copies included: runs of links to one story count once."""
    count, last = 0, None
    for _, sid, _ in links:
        if sid != last:
            count += 1
            last = sid
    return count


def _next_url(root: Any, page_url: str, base_url: str) -> str | None:
    """The next page of the same hashtag (``rel=next`` or a "Load more" link), else None."""
    here = unquote(urlsplit(page_url).path)
    candidates = [
        el.get("href")
        for el in root.iter("a", "link")
        if "next" in (el.get("rel") or "").lower().split()
    ]
    candidates += [
        a.get("href")
        for a in root.iter("a")
        if clean_text(a.text_content()).lower() in NEXT_LINK_TEXTS
    ]
    for href in candidates:
        if not href:
            continue
        try:
            absolute = urljoin(page_url, href.strip())
        except ValueError:
            continue
        if same_site(absolute, base_url) and unquote(urlsplit(absolute).path) == here:
            return absolute.split("#", 1)[0]
    return None


# --- story pages ----------------------------------------------------------------------

_HASHTAG_PATH_RE = re.compile(r"^/(?:(en)/)?hashtag/([^/?#]+)/?$")


def hashtag_from_url(url: str, base_url: str) -> tuple[str, str] | None:
    """(lang, tag as the site spells it) for a hashtag listing URL on the site, else None."""
    if not same_site(url, base_url):
        return None
    m = _HASHTAG_PATH_RE.match(urlsplit(url).path)
    if not m:
        return None
    tag = unquote(m.group(2)).strip()
    return ("en" if m.group(1) else "ar"), tag


@dataclass(slots=True)
class StoryPage:
    """What a story page shows: headline, publisher, date text, body, hashtags."""

    title: str | None
    publisher: str | None
    date_text: str | None
    body: str | None
    hashtags: list[str]


def parse_story(
    body: str | bytes | Any, page_url: str, base_url: str, *, root: Any = None
) -> StoryPage:
    """The story page object. Signals: the ``h1`` headline, the meta text after it
    (publisher then date, often glued: ``Express Tribune21-03-2025``), the element whose
    direct paragraphs hold the most text (the body), and links to hashtag listings."""
    if root is None:
        try:
            root = lxml_html.fromstring(body if body else "<html></html>")
        except etree.ParserError:
            root = lxml_html.fromstring("<html></html>")
    h1 = next(root.iter("h1"), None)
    title = clean_text(h1.text_content()) if h1 is not None else None
    publisher, date_text = _story_meta(h1, title)
    hashtags: list[str] = []
    for a in root.iter("a"):
        href = a.get("href")
        found = hashtag_from_url(urljoin(page_url, href.strip()), base_url) if href else None
        if found and found[1] not in hashtags:
            hashtags.append(found[1])
    cut: list[str] = []
    return StoryPage(
        title=_bound(title or None, "title", cut),
        publisher=_bound(publisher, "publisher", cut),
        date_text=_bound(date_text, "date_text", cut),
        body=_story_body(root),
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
        for tok in _tokens(el):
            if tok.kind == _ICON:
                icon_seen = True
            elif tok.kind == _TEXT and tok.text != title:
                texts.append(tok.text)
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


def _story_body(root: Any) -> str | None:
    """Paragraphs of the element whose direct ``<p>`` children hold the most text."""
    best, best_len = None, 0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        paras = [clean_text(p.text_content()) for p in el if p.tag == "p"]
        total = sum(len(p) for p in paras)
        if total > best_len:
            best, best_len = paras, total
    if not best:
        return None
    text = "\n\n".join(p for p in best if p)
    limit = FIELD_LIMITS["body"]
    return text if len(text) <= limit else text[: limit - 1] + "…"
