"""One word for why a request failed for good, for stats and log lines."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.web._newclient import ResponseFailed


def failure_reason(failure: Any) -> str:
    """``http_<status>``, ``timeout``, ``dns``, ``connection``, ``dataloss``, ``maxsize``,
    ``refused`` (a request newscrawl would not send) or the exception's class name."""
    exc = failure.value
    if isinstance(exc, HttpError) and getattr(exc, "response", None) is not None:
        return f"http_{exc.response.status}"
    if isinstance(exc, net.TimeoutError | net.TCPTimedOutError):
        return "timeout"
    if isinstance(exc, net.DNSLookupError):
        return "dns"
    if isinstance(exc, net.ConnectionRefusedError | net.ConnectionLost | net.ConnectionDone):
        return "connection"
    if isinstance(exc, ResponseFailed):
        text = " ".join(str(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value"))
        return "dataloss" if "DataLoss" in text or "data loss" in text.lower() else "connection"
    name = type(exc).__name__
    if "DataLoss" in name:
        return "dataloss"
    if "maxsize" in str(exc).lower() or name == "DownloadCancelledError":
        return "maxsize"
    if isinstance(exc, IgnoreRequest):
        return "refused"
    return name
