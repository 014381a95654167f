"""The SQLite seen-store: one file in the data dir, constant memory whatever its size."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from newscrawl.stores import StoredFingerprint

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    id BLOB PRIMARY KEY,          -- the 32-hex story id as 16 bytes: half the file, same order
    run_id TEXT NOT NULL          -- the run whose complete export holds it first
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staged (
    run_id TEXT NOT NULL,
    id BLOB NOT NULL,
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;
"""

# Syndicated copies (newscrawl/pipelines/syndication.py, docs/SYNDICATION.md): each story's
# MinHash signature and its LSH band keys, staged and promoted with the story's id. A lookup
# is one indexed probe per band key, whatever the number of stories stored.
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


def _opt_key(story_id: str | None) -> bytes | None:
    return None if story_id is None else _key(story_id)


def _row(row: tuple, *, staged: bool) -> StoredFingerprint:
    story, original, size, sig = row
    return StoredFingerprint(
        story.hex(), original.hex() if original else None, size, sig, staged=staged
    )


def _key(story_id: str) -> bytes:
    # Ids are validated as 32 hex by the spider; anything else is a caller bug, so let
    # ValueError surface rather than store a key no lookup would find.
    return bytes.fromhex(story_id)


class SQLiteSeenStore:
    """Seen-store on one SQLite file (WAL); lookups hit the B-tree, not a Python set."""

    def __init__(self, path: str | Path, *, cache_kib: int = 48 * 1024) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit, so staging many ids is one commit.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        # A fixed page cache bounds memory however many stories were ever seen. 48 MiB holds
        # the B-tree of about 1.4M ids (33 bytes each), so lookups stay in memory that far.
        self._db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        self._db.executescript(_SCHEMA)
        self._db.executescript(_SYNDICATION_SCHEMA)
        self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN")
            self._in_tx = True

    def is_seen(self, story_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE id = ?", (_key(story_id),)).fetchone()
        return row is not None

    def stage(self, run_id: str, story_id: str) -> None:
        self._begin()
        self._db.execute(
            "INSERT OR IGNORE INTO staged (run_id, id) VALUES (?, ?)", (run_id, _key(story_id))
        )

    def flush(self) -> None:
        if self._in_tx:
            self._db.execute("COMMIT")
            self._in_tx = False

    def promote(self, run_id: str) -> int:
        self.flush()
        with self._db:
            self._db.execute("BEGIN")
            cur = self._db.execute(
                "INSERT OR IGNORE INTO seen (id, run_id) SELECT id, run_id FROM staged"
                " WHERE run_id = ?",
                (run_id,),
            )
            promoted = cur.rowcount
            self._db.execute("DELETE FROM staged WHERE run_id = ?", (run_id,))
            self._promote_fingerprints(run_id)
        return promoted

    def discard(self, run_id: str) -> int:
        self.flush()
        with self._db:
            self._db.execute("BEGIN")
            cur = self._db.execute("DELETE FROM staged WHERE run_id = ?", (run_id,))
            discarded = cur.rowcount
            self._db.execute("DELETE FROM synd_staged_band WHERE run_id = ?", (run_id,))
            self._db.execute("DELETE FROM synd_staged_story WHERE run_id = ?", (run_id,))
        return discarded

    def staged_runs(self) -> list[str]:
        rows = self._db.execute(
            "SELECT run_id FROM staged UNION SELECT run_id FROM synd_staged_story ORDER BY run_id"
        ).fetchall()
        return [r[0] for r in rows]

    # --- syndicated copies ----------------------------------------------------------------

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
        key = _key(story_id)
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
        key = _key(fingerprint.id)
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

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]

    def close(self) -> None:
        self.flush()
        self._db.close()
