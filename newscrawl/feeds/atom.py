"""The documents: one Atom 1.0 feed (RFC 4287) per hashtag, and the OPML 2.0 list of them.

Every value goes in as XML character data or an attribute value, escaped, never as markup:
a title ``<script>`` is the text ``&lt;script&gt;``. Output is a pure function of its inputs
(no clock, entries in a fixed order), so the same window always gives the same bytes.

The feed is written from string pieces rather than an lxml tree: 50 entries took 5.2 ms
through lxml's element API and serialiser, 0.9 ms this way (one loaded 2-core machine).
``tests/test_feeds.py`` parses every feed back with lxml and feedparser, and checks that any
text, hostile or not, comes back as the same text. The OPML list, small and written only
when a feed is added, goes through lxml.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from newscrawl.sites import SiteProfile, load_profile

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Ids are tag: URIs (RFC 4151) minted under a name nobody can own (.invalid, RFC 2606), so
# they collide with no one's, and made of the site's story id alone: the same story has the
# same id in every feed, every run and every deployment, whatever the base URLs.
# The site's name is part of them (Daily8's: ``tag:newscrawl.invalid,2025:daily8/``).
TAG_AUTHORITY = "tag:newscrawl.invalid,2025:"
LANG_NAMES = {"en": "English", "ar": "العربية"}
GENERATOR = "newscrawl"
# A file name stays under common file systems' 255-byte limit with room for ".x.atom.tmp".
_MAX_NAME_BYTES = 200


def feed_filename(tag: str) -> str:
    """``<hashtag>.atom``; a name too long for a file system is cut and given a digest."""
    name = f"{tag}.atom"
    if len(name.encode("utf-8")) <= _MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(tag.encode("utf-8")).hexdigest()[:16]
    cut = tag.encode("utf-8")[: _MAX_NAME_BYTES - 30].decode("utf-8", errors="ignore")
    return f"{cut}-{digest}.atom"


def feed_relpath(lang: str, tag: str) -> str:
    """Where the feed is under ``<DATA_DIR>/feeds/`` (and under the base URL)."""
    return f"{lang}/{feed_filename(tag)}"


def feed_url(feed_base_url: str, lang: str, tag: str) -> str:
    """The feed's public URL: the base, then its path percent-encoded (``&``, Arabic, ...)."""
    return (
        f"{feed_base_url.rstrip('/')}/{quote(lang, safe='')}/{quote(feed_filename(tag), safe='')}"
    )


def id_prefix(site: SiteProfile) -> str:
    return f"{TAG_AUTHORITY}{site.name}/"


def hashtag_scheme(site: SiteProfile) -> str:
    return f"{id_prefix(site)}hashtag"


def entry_id(story_id: str, site: SiteProfile) -> str:
    return f"{id_prefix(site)}story/{story_id}"


def feed_id(lang: str, tag: str, site: SiteProfile) -> str:
    return f"{id_prefix(site)}hashtag/{lang}/{quote(tag, safe='')}"


def shown_entries(window: Sequence[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The entries a feed lists: one per group of syndicated copies, newest first.

    A group (an original and the copies whose ``duplicate_of`` names it) is shown by its
    oldest story in the window, normally the original: the one a reader got first, so a copy
    arriving later adds no second entry. A copy whose original is not in the window is
    shown itself, linked to its original (``rel="related"``).
    """
    first: dict[str, str] = {}
    for e in reversed(window):  # oldest first
        first.setdefault(e["duplicate_of"] or e["id"], e["id"])
    chosen = set(first.values())
    return [e for e in window if e["id"] in chosen][:limit]


def _text(value: str) -> str:
    """Character data: ``&``, ``<`` and ``>`` (for ``]]>``) escaped; CR kept as a reference
    (a parser turns a raw one into a line feed)."""
    if _TEXT_SPECIAL.search(value) is None:  # most text: nothing to escape
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def _attr(value: str) -> str:
    """An attribute value in double quotes; tab and line breaks as references, which
    attribute-value normalisation would otherwise turn into spaces."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return value.replace("\r", "&#13;")


_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')


def _link(rel: str, type_: str, href: str, indent: str) -> str:
    return f'{indent}<link rel="{rel}" type="{type_}" href="{_attr(href)}"/>\n'


def render_entry(
    e: dict[str, Any], lang: str, site_base_url: str, site: SiteProfile | None = None
) -> str:
    """One ``<entry>``, indented for its place in the feed (the same in every feed)."""
    site = site or load_profile()
    i = "    "
    out = [
        "  <entry>\n",
        f"{i}<id>{_text(entry_id(e['id'], site))}</id>\n",
        f'{i}<title type="text">{_text(e["title"])}</title>\n',
        _link("alternate", "text/html", e["url"], i),
    ]
    if e["duplicate_of"]:
        out.append(
            _link("related", "text/html", site.story_url(site_base_url, lang, e["duplicate_of"]), i)
        )
    if e["published"]:
        out.append(f"{i}<published>{e['published']}</published>\n")
    out.append(f"{i}<updated>{e['updated']}</updated>\n")
    if e["publisher"]:
        out.append(f"{i}<author>\n{i}  <name>{_text(e['publisher'])}</name>\n{i}</author>\n")
    if e["excerpt"]:
        out.append(f'{i}<summary type="text">{_text(e["excerpt"])}</summary>\n')
    for category in e["categories"]:
        out.append(f'{i}<category term="{_attr(category)}"/>\n')
    scheme = hashtag_scheme(site)
    for tag in e["hashtags"]:
        out.append(f'{i}<category term="{_attr(tag)}" scheme="{scheme}" label="#{_attr(tag)}"/>\n')
    out.append("  </entry>\n")
    return "".join(out)


def render_feed(
    lang: str,
    tag: str,
    window: Sequence[dict[str, Any]],
    *,
    limit: int,
    site_base_url: str,
    feed_base_url: str,
    rendered: dict[str, str] | None = None,
    site: SiteProfile | None = None,
) -> bytes:
    """The Atom document of one hashtag feed from its window (newest first, not empty).

    *rendered* memoises entries across the feeds of one update, by their stored text (the
    same story may be in two feeds in two versions: each version names its own feeds).
    """
    site = site or load_profile()
    entries = shown_entries(window, limit)
    if not entries:
        raise ValueError(f"feed {lang}/{tag} has no entry: nothing to write")
    host = urlsplit(site_base_url).netloc or site_base_url
    head = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="{ATOM_NS}" xml:lang="{_attr(lang)}">\n',
        f"  <id>{_text(feed_id(lang, tag, site))}</id>\n",
        f'  <title type="text">#{_text(tag)}</title>\n',
        _link("self", "application/atom+xml", feed_url(feed_base_url, lang, tag), "  "),
        _link("alternate", "text/html", site.listing_url(site_base_url, lang, tag), "  "),
        # The newest entry's: a run that brings this feed nothing new leaves its bytes alone.
        f"  <updated>{max(e['updated'] for e in entries)}</updated>\n",
        # Entries without a publisher take the feed's author (RFC 4287 4.1.1): the site.
        f"  <author>\n    <name>{_text(host)}</name>\n"
        f"    <uri>{_text(site_base_url)}</uri>\n  </author>\n",
        f"  <generator>{GENERATOR}</generator>\n",
    ]
    memo = rendered if rendered is not None else {}
    for e in entries:
        key = e.get("key") or json.dumps(e, sort_keys=True)
        text = memo.get(key)
        if text is None:
            text = memo[key] = render_entry(e, lang, site_base_url, site)
        head.append(text)
    head.append("</feed>\n")
    return "".join(head).encode("utf-8")


def render_opml(
    feeds: Sequence[tuple[str, str]],
    *,
    site_base_url: str,
    feed_base_url: str,
    site: SiteProfile | None = None,
) -> bytes:
    """OPML 2.0 subscription list: one outline per language, one per feed under it."""
    site = site or load_profile()
    langs = site.langs
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = "newscrawl: hashtag feeds"
    body = etree.SubElement(opml, "body")
    by_lang: dict[str, list[str]] = {}
    for lang, tag in feeds:
        by_lang.setdefault(lang, []).append(tag)
    for lang in sorted(by_lang, key=lambda x: (langs.index(x) if x in langs else len(langs), x)):
        name = LANG_NAMES.get(lang, lang)
        group = etree.SubElement(body, "outline", text=name, title=name)
        for tag in sorted(by_lang[lang]):
            etree.SubElement(
                group,
                "outline",
                type="rss",
                text=f"#{tag}",
                title=f"#{tag}",
                xmlUrl=feed_url(feed_base_url, lang, tag),
                htmlUrl=site.listing_url(site_base_url, lang, tag),
                language=lang,
            )
    return etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)
