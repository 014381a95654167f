"""Seen-stores: which stories earlier runs already exported (the incremental memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: Band keys are under 2**BAND_KEY_BITS (six bytes in SQLite): what ``newscrawl.syndication``
#: makes and what the stores' band indexes take. Here, not there, so that opening a store
#: does not import the fingerprint method's hashing (OpenSSL's among them: +4 MiB of RSS in
#: the seen-store bench, make bench).
BAND_KEY_BITS = 47


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    """A story's fingerprint as the store keeps it (see ``newscrawl.syndication``)."""

    id: str
    original: str | None  # the id of its group's original; None when it is one
    size: int  # shingles in its text
    signature: bytes  # one byte per MinHash permutation
    staged: bool = False  # staged by the current run, not yet promoted


class StoryClaimed(Exception):
    """``stage()`` refused: another live run has the story staged (a shared store, Redis)."""


class SeenStore(Protocol):
    """What the dedupe pipeline needs from a store; SQLite is the embedded default.

    A story id moves through two states so that a crash never loses or duplicates one:
    *staged* (written into run R's export, which is not complete yet) and *seen*
    (run R's export is complete on disk). Only *seen* ids are skipped by later runs.
    """

    def is_seen(self, story_id: str) -> bool: ...

    def seen_among(self, story_ids: Sequence[str]) -> set[str]:
        """Those of *story_ids* that are seen: ``is_seen`` for a batch (a listing page's
        stories), in one query or round trip rather than one each."""

    def stage(self, run_id: str, story_id: str) -> bool:
        """Stage for *run_id*; a store shared by live runs raises StoryClaimed if taken.

        False if *run_id* had staged it already (an in-run duplicate), so that dedupe needs
        no set of the run's ids. A story an earlier run exported and this one stages again
        (``refresh=1``) may be True the second time too: a refresh run keeps its own set.
        """

    def flush(self) -> None:
        """Make staged ids durable (called before the export is renamed into place)."""

    def promote(self, run_id: str) -> int:
        """Run *run_id*'s export is complete: its staged ids become seen. Returns how many."""

    def discard(self, run_id: str) -> int:
        """Run *run_id*'s export never completed: forget its staged ids. Returns how many."""

    def staged_runs(self) -> list[str]: ...

    # Syndicated copies: fingerprints follow the ids' staged/seen states, promoted and
    # discarded with them.
    def bind_fingerprints(self, params: str) -> str:
        """Record how fingerprints are made if none are stored; returns what is recorded."""

    def fingerprint_of(self, run_id: str, story_id: str) -> StoredFingerprint | None: ...

    def similar(self, run_id: str, keys: Sequence[int], limit: int) -> list[StoredFingerprint]:
        """Seen fingerprints and *run_id*'s staged ones that share a band key with *keys*."""

    def stage_fingerprint(
        self, run_id: str, fingerprint: StoredFingerprint, keys: Sequence[int]
    ) -> None: ...

    def close(self) -> None: ...
