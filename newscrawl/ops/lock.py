"""One run at a time per data dir: an exclusive ``flock`` on ``<DATA_DIR>/.lock``.

Two crawls sharing a seen-store would both export a story neither has marked seen yet,
and one's start-up recovery could discard the other's staged stories. So the cron
runner takes this lock for its whole invocation and hands it to its ``scrapy crawl``
child (the open descriptor is inherited, its number in ``NEWSCRAWL_LOCK_FD``, the way
systemd passes sockets in ``LISTEN_FDS``); a plain ``scrapy crawl`` takes it itself
through the :class:`CrawlLock` add-on. The kernel drops a ``flock`` when the last
process holding the descriptor dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

LOCK_FILE = ".lock"
#: Environment variable naming an inherited descriptor that already holds the lock.
INHERITED_FD_ENV = "NEWSCRAWL_LOCK_FD"


class DataDirBusy(RuntimeError):
    """Another newscrawl run holds the data dir's lock."""


class DataDirLock:
    """The data dir's lock; ``acquire()`` never waits."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self.fd: int | None = None
        self._owned = False  # False when the descriptor was inherited: not ours to close

    def acquire(self, who: str = "") -> bool:
        """Take the lock, or adopt the one a parent runner passed down; False if busy.

        *who* (e.g. ``run <run id>``) is written into the lock file for the next run's message.
        """
        if self.fd is not None:
            return True
        if self._adopt_inherited():
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd, self._owned = fd, True
        # Who holds it, for the message the next run prints; the lock itself is the flock.
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        line = " ".join(part for part in (f"pid {os.getpid()}", who, f"since {since}") if part)
        os.pwrite(fd, f"{line}\n".encode(), 0)
        return True

    def _adopt_inherited(self) -> bool:
        value = os.environ.get(INHERITED_FD_ENV, "")
        if not value.isdigit():
            return False
        fd = int(value)
        try:
            same_file = os.path.samestat(os.fstat(fd), os.stat(self.path))
            # Re-locking through the descriptor that holds the lock succeeds at once;
            # any other holder makes it fail, so this proves the lock is really ours.
            if same_file:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        if same_file:
            self.fd, self._owned = fd, False
        return same_file

    def holder(self) -> str:
        """What the holder wrote into the lock file (pid, run id, since when)."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self.fd is not None and self._owned:
            os.close(self.fd)  # closing the only descriptor releases the flock
        self.fd, self._owned = None, False


class CrawlLock:
    """Scrapy add-on: a crawl that writes exports holds the data dir's lock until it stops.

    Refuses to start (before anything is written) when another run holds it. Under the
    cron runner the lock is inherited, so the runner's own crawl is let through.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.lock: DataDirLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        if not settings.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise NotConfigured  # no seen-store, nothing shared to protect
        lock = DataDirLock(settings.get("NEWSCRAWL_DATA_DIR"))
        if not lock.acquire(f"run {settings.get('NEWSCRAWL_RUN_ID')}"):
            raise DataDirBusy(
                f"another newscrawl run is using {lock.path.parent} ({lock.holder()}); "
                "nothing was crawled, try again when it has finished"
            )
        self.lock = lock
        self.crawler.signals.connect(self._release, signal=signals.engine_stopped)

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
