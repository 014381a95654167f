"""Fingerprints held stories in a second process while the crawl goes on.

A story's fingerprint (``newscrawl.syndication``) depends on its text only, not on the run's
hashtag merge or on the release order, so it need not wait for the release: the spider's
collector hands each held story's text to :class:`FingerprintWorker` as cards arrive
(:meth:`FingerprintWorker.submit`, a batch at a time), a child process
(``python -m newscrawl.fingerprint_worker``) computes the fingerprints on the machine's
other core, and the syndication pipeline takes them at the release
(:meth:`FingerprintWorker.take`) instead of computing them there, about 110 µs a story
in the crawl.

A fingerprint is taken only for the text it was made from (a 128-bit digest of the title,
excerpt and body): a story whose text changed since (a story page read later), or that
the child has not answered for, or any story once the child is gone, is fingerprinted by
the pipeline as before. The result is the same either way; only where the work is done
differs. Answers wait on disk (a temporary file of fixed-size records), not in memory.

The answers also say which of the run's texts share a band key
(:meth:`FingerprintWorker.neighbours`): once every text is answered, the band keys of
all of them are sorted at once in numpy (``_group``), about 4–6 µs a story, where looking
each story up in a band index of the run as it is released cost about 30. The syndication
pipeline finds a story's candidates within the run among these.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, NamedTuple

import numpy as np
import xxhash

from newscrawl.childproc import exit_reason, reap, spawn
from newscrawl.stores import BAND_KEY_BITS
from newscrawl.syndication import Fingerprint, Fingerprinter, fingerprinter_for, story_words

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Where the syndication pipeline puts its worker on the crawler, for the spider to find.
WORKER_ATTRIBUTE = "fingerprint_worker"

#: (id, title, excerpt, body): what a story's fingerprint is made from.
Text = tuple[str, str | None, str | None, str | None]

#: How much lower the child's scheduling priority is than the crawl's (``os.nice``).
NICENESS = 10

_DIGEST = 16
_NO_WORDS = 0xFFFFFFFF  # the size of a text with no words (no fingerprint)
#: Band keys sorted at once by ``_group`` (8 bytes each, sorted in place): more are
#: sorted a range of keys at a time, each range read from the answers' file again.
_GROUP_PASS_KEYS = 1 << 20
_GROUP_READ_RECORDS = 8192  # records read from the file at once


class Taken(NamedTuple):
    """The child's answer for a story's current text (:meth:`FingerprintWorker.take`)."""

    fingerprint: Fingerprint | None  # None: the text has no words
    slot: int  # the answer's record number: what neighbours() takes
    packed_keys: bytes  # the band keys, 8 bytes each, little-endian (as the store packs them)


def fingerprint_worker(crawler: Crawler) -> FingerprintWorker | None:
    """The syndication pipeline's fingerprint worker, once the pipelines are open; None if
    there is none (syndication or the worker off)."""
    return getattr(crawler, WORKER_ATTRIBUTE, None)


def text_digest(title: str | None, excerpt: str | None, body: str | None) -> bytes:
    """What a fingerprint was made from, in 16 bytes: None and "" give the same words."""
    text = "\x1f".join((title or "", excerpt or "", body or ""))
    return xxhash.xxh3_128_digest(text.encode("utf-8", "surrogatepass"))


def record_size(fingerprinter: Fingerprinter) -> int:
    """Bytes of one answer: digest, shingle count, signature (a byte a permutation), keys."""
    return _DIGEST + 4 + fingerprinter.num_perm + 8 * fingerprinter.bands


def answers(fingerprinter: Fingerprinter, texts: Iterable[Text]) -> bytes:
    """The child's answer to a batch: one fixed-size record per text, in order (digest,
    shingle count or ``_NO_WORDS``, signature, band keys; zeros after ``_NO_WORDS``),
    the batch fingerprinted at once (:meth:`Fingerprinter.many`)."""
    texts = list(texts)
    sizes, values = fingerprinter.many([story_words(t, e, b) for _, t, e, b in texts])
    records = np.zeros(
        len(texts),
        dtype=[
            ("digest", f"S{_DIGEST}"),
            ("size", "<u4"),
            ("signature", "u1", (fingerprinter.num_perm,)),
            ("keys", "<u8", (fingerprinter.bands,)),
        ],
    )
    assert records.itemsize == record_size(fingerprinter)
    records["digest"] = [text_digest(t, e, b) for _, t, e, b in texts]
    has = sizes > 0
    records["size"] = np.where(has, sizes, _NO_WORDS)
    records["signature"][has] = values[has].astype(np.uint8)  # each value's low byte
    records["keys"][has] = fingerprinter.band_keys_many(values[has])
    return records.tobytes()


class FingerprintWorker:
    """The parent's side: sends texts to the child, keeps its answers, hands them out.

    Two threads talk to the child, so that the crawl never waits on a pipe: one sends the
    batches :meth:`submit` queues, one writes the answers to a temporary file (fixed-size
    records; only each story's record number stays in memory) as they come back.

    Stats (counted by the pipeline): ``newscrawl/syndication/fingerprinted_ahead`` (taken
    from here), ``…/fingerprinted_inline`` (computed at the release).
    """

    #: How long :meth:`take` waits for the child's answer to a story it was sent, seconds.
    WAIT_S = 30.0

    def __init__(self, fingerprinter: Fingerprinter) -> None:
        self.fingerprinter = fingerprinter
        self._record = record_size(fingerprinter)
        # Closed by close(); deleted by the OS when the process ends, however it ends.
        self._file = tempfile.TemporaryFile(prefix="newscrawl-fingerprints-")  # noqa: SIM115
        self._index: dict[str, int] = {}  # story id -> its record's number in the file
        self._records = 0
        self._ids: list[str] = []  # record number -> its story's id
        # Which records share a band key (see _group): each group's records, and the groups
        # of each record in one; made for the records answered by then (_grouped).
        self._groups: list[list[int]] = []
        self._group_of: dict[int, list[int]] = {}
        self._grouped = -1
        self.group_s = 0.0  # time spent grouping (_group), seconds
        self._outbox: queue.SimpleQueue[list[Text] | None] = queue.SimpleQueue()
        self._in_flight: collections.deque[list[str]] = collections.deque()  # sent ids
        self._sent = 0  # batches queued
        self._answered = 0  # batches answered
        self._changed = threading.Condition()
        self._ending = False  # end(): no more texts; the child exits once it has answered
        self._proc: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        self.failed: str | None = None  # why the child is gone, if it went before close()

    def start(self) -> None:
        """Start the child (it imports numpy: about 0.2 s, off the crawl's path)."""
        fp = self.fingerprinter
        self._proc = proc = spawn(
            __name__,
            fp.params,
            *(str(v) for v in (fp.num_perm, fp.bands, fp.shingle_size, fp.seed)),
        )
        for target, pipe, name in (
            (self._send, proc.stdin, "fingerprint-texts"),
            (self._read, proc.stdout, "fingerprint-answers"),
        ):
            thread = threading.Thread(target=target, args=(pipe,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, texts: list[Text]) -> None:
        """Have the child fingerprint *texts* (a batch); returns at once."""
        if texts and self._proc is not None and self.failed is None and not self._ending:
            with self._changed:
                self._sent += 1
            self._outbox.put(texts)

    def take(
        self, story_id: str, title: str | None, excerpt: str | None, body: str | None
    ) -> Taken | None:
        """What the child made of this text (its fingerprint, None if it has no words), or
        None if there is nothing: never sent, text changed since, or child gone."""
        found = self.current(story_id, title, excerpt, body)
        if found is None:
            return None
        n, size = found
        if size is None:
            return Taken(None, n, b"")
        record = os.pread(self._file.fileno(), self._record, n * self._record)
        at = _DIGEST + 4 + self.fingerprinter.num_perm
        packed = record[at:]
        keys = tuple(np.frombuffer(packed, dtype="<u8").tolist())
        return Taken(Fingerprint(record[_DIGEST + 4 : at], keys, size), n, packed)

    def current(
        self, story_id: str, title: str | None, excerpt: str | None, body: str | None
    ) -> tuple[int, int | None] | None:
        """The slot of the child's answer for this text and its shingle count (None: no
        words), without reading the fingerprint; None as :meth:`take` says."""
        if self._answered < self._sent:  # a later batch may hold this story's latest text
            self._wait()
        n = self._index.get(story_id)
        if n is None:
            return None
        head = os.pread(self._file.fileno(), _DIGEST + 4, n * self._record)
        if head[:_DIGEST] != text_digest(title, excerpt, body):
            return None
        size = int.from_bytes(head[_DIGEST:], "little")
        return n, (None if size == _NO_WORDS else size)

    def alone(self, slot: int) -> bool:
        """True if no other story's latest text shares a band key with *slot*'s (no
        :meth:`neighbours`)."""
        if self._grouped != self._records:
            self._group()
        return slot not in self._group_of

    def records(self, slots: list[int]) -> tuple[bytes, np.ndarray]:
        """The signatures (concatenated, ``num_perm`` bytes each) and band keys (a row of
        uint64 each) in the records *slots*, in that order: each with words."""
        fd, size = self._file.fileno(), self._record
        rows = np.frombuffer(b"".join(os.pread(fd, size, n * size) for n in slots), np.uint8)
        rows = rows.reshape(len(slots), size)
        at = _DIGEST + 4 + self.fingerprinter.num_perm
        return rows[:, _DIGEST + 4 : at].tobytes(), rows[:, at:].copy().view("<u8")

    def neighbours(self, slot: int) -> set[int]:
        """The records (slots) whose texts share a band key with *slot*'s, among every
        story's latest text answered: all of them, whatever order they came in."""
        if self._grouped != self._records:
            self._group()
        found: set[int] = set()
        for g in self._group_of.get(slot, ()):
            found.update(self._groups[g])
        found.discard(slot)
        return found

    def story_at(self, slot: int) -> str:
        """The id of the story whose text record *slot* is."""
        return self._ids[slot]

    def signature_at(self, slot: int) -> bytes:
        """The signature in record *slot*."""
        at = slot * self._record + _DIGEST + 4
        return os.pread(self._file.fileno(), self.fingerprinter.num_perm, at)

    def end(self) -> None:
        """No more texts (the release has begun): the child's input is ended after the
        batches queued, and it exits once it has answered them; the answers stay here for
        the release, and :meth:`close` then finds the child gone (it waited 116 ms for it
        at the bench's close). A text submitted after this is fingerprinted inline."""
        with self._changed:
            if self._proc is None or self._ending:
                return
            self._ending = True
        self._outbox.put(None)  # the sender closes the child's input

    def close(self) -> None:
        """Stop the child (end of its input, then its PID if it does not go) and drop the
        answers."""
        self.end()
        proc, self._proc = self._proc, None
        if proc is not None:
            reap(proc, 5)
            for thread in self._threads:
                thread.join(timeout=5)
        self._index.clear()
        self._ids.clear()
        self._groups.clear()
        self._group_of.clear()
        self._file.close()

    # -- internals ---------------------------------------------------------------------

    def _group(self) -> None:
        """Group the records that share a band key, among every story's latest text with
        words: first the keys that occur more than once, found by sorting the keys a range
        at a time (about ``_GROUP_PASS_KEYS`` each, as keys are hashes, so a run of 160k
        stories never holds its 5M keys at once), then one more read of the records finds
        those keys' records."""
        started = time.perf_counter()
        # The latest slots first, then the count: the reader thread counts a batch's
        # records before it indexes them, so every slot read is under the count.
        slots = np.fromiter(self._index.values(), dtype=np.int64)
        records = self._records
        latest = np.zeros(records, dtype=bool)
        latest[slots] = True
        del slots
        passes = max(1, -(-(records * self.fingerprinter.bands) // _GROUP_PASS_KEYS))
        step = (1 << BAND_KEY_BITS) // passes
        repeated = []
        for p in range(passes):
            lo, hi = p * step, (None if p == passes - 1 else (p + 1) * step)
            keys = np.concatenate(
                [_in_range(keys, lo, hi) for keys, _ in self._latest_keys(latest)]
                or [np.empty(0, np.uint64)]
            )
            keys.sort()
            repeated.append(np.unique(keys[1:][keys[1:] == keys[:-1]]))
            del keys
        shared = np.concatenate(repeated)  # sorted: the passes' ranges are in order
        groups: dict[int, list[int]] = {}
        if len(shared):
            for keys, slots in self._latest_keys(latest):
                at = np.searchsorted(shared, keys).clip(max=len(shared) - 1)
                rows, cols = np.nonzero(shared[at] == keys)
                for slot, key in zip(slots[rows].tolist(), keys[rows, cols].tolist(), strict=True):
                    groups.setdefault(key, []).append(slot)
        self._groups, self._group_of = [], {}
        for members in groups.values():
            members = sorted(set(members))
            if len(members) < 2:  # two bands of one record with one key: no pair
                continue
            g = len(self._groups)
            self._groups.append(members)
            for m in members:
                self._group_of.setdefault(m, []).append(g)
        self._grouped = records
        self.group_s += time.perf_counter() - started

    def _latest_keys(self, latest: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The band keys of the records *latest* marks that have words (a row of keys a
        record), with their record numbers, ``_GROUP_READ_RECORDS`` records at a time."""
        fd, size = self._file.fileno(), self._record
        at = _DIGEST + 4 + self.fingerprinter.num_perm
        for first in range(0, len(latest), _GROUP_READ_RECORDS):
            count = min(_GROUP_READ_RECORDS, len(latest) - first)
            rows = np.frombuffer(os.pread(fd, count * size, first * size), dtype=np.uint8)
            rows = rows.reshape(count, size)
            words = rows[:, _DIGEST : _DIGEST + 4].copy().view("<u4")[:, 0] != _NO_WORDS
            keep = latest[first : first + count] & words
            yield rows[keep, at:].copy().view("<u8"), np.flatnonzero(keep) + first

    def _wait(self) -> None:
        """Wait until every batch queued is answered, or the child is gone."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: self._answered >= self._sent or self.failed is not None, self.WAIT_S
            )
            if not done:
                self._fail_locked(f"no answer in {self.WAIT_S:.0f} s")

    def _send(self, inp: IO[bytes]) -> None:
        """The sender thread: each queued batch to the child, its ids kept in order."""
        try:
            while (texts := self._outbox.get()) is not None:
                with self._changed:
                    self._in_flight.append([t[0] for t in texts])
                pickle.dump(texts, inp, protocol=pickle.HIGHEST_PROTOCOL)
                inp.flush()
        except OSError as exc:  # BrokenPipeError: the child is gone
            self._fail(f"could not send it stories: {exc}")
        finally:
            with contextlib.suppress(OSError):  # gone first: nothing left to tell it
                inp.close()

    def _read(self, out: IO[bytes]) -> None:
        """The reader thread: each batch's answers to the file, then their ids indexed."""
        try:
            while True:
                blob = pickle.load(out)
                with self._changed:
                    ids = self._in_flight.popleft()
                if len(blob) != len(ids) * self._record:
                    raise ValueError(f"{len(blob)} bytes for {len(ids)} stories")
                self._file.write(blob)
                self._file.flush()
                first, self._records = self._records, self._records + len(ids)
                self._ids += ids
                for i, story_id in enumerate(ids, first):
                    self._index[story_id] = i  # a story sent again: its latest text wins
                with self._changed:
                    self._answered += 1
                    self._changed.notify_all()
        except EOFError:
            proc = self._proc
            with self._changed:  # ended by us with every batch answered: it exited as told
                told = self._ending and self._answered >= self._sent
            if proc is not None and not told:  # not closed by us: the child died
                self._fail(exit_reason(proc) or "it closed its output")
        except (OSError, ValueError, IndexError, pickle.UnpicklingError) as exc:
            self._fail(f"its answers could not be read: {exc}")

    def _fail(self, why: str) -> None:
        with self._changed:
            self._fail_locked(why)

    def _fail_locked(self, why: str) -> None:
        if self.failed is None:
            self.failed = why
            logger.error(
                "fingerprint worker: %s; the pipeline fingerprints the remaining stories", why
            )
        self._changed.notify_all()


def _in_range(keys: np.ndarray, lo: int, hi: int | None) -> np.ndarray:
    """The keys (any shape) in [lo, hi), flat; hi None: no upper bound."""
    if not lo and hi is None:
        return keys.ravel()
    inside = keys >= np.uint64(lo)
    if hi is not None:
        inside &= keys < np.uint64(hi)
    return keys[inside]


def serve(fingerprinter: Fingerprinter, inp: IO[bytes], out: IO[bytes]) -> int:
    """The child's loop: a batch of texts in, their answers out, until its input ends."""
    while True:
        try:
            texts: Iterable[Text] = pickle.load(inp)
        except EOFError:
            return 0
        pickle.dump(answers(fingerprinter, texts), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def main(argv: list[str]) -> int:
    """``python -m newscrawl.fingerprint_worker PARAMS NUM_PERM BANDS SHINGLE_SIZE SEED``:
    fingerprints made as *PARAMS* (the parent's ``Fingerprinter.params``) say, or none."""
    params, *numbers = argv
    num_perm, bands, shingle_size, seed = (int(v) for v in numbers)
    wanted = Fingerprinter(num_perm=num_perm, bands=bands, shingle_size=shingle_size, seed=seed)
    fingerprinter = fingerprinter_for(params, wanted)
    if fingerprinter is None:  # another version of this code than the parent's
        print(f"fingerprint worker: no method here makes {params!r}", file=sys.stderr)
        return 2
    # Below the crawl and the listing worker, which share the machine's cores with it: it
    # only has to be done by the release, and the main process waits for it there (it then
    # has a core). Crawl phase 3.34 -> 3.12 s, b/a 0.679 -> 0.697 (3 alternated rounds).
    os.nice(NICENESS)
    return serve(fingerprinter, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
