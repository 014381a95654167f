"""Band key -> the stories under it, in about 8 bytes a key: the in-memory LSH index.

A run's staged fingerprints are found through it (``newscrawl.stores.sqlite_fingerprints``)
and so are its staged ids (one 64-bit hash a story).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np


def check_keys(keys: np.ndarray, key_bits: int) -> None:
    """Refuse (ValueError) keys (uint64) that are not all under 2**key_bits."""
    if len(keys) and int(keys.max()) >> key_bits:
        raise ValueError(f"band key {int(keys.max())} is not under 2**{key_bits}")


class BandIndex:
    """Band key -> ranks of the staged stories under it, in 8 bytes a key.

    The latest keys are held in a dict (a lookup is one set intersection in C); every
    ``RECENT`` keys they are merged into two sorted numpy arrays: each key's low 32 bits,
    and the rank of its story. A dict of every key of a run took about 80 bytes a key,
    2.5 KB a story; whole 64-bit keys, 12 bytes a key (63 MiB at the bench's 10x site, and
    as much again while a merge copied them).

    So a merged key answers for every key that shares its low 32 bits: :meth:`ranks_of`
    may give a rank too many, never one too few, and callers check what they find (the
    syndication pipeline compares signatures; the id index compares ids). Keys are hashes:
    with 5.2M keys a probe meets another story's key about once in 800 (the 10x site).

    The sorted keys are found through a directory of buckets by their top bits (about
    eight keys a bucket, under a byte a key): a probe reads its bucket's bounds, then
    bisects the bucket, a few places in memory. A binary search over the whole array read
    about twenty, most of them cache misses once it outgrew the cache. The probes are
    made in Python through memoryviews of the arrays, not as numpy operations: a story's
    32 probes took 19.7 µs as a dozen numpy calls (their per-call costs, not the memory)
    and 13.4 µs this way at 16k stories, 22.1 and 14.1 at 160k; a single probe (the id
    index's, twice a story) 18.6 and 2.8 µs. Keys are hashes, so buckets fill evenly; a
    key shared by many copies makes a bucket long, and is still found by the bisection.
    """

    RECENT = 1 << 16

    __slots__ = ("_shift", "_start", "_views", "key_bits", "keys", "ranks", "recent")

    def __init__(self, key_bits: int = 64) -> None:
        self.keys = np.empty(0, dtype=np.uint32)  # sorted: each key's low 32 bits
        self.ranks = np.empty(0, dtype=np.uint32)  # the rank of each key's story
        # One int when alone: nearly every key of real news has one story.
        self.recent: dict[int, int | list[int]] = {}
        self.key_bits = key_bits  # every key is under 2**key_bits
        self._shift = np.uint32(32)  # a key's bucket: stored part >> _shift
        self._start = np.zeros(2, dtype=np.uint32)  # bucket b: keys[_start[b]:_start[b+1]]
        # (keys, ranks, _start, shift) as memoryviews and an int, for the probes
        # (ranks_of); made again after each merge.
        self._views: tuple[memoryview, memoryview, memoryview, int] | None = None

    def add(self, keys: Sequence[int], rank: int) -> None:
        recent = self.recent
        if recent.keys() & keys:  # a key already met (a copy, or staged again): keep both
            for k in keys:
                hit = recent.get(k)
                if hit is None:
                    recent[k] = rank
                elif isinstance(hit, int):
                    if hit != rank:
                        recent[k] = [hit, rank]
                elif rank not in hit:
                    hit.append(rank)
        else:
            recent.update(dict.fromkeys(keys, rank))
        if len(recent) >= self.RECENT:
            self._merge()

    @staticmethod
    def _stored(keys: np.ndarray) -> np.ndarray:
        """The part of each key (uint64) the sorted array keeps: its low 32 bits."""
        return keys.astype(np.uint32)

    def _merge(self) -> None:
        keys: list[int] = []
        ranks: list[int] = []
        for k, hit in self.recent.items():
            if isinstance(hit, int):
                keys.append(k)
                ranks.append(hit)
            else:
                keys.extend([k] * len(hit))
                ranks.extend(hit)
        whole = np.array(keys, dtype=np.uint64)
        check_keys(whole, self.key_bits)
        new_keys = self._stored(whole)
        del whole
        order = np.argsort(new_keys, kind="stable")
        new_keys = new_keys[order]
        at = np.searchsorted(self.keys, new_keys, side="right")
        self.keys = np.insert(self.keys, at, new_keys)
        self.ranks = np.insert(self.ranks, at, np.array(ranks, dtype=np.uint32)[order])
        self.recent.clear()
        self._index_buckets(new_keys)
        self._views = (
            memoryview(self.keys),
            memoryview(self.ranks),
            memoryview(self._start),
            int(self._shift),
        )

    def _index_buckets(self, new_keys: np.ndarray) -> None:
        """The directory after a merge: the new keys counted into their buckets, or every
        key again when the number of buckets doubles (about eight keys a bucket)."""
        span = min(32, self.key_bits)  # the stored parts are under 2**span
        bits = min(span, max(1, (len(self.keys) // 8).bit_length()))
        shift = np.uint32(span - bits)
        if shift != self._shift:
            self._shift = shift
            self._start = np.zeros((1 << bits) + 1, dtype=np.uint32)
            new_keys = self.keys
        counts = np.bincount((new_keys >> shift).astype(np.intp), minlength=1 << bits)
        self._start[1:] += np.cumsum(counts, dtype=np.uint32)

    def ranks_of(self, keys: Sequence[int]) -> set[int]:
        """The ranks of the stories staged under any of *keys* (and, rarely, of stories
        under another key with the same low 32 bits: see the class)."""
        found: set[int] = set()
        recent = self.recent
        for k in recent.keys() & keys:
            hit = recent[k]
            if isinstance(hit, int):
                found.add(hit)
            else:
                found.update(hit)
        if self._views is not None:
            stored, ranks, start, shift = self._views
            bisect_left = bisect.bisect_left
            for key in keys:
                part = key & 0xFFFFFFFF  # the stored part (see _stored)
                bucket = part >> shift
                at, end = start[bucket], start[bucket + 1]
                if at == end:
                    continue
                at = bisect_left(stored, part, at, end)
                while at < end and stored[at] == part:
                    found.add(ranks[at])
                    at += 1
        return found
