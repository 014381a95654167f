"""Site profiles: each aggregator newscrawl crawls is one module here, selected by one setting.

A profile is everything the rest of newscrawl needs to know about a site, and nothing else
knows it: the spider, the cron runner, rendering, validation, the schema and the stores
read the profile. ``newscrawl/sites/cards.py`` is the generic card engine that profiles
build on; ``newscrawl/sites/daily8.py`` is the first profile (the default).

The registry is this package: ``NEWSCRAWL_SITE=NAME`` loads ``newscrawl.sites.NAME`` and
takes its ``PROFILE``; a dotted path (``mypackage.mysite``) loads a profile kept outside
newscrawl. Adding a site is adding one module (and its saved pages and test); no list to
edit. How to write one: docs/ARCHITECTURE.md, "Adding a site".
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newscrawl.stores.ids import HEX128, IdCodec

if TYPE_CHECKING:
    from newscrawl.sites.cards import Listing, StoryPage

DEFAULT_SITE = "daily8"
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class SiteProfile:
    """What is particular to one site; every field is read by one part of newscrawl."""

    name: str
    #: The site's origin, when NEWSCRAWL_BASE_URL does not name another (a replica).
    base_url: str
    #: Listing languages; the first is the default ``-a lang``.
    langs: tuple[str, ...]
    #: (base URL, lang, hashtag) -> the hashtag's first listing page.
    listing_url: Callable[[str, str, str], str]
    #: (base URL, lang, story id) -> the story's page as the site links it (feeds' links).
    story_url: Callable[[str, str, str], str]
    #: (HTML or None, page URL, base URL, root=lxml tree) -> the listing's cards and next page.
    parse_listing: Callable[..., Listing]
    #: The same for a story page: headline, publisher, date text, body, hashtags.
    parse_story: Callable[..., StoryPage]
    #: (href, page URL, base URL) -> (story id, canonical URL) for a link to a story, else None.
    story_link: Callable[[str | None, str, str], tuple[str, str] | None]
    #: A story id, as a regular expression (validation, the record's schema).
    id_pattern: str
    #: A story's canonical URL, as a regular expression (the record's schema).
    url_pattern: str
    #: CSS selector that matches once a rendered listing shows its stories (Splash, Playwright).
    render_ready: str
    #: The seen-store's file in the data dir; one per site, so ids of two sites never meet.
    seen_store_file: str = ""
    #: How a story id becomes the stores' 16-byte key and back (``newscrawl/stores/ids.py``).
    ids: IdCodec = HEX128

    def __post_init__(self) -> None:
        if not self.langs:
            raise ValueError(f"site {self.name!r}: a profile needs at least one language")
        if not self.seen_store_file:
            object.__setattr__(self, "seen_store_file", f"seen-{self.name}.sqlite3")

    @property
    def default_lang(self) -> str:
        return self.langs[0]

    def check_lang(self, lang: str) -> str:
        if lang not in self.langs:
            raise ValueError(f"unknown lang {lang!r}: use one of {', '.join(self.langs)}")
        return lang


@functools.cache
def load_profile(name: str | None = None) -> SiteProfile:
    """The profile ``NEWSCRAWL_SITE`` names: ``newscrawl.sites.<name>``, or a dotted path."""
    name = (name or DEFAULT_SITE).strip()
    if not _NAME.match(name):
        raise ValueError(f"NEWSCRAWL_SITE must be a site module's name, not {name!r}")
    module_name = name if "." in name else f"{__name__}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ValueError(
            f"NEWSCRAWL_SITE={name!r}: no site module {module_name} (the sites are the modules"
            " of newscrawl/sites/ that define PROFILE)"
        ) from None
    profile = getattr(module, "PROFILE", None)
    if not isinstance(profile, SiteProfile):
        raise ValueError(f"NEWSCRAWL_SITE={name!r}: {module_name} defines no SiteProfile PROFILE")
    return profile


def site_name_of(settings: Any) -> str:
    """``NEWSCRAWL_SITE`` as given (a module name or a dotted path), for a child process to
    load the same profile; the default site's when empty."""
    return settings.get("NEWSCRAWL_SITE") or DEFAULT_SITE


def site_of(settings: Any) -> SiteProfile:
    """The profile the crawl's settings select (``NEWSCRAWL_SITE``)."""
    return load_profile(site_name_of(settings))


def base_url_of(settings: Any) -> str:
    """``NEWSCRAWL_BASE_URL``, or the selected site's own origin when it is empty."""
    return (settings.get("NEWSCRAWL_BASE_URL") or site_of(settings).base_url).rstrip("/")
