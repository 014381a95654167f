"""Retention: remove logs, run reports and exports older than ``NEWSCRAWL_RETENTION_DAYS``.

Age comes from the run id (``20250612T093000Z-1a2b3c``: when the run started), not from
file times, which a copy or a backup restore changes. Files whose name is not a run id
are never touched, nor is the seen-store: forgetting a story would export it again.
Run under the data dir's lock, after the crawls, so a run's start-up recovery has
already looked at every export before any is removed.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

logger = logging.getLogger(__name__)

# The run id at the start of a file name: reports, logs, exports, and the hidden
# ``.<run id>.jsonl.part`` (or a report's temporary file) a killed run leaves behind.
_RUN_FILE = re.compile(r"^\.?(?P<ts>\d{8}T\d{6})Z-[0-9a-f]+\.(json|log|jsonl)(\.\d+)?(\.part)?$")


def run_started(name: str) -> datetime | None:
    """When the run a file belongs to started, from its name; None if not a run's file."""
    m = _RUN_FILE.match(name)
    if m is None:
        return None
    try:
        started = datetime.strptime(m["ts"], "%Y%m%dT%H%M%S")
    except ValueError:  # shaped like a run id but no real instant (month 13): not a run's
        return None
    return started.replace(tzinfo=UTC)


def prune(data_dir: Path, spider: str, days: float, now: datetime | None = None) -> list[Path]:
    """Delete the run files older than *days* (0: keep everything); returns what went."""
    if days <= 0:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    removed = []
    for folder in (data_dir / "logs", data_dir / "runs", data_dir / "exports" / spider):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            started = run_started(path.name)
            if started is not None and started < cutoff and path.is_file():
                path.unlink()
                removed.append(path)
    if removed:
        logger.info("retention: removed %d files older than %g days", len(removed), days)
    return removed
