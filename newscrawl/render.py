"""JavaScript listing pages: rendered through Splash or Playwright, only where they need it.

``-a render=`` (or ``NEWSCRAWL_RENDER``) picks the mode:

* ``splash``: every listing page is rendered by a Splash server (``SPLASH_URL``) through
  scrapy-splash (``newscrawl.compat.splash``);
* ``playwright``: every listing page is rendered by chromium driven by scrapy-playwright;
* ``auto`` (the default): listing pages are fetched as plain HTML; one that is a script
  shell with no story card (the cards come from a script) is fetched again, rendered by the
  configured renderer: ``NEWSCRAWL_RENDER_AUTO``, else Splash when ``SPLASH_URL`` is set.
  With none, shells are counted and logged, and the run is marked incomplete.

Two components: the ``Rendering`` add-on resolves the mode, refuses at start a renderer
that is asked for but missing, and wires in what the renderer needs (download handlers and
middlewares must be known before the downloader is built); ``RenderMiddleware`` routes the
listing requests. The spider is unchanged: a rendered response keeps the listing's URL as
``response.url``, so links and the next page resolve as on a plain page.

Stats: ``newscrawl/render/shell_pages`` (plain listings that were script shells),
``newscrawl/render/rendered`` (listing pages rendered), ``newscrawl/render/shells_not_rendered``
(auto mode without a renderer), ``newscrawl/render/no_cards`` (rendered, still no story card).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import subprocess
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http.request import NO_CALLBACK

from newscrawl.sites import daily8

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import Settings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

MODES = ("auto", "splash", "playwright")
RENDERERS = ("splash", "playwright")
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Request.meta key: False keeps a request plain whatever the mode; set internally to the
# renderer on the second request for a script shell in auto mode.
META_KEY = "newscrawl_render"


class RendererUnavailable(RuntimeError):
    """A renderer was asked for but is not configured or does not answer: the run stops."""


def resolve_mode(requested: str | None, auto_renderer: str, splash_url: str) -> tuple[str, str]:
    """(mode, renderer) from ``-a render=`` and the settings; renderer "" means none."""
    mode = (requested or "auto").strip().lower()
    if mode not in MODES:
        raise RendererUnavailable(
            f"unknown render mode {requested!r}: use one of {', '.join(MODES)}"
        )
    if mode != "auto":
        return mode, mode
    auto_renderer = (auto_renderer or "").strip().lower()
    if auto_renderer and auto_renderer not in RENDERERS:
        raise RendererUnavailable(
            f"NEWSCRAWL_RENDER_AUTO={auto_renderer!r}: use one of {', '.join(RENDERERS)} or leave"
            " it empty (Splash when SPLASH_URL is set, else no renderer)"
        )
    if auto_renderer:
        return mode, auto_renderer
    return mode, "splash" if splash_url else ""


def check_splash(url: str, user: str = "", password: str = "", timeout: float = 10) -> None:
    """Raise RendererUnavailable unless the Splash server at *url* answers ``/_ping``."""
    if not url:
        raise RendererUnavailable(
            "Splash rendering needs SPLASH_URL (setting or environment variable), e.g."
            " SPLASH_URL=http://127.0.0.1:8050; see docs/JS.md"
        )
    ping = url.rstrip("/") + "/_ping"
    request = urllib.request.Request(ping)
    if user or password:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RendererUnavailable(f"Splash at {url} does not answer {ping}: {exc}") from exc


def check_playwright(settings: Settings) -> None:
    """Raise RendererUnavailable unless scrapy-playwright and its browser are there."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise RendererUnavailable(
            "Playwright rendering needs scrapy-playwright (pip install -r requirements.txt)"
        ) from exc
    cdp_url = settings.get("PLAYWRIGHT_CDP_URL")
    if cdp_url:
        version = cdp_url.rstrip("/") + "/json/version"
        try:
            with urllib.request.urlopen(version, timeout=10) as answer:
                answer.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RendererUnavailable(
                f"PLAYWRIGHT_CDP_URL={cdp_url}: no browser answers {version}: {exc}"
            ) from exc
        return
    executable = (settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {}).get("executable_path")
    if not executable:
        raise RendererUnavailable(
            "Playwright rendering needs PLAYWRIGHT_LAUNCH_OPTIONS['executable_path'] (newscrawl"
            " never downloads a browser): set NEWSCRAWL_CHROMIUM, e.g. /usr/bin/chromium"
        )
    if not os.access(executable, os.X_OK):
        raise RendererUnavailable(
            f"no chromium at {executable} (apt-get install chromium, or set NEWSCRAWL_CHROMIUM)"
        )
    try:
        probe = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RendererUnavailable(f"{executable} --version failed: {exc}") from exc
    if probe.returncode != 0:
        raise RendererUnavailable(
            f"{executable} --version exited {probe.returncode}: {probe.stderr.strip()[-300:]}"
        )


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
        scheme = urlsplit(s.get("NEWSCRAWL_BASE_URL", "")).scheme or "https"
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
    ) -> None:
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
            s.get("NEWSCRAWL_BASE_URL"),
            ready_selector=s.get("NEWSCRAWL_RENDER_READY"),
            timeout=s.getfloat("NEWSCRAWL_RENDER_TIMEOUT"),
            idle=s.getfloat("NEWSCRAWL_RENDER_IDLE"),
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
            daily8.story_link(href, response.url, self.base_url)
            for href in selector.xpath('//a[contains(@href, "article/")]/@href').getall()
        )

    def _is_script_shell(self, response: Response) -> bool:
        """A page with scripts and no story link: its cards, if any, come from a script."""
        selector = getattr(response, "selector", None)
        if selector is None or not selector.xpath("//script"):
            return False
        return not self._has_story_link(response)


def _routed(request: Request) -> bool:
    """Already on its way to a renderer (the POST to Splash, a page for Playwright)."""
    return bool(request.meta.get("_splash_processed") or request.meta.get("playwright"))


def _ready_js(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)}) !== null"


# --- Playwright ------------------------------------------------------------------------------


async def wait_until_rendered(page: Any, selector: str, timeout_ms: int) -> None:
    """Page method: wait until *selector* matches or the network is idle, at most *timeout_ms*.

    A listing whose script renders no card (an empty page) ends on network idle (Playwright's
    500 ms without requests); a page still busy at the limit is taken as it is.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    ready = asyncio.ensure_future(
        page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    )
    idle = asyncio.ensure_future(page.wait_for_load_state("networkidle", timeout=timeout_ms))
    done, pending = await asyncio.wait({ready, idle}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        exc = task.exception()
        if exc is not None and not isinstance(exc, PlaywrightTimeout):
            raise exc


def skip_heavy_resource(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are never needed for the text."""
    return request.resource_type in ("image", "media", "font")


# --- Splash (WebKit engine, /execute) -------------------------------------------------------

# Splash's WebKit is old (Safari 10): no fetch(), no URLSearchParams. Daily8's shell uses both,
# so these minimal versions are loaded before the page's scripts when the browser lacks them.
WEBKIT_POLYFILL = """
(function () {
  if (!window.URLSearchParams) {
    var dec = function (s) { return decodeURIComponent(s.replace(/\\+/g, ' ')); };
    var P = function (search) {
      var q = this._q = {};
      String(search || '').replace(/^\\?/, '').split('&').forEach(function (kv) {
        if (!kv) return;
        var i = kv.indexOf('=');
        var k = dec(i < 0 ? kv : kv.slice(0, i)), v = i < 0 ? '' : dec(kv.slice(i + 1));
        if (!(k in q)) q[k] = v;
      });
    };
    P.prototype.get = function (k) { return k in this._q ? this._q[k] : null; };
    P.prototype.has = function (k) { return k in this._q; };
    window.URLSearchParams = P;
  }
  if (!window.fetch) {
    window.fetch = function (url, opts) {
      opts = opts || {};
      return new Promise(function (resolve, reject) {
        var x = new XMLHttpRequest();
        x.open(opts.method || 'GET', String(url), true);
        var h = opts.headers || {};
        for (var k in h) x.setRequestHeader(k, h[k]);
        x.onload = function () {
          var body = x.responseText;
          resolve({
            ok: x.status >= 200 && x.status < 300, status: x.status, statusText: x.statusText,
            url: x.responseURL || String(url),
            text: function () { return Promise.resolve(body); },
            json: function () { return Promise.resolve(body).then(JSON.parse); }
          });
        };
        x.onerror = function () { reject(new TypeError('Network request failed')); };
        x.send(opts.body == null ? null : opts.body);
      });
    };
  }
})();
"""

# Load the page, then poll until the ready test passes, the network has been quiet for
# `idle` seconds, or `wait_max` is spent; return the DOM with the page's own URL and status
# (scrapy-splash's magic response makes those the Scrapy response's url and status).
SPLASH_LUA = """
function main(splash, args)
  splash.images_enabled = false
  splash.resource_timeout = args.wait_max
  if args.user_agent then splash:set_user_agent(args.user_agent) end
  splash:autoload(args.polyfill)
  local pending, quiet, step = 0, 0, 0.05
  splash:on_request(function (request) pending = pending + 1; quiet = 0 end)
  splash:on_response(function (response) pending = pending - 1; quiet = 0 end)
  local ok, reason = splash:go{args.url, headers = args.headers}
  if not ok then
    if string.sub(reason or '', 1, 4) ~= 'http' then
      -- no page at all (DNS, refused, timeout): a 502 that Scrapy retries, then reports
      return {html = '', url = args.url, http_status = 502, error = reason}
    end
  else
    local waited = 0
    while waited < args.wait_max do
      if splash:evaljs(args.ready_js) then break end
      if pending <= 0 and quiet >= args.idle then break end
      splash:wait(step)
      waited = waited + step
      quiet = quiet + step
    end
  end
  local status = 200
  local history = splash:history()
  if #history > 0 then status = history[#history].response.status end
  return {html = splash:html(), url = splash:url(), http_status = status}
end
"""
