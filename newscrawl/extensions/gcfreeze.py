"""Keeps CPython's garbage collector off the objects that live as long as the run.

A full collection walks every tracked object in the process. A crawl's setup (modules,
classes, Scrapy's components) lives until the process exits, and so do the stories
``tagpage`` holds until every listing is crawled; yet each of the 20 or so full
collections of a bench crawl walked them again: about 0.1 s each, over 2 s of a 19 s
crawl (``make bench``, measured with ``gc.callbacks``). ``gc.freeze()`` moves every object
alive at that moment into a permanent generation that collections skip (CPython's
documentation suggests it for objects that live for the rest of the process); the run's
own garbage is still collected as before.

Frozen twice: when the spider opens (the setup) and when the spider first goes idle (the
crawl is over: the held stories are about to be sent through the pipelines, and must not
be walked again while they are). At close everything is unfrozen. An object frozen while
it was garbage in a reference cycle is freed at close instead of earlier: one snapshot's
worth, never a growing amount.

``NEWSCRAWL_GC_FREEZE = False`` turns it off.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class GcFreeze:
    """Extension: ``gc.freeze()`` at spider open and first idle, ``gc.unfreeze()`` at close."""

    def __init__(self) -> None:
        self._idle_seen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcFreeze:
        if not crawler.settings.getbool("NEWSCRAWL_GC_FREEZE", True):
            raise NotConfigured("NEWSCRAWL_GC_FREEZE is off")
        ext = cls()
        crawler.signals.connect(ext._freeze, signal=signals.spider_opened)
        crawler.signals.connect(ext._first_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext._unfreeze, signal=signals.spider_closed)
        return ext

    def _freeze(self) -> None:
        gc.freeze()
        logger.debug("garbage collector: %d objects frozen", gc.get_freeze_count())

    def _first_idle(self) -> None:
        if not self._idle_seen:
            self._idle_seen = True
            self._freeze()

    def _unfreeze(self) -> None:
        gc.unfreeze()
