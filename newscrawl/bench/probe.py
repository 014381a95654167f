"""Benchmark-only extension: what the run's stats do not say, written as JSON at the end.

Whether dateparser was ever imported (it must not be when every date took the fast
path), the modules loaded, the process's peak RSS, and the final stats, so the bare
spider (which has no run report) is measured the same way as ``tagpage``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.bench.seenstore import rss_mib

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class BenchProbe:
    """Writes ``NEWSCRAWL_BENCH_PROBE`` (a JSON file) when the engine stops."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BenchProbe:
        path = crawler.settings.get("NEWSCRAWL_BENCH_PROBE")
        if not path:
            raise NotConfigured("NEWSCRAWL_BENCH_PROBE is not set")
        probe = cls(crawler, Path(path))
        crawler.signals.connect(probe.engine_stopped, signal=signals.engine_stopped)
        return probe

    def engine_stopped(self) -> None:
        stats: dict[str, Any] = {
            k: v if isinstance(v, int | float | str | bool | None) else str(v)
            for k, v in self.crawler.stats.get_stats().items()
        }
        out = {
            "dateparser_loaded": "dateparser" in sys.modules,
            "modules": len(sys.modules),
            "maxrss_kib": rss_mib("VmHWM") * 1024,
            "pid": os.getpid(),
            "stats": stats,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(out, indent=1, sort_keys=True), encoding="utf-8")
