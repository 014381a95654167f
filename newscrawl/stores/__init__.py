"""Seen-stores: which stories earlier runs already exported (the incremental memory)."""

from __future__ import annotations

from typing import Protocol


class SeenStore(Protocol):
    """What the dedupe pipeline needs from a store; SQLite is the embedded default.

    A story id moves through two states so that a crash never loses or duplicates one:
    *staged* (written into run R's export, which is not complete yet) and *seen*
    (run R's export is complete on disk). Only *seen* ids are skipped by later runs.
    """

    def is_seen(self, story_id: str) -> bool: ...

    def stage(self, run_id: str, story_id: str) -> None: ...

    def flush(self) -> None:
        """Make staged ids durable (called before the export is renamed into place)."""

    def promote(self, run_id: str) -> int:
        """Run *run_id*'s export is complete: its staged ids become seen. Returns how many."""

    def discard(self, run_id: str) -> int:
        """Run *run_id*'s export never completed: forget its staged ids. Returns how many."""

    def staged_runs(self) -> list[str]: ...

    def close(self) -> None: ...
