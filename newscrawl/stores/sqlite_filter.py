"""A Bloom filter of every id the seen-store has made seen, so a new id needs no query.

Most ids a crawl looks up are new, and each lookup was a query of both levels' B-trees
(about 4 µs in an empty store, 6 to 7 at a million ids: more levels and larger pages to
search, less of them in the CPU's caches; ``make bench``). The filter answers "certainly
not seen" from memory for nearly every new id, whatever the size, and no query is made.
A "maybe" (a known id, or a few new ids in a hundred) is looked up as before. A Bloom
filter has no false negatives: an id it rules out was never made seen.

Blocked (Putze, Sanders and Singler, 2007): each id sets three bits of one 64-bit word,
so a probe reads one word. The word is picked by the top bits of a multiply-shift hash of
the id's two halves, the three bits by the top bits of that hash multiplied again. Sized
at 10 bits per id of capacity (twice the seen ids when built, rounded up to a power of
two words: 2 MiB at a million ids), it let 0.2% of random new ids through just built
and 2.3% once at capacity (measured on 100,000 ids against 600,000 and then 1,677,721
stored), and is rebuilt twice as large then. An id let through costs one lookup of
both levels, as every lookup did before: more bits would buy little and cost memory.

The filter is saved in the store (``seen_filter``) by every ``promote()`` that makes ids
seen, in its transaction, with the number of seen ids it covers (the promoted run's ids
are added from memory when this connection staged them, else read back). It is used
only while that number is the store's (``seen_level``): a writer that does not keep it up
to date (an older version of the store) turns it off, never makes it wrong; the next
promote builds it again from both levels. And it is used only inside the connection's
own write transaction, checked against the file when that begins: no other connection
can make an id seen while it lasts. Saving it writes the whole filter (2 MiB at a
million ids) once per run.
"""

from __future__ import annotations

import math
import sqlite3
import sys
from array import array

import numpy as np

_MASK = (1 << 64) - 1
# Odd 64-bit multipliers (fixed: a saved filter must hash as it was built).
_M1 = 0x9E3779B97F4A7C15
_M2 = 0xC2B2AE3D27D4EB4F
_M3 = 0x165667B19E3779F9
BITS_PER_ID = 10
_MIN_WORDS = 1024
# 16 MiB at most, so the store's memory stays bounded whatever its size: about 13 million
# ids at 10 bits each. Past that the filter is not rebuilt; it lets more new ids through to
# the B-tree (a fifth of them at three times that), never a known one.
MAX_WORDS = 1 << 21
# Keys read per slice when building: about 1 MB of rows in Python at a time.
CHUNK = 8192

FILTER_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_filter (
    name TEXT PRIMARY KEY,      -- 'main': the one filter
    ids INTEGER NOT NULL,       -- seen ids it covers (seen_level's total when written)
    version INTEGER NOT NULL,   -- bumped at each write: a connection reloads when it changed
    words BLOB NOT NULL         -- the filter, 64-bit words, little-endian
)
"""


class SeenFilter:
    """The blocked Bloom filter over ``(k, lo)`` keys: probed one id at a time in Python,
    filled many at a time in numpy (both over the same words)."""

    __slots__ = ("_shift", "_view", "version", "words")

    def __init__(self, words: array, version: int = 0) -> None:
        n = len(words)
        if n < 1 or n & (n - 1):
            raise ValueError(f"a filter has a power of two of words, not {n}")
        self.words = words
        self._view = np.frombuffer(words, dtype=np.uint64)  # shares the memory
        self._shift = 64 - (n.bit_length() - 1)  # the top bits pick the word
        self.version = version

    @classmethod
    def sized_for(cls, ids: int) -> SeenFilter:
        """An empty filter with room for twice *ids* ids."""
        want = max(_MIN_WORDS, math.ceil(2 * ids * BITS_PER_ID / 64))
        words = min(MAX_WORDS, 1 << (want - 1).bit_length())
        return cls(array("Q", bytes(8 * words)))

    @property
    def full(self) -> int:
        """Ids it holds before it should be rebuilt larger (never, at the largest size)."""
        if len(self.words) >= MAX_WORDS:
            return sys.maxsize
        return len(self.words) * 64 // BITS_PER_ID

    def may_contain(self, k: int, lo: int) -> bool:
        x = (k * _M1 + lo * _M2) & _MASK
        y = x * _M3  # bits 46-63 of it are those of the product mod 2**64
        mask = (1 << ((y >> 58) & 63)) | (1 << ((y >> 52) & 63)) | (1 << ((y >> 46) & 63))
        return self.words[x >> self._shift] & mask == mask

    def add_many(self, k: np.ndarray, lo: np.ndarray) -> None:
        """Add ids given as the store's two signed 64-bit halves (equal-length arrays)."""
        # uint64 array arithmetic wraps (mod 2**64), as may_contain's masks do.
        x = k.astype(np.int64).view(np.uint64) * np.uint64(_M1)
        x += lo.astype(np.int64).view(np.uint64) * np.uint64(_M2)
        y = x * np.uint64(_M3)
        one, six = np.uint64(1), np.uint64(63)
        mask = one << (y >> np.uint64(58))
        mask |= one << ((y >> np.uint64(52)) & six)
        mask |= one << ((y >> np.uint64(46)) & six)
        np.bitwise_or.at(self._view, (x >> np.uint64(self._shift)).astype(np.intp), mask)


def keys_of(rows: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """``(k, lo)`` rows as two int64 arrays."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    both = np.array(rows, dtype=np.int64)
    return both[:, 0], both[:, 1]


def load(db: sqlite3.Connection) -> tuple[int, int] | None:
    """The saved filter's ``(ids, version)``, or None if there is none."""
    row = db.execute("SELECT ids, version FROM seen_filter WHERE name = 'main'").fetchone()
    return None if row is None else (row[0], row[1])


def read(db: sqlite3.Connection, version: int) -> SeenFilter:
    (blob,) = db.execute("SELECT words FROM seen_filter WHERE name = 'main'").fetchone()
    words = array("Q")
    words.frombytes(blob)
    if sys.byteorder == "big":
        words.byteswap()
    return SeenFilter(words, version)


def save(db: sqlite3.Connection, flt: SeenFilter, ids: int) -> None:
    """Write *flt* as covering *ids* seen ids (in the caller's transaction).

    Written into the row's blob in place (``blobopen``) when it has the size already: a
    bound parameter would be copied whole by SQLite first, a transient as large as the
    filter at each promote.
    """
    flt.version += 1
    if sys.byteorder == "big":
        words = array("Q", flt.words)
        words.byteswap()
        data = memoryview(words).cast("B")
    else:
        data = memoryview(flt.words).cast("B")
    row = db.execute("SELECT rowid, length(words) FROM seen_filter WHERE name = 'main'").fetchone()
    if row is None or row[1] != len(data):
        rowid = db.execute(
            "INSERT OR REPLACE INTO seen_filter (name, ids, version, words)"
            " VALUES ('main', ?, ?, zeroblob(?))",
            (ids, flt.version, len(data)),
        ).lastrowid
    else:
        rowid = row[0]
        db.execute(
            "UPDATE seen_filter SET ids = ?, version = ? WHERE rowid = ?",
            (ids, flt.version, rowid),
        )
    with db.blobopen("seen_filter", "words", rowid) as blob:
        blob.write(data)


def build(db: sqlite3.Connection, ids: int, version: int) -> SeenFilter:
    """A filter of every seen id now in the store (*ids* of them), both levels."""
    flt = SeenFilter.sized_for(ids)
    flt.version = version
    cur = db.execute(
        "SELECT k, lo FROM seen_main UNION ALL SELECT r.k, r.lo FROM seen_recent AS r"
        " CROSS JOIN seen_run AS u ON u.run = r.run WHERE u.state = 1"
    )
    while rows := cur.fetchmany(CHUNK):
        flt.add_many(*keys_of(rows))
    return flt
