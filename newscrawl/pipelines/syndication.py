"""Syndicated copies: marks (or drops) a story that is a copy of one exported before.

Daily8 republishes wire stories under a new id per publisher. Each exported story is
fingerprinted (``newscrawl.syndication``: MinHash over word shingles of its title, excerpt
and body) and looked up in the seen-store's LSH band tables; a story whose estimated
Jaccard similarity with an earlier one reaches the threshold gets ``duplicate_of`` = that
group's original. Fingerprints are staged with the run and promoted with its ids, so later
runs see them only once this run's export is complete. Method and figures:
docs/SYNDICATION.md.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.extensions.seenstore import seen_store
from newscrawl.fingerprint_worker import WORKER_ATTRIBUTE, FingerprintWorker
from newscrawl.items import Fields, item_fields
from newscrawl.stores import StoredFingerprint
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import Fingerprint, Fingerprinter, fingerprinter_for, most_similar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from newscrawl.stores import SeenStore

logger = logging.getLogger(__name__)

#: Candidates read per lookup, from earlier runs and from this run each: a story
#: republished a thousand times costs no more to look up than one republished fifty times.
MAX_CANDIDATES = 50


class SyndicationPipeline:
    """Sets ``duplicate_of`` on copies of an earlier story, or drops them (``drop=True``).

    The original of a group is its first story exported: within a run the spider sends
    stories earliest first; across runs an exported original stays the original.

    Stats: ``newscrawl/syndication/copies`` (copies found, marked or dropped),
    ``…/copies/of_earlier_run``, ``…/originals`` (fingerprinted, no earlier copy),
    ``…/too_short`` (too few words to compare: never grouped), ``…/candidates`` (stories
    compared), ``newscrawl/drop/syndicated_copy`` (copies dropped),
    ``…/fingerprinted_ahead`` (fingerprints made by the worker during the crawl,
    ``newscrawl.fingerprint_worker``), ``…/fingerprinted_inline`` (made here).
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
        known = store.fingerprint_of(self.run_id, story_id)
        if known is not None:  # exported again (refresh=1): it keeps its group
            return known.original
        fp = self._fingerprint(story_id, a.get("title"), a.get("excerpt"), a.get("body"))
        if fp is None or fp.size < self.min_shingles:
            self.stats.inc_value("newscrawl/syndication/too_short")
            return None
        best: tuple[float, StoredFingerprint] | None = None
        candidates = store.similar(self.run_id, fp.keys, MAX_CANDIDATES)
        self.stats.inc_value("newscrawl/syndication/candidates", len(candidates))
        if candidates:
            i, similarity = most_similar(fp.signature, [c.signature for c in candidates])
            if similarity >= self.threshold:
                best = (similarity, candidates[i])
        original = None
        if best is not None:
            match = best[1]
            original = match.original or match.id
            first = match if match.original is None else store.fingerprint_of(self.run_id, original)
            if first is not None and not first.staged:
                self.stats.inc_value("newscrawl/syndication/copies/of_earlier_run")
            logger.debug(
                "%s is a copy of %s (via %s, similarity %.2f)",
                story_id,
                original,
                match.id,
                best[0],
            )
        else:
            self.stats.inc_value("newscrawl/syndication/originals")
        store.stage_fingerprint(
            self.run_id, StoredFingerprint(story_id, original, fp.size, fp.signature), fp.keys
        )
        return original

    def _fingerprint(
        self, story_id: str, title: str | None, excerpt: str | None, body: str | None
    ) -> Fingerprint | None:
        """The worker's fingerprint of this text if it made one, else one made here."""
        if self.worker is not None:
            taken, fp = self.worker.take(story_id, title, excerpt, body)
            if taken:
                self.stats.inc_value("newscrawl/syndication/fingerprinted_ahead")
                return fp
        self.stats.inc_value("newscrawl/syndication/fingerprinted_inline")
        return self.fingerprinter.fingerprint(title, excerpt, body)

    def close_spider(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
            if self._crawler is not None:
                setattr(self._crawler, WORKER_ATTRIBUTE, None)
        # The shared store is the service's to flush and close; only a private one is ours.
        if self._own_store is not None:
            self._own_store.close()
            self._own_store = None
