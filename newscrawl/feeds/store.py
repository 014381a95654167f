"""The feeds' state in ``<DATA_DIR>/feeds.sqlite3``: each feed's window of newest entries.

A feed's *window* is its newest ``window`` stories (by sort key, then id), each in its
best version (:mod:`newscrawl.feeds.entries`). Keeping only the window is exact: a story's
best version only ever rises, stories are never taken away, so the window's last place only
ever rises too, and a story once below it could come back only with a new export of its
own, which brings its record with it. The window of all exports applied one by one is
therefore the window of all of them at once, in any order (what ``rebuild`` relies on).

``pending`` holds the runs whose export is being published: marked before the rename,
cleared once their feeds are written. A run found there at the next start either completed
its export (its feeds are brought up to date) or did not (it is forgotten).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newscrawl.feeds.entries import FeedEntry, dump_shown, load_json

STATE_FILE = "feeds.sqlite3"
#: Rows upserted per statement, sorted (a few MB of entries in memory at once).
_MERGE_BATCH = 8192

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    lang TEXT NOT NULL,
    tag TEXT NOT NULL,
    story_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,   -- UTC instant the feed orders by
    version TEXT NOT NULL,    -- orders two exports of the same story
    shown TEXT NOT NULL,      -- the entry's fields, JSON
    PRIMARY KEY (lang, tag, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_newest ON entries (lang, tag, sort_key, story_id);
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT PRIMARY KEY,
    path TEXT NOT NULL
) WITHOUT ROWID;
"""


class FeedStore:
    """SQLite file beside the seen-store; one writer at a time (the data dir's lock)."""

    def __init__(self, path: str | Path, window: int) -> None:
        if window < 1:
            raise ValueError(f"a feed's window must hold at least 1 entry, not {window}")
        self.path = Path(path)
        self.window = window
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit, one per applied export.
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- runs being published ---------------------------------------------------------

    def mark_pending(self, run_id: str, path: Path) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO pending (run_id, path) VALUES (?, ?)", (run_id, str(path))
        )

    def clear_pending(self, run_id: str) -> None:
        self._db.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))

    def pending(self) -> list[tuple[str, Path]]:
        rows = self._db.execute("SELECT run_id, path FROM pending ORDER BY run_id")
        return [(run_id, Path(path)) for run_id, path in rows]

    # --- entries ----------------------------------------------------------------------

    def merge(
        self, entries: Iterable[FeedEntry], *, commit: bool = True
    ) -> tuple[set[tuple[str, str]], set[str]]:
        """Add *entries* to their feeds' windows in one transaction.

        Returns the feeds touched (``(lang, tag)``) and, of those, the ones that had no
        entry before (a new file for the OPML list), each named ``lang/tag``. With
        ``commit=False`` the transaction stays open (this connection reads the merged
        windows; no other can write) until :meth:`commit` or :meth:`rollback`; an error
        rolls it back either way.

        Per batch, not per row: the rows (one per entry and hashtag) are sent a batch at a
        time, sorted by key, in one ``executemany``. In the export's order (by date) each
        upsert landed on another page of the table: over a quarter of a 160k-story update's
        CPU (cProfile), which took 25 s before and 14 s after with orjson (its export applied
        alone, wall time, fsyncs included).
        """
        touched: set[tuple[str, str]] = set()
        new: set[str] = set()
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            batch: list[tuple[str, str, str, str, str, str]] = []
            for e in entries:
                shown = dump_shown(e.shown)
                for tag in e.hashtags:
                    feed = (e.lang, tag)
                    if feed not in touched:
                        touched.add(feed)
                        if not self._has_entries(e.lang, tag):
                            new.add(f"{e.lang}/{tag}")
                    batch.append((e.lang, tag, e.story_id, e.sort_key, e.version, shown))
                if len(batch) >= _MERGE_BATCH:
                    self._upsert(batch)
                    batch = []
            self._upsert(batch)
            for lang, tag in touched:
                self._trim(lang, tag)
        except BaseException:
            self.rollback()
            raise
        if commit:
            self.commit()
        return touched, new

    def commit(self) -> None:
        """End :meth:`merge`'s transaction, its windows durable (``synchronous=FULL``)."""
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        """Undo :meth:`merge`'s transaction, if one is open."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _upsert(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        # Keep the best version: a row-value comparison, so an older export applied again
        # (recovery, rebuild) changes nothing, whatever the order of the rows.
        rows.sort()
        self._db.executemany(
            "INSERT INTO entries (lang, tag, story_id, sort_key, version, shown)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lang, tag, story_id) DO UPDATE"
            " SET sort_key = excluded.sort_key, version = excluded.version,"
            " shown = excluded.shown"
            " WHERE (excluded.sort_key, excluded.version)"
            " > (entries.sort_key, entries.version)",
            rows,
        )

    def _has_entries(self, lang: str, tag: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM entries WHERE lang = ? AND tag = ? LIMIT 1", (lang, tag)
        ).fetchone()
        return row is not None

    def _trim(self, lang: str, tag: str) -> None:
        """Drop what falls below the window's last place (nothing while it is not full)."""
        self._db.execute(
            "DELETE FROM entries WHERE lang = ? AND tag = ? AND (sort_key, story_id) < ("
            " SELECT sort_key, story_id FROM entries WHERE lang = ? AND tag = ?"
            " ORDER BY sort_key DESC, story_id DESC LIMIT 1 OFFSET ?)",
            (lang, tag, lang, tag, self.window - 1),
        )

    def window_of(self, lang: str, tag: str) -> list[dict[str, Any]]:
        """The feed's window, newest first: each entry's fields, its ``sort_key``, and its
        stored text as ``key`` (one story's versions differ between feeds: a version names
        only the feeds of its own hashtags)."""
        rows = self._db.execute(
            "SELECT sort_key, shown FROM entries WHERE lang = ? AND tag = ?"
            " ORDER BY sort_key DESC, story_id DESC LIMIT ?",
            (lang, tag, self.window),
        )
        return [{**load_json(shown), "sort_key": key, "key": shown} for key, shown in rows]

    def feeds(self) -> list[tuple[str, str]]:
        """Every feed with an entry, by language then hashtag (code point order)."""
        return list(self._db.execute("SELECT DISTINCT lang, tag FROM entries ORDER BY lang, tag"))

    def count(self, lang: str, tag: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM entries WHERE lang = ? AND tag = ?", (lang, tag)
        ).fetchone()
        return int(row[0])
