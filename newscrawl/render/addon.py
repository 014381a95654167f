"""The ``Rendering`` add-on: picks the render mode, checks its renderer, wires the components in.

Download handlers and middlewares must be known before the downloader is built, so this is
an add-on rather than a middleware; ``RenderMiddleware`` then routes the listing requests.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware

from newscrawl.render.middleware import RenderMiddleware
from newscrawl.render.modes import PLAYWRIGHT_HANDLER, RendererUnavailable, resolve_mode
from newscrawl.render.probes import check_playwright, check_splash
from newscrawl.sites import base_url_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


class Rendering:
    """Scrapy add-on: picks the render mode, checks its renderer, wires the components in."""

    def __init__(self, mode: str, renderer: str, scheme: str = "https", cdp: bool = False) -> None:
        self.mode = mode
        self.renderer = renderer
        self.scheme = scheme
        self.cdp = cdp

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Rendering:
        s = crawler.settings
        # The spider keeps unknown -a arguments as attributes: -a render=... is spider.render.
        requested = getattr(crawler.spider, "render", None) or s.get("NEWSCRAWL_RENDER")
        try:
            mode, renderer = resolve_mode(
                requested, s.get("NEWSCRAWL_RENDER_AUTO", ""), s.get("SPLASH_URL", "")
            )
            if renderer == "splash":
                check_splash(s.get("SPLASH_URL", ""), s.get("SPLASH_USER"), s.get("SPLASH_PASS"))
            elif renderer == "playwright":
                check_playwright(s)
        except RendererUnavailable as exc:
            logger.error("cannot render JavaScript pages: %s", exc)
            raise
        scheme = urlsplit(base_url_of(s)).scheme or "https"
        return cls(mode, renderer, scheme=scheme, cdp=bool(s.get("PLAYWRIGHT_CDP_URL")))

    def update_settings(self, settings: Settings) -> None:
        settings.set("NEWSCRAWL_RENDER", self.mode, priority="cmdline")
        settings.set("NEWSCRAWL_RENDERER", self.renderer, priority="cmdline")
        # 570: its responses come after decompression (590, or 810 with Splash) and charset
        # repair (580); its requests reach SplashMiddleware (725) already marked for Splash.
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", RenderMiddleware, 570)
        if self.renderer == "splash":
            from newscrawl.compat.splash import SplashMiddleware

            # As scrapy-splash's README orders them: Splash's response is decompressed (810)
            # before SplashMiddleware (725) turns it back into the page's own response.
            settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SplashMiddleware, 725)
            settings.set_in_component_priority_dict(
                "DOWNLOADER_MIDDLEWARES", HttpCompressionMiddleware, 810
            )
        elif self.renderer == "playwright":
            # Only the site's scheme: each handler starts its own Playwright driver, and the
            # request guard lets nothing else out anyway.
            handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), self.scheme: PLAYWRIGHT_HANDLER}
            priority = max(settings.getpriority("DOWNLOAD_HANDLERS") or 0, 15)
            settings.set("DOWNLOAD_HANDLERS", handlers, priority=priority)
            if self.cdp:  # a browser already running: nothing to launch
                settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {}, priority="cmdline")
