"""The seen-store's fingerprint tables (syndicated copies), a part of ``SQLiteSeenStore``.

Each story's MinHash signature and its LSH band keys live in the same SQLite file as the
ids, staged and promoted with them (``newscrawl/pipelines/syndication.py``,
docs/SYNDICATION.md). A lookup is one indexed probe per band key, whatever the number of
stories stored, and a search of the recent runs' band rows not yet folded into the index
(``newscrawl/stores/band_segments.py``), in memory while there are any.
"""

from __future__ import annotations

import itertools
import sqlite3
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from newscrawl.stores import BAND_KEY_BITS, StoredFingerprint
from newscrawl.stores.band_segments import (
    SEGMENT_ROWS,
    SEGMENT_SCHEMA,
    BandFolder,
    Segments,
    fold,
    sort_ties,
    write_segment,
)
from newscrawl.stores.bandindex import BandIndex, check_keys
from newscrawl.stores.ids import KEY_SIZE, IdCodec

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
    keys BLOB,                    -- its band keys, packed (8 bytes each, little-endian)
    PRIMARY KEY (run_id, id)
) WITHOUT ROWID;
-- Stories staged many at once (stage_originals): originals only, one row a batch, each
-- column its stories' values end to end. A story with a row in synd_staged_story too was
-- staged again after its batch: that row wins.
CREATE TABLE IF NOT EXISTS synd_staged_batch (
    run_id TEXT NOT NULL,
    n INTEGER NOT NULL,           -- the batch's number in its run, in staging order
    ids BLOB NOT NULL,            -- its stories' ids, 16 bytes each
    sizes BLOB NOT NULL,          -- their shingle counts, 4 bytes each (little-endian)
    sigs BLOB NOT NULL,           -- their signatures, all of one size
    keys BLOB NOT NULL,           -- their band keys, 8 bytes each (little-endian), as many each
    PRIMARY KEY (run_id, n)
);
-- Band keys of staged stories, one row each: what stores before the packed `keys` column
-- wrote. Still read, so that a run such a version left staged is promoted whole.
CREATE TABLE IF NOT EXISTS synd_staged_band (
    run_id TEXT NOT NULL,
    key INTEGER NOT NULL,
    id BLOB NOT NULL,
    PRIMARY KEY (run_id, key, id)
) WITHOUT ROWID;
"""


def _row(ids: IdCodec, row: tuple, *, staged: bool) -> StoredFingerprint:
    story, original, size, sig = row
    return StoredFingerprint(
        ids.story_id(story), ids.story_id(original) if original else None, size, sig, staged=staged
    )


#: Staged fingerprints a run keeps in memory before they are written (about 1.3 KB each
#: with their band keys as Python ints; packed, 0.4 KB).
_PENDING_ROWS = 1024
#: Band rows sorted at once when a run is promoted (16 bytes each, a few copies).
_BAND_PASS_ROWS = 1 << 20


def _pack(keys: Sequence[int]) -> bytes:
    return np.asarray(keys, dtype="<u8").tobytes()


def _unpack(blob: bytes) -> list[int]:
    return np.frombuffer(blob, dtype="<u8").tolist()


class _StagedRun:
    """One run's staged fingerprints, held in memory while the run goes on.

    The run looks its own staged fingerprints up once per story, here (a few microseconds,
    no query). They are written to ``synd_staged_story`` (one row a story, its band keys
    packed) by ``flush()``, in one statement and in the same transaction as the run's staged
    ids: a crash before it loses both, and after it keeps both for the next run's recovery.

    A story is a place (its rank, in staging order) in flat arrays: its 16-byte id key, its
    signature, its shingle count, and its original when it has one; its id is found by a
    64-bit hash of the key in a :class:`BandIndex` of its own: about 160 bytes a story by
    the arrays' sizes, beside the band keys' 12 each, where a ``StoredFingerprint`` with its
    id string and signature, and a dict entry for its id, took about 450. Peak RSS of a run
    of 160k stories went from 543 to 528 MiB with it (one run each, the bench's 10x site).
    """

    __slots__ = (
        "batches",
        "by_id",
        "codec",
        "index",
        "keys",
        "originals",
        "pending",
        "sig_size",
        "sigs",
        "sizes",
    )

    def __init__(self, codec: IdCodec) -> None:
        self.codec = codec
        self.keys = bytearray()  # KEY_SIZE bytes a rank: the story's id key
        # sig_size bytes a rank: one fingerprinter a run, so the first story sets the size.
        # None while the run has left its index: only the file has them then (see _at).
        self.sigs: bytearray | None = bytearray()
        self.sig_size: int | None = None
        self.sizes = array("I")
        self.originals: dict[int, str] = {}  # rank -> its original (copies only)
        self.by_id = BandIndex()  # hash of the id key -> rank
        # band key -> rank; None while the run's own candidates are found by its caller
        # (leave_run_index)
        self.index: BandIndex | None = BandIndex(BAND_KEY_BITS)
        # Staged and not yet written, with their band keys packed: what the next write sends.
        self.pending: list[tuple[StoredFingerprint, bytes]] = []
        self.batches = 0  # the next batch's number (synd_staged_batch)

    def __len__(self) -> int:
        return len(self.sizes)

    def rank_of(self, key: bytes) -> int | None:
        """The rank of the story whose id key is *key*, None if it is not staged."""
        for at in self.by_id.ranks_of((_id_hash(key),)):
            if self.keys[at * KEY_SIZE : (at + 1) * KEY_SIZE] == key:
                return at
        return None

    def _at(
        self, at: int, signature_of: Callable[[bytes], bytes] | None = None
    ) -> StoredFingerprint:
        """The fingerprint of rank *at*; its signature read by *signature_of* (from the id
        key) when the run keeps none in memory."""
        key = bytes(self.keys[at * KEY_SIZE : (at + 1) * KEY_SIZE])
        if self.sigs is None:
            assert signature_of is not None, "a run without signatures in memory"
            sig = signature_of(key)
        else:
            size = self.sig_size or 0
            sig = bytes(self.sigs[at * size : (at + 1) * size])
        story = self.codec.story_id(key)
        return StoredFingerprint(story, self.originals.get(at), self.sizes[at], sig, staged=True)

    def get(
        self, story_id: str, signature_of: Callable[[bytes], bytes] | None = None
    ) -> StoredFingerprint | None:
        at = self.rank_of(self.codec.key(story_id))
        return None if at is None else self._at(at, signature_of)

    def _check_size(self, story_id: str, size: int) -> None:
        """Refuse a signature of another size than the run's first (one fingerprinter a run)."""
        if self.sig_size is None:
            self.sig_size = size
        elif size != self.sig_size:
            raise ValueError(
                f"story {story_id}: a signature of {size} bytes in a run whose"
                f" signatures have {self.sig_size} (one fingerprinter a run)"
            )

    def add(self, fingerprint: StoredFingerprint, keys: Sequence[int]) -> None:
        key = self.codec.key(fingerprint.id)
        sig = fingerprint.signature
        self._check_size(fingerprint.id, len(sig))
        at = self.rank_of(key)
        if at is None:
            at = len(self.sizes)
            self.keys += key
            self.sizes.append(fingerprint.size)
            if self.sigs is not None:
                self.sigs += sig
            self.by_id.add((_id_hash(key),), at)
        else:  # staged again: replaced, in its first place
            self.sizes[at] = fingerprint.size
            if self.sigs is not None:
                self.sigs[at * self.sig_size : (at + 1) * self.sig_size] = sig
        if fingerprint.original is None:
            self.originals.pop(at, None)
        else:
            self.originals[at] = fingerprint.original
        if self.index is not None:
            self.index.add(keys, at)

    def extend(
        self, stories: Sequence[str], id_keys: Sequence[bytes], sizes: Sequence[int], sigs: bytes
    ) -> None:
        """Originals none of which is staged, in this order, after the others: what
        :meth:`add` does for each, for a run that has left its band index."""
        assert self.index is None, "a run with a band index stages its stories one by one"
        self._check_size(stories[0], len(sigs) // len(stories))
        first = len(self.sizes)
        self.keys += b"".join(id_keys)
        self.sizes.extend(sizes)
        if self.sigs is not None:
            self.sigs += sigs
        for at, key in enumerate(id_keys, first):
            self.by_id.add((_id_hash(key),), at)

    def similar(self, keys: Sequence[int], limit: int) -> list[StoredFingerprint]:
        # The earliest staged first: the first story of a group is its original.
        if self.index is None:
            return []
        return [self._at(at) for at in sorted(self.index.ranks_of(keys))[:limit]]


class _Batch(NamedTuple):
    """One row of ``synd_staged_batch``, split into its stories."""

    n: int  # its number in the run
    ids: list[bytes]  # id keys
    sizes: list[int]
    sigs: bytes  # end to end, one size
    keys: np.ndarray  # a row of band keys (uint64) a story

    def sig(self, i: int) -> bytes:
        size = len(self.sigs) // len(self.ids)
        return self.sigs[i * size : (i + 1) * size]


def _id_hash(key: bytes) -> int:
    """64 bits of a 16-byte id key, for the run's id index (a match is checked whole)."""
    return int.from_bytes(key[:8], "little") ^ int.from_bytes(key[8:], "little")


class FingerprintTables:
    """Fingerprint methods of the SQLite seen-store; its ``_db``, ``_begin`` and ``_in_tx``
    are theirs."""

    _db: sqlite3.Connection
    _in_tx: bool
    ids: IdCodec
    path: Path

    def _begin(self) -> None:
        raise NotImplementedError

    def _open_fingerprints(self) -> None:
        self._db.executescript(_SYNDICATION_SCHEMA + SEGMENT_SCHEMA)
        columns = [r[1] for r in self._db.execute("PRAGMA table_info(synd_staged_story)")]
        if "keys" not in columns:  # a store made before band keys were packed
            self._db.execute("ALTER TABLE synd_staged_story ADD COLUMN keys BLOB")
        self._staged_runs: dict[str, _StagedRun] = {}
        # Whether no earlier run's fingerprint is stored, asked once per write transaction
        # (then no other connection can promote one): a first crawl into a new store then
        # needs no query per story.
        self._none_stored: bool | None = None
        self._segments = Segments(self._db)
        self.folder: BandFolder | None = None

    def nothing_stored(self) -> bool:
        """True if no fingerprint is stored (promoted), so that no earlier run's can be a
        candidate: known inside the write transaction (False outside it)."""
        if not self._in_tx:
            return False
        if self._none_stored is None:
            row = self._db.execute("SELECT NOT EXISTS (SELECT 1 FROM synd_story)").fetchone()
            self._none_stored = bool(row[0])
        return self._none_stored

    def _staged_run(self, run_id: str) -> _StagedRun:
        """The run's staged fingerprints; read from the tables the first time it is asked
        for (a run staged by another connection, or before this one opened)."""
        run = self._staged_runs.get(run_id)
        if run is not None:
            return run
        run = self._staged_runs[run_id] = _StagedRun(self.ids)
        for batch in self._read_batches(run_id):  # staged before the rows that replace them
            for i, key in enumerate(batch.ids):
                story = self.ids.story_id(key)
                fp = StoredFingerprint(story, None, batch.sizes[i], batch.sig(i), staged=True)
                run.add(fp, batch.keys[i].tolist())
            run.batches = batch.n + 1
        rows = self._db.execute(
            "SELECT id, original, size, sig, keys FROM synd_staged_story WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        legacy: dict[bytes, list[int]] = {}
        for key, story in self._db.execute(
            "SELECT key, id FROM synd_staged_band WHERE run_id = ?", (run_id,)
        ):
            legacy.setdefault(story, []).append(key)
        for *row, keys in rows:
            run.add(
                _row(self.ids, tuple(row), staged=True),
                _unpack(keys) if keys else legacy.get(row[0], []),
            )
        return run

    def _read_batches(self, run_id: str) -> Iterator[_Batch]:
        """The run's rows of ``synd_staged_batch``, in staging order."""
        for n, ids, sizes, sigs, keys in self._db.execute(
            "SELECT n, ids, sizes, sigs, keys FROM synd_staged_batch WHERE run_id = ? ORDER BY n",
            (run_id,),
        ):
            count = len(ids) // KEY_SIZE
            yield _Batch(
                n,
                [ids[i * KEY_SIZE : (i + 1) * KEY_SIZE] for i in range(count)],
                np.frombuffer(sizes, dtype="<u4").tolist(),
                sigs,
                np.frombuffer(keys, dtype="<u8").reshape(count, -1),
            )

    def _staged_again(self, run_id: str) -> set[bytes]:
        """Id keys of the run's stories with a row of their own in ``synd_staged_story``:
        for one of a batch, that row wins (staged after the batch)."""
        rows = self._db.execute("SELECT id FROM synd_staged_story WHERE run_id = ?", (run_id,))
        return {row[0] for row in rows}

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
        if not self.nothing_stored():
            row = self._db.execute(
                "SELECT id, original, size, sig FROM synd_story WHERE id = ?",
                (self.ids.key(story_id),),
            ).fetchone()
            if row:
                return _row(self.ids, row, staged=False)
        run = self._staged_run(run_id)
        return run.get(story_id, lambda key: self._staged_signature(run_id, key))

    def staged_place(self, run_id: str, story_id: str) -> tuple[int, str | None] | None:
        """Where *run_id* staged the story (its place in the order it staged its stories in)
        and its group's original (None for an original); None if it did not stage it."""
        run = self._staged_run(run_id)
        at = run.rank_of(self.ids.key(story_id))
        return None if at is None else (at, run.originals.get(at))

    def similar(self, run_id: str, keys: Sequence[int], limit: int) -> list[StoredFingerprint]:
        """Fingerprints sharing a band key with *keys*: earlier runs', then *run_id*'s staged
        (none of these while the run has left its index: :meth:`leave_run_index`).

        At most *limit* of each, so a story republished a thousand times costs no more.
        Earlier runs' are the first *limit* stories in (key, story) order of the band rows
        under *keys*, in ``synd_band`` or in a segment not folded into it yet, given in
        story (sid) order: what one query on ``synd_band`` gives when it holds them all.
        """
        staged = self._staged_run(run_id).similar(keys, limit)
        if self.nothing_stored():
            return staged
        recent = self._segments.pairs(keys, limit)  # first: see band_segments
        marks = ",".join("?" * len(keys))
        if not recent:
            stored = self._db.execute(
                "SELECT id, original, size, sig FROM synd_story WHERE sid IN"
                f" (SELECT DISTINCT sid FROM synd_band WHERE key IN ({marks}) LIMIT ?)",
                (*keys, limit),
            ).fetchall()
        else:
            # A story has one row a key: the first limit x keys rows in (key, sid) order hold
            # the first *limit* stories of the index's, whatever the segments add.
            indexed = self._db.execute(
                f"SELECT key, sid FROM synd_band WHERE key IN ({marks}) ORDER BY key, sid LIMIT ?",
                (*keys, limit * len(set(keys))),
            ).fetchall()
            sids: dict[int, None] = {}
            for _, sid in sorted(set(indexed).union(recent)):
                sids.setdefault(sid)
                if len(sids) == limit:
                    break
            stored = self._db.execute(
                "SELECT id, original, size, sig FROM synd_story"
                f" WHERE sid IN ({','.join('?' * len(sids))}) ORDER BY sid",
                list(sids),
            ).fetchall()
        return [_row(self.ids, r, staged=False) for r in stored] + staged if stored else staged

    def leave_run_index(self, run_id: str) -> bool:
        """Stage *run_id*'s fingerprints without indexing them by band key here: its caller
        finds the run's own candidates itself (the fingerprint worker's groups), and
        :meth:`similar` gives earlier runs' only. Only for a run with nothing staged yet
        (else False, and nothing changes); :meth:`index_run` indexes it again. Saves the
        run's band index (about 30 µs and 8 bytes a band key a story, the bench's site) and
        its signatures in memory (128 bytes a story: 20 MiB at 160k), which only a lookup
        of one staged fingerprint (``fingerprint_of``) then reads, from the file."""
        run = self._staged_run(run_id)
        if len(run) or run.index is None:
            return False
        run.index = None
        run.sigs = None
        return True

    def _staged_signature(self, run_id: str, key: bytes) -> bytes:
        """The signature staged for the story of id key *key* by *run_id* (not yet written,
        or in ``synd_staged_story``)."""
        run = self._staged_runs[run_id]
        for fp, _ in reversed(run.pending):
            if self.ids.key(fp.id) == key:
                return fp.signature
        row = self._db.execute(
            "SELECT sig FROM synd_staged_story WHERE run_id = ? AND id = ?", (run_id, key)
        ).fetchone()
        if row is not None:
            return row[0]
        for batch in self._read_batches(run_id):
            if key in batch.ids:
                return batch.sig(batch.ids.index(key))
        raise KeyError(f"run {run_id} staged no signature for id key {key.hex()}")

    def index_run(self, run_id: str) -> None:
        """Index *run_id*'s staged fingerprints by band key again (after
        :meth:`leave_run_index`), those staged since included: :meth:`similar` then finds
        them as if the run had never left its index (a story staged twice, under the keys
        it was staged with last: the ones its promote keeps)."""
        run = self._staged_run(run_id)
        if run.index is not None:
            return
        index = BandIndex(BAND_KEY_BITS)
        size = run.sig_size or 0
        sigs = bytearray(len(run) * size)
        key = self.ids.key
        # the latest wins
        pending = {key(fp.id): (packed, fp.signature) for fp, packed in run.pending}
        again = self._staged_again(run_id)
        batched = (
            (story, (batch.keys[i].tobytes(), batch.sig(i)))
            for batch in self._read_batches(run_id)
            for i, story in enumerate(batch.ids)
            if story not in pending and story not in again
        )
        written = self._db.execute(
            "SELECT id, keys, sig FROM synd_staged_story WHERE run_id = ?", (run_id,)
        )
        kept = ((story, (packed, sig)) for story, packed, sig in written if story not in pending)
        for story, (packed, sig) in itertools.chain(batched, kept, pending.items()):
            at = run.rank_of(story)
            if at is not None:
                index.add(_unpack(packed), at)
                sigs[at * size : (at + 1) * size] = sig
        run.index, run.sigs = index, sigs

    def stage_fingerprint(
        self,
        run_id: str,
        fingerprint: StoredFingerprint,
        keys: Sequence[int],
        packed: bytes | None = None,
    ) -> None:
        """Stage a story's fingerprint with run *run_id*: seen by this run at once, by later
        runs once the run is promoted; written to the file by the next ``flush()``.
        *packed*: the same keys packed (8 bytes each, little-endian), if the caller has
        them so."""
        run = self._staged_run(run_id)
        if not fingerprint.staged:
            fingerprint = StoredFingerprint(
                fingerprint.id,
                fingerprint.original,
                fingerprint.size,
                fingerprint.signature,
                staged=True,
            )
        run.add(fingerprint, keys)
        run.pending.append((fingerprint, _pack(keys) if packed is None else packed))
        if len(run.pending) >= _PENDING_ROWS and self._in_tx:
            # Written now, in the write transaction the run's ids are staged in (committed
            # with them by flush()): a run's fingerprints never wait in memory all at once.
            self._write_fingerprints()

    def stage_originals(
        self,
        run_id: str,
        stories: Sequence[str],
        sizes: Sequence[int],
        signatures: bytes,
        keys: np.ndarray,
    ) -> None:
        """Stage many originals' fingerprints at once, as :meth:`stage_fingerprint` would one
        by one: *signatures* end to end (one size), *keys* a row of band keys (uint64) a
        story. For a run that has left its band index, inside the write transaction, with
        none of the stories staged before: one row for them all (``synd_staged_batch``),
        written at once (about 0.7 µs a story, where a row each took 4-8). Otherwise one
        by one."""
        n = len(stories)
        if not n:
            return
        run = self._staged_run(run_id)
        id_keys = [self.ids.key(story) for story in stories]
        if (
            run.index is not None
            or not self._in_tx
            or len(set(id_keys)) != n
            or any(run.rank_of(key) is not None for key in id_keys)
        ):
            size = len(signatures) // n
            for i, story in enumerate(stories):
                fp = StoredFingerprint(story, None, sizes[i], signatures[i * size : (i + 1) * size])
                self.stage_fingerprint(run_id, fp, keys[i].tolist(), keys[i].tobytes())
            return
        packed = np.ascontiguousarray(keys, dtype="<u8")
        check_keys(packed, BAND_KEY_BITS)  # refused before the run's export is published
        run.extend(stories, id_keys, sizes, signatures)
        self._db.execute(
            "INSERT INTO synd_staged_batch (run_id, n, ids, sizes, sigs, keys)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                run_id,
                run.batches,
                b"".join(id_keys),
                np.asarray(sizes, dtype="<u4").tobytes(),
                signatures,
                packed.tobytes(),
            ),
        )
        run.batches += 1

    def _flush_fingerprints(self) -> None:
        """Write every run's fingerprints staged since the last flush (called by ``flush()``,
        before it commits the staged ids: one transaction)."""
        self._write_fingerprints()
        self._none_stored = None  # the transaction ends: asked again in the next one

    def _write_fingerprints(self) -> None:
        """Write the fingerprints staged and not written yet (inside the write transaction)."""
        key = self.ids.key
        rows = [
            (
                run_id,
                key(fp.id),
                None if fp.original is None else key(fp.original),
                fp.size,
                fp.signature,
                keys,
            )
            for run_id, run in self._staged_runs.items()
            for fp, keys in run.pending
        ]
        if rows:
            # A key the band table cannot take is refused here, before the run's export is
            # published (the run's band index refused it when it merged; a run that left
            # its index has none).
            check_keys(np.frombuffer(b"".join(r[5] for r in rows), dtype="<u8"), BAND_KEY_BITS)
            self._begin()
            self._db.executemany(
                "INSERT OR REPLACE INTO synd_staged_story (run_id, id, original, size, sig, keys)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            for run in self._staged_runs.values():
                run.pending.clear()

    def _pending_fingerprint_runs(self) -> set[str]:
        """Runs with fingerprints staged in memory and not yet flushed."""
        return {run_id for run_id, run in self._staged_runs.items() if run.pending}

    def _promote_fingerprints(self, run_id: str) -> None:
        # Inside promote()'s transaction: ids and fingerprints become visible together.
        # The run's in-memory index is not needed for it (the rows are read back from the
        # table): freed first, so its memory and the band rows' are never held together.
        self._staged_runs.pop(run_id, None)
        self._db.execute(
            "INSERT OR IGNORE INTO synd_story (id, original, size, sig)"
            " SELECT id, original, size, sig FROM synd_staged_story WHERE run_id = ?",
            (run_id,),
        )
        # Then the batches' stories: one staged again since has its row, inserted just now.
        self._db.executemany(
            "INSERT OR IGNORE INTO synd_story (id, original, size, sig) VALUES (?, NULL, ?, ?)",
            (
                (story, batch.sizes[i], batch.sig(i))
                for batch in self._read_batches(run_id)
                for i, story in enumerate(batch.ids)
            ),
        )
        # The band rows as segments, folded into synd_band after the run (band_segments).
        grp = 0
        for keys, sids in self._band_rows(run_id):
            grp = write_segment(self._db, keys, sids, grp)
            del keys, sids  # not held while the next is made
        self._segments.stale()
        self._db.execute(
            "INSERT OR IGNORE INTO synd_band (key, sid) SELECT b.key, s.sid"
            " FROM synd_staged_band b JOIN synd_story s ON s.id = b.id WHERE b.run_id = ?",
            (run_id,),
        )
        self._db.execute("DELETE FROM synd_staged_band WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_story WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_batch WHERE run_id = ?", (run_id,))

    def _band_rows(self, run_id: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The run's band rows in (key, story) order, a segment at a time (about
        ``SEGMENT_ROWS``): its keys (uint64) and their stories (sids, int64).

        Sorted in numpy and a range of keys at a time: a run of 160k stories has five
        million band rows, which sorted at once held some 300 MB at the end of the run. Each
        pass streams the staged rows and keeps those in its range of keys (about
        ``_BAND_PASS_ROWS``, as keys are hashes), each as one uint64: its key less the
        range's first, shifted, and the place of its story in the pass's read (8 bytes a
        row sorted in place, where keys and stories sorted through an argsort took about
        40: +31 MiB at the 10x site's promote, the run's peak). The passes' ranges are in
        order, so the whole is in key order; equal keys are then put in story order.
        """
        stories, size = self._db.execute(
            "SELECT count(*), coalesce(sum(length(keys)), 0) FROM synd_staged_story"
            " WHERE run_id = ? AND keys IS NOT NULL",
            (run_id,),
        ).fetchone()
        batched, batched_size = self._db.execute(
            "SELECT coalesce(sum(length(ids)), 0) / ?, coalesce(sum(length(keys)), 0)"
            " FROM synd_staged_batch WHERE run_id = ?",
            (KEY_SIZE, run_id),
        ).fetchone()
        stories, size = stories + batched, size + batched_size
        if not stories:
            return
        batch_sids = self._batch_sids(run_id)
        place_bits = max(1, (stories - 1).bit_length())
        # Ranges of the keys' span, not of 64 bits: split over 2**64, every key (under
        # 2**BAND_KEY_BITS) fell in the first pass, and the 10x site's 5.2M rows were sorted
        # at once, 158 MiB at the run's peak (make bench). Enough ranges that a key less its
        # range's first and a place fit in 64 bits together.
        passes = max(
            -(-(size // 8) // _BAND_PASS_ROWS), 1 << max(0, BAND_KEY_BITS + place_bits - 64)
        )
        step = (1 << BAND_KEY_BITS) // passes
        mask = np.uint64((1 << place_bits) - 1)
        shift = np.uint64(place_bits)
        for p in range(passes):
            lo, hi = p * step, (None if p == passes - 1 else (p + 1) * step)
            rows, sids = self._band_rows_in(run_id, lo, hi, place_bits, batch_sids)
            rows.sort()
            at = 0
            while at < len(rows):
                # A segment at a time (a key's rows all in one: its stories are put in
                # order there), so that only the pass's sorted rows are held whole.
                end = min(len(rows), at + SEGMENT_ROWS)
                while end < len(rows) and rows[end] >> shift == rows[end - 1] >> shift:
                    end += 1
                chunk = rows[at:end]
                keys = (chunk >> shift) + np.uint64(lo)
                stories = sids[chunk & mask]
                sort_ties(keys, stories)
                yield keys, stories
                at = end

    def _batch_sids(self, run_id: str) -> list[np.ndarray]:
        """For each of the run's batches, its stories' sids (promoted: ``synd_story``), -1
        for one staged again since (its own row has the keys it keeps)."""
        again = self._staged_again(run_id)
        out = []
        for batch in self._read_batches(run_id):
            found: dict[bytes, int] = {}
            for at in range(0, len(batch.ids), 500):
                chunk = batch.ids[at : at + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    self._db.execute(f"SELECT id, sid FROM synd_story WHERE id IN ({marks})", chunk)
                )
            sids = [-1 if story in again else found[story] for story in batch.ids]
            out.append(np.array(sids, dtype=np.int64))
        return out

    def _band_rows_in(
        self,
        run_id: str,
        lo: int,
        hi: int | None,
        place_bits: int,
        batch_sids: Sequence[np.ndarray] = (),
    ) -> tuple[np.ndarray, np.ndarray]:
        """The run's band keys in [lo, hi), each with the place of its story in this read
        (see ``_band_rows``), and the stories (sids) by place: read to the end before the
        caller writes anything. *batch_sids*: the batches' (``_batch_sids``)."""
        found, sids = [], []
        cursor = self._db.execute(
            "SELECT s.sid, t.keys FROM synd_staged_story t JOIN synd_story s ON s.id = t.id"
            " WHERE t.run_id = ? AND t.keys IS NOT NULL",
            (run_id,),
        )
        while rows := cursor.fetchmany(8192):
            keys = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u8")
            check_keys(keys, BAND_KEY_BITS)
            counts = [len(r[1]) // 8 for r in rows]
            places = np.repeat(np.arange(len(sids), len(sids) + len(rows), dtype=np.uint64), counts)
            sids.extend(r[0] for r in rows)
            keep = keys >= np.uint64(lo)
            if hi is not None:
                keep &= keys < np.uint64(hi)
            found.append(((keys[keep] - np.uint64(lo)) << np.uint64(place_bits)) | places[keep])
        batches = self._db.execute(
            "SELECT keys FROM synd_staged_batch WHERE run_id = ? ORDER BY n", (run_id,)
        )
        for (blob,), stories in zip(batches, batch_sids, strict=True):
            taken = stories >= 0
            keys = np.frombuffer(blob, dtype="<u8").reshape(len(stories), -1)[taken].ravel()
            first = len(sids)
            sids.extend(stories[taken].tolist())
            bands = len(blob) // 8 // len(stories)
            places = np.repeat(np.arange(first, len(sids), dtype=np.uint64), bands)
            keep = keys >= np.uint64(lo)
            if hi is not None:
                keep &= keys < np.uint64(hi)
            found.append(((keys[keep] - np.uint64(lo)) << np.uint64(place_bits)) | places[keep])
        if not found:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        return np.concatenate(found), np.array(sids, dtype=np.int64)

    def fingerprint_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM synd_story").fetchone()[0]

    def reset_fingerprints(self) -> None:
        """Forget every fingerprint (after changing how they are made); ids stay seen."""
        self.flush()
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM synd_meta")
            self._db.execute("DELETE FROM synd_band")
            self._db.execute("DELETE FROM synd_band_segment")
            self._db.execute("DELETE FROM synd_story")
            self._db.execute("DELETE FROM synd_staged_band")
            self._db.execute("DELETE FROM synd_staged_story")
            self._db.execute("DELETE FROM synd_staged_batch")
        self._staged_runs.clear()
        self._segments.clear()

    def fold_bands(self) -> int:
        """Fold every segment into ``synd_band`` now, on this connection (after
        ``flush()``); returns the rows folded. A run's own store does it in the background
        (:meth:`fold_in_background`)."""
        self.flush()
        folded = 0
        while n := fold(self._db):
            folded += n
        self._segments.stale()
        return folded

    def fold_in_background(self) -> BandFolder | None:
        """Start folding the segments earlier runs left into ``synd_band`` in a thread
        (stopped by ``close()``); None if there are none."""
        if self.folder is not None:
            return self.folder
        if not self._db.execute("SELECT 1 FROM synd_band_segment LIMIT 1").fetchone():
            return None
        self.folder = BandFolder(self.path).start()
        return self.folder

    def _stop_folding(self) -> None:
        if self.folder is not None:
            self.folder.stop()

    def _discard_fingerprints(self, run_id: str) -> None:
        # Inside discard()'s transaction.
        self._staged_runs.pop(run_id, None)
        self._db.execute("DELETE FROM synd_staged_band WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_story WHERE run_id = ?", (run_id,))
        self._db.execute("DELETE FROM synd_staged_batch WHERE run_id = ?", (run_id,))
