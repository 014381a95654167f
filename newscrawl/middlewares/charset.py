"""Charset repair for listing pages whose declared encoding is missing or wrong.

Scrapy decodes by the HTTP header, then a BOM, then ``<meta charset>``, then guesses
(cp1252 last). Two failures matter for this site: an Arabic page in windows-1256 with
no charset anywhere (the guess turns it into Latin mojibake), and a page declared Latin-1
or cp1252 whose bytes are really UTF-8. Both are repaired here, counted and logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.http import TextResponse
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_LATIN = {"cp1252", "latin_1", "iso8859-1", "ascii"}


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_cp1256_arabic(body: bytes) -> bool:
    """Mostly bytes in windows-1256's Arabic letter range (0xC1-0xFE) among the high ones."""
    high = [b for b in body[:100_000] if b >= 0x80]
    return bool(high) and sum(0xC1 <= b <= 0xFE for b in high) / len(high) > 0.6


class CharsetRepairMiddleware:
    """Re-decodes a listing response when its encoding is missing or plainly wrong.

    Stats: ``newscrawl/charset/guessed_cp1256``, ``newscrawl/charset/utf8_over_declared``.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetRepairMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Any) -> Any:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        body = response.body
        if read_bom(body)[0]:
            return response  # a BOM is unambiguous and Scrapy honours it
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
        declared = resolve_encoding(declared) if declared else None
        if declared is None:
            if not _is_utf8(body) and _is_cp1256_arabic(body):
                return self._redecode(response, "cp1256", "guessed_cp1256", "no charset declared")
        elif declared in _LATIN and not body.isascii() and _is_utf8(body):
            return self._redecode(response, "utf-8", "utf8_over_declared", f"declared {declared}")
        return response

    def _redecode(self, response: TextResponse, encoding: str, stat: str, why: str) -> Any:
        self.stats.inc_value(f"newscrawl/charset/{stat}")
        logger.info("decoding %s as %s (%s)", response.url, encoding, why)
        return response.replace(encoding=encoding)
