"""A loopback HTTP server serving fixed responses per path, recording every request."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from newscrawl.replica.server import LoopbackServer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        owner: StaticServer = self.server.owner  # type: ignore[attr-defined]
        with owner.lock:
            owner.requests.append(self.path)
        status, headers, body = owner.routes.get(
            self.path, (404, {"Content-Type": "text/plain"}, b"not found")
        )
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class StaticServer(LoopbackServer):
    """``routes``: path (with query) -> (status, headers, body bytes). Unknown paths 404."""

    handler_class = _Handler
    thread_name = "static-server"

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        super().__init__()
        self.routes = routes
        self.requests: list[str] = []
        self.lock = threading.Lock()
