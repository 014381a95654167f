"""Scrapy settings for newscrawl: polite defaults for the real site, each overridable.

Every ``NEWSCRAWL_*`` setting is read from the environment first, so cron jobs can be
configured without editing files; ``-s NAME=VALUE`` on the command line wins over both.
"""

from __future__ import annotations

import os

from newscrawl.schema import STORY_SCHEMA_OBJECT

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# Scrapy's crawl, parse and check, with a refused spider argument in one line (the module says)
COMMANDS_MODULE = "newscrawl.commands"
# tagpage's contracts for `scrapy check` (the listing URL is built from NEWSCRAWL_BASE_URL)
SPIDER_CONTRACTS = {
    "newscrawl.contracts.ListingContract": 10,
    "newscrawl.contracts.HoldsContract": 20,
}

# --- newscrawl's own settings -------------------------------------------------------
# The site: a profile module of newscrawl/sites/ (docs/ARCHITECTURE.md, "Adding a site").
NEWSCRAWL_SITE = os.environ.get("NEWSCRAWL_SITE", "daily8")
# Empty: the site profile's own origin (https://www.daily8.com for daily8).
NEWSCRAWL_BASE_URL = os.environ.get("NEWSCRAWL_BASE_URL", "")
# ISO 8601 instant relative dates ("14 hours ago") count back from; empty: crawl start.
NEWSCRAWL_NOW = os.environ.get("NEWSCRAWL_NOW", "")
NEWSCRAWL_TIMEZONE = os.environ.get("NEWSCRAWL_TIMEZONE", "Asia/Dubai")
NEWSCRAWL_DATA_DIR = os.environ.get("NEWSCRAWL_DATA_DIR", "data")
# Who to contact about the crawler; goes into the User-Agent.
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "https://github.com/newscrawl/newscrawl")
# Listing pages per hashtag when -a max_pages is not given.
NEWSCRAWL_MAX_PAGES = int(os.environ.get("NEWSCRAWL_MAX_PAGES", "10"))
# Parse listing pages in a second process on another core (newscrawl/listing_worker.py), not in
# the crawl's: the same listings. Off, or on a machine with one core: parsed in the spider.
NEWSCRAWL_LISTING_WORKER = os.environ.get("NEWSCRAWL_LISTING_WORKER", "1") not in ("0", "false")
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
# Each list is assigned once, here, in data-flow order; the sections below configure the
# components. docs/ARCHITECTURE.md draws the same path.
ITEM_PIPELINES = {
    # a record with no valid id, URL, title or language is dropped, counted
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    # published_raw -> published, published_precision
    "newscrawl.pipelines.dates.DatesPipeline": 200,
    # once per run, once ever (asks the seen-store service)
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    # the export's JSON Schema, counted only (see "scheduled runs")
    "newscrawl.pipelines.schema.SchemaValidationPipeline": 350,
    # duplicate_of for syndicated copies, after dedupe: only exported stories are grouped
    "newscrawl.pipelines.syndication.SyndicationPipeline": 400,
}
ADDONS = {
    # names the run and adds its atomic JSON Lines feed to FEEDS
    "newscrawl.exports.RunExport": 0,
    # NEWSCRAWL_BACKEND=redis: scrapy-redis scheduler and dupefilter ("distributed crawling")
    "newscrawl.fleet.backend.RedisBackend": 5,
    # one run at a time per data dir (newscrawl/ops/lock.py)
    "newscrawl.ops.lock.CrawlLock": 10,
    # JavaScript rendering: Splash or Playwright ("JavaScript rendering")
    "newscrawl.render.addon.Rendering": 20,
}
EXTENSIONS = {
    # keep the garbage collector off what lives as long as the run
    "newscrawl.extensions.gcfreeze.GcFreeze": 0,
    # the seen-store, a service on the crawler that the pipelines and the spider ask
    "newscrawl.extensions.seenstore.SeenStoreService": 100,
    # data/runs/<run id>.json and latest.json
    "newscrawl.ops.report.RunReport": 500,
    # spidermon's extension, its field coverage tallied
    "newscrawl.monitors.coverage.Spidermon": 510,
    # an Atom feed per hashtag after each complete export (NEWSCRAWL_FEED* below)
    "newscrawl.feeds.extension.HashtagFeeds": 520,
    # the C heap's free pages back to the system, once a second (glibc only)
    "newscrawl.extensions.trim.FreeMemory": 530,
    # one asyncio task a scraped item for item_scraped, not one a receiver (hotpath.py)
    "newscrawl.extensions.hotpath.OneItemScrapedReceiver": 540,
}
# Keep the garbage collector off what lives as long as the run (newscrawl/extensions/gcfreeze.py).
NEWSCRAWL_GC_FREEZE = True
# Seconds between two malloc_trim calls (newscrawl/extensions/trim.py); 0 turns it off.
NEWSCRAWL_MALLOC_TRIM_INTERVAL = float(os.environ.get("NEWSCRAWL_MALLOC_TRIM_INTERVAL", "1"))
FEED_STORAGES = {
    "newscrawl-atomic": "newscrawl.exports.AtomicFileFeedStorage",
}
# Arabic stays Arabic in every feed, -O included (no \u escapes).
FEED_EXPORT_ENCODING = "utf-8"

LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO")
# Scrapy's per-call costs that a crawl of many small items pays for nothing: the stats'
# deprecation shim on every read, DEBUG records made per item and per response only to be
# filtered out, and a coroutine made per pipeline per item to await what is not awaitable
# (newscrawl/extensions/hotpath.py says what each costs).
STATS_CLASS = "newscrawl.extensions.hotpath.FastStatsCollector"
LOG_FORMATTER = "newscrawl.extensions.hotpath.LogFormatter"
ITEM_PROCESSOR = "newscrawl.extensions.hotpath.ItemPipelineManager"
TELNETCONSOLE_ENABLED = False
# An unattended crawler opens no control ports.
REMOTE_CONTROL_ENABLED = False

# --- scheduled runs: runner, reports, monitors (README "Running from cron"; docs/OPERATIONS.md)
# Thresholds and their meaning: docs/OPERATIONS.md, "Monitors".
# One run at a time per data dir (newscrawl/ops/lock.py): a crawl that exports holds the lock.
# Days to keep logs, run reports and exports (by run id); 0 keeps everything. The cron
# runner prunes after its crawls; the seen-store is never pruned.
NEWSCRAWL_RETENTION_DAYS = float(os.environ.get("NEWSCRAWL_RETENTION_DAYS", "30"))

# spidermon runs newscrawl's close-of-run suite; its results go into the run report.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawl.monitors.suite.CloseMonitorSuite"]
# The stories this run exports (after dedupe, so a steady incremental run validates a few,
# not every story listed: about 20 µs each, compiled) are checked against the export's JSON
# Schema. Errors are only counted: never added to the item (a `_validation` field would
# break the export's schema), never dropped (dedupe has already staged the story).
# An object path to the schema dict, not a file path: the package's files are not on disk
# when it runs from a zipped egg (scrapyd).
SPIDERMON_VALIDATION_SCHEMAS = [STORY_SCHEMA_OBJECT]
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
NEWSCRAWL_MONITOR_FAILED_ACTIONS = ["newscrawl.monitors.suite.WebhookAction"]
NEWSCRAWL_WEBHOOK_URL = os.environ.get("NEWSCRAWL_WEBHOOK_URL", "")
NEWSCRAWL_WEBHOOK_TIMEOUT = 10.0

# --- faults and hostile input (see README, "When the site misbehaves") --------------
DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing leaves for a host other than the configured site's.
    "newscrawl.middlewares.guard.RequestGuardMiddleware": 50,
    # After decompression (590), before anything reads the text.
    "newscrawl.middlewares.charset.CharsetRepairMiddleware": 580,
    # Scrapy's retry and redirects in their places, replaced by ones that wait before a retry
    # and refuse redirect loops (Scrapy's drop a looping page silently). docs/FAULTS.md.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.backoff.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    # 579: reads the page after the charset repair (580), as Scrapy's did at 580.
    "newscrawl.middlewares.redirect.LoopSafeMetaRefreshMiddleware": 579,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.redirect.LoopSafeRedirectMiddleware": 600,
}
# Retries (RETRY_TIMES above, RETRY_HTTP_CODES: Scrapy's 5xx, 408, 429) wait before each
# try: BASE * 2**(n-1) seconds with jitter, at most MAX, and at least what a Retry-After
# asks. A Retry-After over RETRY_AFTER_MAX gives the page up at once (counted). Worst case
# per page with the defaults: 4 tries of DOWNLOAD_TIMEOUT plus about 14 s of waiting.
NEWSCRAWL_RETRY_BACKOFF_BASE = float(os.environ.get("NEWSCRAWL_RETRY_BACKOFF_BASE", "2"))
NEWSCRAWL_RETRY_BACKOFF_MAX = float(os.environ.get("NEWSCRAWL_RETRY_BACKOFF_MAX", "60"))
NEWSCRAWL_RETRY_AFTER_MAX = float(os.environ.get("NEWSCRAWL_RETRY_AFTER_MAX", "120"))
# DOWNLOAD_TIMEOUT (above) covers the whole download, so a page sent a byte at a time ends too.
# A listing page is tens of KB: 16 MB is far past any real one. Also applied to the size
# after decompression, so a gzip bomb stops there; WARNSIZE only logs.
DOWNLOAD_MAXSIZE = 16 * 2**20
DOWNLOAD_WARNSIZE = 4 * 2**20
# A body shorter than its Content-Length fails (and is retried), it is never parsed half.
DOWNLOAD_FAIL_ON_DATALOSS = True
# Redirects a page may take before it counts as failed (Scrapy's default is 20).
REDIRECT_MAX_TIMES = 5

# --- JavaScript rendering: Splash, Playwright (README "JavaScript pages"; docs/JS.md) ----------
# How listing pages are fetched (docs/JS.md): -a render=auto|splash|playwright wins over this.
# auto: plain HTML, and a page that is a script shell with no story card is fetched again,
# rendered by NEWSCRAWL_RENDER_AUTO ("splash" or "playwright"; empty: Splash when SPLASH_URL
# is set, else none, and the shells are counted and logged as missing stories).
NEWSCRAWL_RENDER = os.environ.get("NEWSCRAWL_RENDER", "auto")
NEWSCRAWL_RENDER_AUTO = os.environ.get("NEWSCRAWL_RENDER_AUTO", "")
# A rendered page is ready when this matches (a Daily8 story link), or when the network has
# been quiet for NEWSCRAWL_RENDER_IDLE seconds (an empty listing); TIMEOUT bounds one render.
# Empty: the site profile's (for daily8, 'a[href*="/article/"]').
NEWSCRAWL_RENDER_READY = os.environ.get("NEWSCRAWL_RENDER_READY", "")
NEWSCRAWL_RENDER_TIMEOUT = float(os.environ.get("NEWSCRAWL_RENDER_TIMEOUT", "20"))
NEWSCRAWL_RENDER_IDLE = float(os.environ.get("NEWSCRAWL_RENDER_IDLE", "0.5"))
# Splash: the server (its HTTP auth, if any, from the environment only: never in the repo).
SPLASH_URL = os.environ.get("SPLASH_URL", "")
SPLASH_USER = os.environ.get("SPLASH_USER", "")
SPLASH_PASS = os.environ.get("SPLASH_PASS", "")
# Playwright drives the system's chromium (never `playwright install`); or, with
# PLAYWRIGHT_CDP_URL, a browser already running elsewhere.
NEWSCRAWL_CHROMIUM = os.environ.get("NEWSCRAWL_CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT_CDP_URL = os.environ.get("PLAYWRIGHT_CDP_URL", "")
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": NEWSCRAWL_CHROMIUM,
    "headless": True,
    # No sandbox as root in a container; /dev/shm is small there. The rest: chromium phones
    # home for updates, sync and field trials, which a crawler has no use for.
    "args": [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        # Images are never read: not even requested (fewer round trips through Playwright).
        "--blink-settings=imagesEnabled=false",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = NEWSCRAWL_RENDER_TIMEOUT * 1000
PLAYWRIGHT_ABORT_REQUEST = "newscrawl.render.playwright.skip_heavy_resource"

# --- syndicated copies ---
# The same wire story republished by several publishers gets `duplicate_of` = the id of its
# group's original (docs/SYNDICATION.md: method, measured precision/recall, the 1M figures).
NEWSCRAWL_SYNDICATION_ENABLED = os.environ.get("NEWSCRAWL_SYNDICATION_ENABLED", "1") not in (
    "0",
    "false",
)
# Drop copies from the export instead of marking them (counted newscrawl/drop/syndicated_copy).
NEWSCRAWL_SYNDICATION_DROP = os.environ.get("NEWSCRAWL_SYNDICATION_DROP", "0") not in ("0", "false")
# A copy: estimated Jaccard similarity of the word-shingle sets at least this.
NEWSCRAWL_SYNDICATION_THRESHOLD = float(os.environ.get("NEWSCRAWL_SYNDICATION_THRESHOLD", "0.5"))
# Texts with fewer shingles than this (a bare headline) are never grouped.
NEWSCRAWL_SYNDICATION_MIN_SHINGLES = int(os.environ.get("NEWSCRAWL_SYNDICATION_MIN_SHINGLES", "10"))
# How fingerprints are made: changing one needs the stored fingerprints reset (see the doc).
NEWSCRAWL_SYNDICATION_SHINGLE_SIZE = int(os.environ.get("NEWSCRAWL_SYNDICATION_SHINGLE_SIZE", "3"))
NEWSCRAWL_SYNDICATION_NUM_PERM = int(os.environ.get("NEWSCRAWL_SYNDICATION_NUM_PERM", "128"))
NEWSCRAWL_SYNDICATION_BANDS = int(os.environ.get("NEWSCRAWL_SYNDICATION_BANDS", "32"))
# Fingerprint held stories in a second process during the crawl (newscrawl/fingerprint_worker.py),
# not in the pipeline after it: the same fingerprints, made on the machine's other core.
NEWSCRAWL_SYNDICATION_WORKER = os.environ.get("NEWSCRAWL_SYNDICATION_WORKER", "1") not in (
    "0",
    "false",
)

# --- distributed crawling on Redis ---
# docs/REDIS.md. NEWSCRAWL_BACKEND=redis (the RedisBackend add-on, so `-s` works too) puts the
# scheduler queue, the request dupefilter (scrapy-redis) and the seen-store in the Redis at
# REDIS_URL (from the environment: it may hold a password). Workers started with the same
# command share one fleet run: one frontier, and claims that export each story once.
NEWSCRAWL_BACKEND = os.environ.get("NEWSCRAWL_BACKEND", "sqlite")
REDIS_URL = os.environ.get("REDIS_URL", "")
# Every key starts with this (one Redis can hold several independent deployments).
NEWSCRAWL_REDIS_PREFIX = os.environ.get("NEWSCRAWL_REDIS_PREFIX", "newscrawl")
# The fleet run a worker joins: this name if set (e.g. from cron: `date +%Y%m%d%H`), else a
# digest of the command (spider, site, lang, sorted hashtags, arguments) and its start time
# rounded to the nearest NEWSCRAWL_FLEET_WINDOW seconds (0: no window).
NEWSCRAWL_FLEET_RUN = os.environ.get("NEWSCRAWL_FLEET_RUN", "")
NEWSCRAWL_FLEET_WINDOW = float(os.environ.get("NEWSCRAWL_FLEET_WINDOW", "3600"))
# A run whose heartbeat is older than this is dead: its claims and requests are taken over.
# Longer than any stall of a worker; shorter means a killed worker's share is redone sooner.
NEWSCRAWL_REDIS_HEARTBEAT_TTL = float(os.environ.get("NEWSCRAWL_REDIS_HEARTBEAT_TTL", "30"))
# How often a worker with nothing to do asks the fleet for requests (seconds).
NEWSCRAWL_FLEET_POLL = float(os.environ.get("NEWSCRAWL_FLEET_POLL", "0.5"))
# A fleet run's queue and dupefilter expire this long after its last heartbeat (the last
# worker out deletes them at once); a dead run's records, this long after it stopped.
NEWSCRAWL_FLEET_TTL = int(os.environ.get("NEWSCRAWL_FLEET_TTL", str(24 * 3600)))
NEWSCRAWL_REDIS_RUN_TTL = int(os.environ.get("NEWSCRAWL_REDIS_RUN_TTL", str(7 * 24 * 3600)))
# scrapy-redis keys for a fleet run (%(prefix)s, %(spider)s and %(fleet)s are filled in).
SCHEDULER_QUEUE_KEY = "%(prefix)s:fleet:%(spider)s:%(fleet)s:requests"
SCHEDULER_DUPEFILTER_KEY = "%(prefix)s:fleet:%(spider)s:%(fleet)s:dupefilter"

# --- hashtag feeds (README "Follow in a feed reader"; newscrawl/feeds/) ---
# After each complete export: <DATA_DIR>/feeds/<lang>/<hashtag>.atom and feeds/index.opml.
NEWSCRAWL_FEEDS_ENABLED = os.environ.get("NEWSCRAWL_FEEDS_ENABLED", "1") not in ("0", "false")
# The update is prepared by a child process while the run finishes (newscrawl/feeds/worker.py):
# off, the crawl's process does all of it after the export is published.
NEWSCRAWL_FEEDS_WORKER = os.environ.get("NEWSCRAWL_FEEDS_WORKER", "1") not in ("0", "false")
# Stories a feed lists, newest first (syndicated copies of one story are one entry).
NEWSCRAWL_FEED_ENTRIES = int(os.environ.get("NEWSCRAWL_FEED_ENTRIES", "50"))
# Where <DATA_DIR>/feeds/ is served: feeds' self links and the OPML list's URLs start here.
NEWSCRAWL_FEED_BASE_URL = os.environ.get("NEWSCRAWL_FEED_BASE_URL", "http://localhost:8000/")
