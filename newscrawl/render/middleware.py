"""``RenderMiddleware``: sends listing requests to Splash or Playwright when the mode says so."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.http.request import NO_CALLBACK

from newscrawl.render.modes import META_KEY, RENDERERS
from newscrawl.render.playwright import wait_until_rendered
from newscrawl.render.scripts import SPLASH_LUA, WEBKIT_POLYFILL
from newscrawl.sites import SiteProfile, base_url_of, load_profile, site_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class RenderMiddleware:
    """Downloader middleware: routes listing requests to the renderer the mode calls for.

    A listing request is one the spider parses with ``parse`` (robots.txt and other internal
    downloads have no callback); ``meta["newscrawl_render"] = False`` keeps one plain.
    """

    def __init__(
        self,
        stats: StatsCollector,
        mode: str,
        renderer: str,
        base_url: str,
        *,
        ready_selector: str,
        timeout: float,
        idle: float,
        site: SiteProfile | None = None,
    ) -> None:
        self.site = site or load_profile()
        self.stats = stats
        self.mode = mode
        self.renderer = renderer
        self.base_url = base_url
        self.ready_selector = ready_selector
        self.timeout = timeout
        self.idle = idle

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        s = crawler.settings
        mw = cls(
            crawler.stats,
            s.get("NEWSCRAWL_RENDER"),
            s.get("NEWSCRAWL_RENDERER", ""),
            base_url_of(s),
            # The site knows what its rendered listing shows; a setting may say otherwise.
            ready_selector=s.get("NEWSCRAWL_RENDER_READY") or site_of(s).render_ready,
            timeout=s.getfloat("NEWSCRAWL_RENDER_TIMEOUT"),
            idle=s.getfloat("NEWSCRAWL_RENDER_IDLE"),
            site=site_of(s),
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self) -> None:
        self.stats.set_value("newscrawl/render/mode", self.mode)
        self.stats.set_value("newscrawl/render/renderer", self.renderer or "none")
        for name in ("shell_pages", "rendered"):
            self.stats.set_value(f"newscrawl/render/{name}", 0)
        if self.mode == "auto" and not self.renderer:
            logger.info(
                "render=auto with no renderer: script-shell listings will be counted, not"
                " rendered (set SPLASH_URL or NEWSCRAWL_RENDER_AUTO=playwright)"
            )
        else:
            logger.info("render=%s: listings rendered by %s", self.mode, self.renderer)

    def spider_closed(self) -> None:
        missed = self.stats.get_value("newscrawl/render/shells_not_rendered", 0)
        if missed:
            logger.error(
                "%d listing page(s) were JavaScript shells and nothing rendered them: their"
                " stories are missing from this run. Set SPLASH_URL (a Splash server) or"
                " NEWSCRAWL_RENDER_AUTO=playwright, or crawl with -a render=splash|playwright.",
                missed,
            )

    # --- requests ----------------------------------------------------------------------------

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or not self._is_listing(request) or _routed(request):
            return
        if self.mode == "auto":
            renderer = request.meta.get(META_KEY)
            if renderer not in RENDERERS:
                return  # plain first; process_response decides whether to render
        else:
            renderer = self.renderer
        if renderer == "splash":
            self._to_splash(request)
        else:
            self._to_playwright(request)

    def _is_listing(self, request: Request) -> bool:
        # Also true of the POST to Splash that a listing request became (same callback).
        if request.meta.get(META_KEY) is False:
            return False
        callback = request.callback
        if callback is NO_CALLBACK:
            return False
        return callback is None or getattr(callback, "__name__", "") == "parse"

    def _to_splash(self, request: Request) -> None:
        # Changed in place: SplashMiddleware (725) turns it into the POST to Splash next.
        # WebKit, scripted (/execute): Splash's chromium engine would run fetch() natively but
        # takes no script, sends none of our headers and turns a 404 into a 502.
        headers = {
            name: request.headers.get(name).decode("latin-1")
            for name in ("Accept", "Accept-Language")
            if request.headers.get(name)
        }
        user_agent = request.headers.get("User-Agent")
        request.meta["splash"] = {
            "endpoint": "execute",
            "args": {
                "lua_source": SPLASH_LUA,
                "polyfill": WEBKIT_POLYFILL,
                "ready_js": _ready_js(self.ready_selector),
                "user_agent": user_agent.decode("latin-1") if user_agent else None,
                # Only these: Splash's WebKit cannot decode the br/zstd Scrapy accepts.
                "headers": headers,
                "timeout": self.timeout,
                "wait_max": self.timeout / 2,
                "idle": self.idle,
            },
        }

    def _to_playwright(self, request: Request) -> None:
        from scrapy_playwright.page import PageMethod

        timeout_ms = int(self.timeout * 1000)
        request.meta["playwright"] = True
        request.meta["playwright_page_goto_kwargs"] = {"wait_until": "load", "timeout": timeout_ms}
        request.meta["playwright_page_methods"] = [
            PageMethod(wait_until_rendered, self.ready_selector, timeout_ms // 2)
        ]

    # --- responses ---------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Any:
        if not self._is_listing(request):
            return response
        if _routed(request):
            if response.status != 200:
                return response  # retried or reported as a failed listing downstream
            self.stats.inc_value("newscrawl/render/rendered")
            if not self._has_story_link(response):
                self.stats.inc_value("newscrawl/render/no_cards")
                logger.warning(
                    "rendered by %s, still no story card: %s",
                    self._renderer_of(request),
                    response.url,  # the listing's (request.url may be Splash's)
                )
            return response
        if response.status != 200 or not self._is_script_shell(response):
            return response
        self.stats.inc_value("newscrawl/render/shell_pages")
        if self.mode == "auto" and self.renderer:
            logger.info("script shell, rendering with %s: %s", self.renderer, response.url)
            return request.replace(dont_filter=True, meta={**request.meta, META_KEY: self.renderer})
        first = not self.stats.get_value("newscrawl/render/shells_not_rendered")
        self.stats.inc_value("newscrawl/render/shells_not_rendered")
        self.stats.set_value("newscrawl/run/incomplete", 1)
        # The first one is an ERROR while the crawl runs (close-of-run monitors count those);
        # the rest are WARNINGs, and spider_closed sums them up.
        logger.log(
            logging.ERROR if first else logging.WARNING,
            "script shell with no story card and no renderer configured, its stories are"
            " missing: %s%s",
            response.url,
            " (set SPLASH_URL or NEWSCRAWL_RENDER_AUTO=playwright; docs/JS.md)" if first else "",
        )
        return response

    def _renderer_of(self, request: Request) -> str:
        return "playwright" if request.meta.get("playwright") else "splash"

    def _has_story_link(self, response: Response) -> bool:
        selector = getattr(response, "selector", None)
        if selector is None:
            return False
        # A story link's href always holds "article/" (resolving it cannot make that part
        # up), so lxml picks the few candidates and only those are resolved.
        return any(
            self.site.story_link(href, response.url, self.base_url)
            for href in selector.xpath('//a[contains(@href, "article/")]/@href').getall()
        )

    def _is_script_shell(self, response: Response) -> bool:
        """A page with scripts and no story link: its cards, if any, come from a script."""
        # A page whose text has no "<script" has no script element: answered without
        # parsing it (the listing worker parses it, on another core; the tree made here
        # would be made for nothing, and freed only by the garbage collector).
        text = getattr(response, "text", None)
        if text is None or not _SCRIPT_TAG.search(text):
            return False
        selector = getattr(response, "selector", None)
        if selector is None or not selector.xpath("//script"):
            return False
        return not self._has_story_link(response)


#: The start of a script element's tag, in any case (lxml's parser makes no element that
#: its text does not open).
_SCRIPT_TAG = re.compile(r"<script", re.IGNORECASE)


def _routed(request: Request) -> bool:
    """Already on its way to a renderer (the POST to Splash, a page for Playwright)."""
    return bool(request.meta.get("_splash_processed") or request.meta.get("playwright"))


def _ready_js(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)}) !== null"
