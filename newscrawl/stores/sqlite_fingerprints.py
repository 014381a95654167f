"""The seen-store's fingerprint tables (syndicated copies), a part of ``SQLiteSeenStore``.

Each story's MinHash signature and its LSH band keys live in the same SQLite file as the
ids, staged and promoted with them (``newscrawl/pipelines/syndication.py``,
docs/SYNDICATION.md). A lookup is one indexed probe per band key, whatever the number of
stories stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from newscrawl.stores import StoredFingerprint

_SYNDICATION_SCHEMA = """
CREATE TABLE IF NOT EXISTS synd_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synd_story (
    sid INTEGER PRIMARY KEY,      -- rowid, what band rows point to: 3 bytes, not 16
    id BLOB NOT NULL UNIQUE,      -- the story id as 16 bytes
    original BLOB,                -- its group's original; NULL when it is one
    size INTEGER NOT NULL,        -- how many shingles its text had
    sig BLOB NOT NULL             -- the signature, one byte per permutation
);
CREATE TABLE IF NOT EXISTS synd_band (
    key INTEGER NOT NULL,         -- one band of a signature, hashed (band number included)
    sid INTEGER NOT NULL,
    PRIMARY KEY (key, sid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synd_staged_story (
    run_id TEXT NOT NULL,
    id BLOB NOT NULL,
    original BLOB,
    size INTEGER NOT NULL,
    sig BLOB NOT NULL,
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synd_staged_band (
    run_id TEXT NOT NULL,
    key INTEGER NOT NULL,
    id BLOB NOT NULL,
    PRIMARY KEY (run_id, key, id)
) WITHOUT ROWID;
"""


def id_key(story_id: str) -> bytes:
    """A story id as the store keys it: its 32 hex digits as 16 bytes (half the size)."""
    # Ids are validated as 32 hex by the spider; anything else is a caller bug, so let
    # ValueError surface rather than store a key no lookup would find.
    return bytes.fromhex(story_id)


def _opt_key(story_id: str | None) -> bytes | None:
    return None if story_id is None else id_key(story_id)


def _row(row: tuple, *, staged: bool) -> StoredFingerprint:
    story, original, size, sig = row
    return StoredFingerprint(
        story.hex(), original.hex() if original else None, size, sig, staged=staged
    )


class FingerprintTables:
    """Fingerprint methods of the SQLite seen-store; its ``_db`` and ``_begin`` are theirs."""

    _db: sqlite3.Connection

    def _begin(self) -> None:
        raise NotImplementedError

    def _open_fingerprints(self) -> None:
        self._db.executescript(_SYNDICATION_SCHEMA)

    def _flush_fingerprints(self) -> None:
        """Write what is staged but still held in memory (called by ``flush()``)."""

    # ----------------------------------------------------------------

    def bind_fingerprints(self, params: str) -> str:
        """Record *params* as what the stored fingerprints were made with, if none are.

        Returns the recorded params: fingerprints made otherwise cannot be compared.
        """
        # Outside a transaction this commits at once: no write lock held while crawling.
        self._db.execute(
            "INSERT OR IGNORE INTO synd_meta (name, value) VALUES ('params', ?)", (params,)
        )
        row = self._db.execute("SELECT value FROM synd_meta WHERE name = 'params'").fetchone()
        return row[0]

    def fingerprint_of(self, run_id: str, story_id: str) -> StoredFingerprint | None:
        """The story's fingerprint, from earlier runs or staged by *run_id*; None if neither."""
        key = id_key(story_id)
        row = self._db.execute(
            "SELECT id, original, size, sig FROM synd_story WHERE id = ?", (key,)
        ).fetchone()
        if row:
            return _row(row, staged=False)
        row = self._db.execute(
            "SELECT id, original, size, sig FROM synd_staged_story WHERE run_id = ? AND id = ?",
            (run_id, key),
        ).fetchone()
        return _row(row, staged=True) if row else None

    def similar(self, run_id: str, keys: Sequence[int], limit: int) -> list[StoredFingerprint]:
        """Fingerprints sharing a band key with *keys*: earlier runs', then *run_id*'s staged.

        At most *limit* of each, so a story republished a thousand times costs no more.
        """
        marks = ",".join("?" * len(keys))
        stored = self._db.execute(
            "SELECT id, original, size, sig FROM synd_story WHERE sid IN"
            f" (SELECT DISTINCT sid FROM synd_band WHERE key IN ({marks}) LIMIT ?)",
            (*keys, limit),
        ).fetchall()
        staged = self._db.execute(
            "SELECT id, original, size, sig FROM synd_staged_story WHERE run_id = ? AND id IN"
            " (SELECT DISTINCT id FROM synd_staged_band"
            f" WHERE run_id = ? AND key IN ({marks}) LIMIT ?)",
            (run_id, run_id, *keys, limit),
        ).fetchall()
        return [_row(r, staged=False) for r in stored] + [_row(r, staged=True) for r in staged]

    def stage_fingerprint(
        self, run_id: str, fingerprint: StoredFingerprint, keys: Sequence[int]
    ) -> None:
        """Stage a story's fingerprint with run *run_id*: seen by this run at once, by later
        runs once the run is promoted."""
        self._begin()
        key = id_key(fingerprint.id)
        self._db.execute(
            "INSERT OR REPLACE INTO synd_staged_story (run_id, id, original, size, sig)"
            " VALUES (?, ?, ?, ?, ?)",
            (run_id, key, _opt_key(fingerprint.original), fingerprint.size, fingerprint.signature),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO synd_staged_band (run_id, key, id) VALUES (?, ?, ?)",
            [(run_id, k, key) for k in keys],
        )

    def _promote_fingerprints(self, run_id: str) -> None:
        # Inside promote()'s transaction: ids and fingerprints become visible together.
        self._db.execute(
            "INSERT OR IGNORE INTO synd_story (id, original, size, sig)"
            " SELECT id, original, size, sig FROM synd_staged_story WHERE run_id = ?",
            (run_id,),
        )
        self._db.execute(
            "INSERT OR IGNORE INTO synd_band (key, sid) SELECT b.key, s.sid"
            " FROM synd_staged_band b JOIN synd_story s ON s.id = b.id WHERE b.run_id = ?",
            (run_id,),
        )
        self._db.execute("DELETE FROM synd_staged_band WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_story WHERE run_id = ?", (run_id,))

    def fingerprint_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM synd_story").fetchone()[0]

    def reset_fingerprints(self) -> None:
        """Forget every fingerprint (after changing how they are made); ids stay seen."""
        self.flush()
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM synd_meta")
            self._db.execute("DELETE FROM synd_band")
            self._db.execute("DELETE FROM synd_story")
            self._db.execute("DELETE FROM synd_staged_band")
            self._db.execute("DELETE FROM synd_staged_story")

    def _discard_fingerprints(self, run_id: str) -> None:
        # Inside discard()'s transaction.
        self._db.execute("DELETE FROM synd_staged_band WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_story WHERE run_id = ?", (run_id,))
