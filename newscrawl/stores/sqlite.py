"""The SQLite seen-store: one file in the data dir, constant memory whatever its size.

Layout: log-structured, two levels, so that a run's cost does not grow with the store.

* ``seen_recent`` is the small level. ``stage()`` writes a story's id there under its run
  (``seen_run``, state 0: staged), and ``promote()`` only marks the run as seen (state 1):
  no id moves. Staging a run's ids dirties pages of this small table only.
* ``seen_main`` is the large level. When the ids seen in ``seen_recent`` reach
  ``merge_fraction`` of ``seen_main`` (and at least ``merge_floor``), ``promote()`` moves
  them into it in key order and empties ``seen_recent``, in the promote's own transaction
  (a crash leaves either both done or neither). A merge rewrites the large table once,
  but the ids merged grow with it, so the cost per id stays the same whatever the size
  (amortised); between merges nothing touches the large table but lookups.
* ``is_seen()`` probes both levels, in one statement; inside the run's write transaction a
  Bloom filter of every seen id (``newscrawl/stores/sqlite_filter.py``) answers most new
  ids first, without a query, whatever the store's size.

``promote()`` returns how many ids became seen without reading them again: a run staged
in this connection counts, as it stages, the ids that no run had made seen; that count
holds unless some run was promoted in between (here, or by another connection: then the
run's ids are counted in the file).

Ids are kept as two signed 64-bit integers (the site's 16-byte key, halved: the profile's
id codec, ``newscrawl/stores/ids.py``; for Daily8 the 32 hex digits): SQLite compares those
faster than 16-byte blobs. ``seen`` and ``staged`` are views in the old tables' shape (the
key there as 32 hex digits, which for Daily8 is its id), for whoever reads the file by hand.

A file written before this layout (tables ``seen`` and ``staged``) is migrated in place,
in one transaction, the first time it is opened.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newscrawl.stores import sqlite_filter
from newscrawl.stores.ids import HEX128, IdCodec
from newscrawl.stores.sqlite_filter import SeenFilter
from newscrawl.stores.sqlite_fingerprints import FingerprintTables

_halves = struct.Struct(">qq").unpack


def _old_rows(db: sqlite3.Connection, table: str, state: int) -> Iterator[tuple[int, int, int]]:
    """The rows of a table of the old layout (``id BLOB, run_id TEXT``), keyed anew.

    Streamed, so memory stays bounded whatever the table's size. An id that is not 16
    bytes (not 32 hex digits) could not be looked up any more, so it is left behind.
    """
    runs = dict(db.execute("SELECT run_id, run FROM seen_run WHERE state = ?", (state,)))
    for story, run_id in db.execute(f"SELECT id, run_id FROM {table}"):
        if len(story) == 16:
            yield (*_halves(story), runs[run_id])


_TABLES = """
CREATE TABLE IF NOT EXISTS seen_run (
    run INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a forgotten run stays forgotten
    run_id TEXT NOT NULL,
    state INTEGER NOT NULL                  -- 0 staged, 1 seen (ids in seen_recent), 2 merged
);
CREATE INDEX IF NOT EXISTS seen_run_by_id ON seen_run (run_id, state);
CREATE TABLE IF NOT EXISTS seen_main (
    k INTEGER NOT NULL,                     -- the id's first 8 bytes, signed
    lo INTEGER NOT NULL,                    -- its last 8 bytes, signed
    run INTEGER NOT NULL,                   -- the run whose complete export holds it first
    PRIMARY KEY (k, lo)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen_recent (
    k INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    run INTEGER NOT NULL,                   -- staged or seen as that run's state says
    PRIMARY KEY (k, lo, run)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen_level (
    name TEXT PRIMARY KEY,                  -- 'main', 'recent': distinct ids seen in each
    ids INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO seen_level (name, ids) VALUES ('main', 0), ('recent', 0)
"""

_VIEWS = """
CREATE VIEW IF NOT EXISTS seen (id, run_id) AS
    SELECT printf('%016x%016x', m.k, m.lo), u.run_id
    FROM seen_main AS m LEFT JOIN seen_run AS u ON u.run = m.run
    UNION ALL
    SELECT printf('%016x%016x', r.k, r.lo), min(u.run_id)
    FROM seen_recent AS r CROSS JOIN seen_run AS u ON u.run = r.run
    WHERE u.state = 1
    AND NOT EXISTS (SELECT 1 FROM seen_main AS m WHERE m.k = r.k AND m.lo = r.lo)
    GROUP BY r.k, r.lo;
CREATE VIEW IF NOT EXISTS staged (run_id, id) AS
    SELECT u.run_id, printf('%016x%016x', r.k, r.lo)
    FROM seen_recent AS r CROSS JOIN seen_run AS u ON u.run = r.run
    WHERE u.state = 0
"""

# What sqlite_master holds once the file has this layout.
_CURRENT = {
    "seen_run": "table",
    "seen_main": "table",
    "seen_recent": "table",
    "seen_level": "table",
    "seen_filter": "table",
    "seen": "view",
    "staged": "view",
}

#: Ids asked about at once by ``seen_among`` (two SQL variables each).
_AMONG_BATCH = 400
#: ``_LOOKUP`` for a batch of keys, one statement: those seen, in either level.
_LOOKUP_AMONG = (
    "WITH q(k, lo) AS (VALUES {rows})"
    " SELECT q.k, q.lo FROM q WHERE EXISTS (SELECT 1 FROM seen_main AS m"
    " WHERE m.k = q.k AND m.lo = q.lo) OR EXISTS (SELECT 1 FROM seen_recent AS r"
    " CROSS JOIN seen_run AS u ON u.run = r.run WHERE r.k = q.k AND r.lo = q.lo AND u.state = 1)"
)
_LOOKUP = (
    "SELECT 1 FROM seen_main WHERE k = ?1 AND lo = ?2 UNION ALL"
    " SELECT 1 FROM seen_recent AS r CROSS JOIN seen_run AS u ON u.run = r.run"
    " WHERE r.k = ?1 AND r.lo = ?2 AND u.state = 1 LIMIT 1"
)

# A run's ids that become seen when it is promoted: not seen already, in either level.
_NEWLY_SEEN = (
    "SELECT count(*) FROM seen_recent AS r WHERE r.run = ?1"
    " AND NOT EXISTS (SELECT 1 FROM seen_main AS m WHERE m.k = r.k AND m.lo = r.lo)"
    " AND NOT EXISTS (SELECT 1 FROM seen_recent AS o CROSS JOIN seen_run AS u"
    " ON u.run = o.run WHERE o.k = r.k AND o.lo = r.lo AND u.state = 1)"
)


@dataclass(slots=True)
class _Staging:
    """A run this connection stages, and what it knows of it without asking the file."""

    number: int  # seen_run.run
    exact: bool  # the run's row was made here: every id it has was staged here
    data_version: int  # PRAGMA data_version when it was made (others' commits since?)
    generation: int  # this connection's promotes when it was made
    fresh: int = 0  # ids staged that no run had made seen at the time
    keys: array = field(default_factory=lambda: array("q"))  # ids staged here: k, lo, k, lo...


class SQLiteSeenStore(FingerprintTables):
    """Seen-store on one SQLite file (WAL); lookups hit the B-tree, not a Python set."""

    #: Merge the small level into the large one when it holds this fraction of it ...
    merge_fraction = 0.25
    #: ... and at least this many ids (small stores merge rarely, not at every run).
    merge_floor = 50_000
    #: Page size of a new file: large pages make a merge's and a flush's writes cheaper.
    page_size = 32768
    #: The page cache while a run's stories are staged (KiB, from the first stage to the
    #: flush): a run writes its ids and fingerprints (about 420 bytes a story) through it, so
    #: the full cache filled with pages only the commit needs, +46 MiB of RSS at 160k stories
    #: against 16k (make bench, 10x). Lookups made outside it, as the crawl's, and promote's
    #: merge keep the full cache.
    staging_cache_kib = 16 * 1024

    def __init__(
        self, path: str | Path, *, cache_kib: int = 48 * 1024, ids: IdCodec = HEX128
    ) -> None:
        self.path = Path(path)
        #: How the site's ids become keys (its profile's codec): one file, one site.
        self.ids = ids
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit, so staging many ids is one commit.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA page_size={int(self.page_size)}")  # a new file only
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        # A fixed page cache bounds memory however many stories were ever seen.
        self.cache_kib = int(cache_kib)
        self._page_cache(staging=False)
        # A merge rewrites the large table through the WAL; don't keep that much on disk.
        self._db.execute(f"PRAGMA journal_size_limit={64 * 2**20}")
        self._open_schema()
        self._open_fingerprints()
        self._in_tx = False
        self._unseen: tuple[int, int] | None = None  # last is_seen() miss, in this write tx
        self._staging: dict[str, _Staging] = {}
        self._generation = 0
        self.merges = 0  # merges this connection made
        # The filter of every seen id, and whether it may rule ids out: only inside this
        # connection's write transaction (no other writer), once checked against the file.
        self._filter: SeenFilter | None = None
        self._none_seen = False
        self._filter_ok = False

    def key(self, story_id: str) -> tuple[int, int]:
        """A story id as the tables key it: the site's 16-byte key as two signed halves."""
        return _halves(self.ids.key(story_id))

    def _open_schema(self) -> None:
        db = self._db
        if self._schema() == _CURRENT:
            return  # nothing to write: no need to wait for another connection's transaction
        db.execute("BEGIN IMMEDIATE")
        kinds = self._schema()
        for stmt in _TABLES.split(";"):
            db.execute(stmt)
        db.execute(sqlite_filter.FILTER_SCHEMA)
        # A file made before the two levels: its tables become the new ones, ids unchanged.
        if kinds.get("seen") == "table":
            db.execute(
                "INSERT INTO seen_run (run_id, state)"
                " SELECT DISTINCT run_id, 2 FROM seen ORDER BY run_id"
            )
            db.executemany(
                "INSERT OR IGNORE INTO seen_main (k, lo, run) VALUES (?, ?, ?)",
                _old_rows(db, "seen", state=2),
            )
            db.execute(
                "UPDATE seen_level SET ids = (SELECT count(*) FROM seen_main) WHERE name = 'main'"
            )
            db.execute("DROP TABLE seen")
        if kinds.get("staged") == "table":
            db.execute(
                "INSERT INTO seen_run (run_id, state)"
                " SELECT DISTINCT run_id, 0 FROM staged ORDER BY run_id"
            )
            db.executemany(
                "INSERT OR IGNORE INTO seen_recent (k, lo, run) VALUES (?, ?, ?)",
                _old_rows(db, "staged", state=0),
            )
            db.execute("DROP TABLE staged")
        for stmt in _VIEWS.split(";"):
            db.execute(stmt)
        db.execute("COMMIT")

    def _schema(self) -> dict[str, str]:
        names = ",".join(f"'{name}'" for name in _CURRENT)
        return dict(
            self._db.execute(f"SELECT name, type FROM sqlite_master WHERE name IN ({names})")
        )

    @classmethod
    def merge_interval(cls, stored: int) -> int:
        """How many ids are promoted between two merges once the store holds *stored*."""
        return max(cls.merge_floor, math.ceil(cls.merge_fraction * stored))

    def _page_cache(self, *, staging: bool) -> None:
        """The full page cache, or the smaller one for writing a run (``staging_cache_kib``)."""
        kib = min(self.cache_kib, self.staging_cache_kib) if staging else self.cache_kib
        self._db.execute(f"PRAGMA cache_size=-{kib}")

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            self._page_cache(staging=True)
            self._sync_filter()

    def _sync_filter(self) -> None:
        """Check the filter against the file, in a write transaction: reload it if another
        connection saved a newer one; off if it does not cover every seen id."""
        seen = sum(self._levels())
        saved = sqlite_filter.load(self._db)
        self._none_seen = seen == 0
        if saved is None or saved[0] != seen:
            self._filter, self._filter_ok = None, False
            return
        if self._filter is None or self._filter.version != saved[1]:
            self._filter = sqlite_filter.read(self._db, saved[1])
        self._filter_ok = True

    def _ruled_out(self, key: tuple[int, int]) -> bool:
        """True if *key* is certainly not seen (only ever said in a write transaction)."""
        if self._none_seen:
            return True
        return self._filter_ok and not self._filter.may_contain(*key)  # type: ignore[union-attr]

    def is_seen(self, story_id: str) -> bool:
        key = self.key(story_id)
        if self._in_tx:  # nobody else can make it seen before this transaction ends
            if self._ruled_out(key) or self._db.execute(_LOOKUP, key).fetchone() is None:
                self._unseen = key
                return False
            return True
        return self._db.execute(_LOOKUP, key).fetchone() is not None

    def seen_among(self, story_ids: Sequence[str]) -> set[str]:
        if self._in_tx or not story_ids:  # the write transaction's filter answers each
            return {sid for sid in story_ids if self.is_seen(sid)}
        seen: set[str] = set()
        for at in range(0, len(story_ids), _AMONG_BATCH):
            batch = story_ids[at : at + _AMONG_BATCH]
            keys = {self.key(sid): sid for sid in batch}
            rows = ",".join("(?, ?)" for _ in keys)
            found = self._db.execute(_LOOKUP_AMONG.format(rows=rows), [h for k in keys for h in k])
            seen.update(keys[k] for k in found)
        return seen

    def stage(self, run_id: str, story_id: str) -> bool:
        key = self.key(story_id)
        self._begin()
        # Not seen now (the dedupe pipeline has just asked): counted as promote()'s news.
        fresh = key == self._unseen or self._db.execute(_LOOKUP, key).fetchone() is None
        self._unseen = None
        staging = self._staging.get(run_id) or self._open_run(run_id)
        cur = self._db.execute(
            "INSERT OR IGNORE INTO seen_recent (k, lo, run) VALUES (?, ?, ?)",
            (*key, staging.number),
        )
        if cur.rowcount > 0:
            staging.keys.extend(key)
            if fresh:
                staging.fresh += 1
            return True
        # In the small level already: staged by this run before (an in-run duplicate), or the
        # row of an earlier run that exported it (seen, staged again with refresh=1).
        row = self._db.execute("SELECT run FROM seen_recent WHERE k = ? AND lo = ?", key).fetchone()
        return row is None or row[0] != staging.number

    def _open_run(self, run_id: str) -> _Staging:
        row = self._db.execute(
            "SELECT run FROM seen_run WHERE run_id = ? AND state = 0", (run_id,)
        ).fetchone()
        if row:  # staged before this connection: its ids were not counted here
            number, exact = row[0], False
        else:
            cur = self._db.execute("INSERT INTO seen_run (run_id, state) VALUES (?, 0)", (run_id,))
            number, exact = cur.lastrowid, True
        staging = _Staging(number, exact, self._data_version(), self._generation)
        self._staging[run_id] = staging
        return staging

    def _data_version(self) -> int:
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def flush(self) -> None:
        self._flush_fingerprints()  # staged with the ids: in the same commit
        if self._in_tx:
            self._db.execute("COMMIT")
            self._in_tx = False
            self._page_cache(staging=False)
        self._unseen = None
        self._filter_ok = self._none_seen = False

    def _levels(self) -> tuple[int, int]:
        rows = dict(self._db.execute("SELECT name, ids FROM seen_level"))
        return rows["main"], rows["recent"]

    def promote(self, run_id: str) -> int:
        self.flush()
        staging = self._staging.pop(run_id, None)
        promoted = 0
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._sync_filter()
            row = self._db.execute(
                "SELECT run FROM seen_run WHERE run_id = ? AND state = 0", (run_id,)
            ).fetchone()
            if row:
                number = row[0]
                known = (
                    staging is not None
                    and staging.exact
                    and staging.number == number
                    and staging.generation == self._generation
                    and staging.data_version == self._data_version()
                )
                if known:  # nothing was promoted since its ids were staged, here or elsewhere
                    promoted = staging.fresh  # type: ignore[union-attr]
                else:
                    promoted = self._db.execute(_NEWLY_SEEN, (number,)).fetchone()[0]
                self._db.execute("UPDATE seen_run SET state = 1 WHERE run = ?", (number,))
                if promoted and self._filter_ok:
                    self._filter_add_run(number, staging.keys if known else None)  # type: ignore[union-attr]
            # The run's fingerprints are written through the staging cache: only the commit
            # needs their pages (the band rows, when they went into their B-tree here, filled
            # the full cache: +41 MiB of peak RSS at 160k stories, make bench's 10x case).
            # The merge below keeps the full cache.
            self._page_cache(staging=True)
            self._promote_fingerprints(run_id)
            self._page_cache(staging=False)
            main, recent = self._levels()
            recent += promoted
            if promoted and recent >= self.merge_interval(main):
                main, recent = main + self._merge(), 0
            self._db.executemany(
                "UPDATE seen_level SET ids = ? WHERE name = ?", [(main, "main"), (recent, "recent")]
            )
            if promoted or not self._filter_ok:
                self._save_filter(main + recent)
            self._filter_ok = self._none_seen = False  # re-checked by the next transaction
        self._generation += 1
        return promoted

    def _filter_add_run(self, number: int, keys: array | None) -> None:
        """Add run *number*'s ids to the filter: the keys staged here, or read back."""
        flt = self._filter
        assert flt is not None
        if keys is not None:
            both = np.frombuffer(keys, dtype=np.int64)
            flt.add_many(both[0::2], both[1::2])
            return
        # Staged elsewhere (a recovered run) or not only here: read from the small level.
        cur = self._db.execute("SELECT k, lo FROM seen_recent WHERE run = ?", (number,))
        while rows := cur.fetchmany(sqlite_filter.CHUNK):
            flt.add_many(*sqlite_filter.keys_of(rows))

    def _save_filter(self, seen: int) -> None:
        """Save the filter of the *seen* ids (promote's transaction), built anew if there is
        none that covers them (a new store, a file from before filters) or it is full."""
        flt = self._filter if self._filter_ok else None
        if not seen:
            return
        if flt is None or seen > flt.full:
            saved = sqlite_filter.load(self._db)
            version = flt.version if flt is not None else (saved[1] if saved else 0)
            flt = self._filter = sqlite_filter.build(self._db, seen, version)
        sqlite_filter.save(self._db, flt, seen)

    def _merge(self) -> int:
        """Move the seen ids of the small level into the large one (inside promote's
        transaction); returns how many the large one gained."""
        if self._db.execute("SELECT 1 FROM seen_run WHERE state = 0 LIMIT 1").fetchone():
            # A run is staged (another live crawl, or a dead one not recovered yet).
            merged = self._db.execute(
                "INSERT OR IGNORE INTO seen_main (k, lo, run) SELECT r.k, r.lo, r.run"
                " FROM seen_recent AS r CROSS JOIN seen_run AS u ON u.run = r.run"
                " WHERE u.state = 1"
            ).rowcount
            self._db.execute(
                "DELETE FROM seen_recent WHERE run IN (SELECT run FROM seen_run WHERE state = 1)"
            )
        else:
            merged = self._db.execute(
                "INSERT OR IGNORE INTO seen_main (k, lo, run) SELECT k, lo, run FROM seen_recent"
            ).rowcount
            self._db.execute("DELETE FROM seen_recent")
        self._db.execute("UPDATE seen_run SET state = 2 WHERE state = 1")
        self.merges += 1
        return merged

    def discard(self, run_id: str) -> int:
        self.flush()
        self._staging.pop(run_id, None)
        discarded = 0
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for (number,) in self._db.execute(
                "SELECT run FROM seen_run WHERE run_id = ? AND state = 0", (run_id,)
            ).fetchall():
                discarded += self._db.execute(
                    "DELETE FROM seen_recent WHERE run = ?", (number,)
                ).rowcount
                self._db.execute("DELETE FROM seen_run WHERE run = ?", (number,))
            self._discard_fingerprints(run_id)
        return discarded

    def staged_runs(self) -> list[str]:
        rows = self._db.execute(
            "SELECT run_id FROM seen_run WHERE state = 0 UNION SELECT run_id FROM synd_staged_story"
            " UNION SELECT run_id FROM synd_staged_batch"
        ).fetchall()
        return sorted({r[0] for r in rows} | self._pending_fingerprint_runs())

    def count(self) -> int:
        return sum(self._levels())

    def close(self) -> None:
        self._stop_folding()
        self.flush()
        self._db.close()
