"""Settings layer for the benchmark: the loopback layer, the bare spider and the probe.

Use with ``SCRAPY_SETTINGS_MODULE=newscrawl.bench.settings``. Both measured spiders run
with exactly these settings; the bare spider then switches off what it is the baseline
for (pipelines, the run export and its report), in its own ``custom_settings``.
"""

import os

from newscrawl.settings_loopback import *  # noqa: F403
from newscrawl.settings_loopback import EXTENSIONS, SPIDER_MODULES

SPIDER_MODULES = [*SPIDER_MODULES, "newscrawl.bench.spiders"]
EXTENSIONS = {**EXTENSIONS, "newscrawl.bench.probe.BenchProbe": 900}
# Where the probe writes its JSON; empty: the probe is off.
NEWSCRAWL_BENCH_PROBE = os.environ.get("NEWSCRAWL_BENCH_PROBE", "")
