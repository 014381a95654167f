"""Per-run JSON Lines export that appears under its final name only once complete.

Scrapy's feed exporter writes through this storage: the file is written as
``.<run id>.jsonl.part`` beside its final name, fsynced, then renamed. A consumer
listing ``*.jsonl`` never sees half a file, and a crash leaves only a ``.part``.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes
from w3lib.url import file_uri_to_path

from newscrawl.items import Story, story_record

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

#: Sent (synchronously) once every byte of the export is in its hidden ``.part`` file
#: (flushed, fsynced), before anything is done to publish it: a reader that follows the
#: part file as it grows (``newscrawl.feeds.worker``) has read it all at its end now.
export_written = object()
#: Sent (synchronously) after the export's bytes are on disk, before it is renamed into
#: place: whatever must be durable before consumers can see the file is written now.
export_before_publish = object()
#: Sent (synchronously) right after the rename, before ``export_published``: a receiver
#: that has work done elsewhere once the export is complete (the feeds child's publish)
#: starts it here, so that it runs while ``export_published``'s receivers run theirs.
export_renamed = object()
#: Sent after the rename: the export at ``path`` (``run_id``, ``count`` records) is complete.
export_published = object()

#: URI scheme of this storage in FEED_STORAGES, so ``-O other.jsonl`` keeps Scrapy's own.
SCHEME = "newscrawl-atomic"
#: The run export's format in FEED_EXPORTERS: JSON Lines, by :class:`StoryJsonLinesExporter`.
FORMAT = "newscrawl-jsonlines"


class StoryJsonLinesExporter(JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter, writing a story straight from its fields.

    Scrapy's exporter reads every item through ItemAdapter and a serializer lookup per
    field (32 µs a story, 6.5 µs this way); a :class:`Story` has neither field metadata
    nor values that need converting, so the same line comes from its fields in declaration order
    (``tests/test_crawl.py`` compares the two byte for byte). Any other item, or
    ``fields_to_export``, goes Scrapy's way.
    """

    def export_item(self, item: Any) -> None:
        if type(item) is not Story or self.fields_to_export is not None:
            super().export_item(item)
            return
        self.file.write(to_bytes(self.encoder.encode(story_record(item)) + "\n", self.encoding))


def new_run_id(now: datetime | None = None) -> str:
    """A run id unique per run that sorts by the wall-clock time the run started."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}Z-{secrets.token_hex(3)}"


def export_path(data_dir: str | Path, spider_name: str, run_id: str) -> Path:
    return Path(data_dir) / "exports" / spider_name / f"{run_id}.jsonl"


def part_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.part")


def fsync_dir(path: Path) -> None:
    """Make the folder's entries durable (a rename into it, a new file in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFileFeedStorage:
    """Feed storage: write to a hidden ``.part`` file, fsync, rename on close."""

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        self.path = Path(file_uri_to_path(uri.replace(f"{SCHEME}:", "file:", 1)))
        self.part = part_path(self.path)
        self.run_id = self.path.stem
        self._crawler = crawler

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> AtomicFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            # Run ids are unique; an existing file means two runs were given one id.
            raise FileExistsError(f"export already exists, refusing to overwrite: {self.path}")
        return self.part.open("wb")

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        if self._crawler is not None:
            self._crawler.signals.send_catch_log(export_written, run_id=self.run_id, path=self.path)
        count = self._count_lines()
        if self._crawler is not None:
            self._crawler.signals.send_catch_log(
                export_before_publish, run_id=self.run_id, path=self.path
            )
        os.replace(self.part, self.path)
        fsync_dir(self.path.parent)
        if self._crawler is not None:
            self._crawler.signals.send_catch_log(export_renamed, run_id=self.run_id, path=self.path)
            self._crawler.stats.set_value("newscrawl/export/path", str(self.path))
            self._crawler.stats.set_value("newscrawl/export/records", count)
            self._crawler.signals.send_catch_log(
                export_published, run_id=self.run_id, path=self.path, count=count
            )

    def _count_lines(self) -> int:
        with self.part.open("rb") as fh:
            return sum(1 for _ in fh)


class RunExport:
    """Scrapy add-on: names the run and adds its atomic JSON Lines feed to ``FEEDS``.

    Added beside any feed given on the command line, so ``-O out.jsonl`` still works.
    """

    def update_settings(self, settings: Any) -> None:
        run_id = settings.get("NEWSCRAWL_RUN_ID") or new_run_id()
        settings.set("NEWSCRAWL_RUN_ID", run_id, priority="cmdline")
        if not settings.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            return
        exports = (Path(settings.get("NEWSCRAWL_DATA_DIR")) / "exports").resolve()
        # %(name)s is filled with the spider's name by the feed exporter; a '%' in the
        # directory itself is quoted by as_uri() and escaped for the template.
        base = exports.as_uri().replace("file:", f"{SCHEME}:", 1).replace("%", "%%")
        feeds = dict(settings.getdict("FEEDS"))
        exporters = dict(settings.getdict("FEED_EXPORTERS"))
        exporters[FORMAT] = f"{__name__}.StoryJsonLinesExporter"
        settings.set("FEED_EXPORTERS", exporters, priority=settings.getpriority("FEED_EXPORTERS"))
        feeds[f"{base}/%(name)s/{run_id}.jsonl"] = {
            "format": FORMAT,
            "encoding": "utf-8",
            "store_empty": True,
        }
        priority = max(settings.getpriority("FEEDS") or 0, 40)
        settings.set("FEEDS", feeds, priority=priority)
