"""Run report: the run's stats as JSON in ``<DATA_DIR>/runs/<run id>.json``.

Written once the engine has stopped (after the export is renamed into place), through a
temporary name like the export, so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class RunReport:
    """Extension: dumps the final stats (and the run id) as a JSON report per run."""

    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        s = crawler.settings
        if not s.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise NotConfigured("exports are off, so are run reports")
        run_id = s.get("NEWSCRAWL_RUN_ID")
        ext = cls(crawler, Path(s.get("NEWSCRAWL_DATA_DIR")) / "runs" / f"{run_id}.json")
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        stats = {k: _plain(v) for k, v in sorted(self.crawler.stats.get_stats().items())}
        report = {"run_id": self.crawler.settings.get("NEWSCRAWL_RUN_ID"), "stats": stats}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.part")
        tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
