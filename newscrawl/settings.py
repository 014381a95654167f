"""Scrapy settings for newscrawl: polite defaults for the real site, each overridable.

Every ``NEWSCRAWL_*`` setting is read from the environment first, so cron jobs can be
configured without editing files; ``-s NAME=VALUE`` on the command line wins over both.
"""

from __future__ import annotations

import os

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

# --- faults and hostile input (see README, "When the site misbehaves") --------------
DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing leaves for a host other than the configured site's.
    "newscrawl.middlewares.guard.RequestGuardMiddleware": 50,
    # After decompression (590), before anything reads the text.
    "newscrawl.middlewares.charset.CharsetRepairMiddleware": 580,
}

# --- JavaScript rendering: Splash, Playwright (see README, "JavaScript pages") ----------
