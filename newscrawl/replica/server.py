"""Loopback HTTP server for the Daily8 replica: renders pages from the model on request."""

from __future__ import annotations

import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

from newscrawl.replica import articles
from newscrawl.replica.markup import (
    API_PATH,
    SERVED_VARIANTS,
    render_api,
    render_article,
    render_listing,
    render_not_found,
)
from newscrawl.replica.site import Site

_LISTING = re.compile(r"^(?P<en>/en)?/hashtag/(?P<tag>[^/]+)$")
_ARTICLE = re.compile(r"^(?P<en>/en)?/article/(?P<id>[0-9a-f]{32})$")
_ROBOTS = b"User-agent: *\nAllow: /\n"


class _Handler(BaseHTTPRequestHandler):
    """Routes GET requests to the replica's pages; the owning ReplicaServer is `server.owner`."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._record(self.path)
        status, ctype, body = owner.route(self.path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr log (tests and the benchmark would drown in it)."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: ReplicaServer


class StartStop:
    """``with server:`` starts it and stops it (its ``start()`` and ``stop()``)."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class LoopbackServer(StartStop):
    """A threaded HTTP server on loopback, started and stopped as a context manager.

    Subclasses set ``handler_class`` (its handlers reach this object as ``server.owner``)
    and may set ``server_class``; ``port=0`` picks a free port.
    """

    handler_class: type[BaseHTTPRequestHandler]
    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer
    thread_name = "loopback-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """`http://host:port` once started (the real port when 0 was asked for).

        Kept after stop(): a request still being answered when the server stops needs it.
        """
        if self._base_url is None:
            raise RuntimeError("server not started")
        return self._base_url

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("server already started")
        httpd = self.server_class((self.host, self.port), self.handler_class)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._base_url = f"http://{self.host}:{httpd.server_address[1]}"
        # A short poll interval so that stop() returns promptly (shutdown waits for one poll).
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def _stopping(self) -> None:
        """Called first by stop(): end whatever a handler may be waiting on."""

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None


class ReplicaServer(LoopbackServer):
    """The replica served over real HTTP on loopback; a context manager that starts and stops."""

    handler_class = _Handler
    server_class = _HTTPServer
    thread_name = "replica-server"

    def __init__(
        self, site: Site, variant: str = "modules", host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if variant not in SERVED_VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; expected one of {SERVED_VARIANTS}")
        super().__init__(host, port)
        self.site = site
        self.variant = variant
        self._requests: list[str] = []
        self._lock = threading.Lock()

    @property
    def requests(self) -> list[str]:
        """A snapshot of the request paths (with their queries) received so far, in order."""
        with self._lock:
            return list(self._requests)

    def _record(self, path: str) -> None:
        with self._lock:
            self._requests.append(path)

    # --- routing -------------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request target such as `/en/hashtag/Saco?page=2`."""
        html = "text/html; charset=utf-8"
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            return HTTPStatus.OK, "text/plain; charset=utf-8", _ROBOTS
        if m := _LISTING.match(parts.path):
            lang = "en" if m["en"] else "ar"
            tag = self.site.resolve(lang, unquote(m["tag"]))
            page = _page_number(parts.query)
            if tag is None or page is None or page > self.site.pages(lang, tag):
                return HTTPStatus.NOT_FOUND, html, render_not_found(lang)
            body = render_listing(self.site, lang, tag, page, self.variant, base_url=self.base_url)
            return HTTPStatus.OK, html, body
        if parts.path == API_PATH:
            return self._api(parts.query)
        if m := _ARTICLE.match(parts.path):
            lang = "en" if m["en"] else "ar"
            sid = m["id"]
            story = self.site.story(sid) if sid in self.site else None
            if story is not None and story.lang == lang and not articles.page_missing(story):
                return HTTPStatus.OK, html, render_article(self.site, sid, base_url=self.base_url)
            return HTTPStatus.NOT_FOUND, html, render_not_found(lang)
        return HTTPStatus.NOT_FOUND, html, render_not_found()

    def _api(self, query: str) -> tuple[int, str, bytes]:
        """The JSON API the js variant's script calls (served whatever the variant)."""
        ctype = "application/json; charset=utf-8"
        params = parse_qs(query)
        lang = params.get("lang", [""])[0]
        names = params.get("tag", [])
        tag = self.site.resolve(lang, names[0]) if names and lang in ("en", "ar") else None
        page = _page_number(query)
        if tag is None or page is None or page > self.site.pages(lang, tag):
            return HTTPStatus.NOT_FOUND, ctype, b'{"error": "not found"}'
        return HTTPStatus.OK, ctype, render_api(self.site, lang, tag, page)


def _page_number(query: str) -> int | None:
    """The `page` query value (1 when absent), or None when it is not a positive integer."""
    values = parse_qs(query).get("page")
    if not values:
        return 1
    value = values[0]
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        return None
    return int(value)
