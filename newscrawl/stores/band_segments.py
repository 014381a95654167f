"""Recent runs' band rows as sorted segments, folded into the band index after the run.

A promote made each band row of its run (32 a story) a row of ``synd_band``'s B-tree, one
insert each: 1.1 s of a 1x bench crawl's 1.3 s promote, 18 s of the 10x crawl's 22, all
after the last page (the floor of Python's sqlite3 binding and of the B-tree's insert, about
2 µs a row, by any statement). The promote now writes them as they come out of its sort, in
segments of about ``SEGMENT_ROWS`` rows: two blobs a segment, the keys and the stories
(sids), in (key, sid) order, in the promote's transaction, so they become visible exactly
when the stories do. Writing the 525k rows of a 1x run so takes about 50 ms; reading the
staged rows back and sorting them, as before, about 200 more (one crawl, timed).

A lookup reads both: ``synd_band``, and each segment through :class:`Segments` (in memory,
about 16 bytes a row, while the segments are there). The next run that opens the store folds
them into ``synd_band`` in a thread of its own (:class:`BandFolder`), ``FOLD_ROWS`` rows a
transaction, while it crawls; a segment's rows are in the B-tree before the segment is
deleted, so a lookup that read the segments first and the B-tree after misses none. The
B-tree's cost is then paid by a run's crawl, beside the network, not after its last page.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

SEGMENT_SCHEMA = """
CREATE TABLE IF NOT EXISTS synd_band_segment (
    seg INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a reader's cache is keyed by it
    grp INTEGER NOT NULL,         -- the seg of its promote's first: one promote, one group
    rows INTEGER NOT NULL,        -- band rows in it
    folded INTEGER NOT NULL DEFAULT 0,  -- its first rows already in synd_band
    keys BLOB NOT NULL,           -- band keys, 8 bytes each (little-endian), sorted
    sids BLOB NOT NULL            -- their stories, 8 bytes each; for equal keys, sorted
);
"""

#: Band rows in one segment (a key's rows are never split, so a few more at most): its
#: blobs, 16 bytes a row, are what the promote makes at once beside its sorted pass.
SEGMENT_ROWS = 1 << 16
#: Band rows folded into ``synd_band`` in one transaction: what the crawl's own connection
#: may wait for when it begins a write (about 20 ms).
FOLD_ROWS = 8192


def sort_ties(keys: np.ndarray, sids: np.ndarray) -> None:
    """Put *sids* in order among equal *keys* (*keys* sorted), in place: the segments'
    order, (key, sid), the band index's. Equal keys are rare (stories that share a band),
    so only their rows are sorted again."""
    if len(keys) < 2:
        return
    tie = keys[1:] == keys[:-1]
    if not tie.any():
        return
    at = np.flatnonzero(np.concatenate(([False], tie)) | np.concatenate((tie, [False])))
    order = np.lexsort((sids[at], keys[at]))
    sids[at] = sids[at][order]


def write_segment(db: sqlite3.Connection, keys: np.ndarray, sids: np.ndarray, grp: int) -> int:
    """Write band rows in (key, sid) order as a segment of group *grp* (0: a new group,
    numbered by its first segment); returns the group. Inside the caller's transaction; a
    promote writes its run's segments in key order."""
    cur = db.execute(
        "INSERT INTO synd_band_segment (grp, rows, keys, sids) VALUES (?, ?, ?, ?)",
        (
            grp,
            len(keys),
            memoryview(np.ascontiguousarray(keys, dtype="<u8")),
            memoryview(np.ascontiguousarray(sids, dtype="<i8")),
        ),
    )
    if not grp:
        grp = cur.lastrowid
        db.execute("UPDATE synd_band_segment SET grp = ? WHERE seg = ?", (grp, grp))
    return grp


def fold(db: sqlite3.Connection, rows: int = FOLD_ROWS) -> int:
    """Fold up to *rows* band rows of the oldest segment into ``synd_band``, in one write
    transaction of *db* (not in one already); the segment goes once all its rows are in.
    Returns how many rows were folded: 0 when no segment is left."""
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute(
            "SELECT seg, rows, folded FROM synd_band_segment ORDER BY seg LIMIT 1"
        ).fetchone()
        if row is None:
            db.execute("ROLLBACK")
            return 0
        seg, total, done = row
        end = min(total, done + rows)
        columns = []
        for column in ("keys", "sids"):
            with db.blobopen("synd_band_segment", column, seg, readonly=True) as blob:
                blob.seek(done * 8)
                columns.append(np.frombuffer(blob.read((end - done) * 8), dtype="<i8"))
        db.executemany(
            "INSERT OR IGNORE INTO synd_band (key, sid) VALUES (?, ?)",
            zip(columns[0].tolist(), columns[1].tolist(), strict=True),
        )
        if end == total:
            db.execute("DELETE FROM synd_band_segment WHERE seg = ?", (seg,))
        else:
            db.execute("UPDATE synd_band_segment SET folded = ? WHERE seg = ?", (end, seg))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return end - done


class Segments:
    """The segments one connection reads from, held in memory a group at a time.

    A group (one promote's segments, in key order end to end) is read whole the first time
    a lookup meets it and kept until all its segments are gone: a segment folded since is
    also in ``synd_band``, which a lookup reads after, and a row found twice is one. The
    file is asked again only when another connection committed (``PRAGMA data_version``)
    or this one wrote (:meth:`stale`).
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._version: int | None = None
        self._groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def stale(self) -> None:
        """This connection wrote segments, or folded or deleted some: ask the file again."""
        self._version = None

    def _current(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return self._groups
        present = {g for (g,) in self._db.execute("SELECT DISTINCT grp FROM synd_band_segment")}
        groups = {g: arrays for g, arrays in self._groups.items() if g in present}
        for grp in sorted(present - groups.keys()):
            parts = self._db.execute(
                "SELECT keys, sids FROM synd_band_segment WHERE grp = ? ORDER BY seg", (grp,)
            ).fetchall()
            if parts:  # else folded away since the question above
                groups[grp] = (
                    np.frombuffer(b"".join(p[0] for p in parts), dtype="<u8"),
                    np.frombuffer(b"".join(p[1] for p in parts), dtype="<i8"),
                )
        self._groups, self._version = groups, version
        return groups

    def pairs(self, keys: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """(key, sid) rows of the segments under *keys*: for each key, its *limit* first
        sids of each group (all a lookup of *limit* candidates can take from it)."""
        groups = self._current()
        if not groups:
            return []
        wanted = np.unique(np.asarray(keys, dtype=np.uint64))
        found: list[tuple[int, int]] = []
        for seg_keys, seg_sids in groups.values():
            lo = seg_keys.searchsorted(wanted, "left")
            hi = seg_keys.searchsorted(wanted, "right")
            for i in np.flatnonzero(hi > lo).tolist():
                key = int(wanted[i])
                stop = min(int(hi[i]), int(lo[i]) + limit)
                found.extend((key, sid) for sid in seg_sids[lo[i] : stop].tolist())
        return found

    def clear(self) -> None:
        self._groups, self._version = {}, None


class BandFolder:
    """Folds the store's segments into ``synd_band`` in a thread, on a connection of its own.

    It takes the write lock ``FOLD_ROWS`` rows at a time and never waits for it: when the
    crawl's connection holds it (a run staging its stories), it tries again a little later.
    :meth:`stop` ends it after the transaction in hand; what is left stays in its segments,
    read by every lookup, and is folded by the next run. An error other than a busy file is
    logged and ends the thread (nothing is lost: the rows stay in their segments).
    """

    #: Seconds between two folds (the crawl's connection takes the lock between them) and
    #: before trying again when the file is busy.
    pause_s = 0.005
    busy_s = 0.25
    #: Rows a transaction.
    rows = FOLD_ROWS

    def __init__(self, path: str | Path) -> None:
        # timeout=0: a busy file is an answer at once (try later), never a wait.
        self._db = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        # Durable at the crawl's next commit or checkpoint: a fold lost in a crash is undone
        # whole (its rows, and its progress), so the segment still holds them.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA cache_size=-4096")
        self.folded = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="newscrawl-band-fold", daemon=True)

    def start(self) -> BandFolder:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                n = fold(self._db, self.rows)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    self._stop.wait(self.busy_s)
                    continue
                self._failed(exc)
                return
            except (sqlite3.Error, ValueError) as exc:
                self._failed(exc)
                return
            if not n:
                return
            self.folded += n
            self._stop.wait(self.pause_s)

    def _failed(self, exc: BaseException) -> None:
        self.error = exc
        logger.error(
            "folding band rows into the band index failed (they stay in their segments,"
            " read by every lookup): %s",
            exc,
        )

    def wait(self, timeout: float) -> bool:
        """Wait up to *timeout* seconds for it to end (no segment left, or an error);
        True if it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> int:
        """Stop after the transaction in hand and close; returns the rows folded."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._db.close()
        return self.folded
