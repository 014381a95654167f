"""Brings the feeds up to date with one complete export, and rebuilds them all from the exports.

One export's update reads that export only, merges its stories into the windows of the feeds
it touches (one SQLite transaction), then writes those feeds, and the OPML list when a feed
is new, each through a temporary file that is fsynced and renamed (the folder fsynced after):
a reader polling a feed never sees half of it. A file whose bytes would not change is left
alone (its mtime, and so HTTP caching, too).

The update is two steps, so that the first can be done before the export is published
(``newscrawl.feeds.worker`` does it in a child process while the run finishes):
:meth:`FeedWriter.prepare` merges with the transaction left open and writes the new files
into a staging folder beside the feeds (``<DATA_DIR>/.feeds-staging``, never a feed's own
folder); :meth:`FeedWriter.finish` commits and renames them into place. Until then no feed
and no committed window has changed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newscrawl.exports import fsync_dir
from newscrawl.feeds import atom
from newscrawl.feeds.entries import BadRecord, FeedEntry, entry_from_record, load_json
from newscrawl.feeds.store import STATE_FILE, FeedStore
from newscrawl.sites import SiteProfile, base_url_of, load_profile, site_of
from newscrawl.urls import origin

logger = logging.getLogger(__name__)

FEEDS_DIR = "feeds"
INDEX_FILE = "index.opml"
#: Where prepared feed files wait to be renamed into ``FEEDS_DIR`` (same file system).
STAGING_DIR = ".feeds-staging"
#: The window keeps this many times the entries a feed lists, so that copies folded into
#: one entry (``atom.shown_entries``) do not shorten the feed.
WINDOW_FACTOR = 2


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """What the feeds are made from besides the exports (from settings; see ``from_settings``)."""

    data_dir: Path
    site_base_url: str
    feed_base_url: str
    entries: int
    timezone: str
    #: The site the exports are of: its ids, languages and URL shapes (default Daily8).
    site: SiteProfile = field(default_factory=load_profile)

    @classmethod
    def from_settings(cls, settings: Any) -> FeedConfig:
        """Checked values, a ValueError naming a bad one (before anything is written)."""
        feed_base = settings.get("NEWSCRAWL_FEED_BASE_URL") or ""
        if origin(feed_base) is None:
            raise ValueError(
                f"NEWSCRAWL_FEED_BASE_URL must be an http(s) URL with a host, not {feed_base!r}"
            )
        raw = settings.get("NEWSCRAWL_FEED_ENTRIES")
        try:
            entries = int(raw)
        except (TypeError, ValueError):
            entries = 0
        if entries < 1:
            raise ValueError(f"NEWSCRAWL_FEED_ENTRIES must be a whole number >= 1, not {raw!r}")
        tz = settings.get("NEWSCRAWL_TIMEZONE")
        ZoneInfo(tz)  # an unknown zone fails here, naming it
        return cls(
            data_dir=Path(settings.get("NEWSCRAWL_DATA_DIR")),
            site_base_url=base_url_of(settings),
            feed_base_url=feed_base,
            entries=entries,
            timezone=tz,
            site=site_of(settings),
        )

    @property
    def feeds_dir(self) -> Path:
        return self.data_dir / FEEDS_DIR

    @property
    def state_path(self) -> Path:
        return self.data_dir / STATE_FILE

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / STAGING_DIR

    @property
    def window(self) -> int:
        return self.entries * WINDOW_FACTOR


@dataclass
class Applied:
    """What one export did to the feeds."""

    run_id: str
    records: int = 0
    dropped: int = 0
    feeds: int = 0
    written: int = 0
    new_feeds: list[str] = field(default_factory=list)
    ms: float = 0.0


def _make_dirs(folder: Path) -> None:
    """Create *folder* (and its parents), each new entry fsynced into its parent."""
    if folder.is_dir():
        return
    _make_dirs(folder.parent)
    folder.mkdir(exist_ok=True)
    fsync_dir(folder.parent)


class Staged:
    """New files written (fsynced) into a staging folder, to be renamed over their paths.

    :meth:`add` leaves out a file whose bytes are already at its path. Each file is written
    and fsynced by a small pool of threads while the next is rendered: one after the other,
    the 251 fsyncs of a first crawl's feeds took 0.28 s on this machine's disk, 0.13-0.17
    from 16 threads (a throwaway timing of 60 KB files). :meth:`wait` returns once every
    file is on disk (an error writing one is raised there); :meth:`publish` waits, renames
    every staged file into place, then fsyncs each folder once; :meth:`discard` waits and
    removes them. The staging folder is emptied when a ``Staged`` is made on it: what a
    killed update left there is never published.
    """

    #: Threads writing and fsyncing staged files (each mostly waits on the disk).
    THREADS = 16

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if folder.is_dir():
            for leftover in folder.iterdir():
                leftover.unlink()
        self.files: list[tuple[Path, Path]] = []  # (staged file, its final path)
        self._pool: ThreadPoolExecutor | None = None
        self._writes: list[Future[None]] = []

    def add(self, path: Path, data: bytes) -> bool:
        """Stage *data* for *path*; False if *path* already holds it."""
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        if not self.files:
            _make_dirs(self.folder)
        tmp = self.folder / f"{len(self.files)}.tmp"
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="feeds-staged")
        self._writes.append(self._pool.submit(_write_synced, tmp, data))
        self.files.append((tmp, path))
        return True

    def wait(self) -> None:
        """Return once every file added is written and fsynced; the first error, if any."""
        writes, self._writes = self._writes, []
        pool, self._pool = self._pool, None
        try:
            for write in writes:
                write.result()
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def publish(self) -> int:
        """Rename the staged files into place (folders fsynced once each); how many."""
        self.wait()
        folders: set[Path] = set()
        for tmp, path in self.files:
            if path.parent not in folders:
                _make_dirs(path.parent)
                folders.add(path.parent)
            os.replace(tmp, path)
        for folder in sorted(folders):
            fsync_dir(folder)
        done, self.files = len(self.files), []
        return done

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a file that could not be written: removed too
            self.wait()
        for tmp, _ in self.files:
            tmp.unlink(missing_ok=True)
        self.files = []


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def read_export(
    path: Path, run_id: str, zone: ZoneInfo, site: SiteProfile | None = None
) -> Iterator[FeedEntry | BadRecord]:
    """The export's lines as entries; a bad line comes out as the error naming it."""
    with path.open("rb") as fh:
        yield from read_lines(fh, str(path), run_id, zone, site)


def read_lines(
    lines: Iterable[bytes],
    name: str,
    run_id: str,
    zone: ZoneInfo,
    site: SiteProfile | None = None,
) -> Iterator[FeedEntry | BadRecord]:
    """Export lines (of the file *name*) as entries; a bad line comes out as the error
    naming it."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield entry_from_record(load_json(line), run_id, zone, site)
        except ValueError as exc:  # bad JSON or UTF-8, and BadRecord alike
            yield BadRecord(f"{name}:{n}: {exc}")


class RenderMemo(dict[str, str]):
    """Entries rendered for one update's feeds, by stored text, the oldest forgotten first.

    A story listed under several hashtags is rendered once for all their feeds. Unbounded,
    the memo held every entry of every feed written: about 2.2 KB a story (its stored text
    and its Atom), 210 MiB at 160k stories (make bench, part scale). An entry forgotten is
    rendered again, to the same bytes.
    """

    #: Entries kept; a few feeds' windows (a feed shows at most NEWSCRAWL_FEED_ENTRIES).
    LIMIT = 4096

    def __setitem__(self, key: str, value: str) -> None:
        if len(self) >= self.LIMIT:
            del self[next(iter(self))]
        super().__setitem__(key, value)


class FeedWriter:
    """Applies complete exports to the feeds' state and files (one data dir, under its lock)."""

    def __init__(self, config: FeedConfig, store: FeedStore) -> None:
        self.config = config
        self.store = store
        self.zone = ZoneInfo(config.timezone)

    def entries_of(self, path: Path, run_id: str, applied: Applied) -> Iterator[FeedEntry]:
        """The export's entries, read as they are merged (an export of 400k stories is
        never in memory at once), counted into *applied* as they go."""
        return self.counted(read_export(path, run_id, self.zone, self.config.site), applied)

    def entries_in(
        self, lines: Iterable[bytes], name: str, run_id: str, applied: Applied
    ) -> Iterator[FeedEntry]:
        """:meth:`entries_of` for an export's lines as they are read (*name*: its file)."""
        return self.counted(read_lines(lines, name, run_id, self.zone, self.config.site), applied)

    @staticmethod
    def counted(items: Iterable[FeedEntry | BadRecord], applied: Applied) -> Iterator[FeedEntry]:
        for item in items:
            if isinstance(item, BadRecord):
                applied.dropped += 1
                logger.warning("feeds: record left out of every feed: %s", item)
            else:
                applied.records += 1
                yield item

    def apply(self, run_id: str, path: Path, *, rewrite_index: bool = False) -> Applied:
        """Merge the complete export *path* into the feeds and write the feeds it touches.

        Safe to repeat (recovery): the merge keeps the best version of each story, so the
        same export again changes no window, and the files are written from the windows.
        """
        started = time.perf_counter()
        applied = Applied(run_id)
        staged = self.prepare(self.entries_of(path, run_id, applied), applied, rewrite_index)
        return self.finish(staged, applied, started)

    def prepare(
        self, entries: Iterable[FeedEntry], applied: Applied, rewrite_index: bool = False
    ) -> Staged:
        """:meth:`apply`'s first step: *entries* merged into the windows, the transaction
        left open, and the files those windows now give written to the staging folder."""
        touched, new = self.store.merge(entries, commit=False)
        staged = Staged(self.config.staging_dir)
        try:
            applied.feeds = len(touched)
            applied.new_feeds = sorted(new)
            self.stage_feeds(sorted(touched), staged)
            index = self.config.feeds_dir / INDEX_FILE
            if new or rewrite_index or not index.exists():
                self.stage_index(staged)
            staged.wait()  # every file on disk, or the error here, before anything commits
        except BaseException:
            self.abandon(staged)
            raise
        return staged

    def finish(self, staged: Staged, applied: Applied, started: float) -> Applied:
        """:meth:`apply`'s second step: the windows committed, the staged files renamed into
        place (*started*: ``time.perf_counter()`` when the update began, for ``ms``)."""
        self.store.commit()
        applied.written = staged.publish()
        applied.ms = (time.perf_counter() - started) * 1000
        return applied

    def abandon(self, staged: Staged) -> None:
        """Undo :meth:`prepare`: the windows as they were, the staged files removed."""
        self.store.rollback()
        staged.discard()

    def render(self, lang: str, tag: str, memo: dict[str, str] | None = None) -> bytes:
        return atom.render_feed(
            lang,
            tag,
            self.store.window_of(lang, tag),
            limit=self.config.entries,
            site_base_url=self.config.site_base_url,
            feed_base_url=self.config.feed_base_url,
            rendered=memo,
            site=self.config.site,
        )

    def write_feeds(self, feeds: list[tuple[str, str]]) -> int:
        """Write each feed from its window; the folders are fsynced once, after all renames."""
        staged = Staged(self.config.staging_dir)
        self.stage_feeds(feeds, staged)
        return staged.publish()

    def stage_feeds(self, feeds: list[tuple[str, str]], staged: Staged) -> None:
        memo: dict[str, RenderMemo] = {}
        for lang, tag in feeds:
            path = self.config.feeds_dir / atom.feed_relpath(lang, tag)
            staged.add(path, self.render(lang, tag, memo.setdefault(lang, RenderMemo())))

    def write_index(self) -> int:
        staged = Staged(self.config.staging_dir)
        self.stage_index(staged)
        return staged.publish()

    def stage_index(self, staged: Staged) -> None:
        data = atom.render_opml(
            self.store.feeds(),
            site_base_url=self.config.site_base_url,
            feed_base_url=self.config.feed_base_url,
            site=self.config.site,
        )
        staged.add(self.config.feeds_dir / INDEX_FILE, data)


def export_files(data_dir: Path, spider: str) -> list[Path]:
    """The complete exports on disk, oldest run first (hidden ``.part`` files are not)."""
    return sorted((data_dir / "exports" / spider).glob("[!.]*.jsonl"))


@dataclass
class Rebuilt:
    """What ``rebuild`` did."""

    exports: int = 0
    records: int = 0
    dropped: int = 0
    feeds: int = 0
    written: int = 0
    removed: list[Path] = field(default_factory=list)
    ms: float = 0.0


def rebuild(config: FeedConfig, spider: str = "tagpage") -> Rebuilt:
    """Every feed again from the exports that exist: a new state, then every file.

    The new state is built beside the old one and renamed over it, so a rebuild that dies
    leaves the old state whole (run it again). Feed files of hashtags that no export names
    any more (pruned by retention) are removed, so the OPML list and the folder agree.
    """
    started = time.perf_counter()
    result = Rebuilt()
    state = config.state_path
    tmp = state.with_name(f".{state.name}.rebuild")
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        leftover.unlink(missing_ok=True)
    store = FeedStore(tmp, config.window)
    try:
        writer = FeedWriter(config, store)
        for path in export_files(config.data_dir, spider):
            applied = Applied(path.stem)
            store.merge(writer.entries_of(path, path.stem, applied))
            result.exports += 1
            result.records += applied.records
            result.dropped += applied.dropped
    finally:
        store.close()
    # A journal the old state left (a crash mid-commit) would be replayed into the new file.
    state.with_name(state.name + "-journal").unlink(missing_ok=True)
    os.replace(tmp, state)
    fsync_dir(state.parent)
    store = FeedStore(state, config.window)
    try:
        writer = FeedWriter(config, store)
        feeds = store.feeds()
        result.feeds = len(feeds)
        result.written = writer.write_feeds(feeds) + writer.write_index()
        keep = {config.feeds_dir / atom.feed_relpath(lang, tag) for lang, tag in feeds}
        for path in sorted(config.feeds_dir.glob("*/*.atom")):
            if path not in keep:
                path.unlink()
                result.removed.append(path)
    finally:
        store.close()
    result.ms = (time.perf_counter() - started) * 1000
    return result
