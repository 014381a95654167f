"""Settings layer for crawling a site on this machine (the replica in demo, tests, bench).

Use with ``SCRAPY_SETTINGS_MODULE=newscrawl.settings_loopback``. Only the politeness that
protects a real site is relaxed; everything else is the production configuration.
"""

from newscrawl.settings import *  # noqa: F403

DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = False
CONCURRENT_REQUESTS_PER_DOMAIN = 16
LOGSTATS_INTERVAL = 0
