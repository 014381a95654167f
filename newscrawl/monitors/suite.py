"""spidermon suite for the close of a run: can a consumer trust what this run exported?

Enabled in ``settings.py`` (``SPIDERMON_SPIDER_CLOSE_MONITORS``); every threshold is a
setting, listed with its default in docs/OPERATIONS.md. The results go into the stats
(``newscrawl/monitors``) and from there into the run report, the log and the cron
runner's exit code; failures also run the actions in ``NEWSCRAWL_MONITOR_FAILED_ACTIONS``.
"""

from __future__ import annotations

import json
import logging
import urllib.request
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.utils.misc import load_object
from spidermon import Action, MonitorSuite, SkipAction, monitors
from spidermon import settings as spidermon_settings
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.contrib.scrapy.monitors.monitors import (
    ErrorCountMonitor,
    FinishReasonMonitor,
)
from spidermon.contrib.scrapy.monitors.monitors import (
    FieldCoverageMonitor as _SpidermonFieldCoverage,
)
from spidermon.contrib.scrapy.monitors.monitors import (
    ItemValidationMonitor as _SpidermonItemValidation,
)

from newscrawl.ops import report

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# spidermon 1.27 writes its result lines through Spider.log(), deprecated in Scrapy 2.14:
# one warning per run that says nothing about the run.
warnings.filterwarnings(
    "ignore", message=r"Spider\.log\(\) is deprecated", category=ScrapyDeprecationWarning
)

_FAILED = spidermon_settings.MONITOR.STATUSES.ERROR
_SKIPPED = spidermon_settings.MONITOR.STATUS.SKIPPED

#: Stats key set by the suite: ``{"passed": [name], "failed": [{"monitor", "reason"}],
#: "skipped": [{"monitor", "reason"}]}``.
RESULTS_STAT = "newscrawl/monitors"


@monitors.name("Pages fetched")
class PagesFetchedMonitor(BaseScrapyMonitor):
    """At least ``NEWSCRAWL_MONITOR_MIN_PAGES`` listing pages were fetched and parsed."""

    def test_pages_fetched(self) -> None:
        minimum = self.crawler.settings.getint("NEWSCRAWL_MONITOR_MIN_PAGES")
        pages = self.stats.get("newscrawl/pages", 0)
        self.assertGreaterEqual(
            pages,
            minimum,
            msg=f"{pages} listing pages fetched, at least {minimum} expected: the site was "
            "unreachable or refused every listing",
        )


@monitors.name("Stories listed")
class StoriesListedMonitor(BaseScrapyMonitor):
    """The listings showed at least ``NEWSCRAWL_MONITOR_MIN_STORIES`` stories, new or not."""

    def test_stories_listed(self) -> None:
        minimum = self.crawler.settings.getint("NEWSCRAWL_MONITOR_MIN_STORIES")
        stories = self.stats.get("newscrawl/stories", 0)
        self.assertGreaterEqual(
            stories,
            minimum,
            msg=f"the listings showed {stories} stories, at least {minimum} expected: "
            "a site change, a block, or hashtags that no longer exist",
        )


@monitors.name("Listings")
class ListingsMonitor(BaseScrapyMonitor):
    """At most ``NEWSCRAWL_MONITOR_MAX_LISTING_FAILURES`` listing pages were lost: failed
    for good (after retries), blocked, or a hashtag the site does not have."""

    def test_listings_fetched(self) -> None:
        maximum = self.crawler.settings.getint("NEWSCRAWL_MONITOR_MAX_LISTING_FAILURES")
        lost = {
            "failed for good": self.stats.get("newscrawl/listing/failed", 0),
            "blocked": self.stats.get("newscrawl/blocked", 0),
            "hashtag not on the site": self.stats.get("newscrawl/hashtag/not_found", 0),
        }
        shown = ", ".join(f"{n} {what}" for what, n in lost.items() if n)
        self.assertLessEqual(
            sum(lost.values()),
            maximum,
            msg=f"listing pages lost: {shown} (at most {maximum} allowed); the log names each",
        )


class _NoneCountedPasses:
    """spidermon skips a ``<=`` stat monitor whose stat is absent; none counted is a pass."""

    stat_name: str

    def test_stat_monitor(self) -> None:
        if self.stat_name in self.stats:
            super().test_stat_monitor()


@monitors.name("Errors logged")
class ErrorsLoggedMonitor(_NoneCountedPasses, ErrorCountMonitor):
    """At most ``SPIDERMON_MAX_ERRORS`` ERROR log lines (spider exceptions, failed listings)."""


@monitors.name("Item validation")
class ItemValidationMonitor(_NoneCountedPasses, _SpidermonItemValidation):
    """At most ``SPIDERMON_MAX_ITEM_VALIDATION_ERRORS`` JSON Schema errors in the stories."""


@monitors.name("Field coverage")
class FieldCoverageMonitor(_SpidermonFieldCoverage):
    """spidermon's field coverage, judged only once enough stories were exported."""

    def test_check_if_field_coverage_rules_are_met(self) -> None:
        minimum = self.crawler.settings.getint("NEWSCRAWL_MONITOR_COVERAGE_MIN_STORIES")
        exported = self.stats.get("item_scraped_count", 0)
        if exported < minimum:
            self.skipTest(
                f"{exported} stories exported, fewer than "
                f"NEWSCRAWL_MONITOR_COVERAGE_MIN_STORIES={minimum}"
            )
        super().test_check_if_field_coverage_rules_are_met()


@monitors.name("Silent hashtags")
class SilentHashtagsMonitor(BaseScrapyMonitor):
    """No hashtag that listed stories in the last good run of this language lists none now.

    A site change or a block looks like that. The reference is the newest earlier report
    whose monitors all passed, so the flag stays up until the hashtag lists stories again
    (or is taken out of the tags), not just for the first run after it fell silent.
    """

    def test_no_hashtag_fell_silent(self) -> None:
        settings = self.crawler.settings
        if not settings.getbool("NEWSCRAWL_MONITOR_SILENT_HASHTAGS"):
            self.skipTest("NEWSCRAWL_MONITOR_SILENT_HASHTAGS is off")
        spider = self.crawler.spider.name if self.crawler.spider else "tagpage"
        previous = report.last_good_report(
            Path(settings.get("NEWSCRAWL_DATA_DIR")),
            spider=spider,
            lang=self.stats.get("newscrawl/lang"),
            before=settings.get("NEWSCRAWL_RUN_ID"),
        )
        if previous is None:
            self.skipTest("no earlier good run of this language to compare with")
        before = previous.get("hashtags") or {}
        silent = [
            f"#{tag} ({before[tag]} stories in run {previous['run_id']}, 0 now)"
            for tag, n in report.hashtag_counts(self.stats).items()
            if n == 0 and before.get(tag, 0) > 0
        ]
        self.assertFalse(silent, msg="listed stories before, none now: " + ", ".join(silent))


class RecordResults(Action):
    """Puts the suite's results into the stats (for the run report) and logs one line."""

    def run_action(self) -> None:
        results: dict[str, list[Any]] = {"passed": [], "failed": [], "skipped": []}
        for r in self.result.monitor_results:
            name = r.item.monitor_name
            if r.status in _FAILED:  # FAIL, or ERROR: the monitor itself raised
                results["failed"].append({"monitor": name, "reason": _reason(r)})
            elif r.status == _SKIPPED:
                results["skipped"].append({"monitor": name, "reason": str(r.reason)})
            else:
                results["passed"].append(name)
        self.data.crawler.stats.set_value(RESULTS_STAT, results)
        if results["failed"]:
            logger.error(
                "monitors failed: %s",
                "; ".join(f"{f['monitor']}: {f['reason']}" for f in results["failed"]),
            )
        else:
            logger.info(
                "monitors: %d passed, %d skipped", len(results["passed"]), len(results["skipped"])
            )


def _reason(result: Any) -> str:
    reason = getattr(result, "reason", None)
    if reason:
        return str(reason).strip()
    # An ERROR has only a traceback: its last line names the exception.
    lines = (result.error or "").strip().splitlines()
    return lines[-1] if lines else result.status


class WebhookAction(Action):
    """POSTs the failed monitors as JSON to ``NEWSCRAWL_WEBHOOK_URL`` (skipped when unset).

    The body: ``run_id``, ``spider``, ``lang``, ``failed`` (monitor, reason), ``report``
    and ``log`` (paths on the crawling machine), ``finish_reason``.
    """

    def __init__(self, url: str = "", timeout: float = 10.0) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout

    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]:
        s = crawler.settings
        return {
            "url": s.get("NEWSCRAWL_WEBHOOK_URL", ""),
            "timeout": s.getfloat("NEWSCRAWL_WEBHOOK_TIMEOUT", 10.0),
        }

    def run_action(self) -> None:
        if not self.url:
            raise SkipAction("NEWSCRAWL_WEBHOOK_URL is not set")
        crawler = self.data.crawler
        s = crawler.settings
        data_dir = Path(s.get("NEWSCRAWL_DATA_DIR"))
        run_id = s.get("NEWSCRAWL_RUN_ID")
        body = {
            "run_id": run_id,
            "spider": crawler.spider.name if crawler.spider else None,
            "lang": self.data.stats.get("newscrawl/lang"),
            "finish_reason": self.data.stats.get("finish_reason"),
            "failed": [
                {"monitor": r.item.monitor_name, "reason": _reason(r)}
                for r in self.result.monitors_failed_results
            ],
            "report": str(report.report_path(data_dir, run_id).resolve()),
            "log": str(report.log_path(data_dir, run_id).resolve()),
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
        logger.info("monitor failures posted to the webhook (HTTP %s)", response.status)


class CloseMonitorSuite(MonitorSuite):
    """What newscrawl checks when a run closes; see the module docstring."""

    monitors: ClassVar[list[type]] = [
        FinishReasonMonitor,
        PagesFetchedMonitor,
        StoriesListedMonitor,
        ListingsMonitor,
        ErrorsLoggedMonitor,
        ItemValidationMonitor,
        FieldCoverageMonitor,
        SilentHashtagsMonitor,
    ]
    monitors_finished_actions: ClassVar[list[type]] = [RecordResults]

    def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
        super().__init__(*args, crawler=crawler, **kwargs)
        if crawler is not None:
            actions = crawler.settings.getlist("NEWSCRAWL_MONITOR_FAILED_ACTIONS")
            self.add_monitors_failed_actions(load_object(a) for a in actions)
