"""newscrawl.compat.splash: scrapy-splash 0.11.1 working on the Scrapy we pin.

For each workaround, a test that the break is still there without it (when one of those
fails after an upgrade, upstream fixed it: delete the workaround and its test), and one
crawl that uses scrapy-splash as its README configures it, against a real Splash.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newscrawl.compat import splash as compat
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter (nothing patched by this test session)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_break_1_still_present_scrapy_splash_alone_does_not_import() -> None:
    alone = _python("import scrapy_splash")
    assert alone.returncode != 0
    assert "cannot import name 'canonicalize_url' from 'scrapy.utils.url'" in alone.stderr
    shimmed = _python(
        "import newscrawl.compat.splash, scrapy.utils.url, w3lib.url;"
        "assert scrapy.utils.url.canonicalize_url is w3lib.url.canonicalize_url"
    )
    assert shimmed.returncode == 0, shimmed.stderr


def test_break_2_still_present_dedupe_middleware_is_refused() -> None:
    import scrapy_splash
    from scrapy.core.spidermw import SpiderMiddlewareManager

    with pytest.raises(TypeError, match="doesn't support asynchronous spider output"):
        SpiderMiddlewareManager._get_process_spider_output(
            scrapy_splash.SplashDeduplicateArgsMiddleware()
        )
    fixed = compat.SplashDeduplicateArgsMiddleware(crawler=None)
    method = SpiderMiddlewareManager._get_process_spider_output(fixed)
    assert inspect.isasyncgenfunction(method)
    assert inspect.isasyncgenfunction(fixed.process_start)


def test_break_3_still_present_downloader_has_no_private_slot_key() -> None:
    import scrapy_splash
    from scrapy.core.downloader import Downloader

    assert not hasattr(Downloader, "_get_slot_key") and hasattr(Downloader, "get_slot_key")
    assert "downloader._get_slot_key(" in inspect.getsource(scrapy_splash.SplashMiddleware)
    assert "downloader.get_slot_key(" in inspect.getsource(compat.SplashMiddleware)


def test_4_the_spider_argument_is_no_longer_required() -> None:
    import scrapy_splash
    from scrapy.utils.deprecate import argument_is_required

    for name in ("process_request", "process_response"):
        assert argument_is_required(getattr(scrapy_splash.SplashMiddleware, name), "spider")
        assert not argument_is_required(getattr(compat.SplashMiddleware, name), "spider")


# A spider written the way scrapy-splash's README shows: SplashRequest, the execute endpoint,
# a Lua script sent once and then by reference (cache_args), an async callback.
SPIDER = """
import re

import scrapy

from newscrawl.compat.splash import SplashRequest
from newscrawl.render.scripts import SPLASH_LUA, WEBKIT_POLYFILL

ARGS = {
    "lua_source": SPLASH_LUA,
    "polyfill": WEBKIT_POLYFILL,
    "ready_js": "document.querySelectorAll('a[href*=article]').length > 0",
    "headers": {},
    "timeout": 20,
    "wait_max": 10,
    "idle": 0.5,
}


class CompatSpider(scrapy.Spider):
    name = "compat"
    custom_settings = {
        "DOWNLOADER_MIDDLEWARES": {
            "newscrawl.compat.splash.SplashCookiesMiddleware": 723,
            "newscrawl.compat.splash.SplashMiddleware": 725,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 810,
        },
        "SPIDER_MIDDLEWARES": {"newscrawl.compat.splash.SplashDeduplicateArgsMiddleware": 100},
        "DUPEFILTER_CLASS": "newscrawl.compat.splash.SplashAwareDupeFilter",
        "REQUEST_FINGERPRINTER_CLASS": "newscrawl.compat.splash.SplashRequestFingerprinter",
    }

    def _request(self, url):
        return SplashRequest(
            url, self.parse, endpoint="execute", args=dict(ARGS), cache_args=["lua_source", "polyfill"]
        )

    async def start(self):
        yield self._request(self.start_url)
        yield self._request(self.start_url)  # a duplicate: the Splash-aware filter drops it

    async def parse(self, response):
        ids = []
        for href in response.css("a::attr(href)").getall():
            m = re.fullmatch(r"/en/article/([0-9a-f]{32})", href)
            if m and m.group(1) not in ids:
                ids.append(m.group(1))
        splash = response.request.meta["splash"]
        yield {
            "url": response.url,
            "ids": ids,
            "slot": response.request.meta.get("download_slot"),
            "sent_by_reference": sorted(splash["args"].get("load_args", {})),
        }
        nxt = response.css("a[rel=next]::attr(href)").get()
        if nxt:
            yield self._request(response.urljoin(nxt))
"""


def test_scrapy_splash_as_its_readme_configures_it_on_a_real_splash(
    site: Site, splash_url: str, tmp_path: Path
) -> None:
    spider = tmp_path / "compat_spider.py"
    spider.write_text(textwrap.dedent(SPIDER), encoding="utf-8")
    out = tmp_path / "items.jsonl"
    tag = "Prince&Knight"
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    with ReplicaServer(site, variant="js") as server:
        start = f"{server.base_url}/en/hashtag/Prince%26Knight"
        proc = subprocess.run(
            [
                sys.executable,
                "-W",
                "error::UserWarning",  # scrapy-splash warns when its args machinery misfires
                "-m",
                "scrapy",
                "runspider",
                str(spider),
                "-a",
                f"start_url={start}",
                "-s",
                f"SPLASH_URL={splash_url}",
                "-s",
                "TELNETCONSOLE_ENABLED=False",
                "-o",
                str(out),
            ],
            cwd=tmp_path,  # no scrapy.cfg: Scrapy's defaults plus the spider's own settings
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    items = sorted(
        (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()),
        key=lambda item: item["url"],
    )
    pages = site.pages("en", tag)
    assert [item["ids"] for item in items] == [
        site.listing("en", tag, p) for p in range(1, pages + 1)
    ]
    assert items[0]["url"] == start, "response.url is the page's, not Splash's"
    assert {item["slot"] for item in items} == {"127.0.0.1"}, "per-domain slot (workaround 3)"
    # The script went to Splash once; later requests named it by its key (workaround 2).
    assert (
        sum(item["sent_by_reference"] == ["lua_source", "polyfill"] for item in items) == pages - 1
    )
    assert "'dupefilter/filtered': 1" in log
