"""The run export's storage: what it says, and when, on the way to its final name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from newscrawl import exports


def test_the_storage_says_written_before_publish_renamed_published_in_that_order(
    tmp_path: Path,
) -> None:
    """Each signal at its moment: written and before_publish while only the hidden part
    file exists; renamed once the final name exists, before published (so that a receiver
    of renamed starts its work before published's receivers run theirs)."""
    crawler = get_crawler()
    final = tmp_path / "exports" / "tagpage" / "20250612T090731Z-4d5e6f.jsonl"
    part = exports.part_path(final)
    said: list[tuple[str, bool, bool]] = []

    def receiver(name: str) -> Any:
        def got(run_id: str, path: Path, **kw: Any) -> None:
            assert run_id == final.stem and path == final
            said.append((name, part.exists(), final.exists()))

        return got

    receivers = {}
    for name in ("written", "before_publish", "renamed", "published"):
        receivers[name] = receiver(name)  # kept: signals hold weak references
        crawler.signals.connect(receivers[name], signal=getattr(exports, f"export_{name}"))
    storage = exports.AtomicFileFeedStorage(
        final.as_uri().replace("file:", f"{exports.SCHEME}:", 1), crawler=crawler
    )
    fh = storage.open(None)  # type: ignore[arg-type]
    fh.write(b'{"id": "a"}\n{"id": "b"}\n')
    storage.store(fh)
    assert said == [
        ("written", True, False),
        ("before_publish", True, False),
        ("renamed", False, True),
        ("published", False, True),
    ]
