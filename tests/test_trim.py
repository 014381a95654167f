"""The free-memory extension (newscrawl/extensions/trim.py): glibc's free pages back to the
system on a timer, measured on a real heap in a process of its own."""

from __future__ import annotations

import subprocess
import sys

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extensions.trim import FreeMemory, malloc_trim

pytestmark = pytest.mark.skipif(malloc_trim() is None, reason="glibc's malloc_trim only")

# A heap of 1 KB blocks (over pymalloc's 512 bytes: glibc's own), every 64th kept alive, so
# the freed ones cannot go back from the top of the heap; then one trim by the extension.
_FRAGMENTED = """
import sys
from scrapy.utils.test import get_crawler
from newscrawl.extensions.trim import FreeMemory
import scrapy

def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

class S(scrapy.Spider):
    name = "s"

crawler = get_crawler(S, {"EXTENSIONS_BASE": {}, "NEWSCRAWL_MALLOC_TRIM_INTERVAL": 1.0})
ext = FreeMemory.from_crawler(crawler)
blocks = [bytes(1000) + bytes([i % 251]) for i in range(200_000)]
kept = blocks[::64]
del blocks
before = rss_mib()
ext.trim()
after = rss_mib()
print(before, after, crawler.stats.get_value("newscrawl/memory/trims"))
"""


def test_a_trim_gives_a_fragmented_heaps_free_pages_back() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _FRAGMENTED], capture_output=True, text=True, check=True
    ).stdout
    before, after, trims = out.split()
    # 200 MB allocated, 3 MB kept: the freed rest stays resident until the trim.
    assert float(before) - float(after) > 100, out
    assert int(trims) == 1


class _Spider(scrapy.Spider):
    name = "trim"


def test_the_interval_turns_it_off_or_is_refused() -> None:
    off = get_crawler(_Spider, {"NEWSCRAWL_MALLOC_TRIM_INTERVAL": 0})
    with pytest.raises(NotConfigured, match="is 0"):
        FreeMemory.from_crawler(off)
    bad = get_crawler(_Spider, {"NEWSCRAWL_MALLOC_TRIM_INTERVAL": -1})
    with pytest.raises(ValueError, match="0 \\(off\\) or more seconds, not -1"):
        FreeMemory.from_crawler(bad)


def test_a_crawl_trims_on_the_engines_timer_and_exports_the_same(crawl, site) -> None:
    """Started with the engine, stopped with it: counted in the run's stats, and the export
    is the one a run without it writes."""
    tags = ",".join(site.tags("en"))
    on = crawl("-a", f"tags={tags}", "-s", "NEWSCRAWL_MALLOC_TRIM_INTERVAL=0.01")
    assert on.returncode == 0, on.log[-3000:]
    assert on.stats["newscrawl/memory/trims"] > 0
    assert on.stats["newscrawl/memory/trim_ms"] >= 0
    assert sorted(on.by_id()) == sorted(site.expected("en", site.tags("en"), max_pages=10))
