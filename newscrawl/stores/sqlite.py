"""The SQLite seen-store: one file in the data dir, constant memory whatever its size."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newscrawl.stores.sqlite_fingerprints import FingerprintTables, id_key

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


class SQLiteSeenStore(FingerprintTables):
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
        self._open_fingerprints()
        self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN")
            self._in_tx = True

    def is_seen(self, story_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM seen WHERE id = ?", (id_key(story_id),)).fetchone()
        return row is not None

    def stage(self, run_id: str, story_id: str) -> None:
        self._begin()
        self._db.execute(
            "INSERT OR IGNORE INTO staged (run_id, id) VALUES (?, ?)", (run_id, id_key(story_id))
        )

    def flush(self) -> None:
        self._flush_fingerprints()
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
            self._discard_fingerprints(run_id)
        return discarded

    def staged_runs(self) -> list[str]:
        rows = self._db.execute(
            "SELECT run_id FROM staged UNION SELECT run_id FROM synd_staged_story ORDER BY run_id"
        ).fetchall()
        return [r[0] for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]

    def close(self) -> None:
        self.flush()
        self._db.close()
