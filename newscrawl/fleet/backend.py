"""The ``RedisBackend`` add-on and what names a fleet run: which workers share a frontier."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy import Spider


BACKENDS = ("sqlite", "redis")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def fleet_run_name(command: dict[str, Any], *, window: float, now: datetime) -> str:
    """The fleet run a worker joins: a digest of what it crawls and the run window it starts in.

    *now* is rounded to the *nearest* multiple of *window* seconds, so workers cron starts at
    the same minute on machines whose clocks differ by a few seconds agree; workers started
    more than half a window apart never share. ``window`` 0: no window, the fleet run lasts
    until its last worker leaves.
    """
    digest = hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()[:16]
    if window <= 0:
        return digest
    start = round(now.timestamp() / window) * window
    return f"{digest}-{datetime.fromtimestamp(start, UTC):%Y%m%dT%H%M%SZ}"


def spider_command(spider: Spider, base_url: str) -> dict[str, Any]:
    """What makes two workers' crawls the same: the spider, its site and its arguments."""
    return {
        "spider": spider.name,
        "base_url": base_url,
        "lang": getattr(spider, "lang", None),
        "tags": sorted(getattr(spider, "tags", [])),
        "max_pages": getattr(spider, "max_pages", None),
        "refresh": getattr(spider, "refresh", None),
        "articles": getattr(spider, "articles", None),
        "discover": getattr(spider, "discover", None),
        "max_hashtags": getattr(spider, "max_hashtags", None),
    }


class RedisBackend:
    """Scrapy add-on: ``NEWSCRAWL_BACKEND=redis`` puts the frontier and seen-store in Redis.

    Read here, after ``-s`` options are applied, so the switch works from the command line.
    """

    def update_settings(self, settings: Any) -> None:
        backend = settings.get("NEWSCRAWL_BACKEND") or "sqlite"
        if backend not in BACKENDS:
            raise ValueError(
                f"NEWSCRAWL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}"
            )
        if backend != "redis":
            return
        if not settings.get("REDIS_URL"):
            raise ValueError("NEWSCRAWL_BACKEND=redis needs REDIS_URL (e.g. redis://host:6379/0)")
        prefix = settings.get("NEWSCRAWL_REDIS_PREFIX") or ""
        if not NAME_RE.match(prefix):
            raise ValueError(f"NEWSCRAWL_REDIS_PREFIX must match {NAME_RE.pattern}, not {prefix!r}")
        settings.set("SCHEDULER", "newscrawl.fleet.scheduler.FleetScheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        # The fleet's queue and dupefilter are shared: no worker may clear them when it
        # closes (SCHEDULER_PERSIST=False would); the last worker of a fleet run does.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        # A worker crawls its share of the fleet's listings: a share can be empty, and a
        # hashtag its last run crawled may be another worker's this time. "project" so that
        # settings.py's values give way and -s still wins.
        settings.set("NEWSCRAWL_MONITOR_MIN_PAGES", 0, priority="project")
        settings.set("NEWSCRAWL_MONITOR_MIN_STORIES", 0, priority="project")
        settings.set("NEWSCRAWL_MONITOR_SILENT_HASHTAGS", False, priority="project")
