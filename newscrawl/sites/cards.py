"""The card engine: what any aggregator's listing and story pages are read with.

Generic, site-independent extraction, HTML in and plain data out: text clean-up and bounds,
resolving a page's links to the site's stories (by the site's story-path pattern), the
card boundary (the largest element around a story's links that holds no other story's
link), a card linearised into tokens (texts with their heading / list / link flags, image
alt texts, clock icons), the card's image, the next-page link, and a story page's body.

What is particular to one site (its URL shapes, its id, the order of the fields on its
cards, its date shapes) lives in that site's profile module beside this one
(``newscrawl/sites/daily8.py``), which calls :func:`parse_listing` with its story-path
pattern and its own card parser.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml import html as lxml_html

from newscrawl.urls import origin, same_origin

# Labels the clock icon carries (alt / aria-label / title); compared case-insensitively.
TIME_ICON_LABELS = frozenset({"time", "clock", "الوقت", "وقت"})
# The share control after the excerpt: never part of the excerpt.
SHARE_LABELS = frozenset({"copy the story link", "انسخ رابط الخبر", "نسخ رابط الخبر"})
NEXT_LINK_TEXTS = frozenset({"load more", "next", "more", "تحميل المزيد", "المزيد", "التالي"})
BULLET = "•"
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "button", "select", "textarea"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]"
)


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
    # The common case first, without the control-character regex. Every character it
    # removes is unprintable but U+FFFD, and the only printable whitespace is " ". Strip
    # the ends first (whitespace there goes either way, removed or split off; a tag-like
    # match starts at "<" and ends at ">", so it never reaches into them): what is left,
    # if printable and without U+FFFD, has nothing to remove and no whitespace but " ".
    # Line breaks inside (wrapped source text) are whitespace like " ", to the tag regex
    # (\s) as to split(), so they are made spaces first.
    inner = text.strip()
    if "\n" in inner:
        inner = inner.replace("\n", " ")
    if inner.isprintable() and "\ufffd" not in inner:
        if "<" in inner:
            inner = _TAG_RE.sub(" ", inner)
        if "  " in inner or inner[:1] == " " or inner[-1:] == " ":
            return " ".join(inner.split())
        return inner
    text = _CONTROL_RE.sub("", text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    return " ".join(text.split())


def bound(value: str | None, field: str, truncated: list[str]) -> str | None:
    limit = FIELD_LIMITS[field]
    if value is None or len(value) <= limit:
        return value
    truncated.append(field)
    return value[: limit - 1] + "…"


def same_site(url: str, base_url: str) -> bool:
    """True for http(s) URLs on exactly the configured scheme, host and port."""
    return same_origin(url, base_url)


_UNKNOWN: Any = object()  # not resolved yet (None is a result: not a story)
# Characters that make urlsplit/urljoin change a URL's path: tab and line breaks are
# dropped, and a ";" starts the path's parameters (lost when empty).
_SPLIT_ALTERS = re.compile(r"[\t\r\n;]")
# The scheme and plain host (no userinfo, port, whitespace) an absolute URL starts with.
_PLAIN_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?=[/?#]|\Z)")
# origin() of strings that come back on every page (the site, publishers, ads, app stores).
_origin_of = functools.lru_cache(maxsize=1024)(origin)


def page_root(body: str | bytes | None) -> Any:
    """The lxml tree of a page; an empty one for a page with nothing on it."""
    try:
        return lxml_html.fromstring(body if body else "<html></html>")
    except etree.ParserError:  # only whitespace or comments: a page with nothing on it
        return lxml_html.fromstring("<html></html>")


#: A card parser: (card element, story id, story URL, page URL) -> Card.
CardParser = Callable[[Any, str, str, str], "Card"]


def story_link(
    href: str | None, page_url: str, base_url: str, story_path: re.Pattern[str]
) -> tuple[str, str] | None:
    """(id, canonical absolute URL) if *href* is a story on the site's own host.

    *story_path* matches a story's path and captures its id (the site profile's).
    """
    return _Links(page_url, base_url, story_path).story(href)


class _Links:
    """Resolves a page's links against the site once per page, not once per link."""

    def __init__(self, page_url: str, base_url: str, story_path: re.Pattern[str]) -> None:
        self.page_url = page_url
        self.story_path = story_path
        self.site = origin(base_url)
        page = urlsplit(page_url)
        # A host-relative href ("/en/article/...") on a page of the site is on the site:
        # the common case needs no URL parsing at all.
        self.prefix = f"{page.scheme}://{page.netloc}" if origin(page_url) == self.site else None
        # An absolute href on the page's own scheme and host ("http://host:port/en/article/..."):
        # urljoin only splits such a URL and puts it back together (no dot segments are
        # resolved when there is a host), so, unless it holds a character that changes the
        # split (_SPLIT_ALTERS), its path is what follows the prefix and its origin is the
        # prefix's: it is read like a host-relative one. Only when that origin really is
        # the site's (the prefix is also set when both origins are None).
        own = f"{self.prefix}/" if self.prefix and page.scheme in ("http", "https") else None
        self.own = own if own and self.site is not None and _origin_of(own) == self.site else None
        # A card links its story twice or more (image, headline): each href is resolved once.
        self._known: dict[str, tuple[str, str] | None] = {}

    def story(self, href: str | None) -> tuple[str, str] | None:
        if not href:
            return None
        hit = self._known.get(href, _UNKNOWN)
        if hit is _UNKNOWN:
            hit = self._known[href] = self._resolve(href)
        return hit

    def _resolve(self, href: str) -> tuple[str, str] | None:
        h = href.strip()
        if self.prefix and h[:1] == "/" and h[1:2] != "/" and "/." not in h and "\\" not in h:
            path = h.split("#", 1)[0].split("?", 1)[0]
            m = self.story_path.match(path)
            return (m.group(1), self.prefix + path.rstrip("/")) if m else None
        if self.own and h.startswith(self.own) and not _SPLIT_ALTERS.search(h):
            # What urlsplit would take as the path: up to the query or fragment.
            path = h[len(self.prefix) :].split("#", 1)[0].split("?", 1)[0]
            m = self.story_path.match(path)
            return (m.group(1), self.prefix + path.rstrip("/")) if m else None
        elsewhere = _PLAIN_ORIGIN.match(h)
        if elsewhere and _origin_of(elsewhere.group(0)) != self.site:
            # A link to another host (a publisher, an ad, an app store): urljoin keeps an
            # absolute URL's scheme and host, so its origin is that of its start, and the
            # full resolution below would end in the same None.
            return None
        try:
            absolute = urljoin(self.page_url, h)
            parts = urlsplit(absolute)
        except ValueError:
            return None
        if self.site is None or origin(absolute) != self.site:
            return None
        m = self.story_path.match(parts.path)
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


#: The card fields a listing is expected to show: one a card lacks is counted as missing.
CARD_FIELDS = ("title", "publisher", "date_text", "excerpt", "image")


@dataclass(slots=True)
class Listing:
    """One hashtag listing page: its cards in page order and the next page's URL."""

    cards: list[Card] = field(default_factory=list)
    next_url: str | None = None
    duplicate_cards: int = 0

    def missing(self) -> dict[str, int]:
        """Cards per field of :data:`CARD_FIELDS` that do not show it (None or empty)."""
        return dict(
            Counter(n for c in self.cards for n in CARD_FIELDS if getattr(c, n) in (None, ""))
        )

    def truncated(self) -> dict[str, int]:
        """Cards per field that was cut to :data:`FIELD_LIMITS`."""
        return dict(Counter(n for c in self.cards for n in c.truncated))


# A card's linearised content is a list of tokens, each a plain tuple
# (kind, text, heading, in_li, in_link): a page makes a few hundred of them, and a tuple
# costs a fraction of a dataclass instance. The flags say where a text sits.
Token = tuple[int, str, bool, bool, bool]
KIND, STR, HEADING, IN_LI, IN_LINK = range(5)  # a token's fields
TEXT, ALT, ICON = 0, 1, 2  # its kinds
_ICON_TOK: Token = (ICON, "time", False, False, False)


_TIME_LABEL_MAX = max(map(len, TIME_ICON_LABELS))


def _labelled_time(el: Any) -> bool:
    """Whether the element's label (its first non-empty alt, aria-label or title) names the
    clock, case-insensitively."""
    for attr in ("alt", "aria-label", "title"):
        v = el.get(attr)
        if v:
            v = v.strip()
            # lower() never shortens a text: a longer label (an image's alt) is no name.
            return len(v) <= _TIME_LABEL_MAX and v.lower() in TIME_ICON_LABELS
    return False


def _is_time_icon(el: Any) -> bool:
    if _labelled_time(el):
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
# The only tags that change a text's flags; under any other the flags are the parent's.
_FLAG_TAGS = _HEADINGS | {"li", "a"}


# Attributes that can make an element a clock icon (a label) or a control (role=button).
# An element with none of them, unless an svg (labelled by its <title>), is neither.
_SPECIAL_ATTRS = frozenset({"alt", "aria-label", "title", "role"})
_NO_FLAGS = (False, False, False)
# lower() never shortens a text, so a longer one is no share label.
_SHARE_MAX = max(map(len, SHARE_LABELS))


def tokens(card: Any) -> list[Token]:
    """The card's text in document order, one token per run of inline text, with icons
    and image alt texts as tokens of their own."""
    return linearise(card)[0]


def linearise(card: Any) -> tuple[list[Token], Any]:
    """The card's tokens (see :func:`tokens`), and the img that gives the card's image
    (the first in document order that is no clock icon and has a source; None if none).

    One walk for both, rather than a second pass over the card's imgs.
    """
    out: list[Token] = []
    # The current run of text. A run's blank pieces before its first text are left out:
    # clean_text drops leading whitespace anyway, and a run of blanks only gives nothing.
    # Its flags are still those of its first piece, blank or not (None: no run open).
    run: list[str] = []
    run_flags: tuple[bool, bool, bool] | None = None  # (heading, in_li, in_link)
    image = None

    def end_run() -> None:  # called with a run holding text; the caller resets run_flags
        t = clean_text("".join(run))
        run.clear()
        if t and (len(t) > _SHARE_MAX or t.lower() not in SHARE_LABELS):
            out.append((TEXT, t, *run_flags))

    def find_image(imgs: Any) -> None:
        # Inside what the walk does not enter (controls, icons, skipped elements), an img
        # still counts for the image, at its place in document order.
        nonlocal image
        for img in imgs:
            if not _is_time_icon(img) and _has_source(img):
                image = img
                return

    def walk(elements: Any, flags: tuple[bool, bool, bool]) -> None:
        # Each of *elements* (siblings, whose parent has *flags*), then its tail, which
        # continues the parent's run. Siblings share this one loop: only an element with
        # children costs a call, and most of a card's elements are leaves.
        nonlocal run_flags, image
        for el in elements:
            tag = el.tag
            if not isinstance(tag, str):
                pass  # a comment or a PI: only its tail counts
            elif tag in _SKIP_TAGS:
                if image is None:
                    find_image(el.iter("img"))
            elif (tag == "svg" or not _SPECIAL_ATTRS.isdisjoint(el.keys())) and (
                el.get("role") == "button" or _is_time_icon(el)
            ):
                if el.get("role") == "button":  # a control: only its tail counts
                    if image is None:
                        find_image(el.iter("img"))
                else:
                    if run:
                        end_run()
                    run_flags = None
                    out.append(_ICON_TOK)
                    if image is None:
                        find_image(el.iterdescendants("img"))
            elif tag == "img":
                if run:
                    end_run()
                run_flags = None
                alt = clean_text(el.get("alt"))
                if alt:
                    out.append((ALT, alt, False, False, False))
                if image is None:  # not an icon (see above)
                    if _has_source(el):
                        image = el
                    elif len(el):
                        find_image(el.iterdescendants("img"))
            elif tag == "br":
                if run:
                    run.append(" ")
                elif run_flags is None:
                    run_flags = flags
                if image is None and len(el):
                    find_image(el.iterdescendants("img"))
            else:
                inner = flags
                if tag in _FLAG_TAGS:
                    heading, in_li, in_link = flags
                    if el is not card:  # a card that is itself an <li> is no list item
                        heading = heading or tag in _HEADINGS
                        in_li = in_li or tag == "li"
                    inner = (heading, in_li, in_link or tag == "a")
                block = tag not in _INLINE or el is card
                if block:
                    if run:
                        end_run()
                    run_flags = None
                text = el.text
                if text:
                    if run:
                        run.append(text)
                    else:
                        if run_flags is None:
                            run_flags = inner
                        if not text.isspace():
                            run.append(text)
                if len(el):
                    walk(el, inner)
                if block:
                    if run:
                        end_run()
                    run_flags = None
            if el is not card:  # the card's own tail is outside it
                tail = el.tail
                if tail:
                    if run:
                        run.append(tail)
                    else:
                        if run_flags is None:
                            run_flags = flags
                        if not tail.isspace():
                            run.append(tail)

    try:
        walk((card,), _NO_FLAGS)
    finally:
        # walk calls itself through its closure: a reference cycle, which would keep the
        # card, and so the whole parsed page, alive until the next garbage collection.
        walk = None
    if run:
        end_run()
    return out, image


_IMAGE_ATTRS = ("src", "data-src", "data-lazy-src")


def _has_source(img: Any) -> bool:
    """Whether *img* names a source (see :func:`image_url`): the first such img that is
    no clock icon gives the card's image, even when that source is then refused."""
    for attr in _IMAGE_ATTRS:
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            return True
    return bool((img.get("srcset") or "").strip())


def image_url(img: Any, page_url: str) -> str | None:
    """The absolute http(s) URL of the source an img with one names, else None."""
    for attr in _IMAGE_ATTRS:
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            return _absolute_http(page_url, src)
    srcset = (img.get("srcset") or "").strip()
    return _absolute_http(page_url, srcset.split(",")[0].split()[0])


# An absolute http(s) URL of plain characters (lower-case scheme; no query, fragment,
# parameters, port, userinfo, whitespace or backslash): what image sources mostly are.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/+=,-]*)?")


def _absolute_http(page_url: str, ref: str) -> str | None:
    """``_http_url(urljoin(page_url, ref))``, without the URL parsing in the common case."""
    if isinstance(page_url, str) and _PLAIN_HTTP_URL.fullmatch(ref):
        # urljoin returns such a URL unchanged (with another scheme than the page's, as it
        # is; with the same, split and put back together, which changes nothing here), and
        # it has a host, so it is an http(s) URL. What urljoin would still do is refuse a
        # page URL it cannot parse: urlsplit raises the same ValueError (and is cached).
        urlsplit(page_url)
        return ref
    return _http_url(urljoin(page_url, ref))


def _http_url(url: str) -> str | None:
    # An image may live on a CDN, but only an http(s) URL is passed on (never javascript:).
    return url if origin(url) is not None else None


def is_list_token(tok: Token) -> bool:
    return tok[IN_LI] or BULLET in tok[STR]


def parse_listing(
    body: str | bytes | Any,
    page_url: str,
    base_url: str,
    *,
    story_path: re.Pattern[str],
    parse_card: CardParser,
    root: Any = None,
) -> Listing:
    """Cards and next-page link of a hashtag listing (HTML in, plain data out).

    *root* may be an already parsed lxml tree (Scrapy's ``response.selector.root``).
    """
    if root is None:
        root = page_root(body)
    # One pass over the page for all it takes besides the cards, in document order: the
    # links (stories; the pager, with <link rel=next>) and the page chrome.
    anchors: list[Any] = []
    pager: list[Any] = []  # <a> and <link>
    chrome: set[Any] = set()  # elements holding page chrome (h1, nav) are never a card
    for el in root.iter("a", "link", "h1", "nav", "body", "html"):
        tag = el.tag
        if tag == "a":
            anchors.append(el)
            pager.append(el)
        elif tag == "link":
            pager.append(el)
        else:
            chrome.update(el.iterancestors())
            chrome.add(el)

    links: list[tuple[Any, str, str]] = []
    resolve = _Links(page_url, base_url, story_path).story
    for a in anchors:
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

    stories = {a for a, _, _ in links}
    listing = Listing(next_url=_next_url(pager, anchors, page_url, base_url, story_path, stories))
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


def _next_url(
    pager: list[Any],
    anchors: list[Any],
    page_url: str,
    base_url: str,
    story_path: re.Pattern[str],
    story_links: Collection[Any] = (),
) -> str | None:
    """The next page of the same hashtag (``rel=next`` or a "Load more" link), else None.

    *pager*: the page's <a> and <link> elements, *anchors* its <a>, in document order.
    *story_links*: its links to stories. Such a link's path is an article path, so on a
    page whose own path is none (a listing) it is never the next page, and its text (a
    headline, an excerpt) is not read.
    """
    here = unquote(urlsplit(page_url).path)
    never = story_links if not story_path.match(here) else ()
    for href in _next_candidates(pager, anchors, never):
        if not href:
            continue
        try:
            absolute = urljoin(page_url, href.strip())
        except ValueError:
            continue
        if same_site(absolute, base_url) and unquote(urlsplit(absolute).path) == here:
            return absolute.split("#", 1)[0]
    return None


def _next_candidates(
    pager: list[Any], anchors: list[Any], never: Collection[Any]
) -> Iterator[str | None]:
    """The hrefs of ``rel=next`` links, then of links reading "Load more", in page order
    (but the links in *never*, which cannot pass).

    Lazily: the first that passes ends the search, so a page with a ``rel=next`` link to
    its next page never has the text of its links collected and cleaned.
    """
    for el in pager:
        rel = el.get("rel")
        if rel and "next" in rel.lower().split():
            yield el.get("href")
    for a in anchors:
        if a in never:
            continue
        text = clean_text(a.text_content())
        # lower() never shortens a text: a longer one is none of the texts looked for.
        if len(text) <= _NEXT_TEXT_MAX and text.lower() in NEXT_LINK_TEXTS:
            yield a.get("href")


_NEXT_TEXT_MAX = max(map(len, NEXT_LINK_TEXTS))


@dataclass(slots=True)
class StoryPage:
    """What a story page shows: headline, publisher, date text, body, hashtags."""

    title: str | None
    publisher: str | None
    date_text: str | None
    body: str | None
    hashtags: list[str]


def linked_hashtags(
    root: Any, page_url: str, base_url: str, tag_path: re.Pattern[str]
) -> list[str]:
    """The hashtags a page links to, in page order, once each: links on the site whose
    path *tag_path* matches, the hashtag as the site spells it (its ``tag`` group,
    percent-decoded)."""
    found: list[str] = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        url = urljoin(page_url, href.strip())
        m = tag_path.match(urlsplit(url).path) if same_site(url, base_url) else None
        tag = unquote(m.group("tag")).strip() if m else None
        if tag and tag not in found:
            found.append(tag)
    return found


def story_body(root: Any) -> str | None:
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
