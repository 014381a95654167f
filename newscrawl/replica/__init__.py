"""Offline, deterministic replica of Daily8's hashtag listings, and the oracle of a correct crawl.

Used by `make demo`, the end-to-end tests and the benchmark. It imports only the standard
library, so it starts fast in a subprocess.
"""

from __future__ import annotations

from newscrawl.replica.markup import (
    JS_VARIANT,
    SERVED_VARIANTS,
    VARIANTS,
    hashtag_path,
    render_api,
    render_article,
    render_listing,
)
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site, Story, build_site

__all__ = [
    "JS_VARIANT",
    "SERVED_VARIANTS",
    "VARIANTS",
    "ReplicaServer",
    "Site",
    "Story",
    "build_site",
    "hashtag_path",
    "render_api",
    "render_article",
    "render_listing",
]
