"""Scrapy settings for newscrawl: polite defaults for the real site, each overridable.

Every ``NEWSCRAWL_*`` setting is read from the environment first, so cron jobs can be
configured without editing files; ``-s NAME=VALUE`` on the command line wins over both.
"""

from __future__ import annotations

import os

from newscrawl.schema import STORY_SCHEMA_PATH

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

# --- newscrawl's own settings -------------------------------------------------------
NEWSCRAWL_BASE_URL = os.environ.get("NEWSCRAWL_BASE_URL", "https://www.daily8.com")
# ISO 8601 instant relative dates ("14 hours ago") count back from; empty: crawl start.
NEWSCRAWL_NOW = os.environ.get("NEWSCRAWL_NOW", "")
NEWSCRAWL_TIMEZONE = os.environ.get("NEWSCRAWL_TIMEZONE", "Asia/Dubai")
NEWSCRAWL_DATA_DIR = os.environ.get("NEWSCRAWL_DATA_DIR", "data")
# Who to contact about the crawler; goes into the User-Agent.
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "https://github.com/newscrawl/newscrawl")
# Listing pages per hashtag when -a max_pages is not given.
NEWSCRAWL_MAX_PAGES = int(os.environ.get("NEWSCRAWL_MAX_PAGES", "10"))
# Write <DATA_DIR>/exports/<spider>/<run id>.jsonl (and use the seen-store).
NEWSCRAWL_EXPORT_ENABLED = os.environ.get("NEWSCRAWL_EXPORT_ENABLED", "1") not in ("0", "false")
# Set by the run-export add-on when empty; a runner may set it to name the run itself.
NEWSCRAWL_RUN_ID = os.environ.get("NEWSCRAWL_RUN_ID", "")

# --- politeness against the real site ------------------------------------------------
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 3
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False

# --- the data path: order is the data flow (see README, "Pipelines") ----------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.dates.DatesPipeline": 200,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
}
ADDONS = {
    "newscrawl.exports.RunExport": 0,
}
EXTENSIONS = {
    "newscrawl.report.RunReport": 500,
}
FEED_STORAGES = {
    "newscrawl-atomic": "newscrawl.exports.AtomicFileFeedStorage",
}
# Arabic stays Arabic in every feed, -O included (no \u escapes).
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO")
TELNETCONSOLE_ENABLED = False
# An unattended crawler opens no control ports.
REMOTE_CONTROL_ENABLED = False

# --- scheduled runs: runner, run reports, monitors (see README, "Running from cron") --
# Thresholds and their meaning: docs/OPERATIONS.md, "Monitors".
# One run at a time per data dir (newscrawl/lock.py): a crawl that exports holds the lock.
ADDONS = {**ADDONS, "newscrawl.lock.CrawlLock": 10}
# Days to keep logs, run reports and exports (by run id); 0 keeps everything. The cron
# runner prunes after its crawls; the seen-store is never pruned.
NEWSCRAWL_RETENTION_DAYS = float(os.environ.get("NEWSCRAWL_RETENTION_DAYS", "30"))

# spidermon runs newscrawl's close-of-run suite; its results go into the run report.
SPIDERMON_ENABLED = True
EXTENSIONS = {**EXTENSIONS, "spidermon.contrib.scrapy.extensions.Spidermon": 510}
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.monitors.CloseMonitorSuite"]
# The stories this run exports (after dedupe, so a steady incremental run validates a few,
# not every story listed: about 1 ms each here) are checked against the export's JSON
# Schema. Errors are only counted: never added to the item (a `_validation` field would
# break the export's schema), never dropped (dedupe has already staged the story).
ITEM_PIPELINES = {
    **ITEM_PIPELINES,
    "spidermon.contrib.scrapy.pipelines.ItemValidationPipeline": 350,
}
SPIDERMON_VALIDATION_SCHEMAS = [str(STORY_SCHEMA_PATH)]
SPIDERMON_VALIDATION_ADD_ERRORS_TO_ITEMS = False
SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS = False
SPIDERMON_MAX_ITEM_VALIDATION_ERRORS = 0
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
# Any ERROR line fails the run: spider exceptions, a listing that failed, a failed export.
SPIDERMON_MAX_ERRORS = 0
# Share of exported stories that have each field (None counts as missing).
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True
SPIDERMON_FIELD_COVERAGE_RULES = {
    "Story/title": 1.0,
    "Story/publisher": 0.8,
    "Story/published": 0.8,
}
# Coverage of a handful of new stories says little: below this many it is not judged.
NEWSCRAWL_MONITOR_COVERAGE_MIN_STORIES = 10
# Listing pages fetched, and distinct stories listed (new or not), that a run must reach.
NEWSCRAWL_MONITOR_MIN_PAGES = 1
NEWSCRAWL_MONITOR_MIN_STORIES = 1
NEWSCRAWL_MONITOR_MAX_LISTING_FAILURES = 0  # failed for good, blocked, or not on the site
# Flag a hashtag that listed stories in the last good run of its language and none now.
NEWSCRAWL_MONITOR_SILENT_HASHTAGS = True
# spidermon actions (import paths) run when a monitor fails; the webhook does nothing
# unless NEWSCRAWL_WEBHOOK_URL is set (from the environment: it is often a secret).
NEWSCRAWL_MONITOR_FAILED_ACTIONS = ["newscrawl.monitors.WebhookAction"]
NEWSCRAWL_WEBHOOK_URL = os.environ.get("NEWSCRAWL_WEBHOOK_URL", "")
NEWSCRAWL_WEBHOOK_TIMEOUT = 10.0

# --- faults and hostile input (see README, "When the site misbehaves") --------------
DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing leaves for a host other than the configured site's.
    "newscrawl.middlewares.guard.RequestGuardMiddleware": 50,
    # After decompression (590), before anything reads the text.
    "newscrawl.middlewares.charset.CharsetRepairMiddleware": 580,
}

# --- JavaScript rendering: Splash, Playwright (see README, "JavaScript pages") ----------
