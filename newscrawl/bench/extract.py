"""The listing page object on its own: ``daily8.parse_listing`` beside lxml's parse of the page.

Scrapy parses every response into an lxml tree (the bare spider pays for that too); the
extractor then walks the tree. Timing both on the same pre-rendered pages says how the
extractor's cost compares with work any Scrapy spider does.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from lxml import html as lxml_html

from newscrawl.bench.server import PrerenderedServer
from newscrawl.sites import daily8


def run(server: PrerenderedServer, pages: int, passes: int = 3) -> dict[str, Any]:
    """Median over *passes* of µs per page for parsing and for extracting *pages* pages."""
    listing = [(k, v) for k, v in server.pages.items() if b"/hashtag/" in k]
    sample = random.Random(8).sample(listing, min(pages, len(listing)))
    base = server.base_url
    bodies = [(base + key.decode("ascii"), reply.split(b"\r\n\r\n", 1)[1]) for key, reply in sample]
    parse_us: list[float] = []
    extract_us: list[float] = []
    cards = 0
    for _ in range(passes):
        t_parse = t_extract = 0.0
        cards = 0
        for url, body in bodies:
            t0 = time.perf_counter()
            root = lxml_html.fromstring(body)
            t1 = time.perf_counter()
            found = daily8.parse_listing(None, url, base, root=root)
            t2 = time.perf_counter()
            t_parse += t1 - t0
            t_extract += t2 - t1
            cards += len(found.cards)
        parse_us.append(t_parse / len(bodies) * 1e6)
        extract_us.append(t_extract / len(bodies) * 1e6)
    per_page = statistics.median(extract_us)
    return {
        "pages": len(bodies),
        "cards_per_page": cards / len(bodies),
        "parse_us_per_page": statistics.median(parse_us),
        "extract_us_per_page": per_page,
        "extract_us_per_card": per_page * len(bodies) / cards if cards else float("nan"),
        "passes": passes,
    }
