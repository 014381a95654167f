"""Syndicated copies: marks (or drops) a story that is a copy of one exported before.

Daily8 republishes wire stories under a new id per publisher. Each exported story is
fingerprinted (``newscrawl.syndication``: MinHash over word shingles of its title, excerpt
and body) and looked up in the seen-store's LSH band tables; a story whose estimated
Jaccard similarity with an earlier one reaches the threshold gets ``duplicate_of`` = that
group's original. Fingerprints are staged with the run and promoted with its ids, so later
runs see them only once this run's export is complete. Method and figures:
docs/SYNDICATION.md.

With the fingerprint worker (``newscrawl.fingerprint_worker``) and the SQLite seen-store,
a story's candidates within the run come from the worker: its answers hold every held
story's band keys, and at the release it groups the stories that share one (one sort of
all the keys). The run's own band index is then not kept by the store
(``SQLiteSeenStore.leave_run_index``); earlier runs' candidates still come from it. The
first story the worker has no answer for (its text changed and was not sent again, or the
worker is gone) puts the run back on the store's index, built then from every fingerprint
staged so far: the decisions are the same either way.

In a first crawl (no earlier run's fingerprint stored) most stories share no band key with
any other of the run: the worker's groups say so, such a story can only be an original, and
it is decided without a lookup and staged with the next few hundred such stories in one
write, their fingerprints read from the worker's answers at once. Any other story first
stages the batch, so that it sees every story staged before it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NamedTuple

from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.extensions.seenstore import seen_store
from newscrawl.fingerprint_worker import WORKER_ATTRIBUTE, FingerprintWorker, Taken
from newscrawl.items import Fields, item_fields
from newscrawl.stores import StoredFingerprint
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import (
    Fingerprint,
    Fingerprinter,
    agreements,
    fingerprinter_for,
    similarity,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawl.stores import SeenStore

logger = logging.getLogger(__name__)

#: Stories decided ahead (:meth:`SyndicationPipeline._decided_ahead`) staged at once.
AHEAD_BATCH = 512

#: Candidates read per lookup, from earlier runs and from this run each: a story
#: republished a thousand times costs no more to look up than one republished fifty times.
MAX_CANDIDATES = 50


class _Match(NamedTuple):
    """The candidate a story is most similar to."""

    agree: int  # signature bytes in common
    id: str
    original: str | None  # its group's original, None when it is one
    staged: bool  # staged by this run (not an earlier run's)


class SyndicationPipeline:
    """Sets ``duplicate_of`` on copies of an earlier story, or drops them (``drop=True``).

    The original of a group is its first story exported: within a run the spider sends
    stories earliest first; across runs an exported original stays the original.

    Stats: ``newscrawl/syndication/copies`` (copies found, marked or dropped),
    ``…/copies/of_earlier_run``, ``…/originals`` (fingerprinted, no earlier copy),
    ``…/too_short`` (too few words to compare: never grouped), ``…/candidates`` (stories
    compared), ``newscrawl/drop/syndicated_copy`` (copies dropped),
    ``…/fingerprinted_ahead`` (fingerprints made by the worker during the crawl,
    ``newscrawl.fingerprint_worker``), ``…/fingerprinted_inline`` (made here),
    ``…/paired_ahead`` (stories whose candidates within the run the worker found),
    ``…/alone_ahead`` (of these, originals decided without a lookup: no other story of a
    first crawl shares a band key with them; staged in batches),
    ``…/group_ms`` (the worker's grouping of the run's band keys, at the release).
    """

    def __init__(
        self,
        stats: StatsCollector,
        fingerprinter: Fingerprinter,
        *,
        run_id: str,
        threshold: float,
        min_shingles: int,
        drop: bool = False,
        store: SeenStore | None = None,
        worker: bool = False,
    ) -> None:
        self.stats = stats
        self.fingerprinter = fingerprinter
        self.run_id = run_id
        self.threshold = threshold
        self.min_shingles = min_shingles
        self.drop = drop
        self.store = store
        self.use_worker = worker
        self.worker: FingerprintWorker | None = None
        self._crawler: Crawler | None = None
        self._own_store: SQLiteSeenStore | None = None
        # The store, while the worker's groups give the run's own candidates (see the
        # module): it says where each of them was staged, and as a copy of what.
        self._paired: SQLiteSeenStore | None = None
        # Stories decided ahead and not yet staged: id -> (shingle count, worker's slot),
        # in release order; and the stats they count, added when they are staged.
        self._ahead: dict[str, tuple[int, int]] = {}
        self._ahead_counts: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SyndicationPipeline:
        s = crawler.settings
        if not s.getbool("NEWSCRAWL_SYNDICATION_ENABLED"):
            raise NotConfigured("NEWSCRAWL_SYNDICATION_ENABLED is off")
        threshold = s.getfloat("NEWSCRAWL_SYNDICATION_THRESHOLD")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"NEWSCRAWL_SYNDICATION_THRESHOLD must be in (0, 1], not {threshold}")
        fingerprinter = Fingerprinter(
            num_perm=s.getint("NEWSCRAWL_SYNDICATION_NUM_PERM"),
            bands=s.getint("NEWSCRAWL_SYNDICATION_BANDS"),
            shingle_size=s.getint("NEWSCRAWL_SYNDICATION_SHINGLE_SIZE"),
        )
        pipe = cls(
            crawler.stats,
            fingerprinter,
            run_id=s.get("NEWSCRAWL_RUN_ID"),
            threshold=threshold,
            min_shingles=s.getint("NEWSCRAWL_SYNDICATION_MIN_SHINGLES"),
            drop=s.getbool("NEWSCRAWL_SYNDICATION_DROP"),
            worker=s.getbool("NEWSCRAWL_SYNDICATION_WORKER"),
        )
        pipe._crawler = crawler
        return pipe

    def open_spider(self) -> None:
        if self.store is None:
            self.store = self._shared_store()
        recorded = self.store.bind_fingerprints(self.fingerprinter.params)
        older = fingerprinter_for(recorded, self.fingerprinter)
        if older is not None and older.method != self.fingerprinter.method:
            # The store's fingerprints come from an earlier method: new stories are made the
            # same way, so that they can be compared with them (never a mix of the two).
            logger.warning(
                "the seen-store's fingerprints were made by method %s (%s): copies are "
                "found with it. Method %s is faster; to move to it, reset the fingerprints "
                "(docs/SYNDICATION.md, 'Changing the method')",
                older.method,
                recorded,
                self.fingerprinter.method,
            )
            self.fingerprinter = older
        elif recorded != self.fingerprinter.params:
            raise ValueError(
                "the seen-store's fingerprints were made with "
                f"{recorded!r}, the settings now give {self.fingerprinter.params!r}: set "
                "NEWSCRAWL_SYNDICATION_NUM_PERM/_BANDS/_SHINGLE_SIZE back, or reset the "
                "fingerprints (docs/SYNDICATION.md, 'Changing the method')"
            )
        if self.use_worker:
            # Started once the method is settled: the child fingerprints as this one would.
            self.worker = FingerprintWorker(self.fingerprinter)
            self.worker.start()
            if self._crawler is not None:
                setattr(self._crawler, WORKER_ATTRIBUTE, self.worker)
            # A shared store (Redis) keeps its index: other workers stage into it too.
            if isinstance(self.store, SQLiteSeenStore) and self.store.leave_run_index(self.run_id):
                self._paired = self.store

    def _shared_store(self) -> SeenStore:
        # The crawler's seen-store, not a second connection to its file: a write
        # transaction stays open across the run's stories, which would lock a second writer
        # out, and sharing it means ids and fingerprints are staged and promoted together.
        store = seen_store(self._crawler) if self._crawler is not None else None
        if store is not None:
            return store
        # No seen-store (exports off): copies are still found within the run.
        logger.info(
            "no seen-store (exports off): syndicated copies are grouped within this run only"
        )
        self._own_store = SQLiteSeenStore(":memory:")
        return self._own_store

    def process_item(self, item: Any) -> Any:
        a = item_fields(item)
        original = self._original(a)
        a["duplicate_of"] = original
        if original is None:
            return item
        self.stats.inc_value("newscrawl/syndication/copies")
        if self.drop:
            self.stats.inc_value("newscrawl/drop/syndicated_copy")
            raise DropItem(f"story {a['id']} is a syndicated copy of {original}", log_level="DEBUG")
        return item

    def _original(self, a: Fields) -> str | None:
        """The id of the original this story is a copy of, or None; stages its fingerprint."""
        store = self.store
        assert store is not None, "open_spider() first"
        story_id = a["id"]
        if story_id not in self._ahead and self._decided_ahead(story_id, a):
            return None
        self._stage_ahead()  # what follows looks up what the run has staged
        known = store.fingerprint_of(self.run_id, story_id)
        if known is not None:  # exported again (refresh=1): it keeps its group
            return known.original
        taken = self._fingerprint(story_id, a.get("title"), a.get("excerpt"), a.get("body"))
        fp = taken.fingerprint
        if fp is None or fp.size < self.min_shingles:
            self.stats.inc_value("newscrawl/syndication/too_short")
            return None
        slot = taken.slot
        if self._paired is not None and slot < 0:
            self._unpair(story_id)
        # Earlier runs' candidates (and, unpaired, the run's own) from the store, then the
        # run's own from the worker's groups: the first most similar of all wins, as if
        # they were one list in that order.
        candidates = store.similar(self.run_id, fp.keys, MAX_CANDIDATES)
        best: _Match | None = None
        if candidates:
            agree = agreements(fp.signature, [c.signature for c in candidates])
            i = int(agree.argmax())
            c = candidates[i]
            best = _Match(int(agree[i]), c.id, c.original, c.staged)
        n_candidates = len(candidates)
        if self._paired is not None:
            self.stats.inc_value("newscrawl/syndication/paired_ahead")
            paired, n = self._paired_best(self._paired, fp, slot)
            n_candidates += n
            if paired is not None and (best is None or paired.agree > best.agree):
                best = paired
        self.stats.inc_value("newscrawl/syndication/candidates", n_candidates)
        if best is not None and similarity(best.agree, len(fp.signature)) < self.threshold:
            best = None
        original = None
        if best is not None:
            original = best.original or best.id
            first_staged = best.staged
            if best.original is not None:
                first = store.fingerprint_of(self.run_id, original)
                first_staged = first is None or first.staged
            if not first_staged:
                self.stats.inc_value("newscrawl/syndication/copies/of_earlier_run")
            logger.debug(
                "%s is a copy of %s (via %s, similarity %.2f)",
                story_id,
                original,
                best.id,
                similarity(best.agree, len(fp.signature)),
            )
        else:
            self.stats.inc_value("newscrawl/syndication/originals")
        stored = StoredFingerprint(story_id, original, fp.size, fp.signature)
        if self._paired is not None:  # the SQLite store takes the keys packed as they came
            self._paired.stage_fingerprint(self.run_id, stored, fp.keys, taken.packed_keys)
        else:
            store.stage_fingerprint(self.run_id, stored, fp.keys)
        return original

    def _decided_ahead(self, story_id: str, a: Fields) -> bool:
        """Decide the story without a lookup if it can only be an original (or too short):
        the worker's groups show that no other story of the run shares a band key with it,
        and no earlier run's fingerprint is stored (a first crawl). It is staged with the
        next batch of such stories, in one write (:meth:`_stage_ahead`). False: decide it
        the usual way."""
        paired, worker = self._paired, self.worker
        if paired is None or worker is None or not paired.nothing_stored():
            return False
        if paired.fingerprint_of(self.run_id, story_id) is not None:  # exported again
            return False
        found = worker.current(story_id, a.get("title"), a.get("excerpt"), a.get("body"))
        if found is None:
            return False
        slot, size = found
        counts = self._ahead_counts
        if size is None or size < self.min_shingles:
            for name in ("fingerprinted_ahead", "too_short"):
                counts[name] = counts.get(name, 0) + 1
            return True
        if not worker.alone(slot):
            return False
        for name in ("fingerprinted_ahead", "paired_ahead", "originals", "alone_ahead"):
            counts[name] = counts.get(name, 0) + 1
        self._ahead[story_id] = (size, slot)
        if len(self._ahead) >= AHEAD_BATCH:
            self._stage_ahead()
        return True

    def _stage_ahead(self) -> None:
        """Stage the stories decided ahead, their fingerprints read from the worker's
        answers at once, and count them."""
        if self._ahead:
            assert self._paired is not None and self.worker is not None
            ahead, self._ahead = self._ahead, {}
            stories = list(ahead)
            signatures, keys = self.worker.records([slot for _, slot in ahead.values()])
            sizes = [size for size, _ in ahead.values()]
            self._paired.stage_originals(self.run_id, stories, sizes, signatures, keys)
        for name, n in self._ahead_counts.items():
            self.stats.inc_value(f"newscrawl/syndication/{name}", n)
        self._ahead_counts.clear()

    def _paired_best(
        self, store: SQLiteSeenStore, fp: Fingerprint, slot: int
    ) -> tuple[_Match | None, int]:
        """The run's own candidate most similar to *fp* (the story of *slot*), from the
        worker's records sharing a band key with it: the first most similar among the
        ``MAX_CANDIDATES`` staged earliest, as the store's index gives them; and how many
        candidates there were."""
        worker = self.worker
        assert worker is not None
        staged = []  # (place in the staging order, original, id, slot)
        for other in worker.neighbours(slot):
            story = worker.story_at(other)
            place = store.staged_place(self.run_id, story)
            if place is not None:
                staged.append((*place, story, other))
        staged = sorted(staged)[:MAX_CANDIDATES]
        if not staged:
            return None, 0
        agree = agreements(fp.signature, [worker.signature_at(c[3]) for c in staged])
        i = int(agree.argmax())
        _, original, story, _ = staged[i]
        return _Match(int(agree[i]), story, original, True), len(staged)

    def _unpair(self, story_id: str) -> None:
        """Back to the store's index for the rest of the run (see the module)."""
        assert self._paired is not None
        self._paired.index_run(self.run_id)
        self._paired = None
        why = self.worker.failed if self.worker is not None else None
        logger.info(
            "the fingerprint worker has no answer for story %s (%s): the run's copies are "
            "looked up in this process from here on",
            story_id,
            why or "its text changed since it was sent",
        )

    def _fingerprint(
        self, story_id: str, title: str | None, excerpt: str | None, body: str | None
    ) -> Taken:
        """The worker's fingerprint of this text if it made one, else one made here (slot -1,
        no packed keys)."""
        if self.worker is not None:
            taken = self.worker.take(story_id, title, excerpt, body)
            if taken is not None:
                self.stats.inc_value("newscrawl/syndication/fingerprinted_ahead")
                return taken
        self.stats.inc_value("newscrawl/syndication/fingerprinted_inline")
        return Taken(self.fingerprinter.fingerprint(title, excerpt, body), -1, b"")

    def close_spider(self) -> None:
        self._stage_ahead()  # read from the worker's answers: before it is closed
        if self.worker is not None and self.worker.group_s:
            ms = round(self.worker.group_s * 1000, 1)
            self.stats.set_value("newscrawl/syndication/group_ms", ms)
        if self.worker is not None:
            self.worker.close()
            self.worker = None
            if self._crawler is not None:
                setattr(self._crawler, WORKER_ATTRIBUTE, None)
        # The shared store is the service's to flush and close; only a private one is ours.
        if self._own_store is not None:
            self._own_store.close()
            self._own_store = None
