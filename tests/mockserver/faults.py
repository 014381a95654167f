"""A programmable loopback HTTP server that misbehaves on cue, for the fault tests.

It serves the replica's listing pages (``build_site`` + ``render_listing``), so the stories of a
page that recovers can be checked against ``Site.expected``. Any request target (path and
query, exactly as requested) can be given a script of faults: each request to it takes the
next fault, and once the script is used up the page is served normally (or the last fault
repeats, for a page that never recovers). Every request received is recorded, with its time.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site

_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Hit:
    """One request as the server received it."""

    target: str  # path and query, as sent
    host: str  # the Host header
    at: float  # time.monotonic() when the request line was read
    fault: str  # what the server did: "serve", "status 503", "reset", ...


# --- faults: each one answers a request in its own way -----------------------------------------


class Fault:
    """How to answer one request; ``name`` goes into the server's record."""

    name = "fault"

    def answer(self, handler: _Handler) -> None:
        raise NotImplementedError


class Serve(Fault):
    """The page as the replica renders it."""

    name = "serve"

    def answer(self, handler: _Handler) -> None:
        status, body = handler.owner.page(handler.path)
        handler.send_body(status, body)


@dataclass(frozen=True)
class Status(Fault):
    """A bare status (500, 503, 429 ...) with optional headers, e.g. ``Retry-After``."""

    code: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"<html><body>Service unavailable</body></html>"

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"status {self.code}"

    def answer(self, handler: _Handler) -> None:
        handler.send_body(self.code, self.body, extra=self.headers)


@dataclass(frozen=True)
class Stall(Fault):
    """Say nothing for ``seconds`` (longer than the crawler's timeout: a timeout), then serve."""

    seconds: float
    name = "stall"

    def answer(self, handler: _Handler) -> None:
        if handler.owner.stopping.wait(self.seconds):
            return
        Serve().answer(handler)


class Reset(Fault):
    """Read the request, then abort the connection: the client gets a TCP RST."""

    name = "reset"

    def answer(self, handler: _Handler) -> None:
        handler.abort()


@dataclass(frozen=True)
class Truncate(Fault):
    """Announce the whole page in Content-Length, send only ``keep`` of it, close."""

    keep: float = 0.5
    name = "truncate"

    def answer(self, handler: _Handler) -> None:
        status, body = handler.owner.page(handler.path)
        handler.send_head(status, len(body))
        handler.wfile.write(body[: int(len(body) * self.keep)])
        handler.wfile.flush()
        handler.close_connection = True


@dataclass(frozen=True)
class Drip(Fault):
    """Send the head, then the page one byte every ``interval`` seconds (a listing: hours)."""

    interval: float = 0.1
    name = "drip"

    def answer(self, handler: _Handler) -> None:
        status, body = handler.owner.page(handler.path)
        handler.send_head(status, len(body))
        handler.close_connection = True
        try:
            for i in range(len(body)):
                handler.wfile.write(body[i : i + 1])
                handler.wfile.flush()
                if handler.owner.stopping.wait(self.interval):
                    return
        except OSError:  # the client gave up: what a drip is for
            return


@dataclass(frozen=True)
class Redirect(Fault):
    """A redirect to ``location`` (a path on this server or an absolute URL)."""

    location: str
    code: int = 302

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"redirect {self.code} {self.location}"

    def answer(self, handler: _Handler) -> None:
        handler.send_body(self.code, b"", extra=(("Location", self.location),))


@dataclass(frozen=True)
class MetaRefresh(Fault):
    """A 200 page whose ``<meta http-equiv="refresh">`` sends the browser to ``location``."""

    location: str

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"meta refresh {self.location}"

    def answer(self, handler: _Handler) -> None:
        body = (
            '<html><head><meta http-equiv="refresh" content="0; url='
            f'{self.location}"></head><body></body></html>'
        )
        handler.send_body(200, body.encode())


@dataclass(frozen=True)
class GzipBomb(Fault):
    """``size`` bytes of zeros, gzip-compressed (about 1/1000 of that on the wire)."""

    size: int = 64 * 2**20
    name = "gzip bomb"

    def answer(self, handler: _Handler) -> None:
        handler.send_body(200, gzip_zeros(self.size), extra=(("Content-Encoding", "gzip"),))


@dataclass(frozen=True)
class Huge(Fault):
    """The page padded to ``size`` bytes; without ``declare``, no Content-Length (read to close)."""

    size: int = 64 * 2**20
    declare: bool = True
    name = "huge"

    def answer(self, handler: _Handler) -> None:
        _, page = handler.owner.page(handler.path)
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", _HTML)
        if self.declare:
            handler.send_header("Content-Length", str(max(self.size, len(page))))
        handler.send_header("Connection", "close")
        handler.end_headers()
        sent = 0
        chunk = b"<!-- padding -->" * 4096
        try:
            handler.wfile.write(page)
            sent = len(page)
            while sent < self.size and not handler.owner.stopping.is_set():
                piece = chunk[: self.size - sent]
                handler.wfile.write(piece)
                sent += len(piece)
        except OSError:  # the client cut it off: what a size limit is for
            return


@cache
def gzip_zeros(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (cached: 64 MB takes a fraction of a second)."""
    return gzip.compress(bytes(size), compresslevel=9, mtime=0)


# --- the server ---------------------------------------------------------------------------------


@dataclass
class _Script:
    faults: list[Fault]
    repeat_last: bool
    used: int = field(default=0)

    def next(self) -> Fault | None:
        if self.used < len(self.faults):
            self.used += 1
            return self.faults[self.used - 1]
        return self.faults[-1] if self.repeat_last and self.faults else None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    @property
    def owner(self) -> FaultServer:
        return self.server.owner

    def do_GET(self) -> None:
        fault = self.owner._take(self.path, self.headers.get("Host", ""))
        fault.answer(self)

    def send_head(self, status: int, length: int, extra: Iterable[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", _HTML)
        self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def send_body(self, status: int, body: bytes, extra: Iterable[tuple[str, str]] = ()) -> None:
        self.send_head(status, len(body), extra)
        self.wfile.write(body)

    def abort(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def finish(self) -> None:
        # The connection was aborted on purpose, or the client went away.
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the test reads the server's record instead."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: FaultServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that disconnects mid-fault is expected; nothing to print."""


class FaultServer(ReplicaServer):
    """The replica's listings over real HTTP on loopback, with scripted faults per target."""

    handler_class = _Handler
    server_class = _HTTPServer
    thread_name = "fault-server"

    def __init__(
        self, site: Site, variant: str = "modules", host: str = "127.0.0.1", port: int = 0
    ) -> None:
        super().__init__(site, variant, host, port)
        self.stopping = threading.Event()
        self._scripts: dict[str, _Script] = {}
        self._hits: list[Hit] = []

    # --- programming ------------------------------------------------------------------------

    def script(self, target: str, *faults: Fault) -> FaultServer:
        """Answer the next requests to ``target`` with ``faults`` in turn, then serve it."""
        with self._lock:
            self._scripts[target] = _Script(list(faults), repeat_last=False)
        return self

    def always(self, target: str, fault: Fault) -> FaultServer:
        """Answer every request to ``target`` with ``fault``: a page that never recovers."""
        with self._lock:
            self._scripts[target] = _Script([fault], repeat_last=True)
        return self

    # --- what happened ------------------------------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self._hits)

    def hits_to(self, target: str) -> list[Hit]:
        return [h for h in self.hits if h.target == target]

    def _take(self, target: str, host: str) -> Fault:
        with self._lock:
            script = self._scripts.get(target)
            fault = (script.next() if script else None) or Serve()
            self._hits.append(Hit(target, host, time.monotonic(), fault.name))
        return fault

    # --- the site -------------------------------------------------------------------------------

    def page(self, target: str) -> tuple[int, bytes]:
        """(status, body) of a target as the replica answers it (a listing, robots.txt, 404)."""
        status, _, body = self.route(target)
        return status, body

    # --- lifecycle ------------------------------------------------------------------------------

    def _stopping(self) -> None:
        self.stopping.set()  # ends stalls and drips still running
