"""One word for why a request failed for good, for stats and log lines."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.web._newclient import ResponseFailed

from newscrawl.middlewares.redirect import RedirectLoop, TooManyRedirects

# Scrapy 2.19's HTTP handler wraps Twisted's errors in its own classes (DownloadTimeoutError
# and so on); the Twisted ones stay for other handlers and older paths.
_TIMEOUT = (DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError)
_DNS = (CannotResolveHostError, net.DNSLookupError)
_CONNECTION = (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    net.ConnectError,
    net.ConnectionLost,
    net.ConnectionDone,
    ResponseFailed,
)


def failure_reason(failure: Any) -> str:
    """``http_<status>``, ``timeout``, ``dns``, ``connection`` (refused, reset, closed early),
    ``dataloss`` (a body shorter than announced), ``maxsize`` (over DOWNLOAD_MAXSIZE, also
    once decompressed), ``redirect_loop``, ``too_many_redirects``, ``refused`` (a request
    newscrawl would not send) or the exception's class name."""
    exc = failure.value
    if isinstance(exc, HttpError) and getattr(exc, "response", None) is not None:
        return f"http_{exc.response.status}"
    if isinstance(exc, _TIMEOUT):
        return "timeout"
    if isinstance(exc, _DNS):
        return "dns"
    if isinstance(exc, ResponseDataLossError) or _is_dataloss(exc):
        return "dataloss"
    if isinstance(exc, _CONNECTION):
        return "connection"
    if isinstance(exc, DownloadCancelledError):
        # The handler cancels a download itself only when the body outgrows DOWNLOAD_MAXSIZE
        # (announced or as received); the message is empty in the second case.
        return "maxsize"
    if isinstance(exc, RedirectLoop):
        return "redirect_loop"
    if isinstance(exc, TooManyRedirects):
        return "too_many_redirects"
    if isinstance(exc, IgnoreRequest):
        # HttpCompressionMiddleware refuses a body that decompresses past the limit.
        return "maxsize" if "DOWNLOAD_MAXSIZE" in str(exc) else "refused"
    return type(exc).__name__


def _is_dataloss(exc: BaseException) -> bool:
    """A ResponseFailed (possibly wrapped) whose reasons include Twisted's _DataLoss."""
    seen = 0
    while exc is not None and seen < 5:
        for reason in getattr(exc, "reasons", ()):
            if "DataLoss" in type(getattr(reason, "value", None)).__name__:
                return True
        exc = exc.__cause__  # type: ignore[assignment]
        seen += 1
    return False
