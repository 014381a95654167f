"""A loopback server for the benchmark: every replica page rendered once, then served from a dict.

The replica's own server (``newscrawl.replica.server``) renders each page on request in a
thread per connection: right for tests, but on a 2-core machine it would compete with the
crawler for CPU and be measured instead of it. Here the whole site is rendered to complete
HTTP responses (status line, headers, body) before the clock starts, and an asyncio protocol
answers each request with one dict lookup and one ``write``. It records what a benchmark
needs: how many requests of each path arrived, and when the first one did.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from newscrawl.replica.markup import hashtag_path, render_listing, render_not_found
from newscrawl.replica.server import StartStop
from newscrawl.replica.site import LANGS, Site

ROBOTS = b"User-agent: *\nAllow: /\n"
_HTML = "text/html; charset=utf-8"


def _response(status: str, ctype: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


def listing_paths(site: Site) -> list[tuple[str, str, int, str]]:
    """(lang, tag, page, request path) of every listing page, in site order."""
    out = []
    for lang in LANGS:
        for tag in site.tags(lang):
            path = hashtag_path(lang, tag)
            for page in range(1, site.pages(lang, tag) + 1):
                out.append((lang, tag, page, path if page == 1 else f"{path}?page={page}"))
    return out


class _Protocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive for GET: enough for Scrapy, wrk and the bench's own client."""

    def __init__(self, server: PrerenderedServer) -> None:
        self.server = server
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                # A request head is a few hundred bytes; anything far larger is not HTTP.
                if len(self.buf) > 65536 and self.transport is not None:
                    self.transport.close()
                return
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            line = head.split(b"\r\n", 1)[0].split(b" ")
            target = line[1] if len(line) == 3 else b"/"
            reply, close = self.server.answer(target, head)
            assert self.transport is not None
            self.transport.write(reply)
            if close:
                self.transport.close()
                return


class PrerenderedServer(StartStop):
    """The replica's listing pages on 127.0.0.1, rendered before the first request.

    A context manager: ``with PrerenderedServer(site) as s: s.base_url``. The first
    request's arrival (``time.monotonic()``) and a count per path are recorded and can be
    reset between runs with :meth:`reset`.
    """

    def __init__(self, site: Site, variant: str = "mixed", host: str = "127.0.0.1") -> None:
        self.site = site
        self.variant = variant
        self.host = host
        self.pages: dict[bytes, bytes] = {}
        self.render_seconds = 0.0
        self.html_bytes = 0
        self.hits: Counter[bytes] = Counter()
        self.first_arrival: float | None = None
        self.last_arrival: float | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._not_found = {
            lang: _response("404 Not Found", _HTML, render_not_found(lang)) for lang in LANGS
        }

    @property
    def base_url(self) -> str:
        if self._sock is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self._sock.getsockname()[1]}"

    def reset(self) -> None:
        """Forget the recorded requests (between two measured crawls)."""
        self.hits = Counter()
        self.first_arrival = self.last_arrival = None

    def answer(self, target: bytes, head: bytes) -> tuple[bytes, bool]:
        self.last_arrival = now = time.monotonic()
        if self.first_arrival is None:
            self.first_arrival = now
        self.hits[target] += 1
        close = b"\r\nconnection: close" in head.lower()
        reply = self.pages.get(target)
        if reply is None:
            reply = self._slow_path(target)
        return reply, close

    def _slow_path(self, target: bytes) -> bytes:
        # A spelling of a known page that is not byte-for-byte the one pre-rendered
        # (e.g. another percent-encoding): resolve it like the replica's server does.
        parts = urlsplit(target.decode("latin-1"))
        path = unquote(parts.path)
        lang = "en" if path.startswith("/en/") else "ar"
        prefix = "/en/hashtag/" if lang == "en" else "/hashtag/"
        if not path.startswith(prefix):
            return self._not_found[lang]
        tag = self.site.resolve(lang, path[len(prefix) :])
        pages = parse_qs(parts.query).get("page", ["1"])
        if tag is None or not pages[0].isdigit():
            return self._not_found[lang]
        canonical = hashtag_path(lang, tag)
        page = int(pages[0])
        key = (canonical if page == 1 else f"{canonical}?page={page}").encode("ascii")
        return self.pages.get(key, self._not_found[lang])

    def _render(self) -> None:
        started = time.perf_counter()
        base = self.base_url
        self.pages[b"/robots.txt"] = _response("200 OK", "text/plain; charset=utf-8", ROBOTS)
        for lang, tag, page, path in listing_paths(self.site):
            body = render_listing(self.site, lang, tag, page, self.variant, base_url=base)
            self.html_bytes += len(body)
            self.pages[path.encode("ascii")] = _response("200 OK", _HTML, body)
        self.render_seconds = time.perf_counter() - started

    def start(self) -> PrerenderedServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(512)
        self._sock = sock
        self._render()  # links in some variants are absolute: the port must be known first
        loop = asyncio.new_event_loop()
        self._loop = loop
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            server = loop.run_until_complete(
                loop.create_server(lambda: _Protocol(self), sock=sock, backlog=512)
            )
            ready.set()
            try:
                loop.run_forever()
            finally:
                server.close()
                loop.run_until_complete(server.wait_closed())
                loop.close()

        self._thread = threading.Thread(target=serve, name="bench-server", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop = self._thread = None


# --- the server's ceiling ------------------------------------------------------------------------


@dataclass
class Ceiling:
    """Requests per second the server answered for a load generator, alone on the machine."""

    tool: str
    connections: int
    seconds: float
    requests: int
    megabytes: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def per_minute(self) -> float:
        return self.per_second * 60


def measure_ceiling(
    server: PrerenderedServer, paths: list[str], *, seconds: float = 5.0, connections: int = 16
) -> Ceiling:
    """Load the server over its listing pages: with ``wrk`` when installed, else in Python.

    A Python client is slower than the server it measures, so its figure is a lower bound;
    the report names the tool.
    """
    if shutil.which("wrk"):
        return _wrk(server.base_url, paths, seconds, connections)
    return asyncio.run(_python_load(server.base_url, paths, seconds, connections))


_WRK_SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %%d %%d %%d\\n", summary.requests, summary.bytes,
    summary.duration))
end
"""


def _wrk(base_url: str, paths: list[str], seconds: float, connections: int) -> Ceiling:
    quoted = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(_WRK_SCRIPT % quoted, encoding="ascii")
        duration = f"-d{max(1, round(seconds))}s"  # wrk takes whole seconds
        proc = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", duration, "-s", str(script), base_url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        )
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH "))
    requests, nbytes, micros = (int(x) for x in line.split()[1:])
    return Ceiling("wrk (1 thread)", connections, micros / 1e6, requests, nbytes / 1e6)


async def _python_load(
    base_url: str, paths: list[str], seconds: float, connections: int
) -> Ceiling:
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    deadline = time.monotonic() + seconds
    counts = [0, 0]

    async def one(offset: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        i = offset
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += connections
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode("ascii"))
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
            await reader.readexactly(length)
            counts[0] += 1
            counts[1] += len(head) + length
        writer.close()
        await writer.wait_closed()

    started = time.monotonic()
    await asyncio.gather(*(one(k) for k in range(connections)))
    elapsed = time.monotonic() - started
    return Ceiling("python asyncio client", connections, elapsed, counts[0], counts[1] / 1e6)
