"""Retention on a data dir of plain files: old run files go, everything else stays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newscrawl.ops.retention import prune, run_started

NOW = datetime(2025, 6, 12, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "started"),
    [
        ("20250612T093000Z-1a2b3c.json", datetime(2025, 6, 12, 9, 30, tzinfo=UTC)),
        ("20250101T000001Z-ff.log", datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)),
        ("20250612T093000Z-1a2b3c.jsonl", datetime(2025, 6, 12, 9, 30, tzinfo=UTC)),
        # what a killed run leaves: its export's and its report's temporary files
        (".20250612T093000Z-1a2b3c.jsonl.part", datetime(2025, 6, 12, 9, 30, tzinfo=UTC)),
        (".20250612T093000Z-1a2b3c.json.4242.part", datetime(2025, 6, 12, 9, 30, tzinfo=UTC)),
    ],
)
def test_run_started_reads_the_run_id_at_the_start_of_a_run_files_name(
    name: str, started: datetime
) -> None:
    assert run_started(name) == started


@pytest.mark.parametrize(
    "name",
    [
        "seen.sqlite3",
        "seen.sqlite3-wal",
        "latest.json",
        "hashtags.json",
        ".lock",
        "20250612T093000Z.json",  # no run suffix
        "20250612T093000-1a2b3c.json",  # no Z
        "20250612T093000Z-XYZ.json",  # not hex
        "20250612T093000Z-1a2b3c.txt",
        "20250612T093000Z-1a2b3c.json.bak",
        "notes-20250612T093000Z-1a2b3c.json",
        "20251399T093000Z-1a2b3c.json",  # shaped like one, but no such day
        "20250612T256000Z-1a2b3c.log",  # no such time
    ],
)
def test_run_started_rejects_names_that_are_not_a_runs(name: str) -> None:
    assert run_started(name) is None


def make_data_dir(root: Path) -> dict[str, Path]:
    files = {
        "old_log": root / "logs" / "20250501T000000Z-000001.log",
        "old_report": root / "runs" / "20250501T000000Z-000001.json",
        "old_export": root / "exports" / "tagpage" / "20250501T000000Z-000001.jsonl",
        "old_part": root / "exports" / "tagpage" / ".20250501T000000Z-000002.jsonl.part",
        "new_log": root / "logs" / "20250611T000000Z-000003.log",
        "new_report": root / "runs" / "20250611T000000Z-000003.json",
        "new_export": root / "exports" / "tagpage" / "20250611T000000Z-000003.jsonl",
        "seen": root / "seen.sqlite3",
        "seen_wal": root / "seen.sqlite3-wal",
        "latest": root / "exports" / "tagpage" / "latest.json",
        "notes": root / "logs" / "cron.log",
        "odd": root / "logs" / "20251399T000000Z-000009.log",  # an impossible date
        "other_spider": root / "exports" / "other" / "20250501T000000Z-000004.jsonl",
        "elsewhere": root / "20250501T000000Z-000005.json",  # not in a run folder
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    return files


def test_prune_removes_only_run_files_older_than_the_limit(tmp_path: Path) -> None:
    files = make_data_dir(tmp_path)
    old_dir = tmp_path / "runs" / "20250501T000000Z-0000aa.json"  # a folder, not a file
    old_dir.mkdir()
    removed = prune(tmp_path, "tagpage", days=30, now=NOW)
    gone = {"old_log", "old_report", "old_export", "old_part"}
    assert sorted(removed) == sorted(files[k] for k in gone)
    assert all(not files[k].exists() for k in gone)
    assert all(files[k].exists() for k in set(files) - gone)  # the seen-store above all
    assert old_dir.is_dir()


def test_the_cutoff_is_days_before_now(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    just_over = folder / "20250602T092959Z-000001.log"  # 10 days and 1 second before NOW
    just_under = folder / "20250602T093001Z-000002.log"
    for p in (just_over, just_under):
        p.write_text("x\n")
    assert prune(tmp_path, "tagpage", days=10, now=NOW) == [just_over]
    assert just_under.exists()
    assert prune(tmp_path, "tagpage", days=0.5, now=NOW) == [just_under]  # fractions too


@pytest.mark.parametrize("days", [0, -1])
def test_zero_days_keeps_everything(tmp_path: Path, days: float) -> None:
    files = make_data_dir(tmp_path)
    assert prune(tmp_path, "tagpage", days=days, now=NOW) == []
    assert all(p.exists() for p in files.values())


def test_a_data_dir_without_run_folders_prunes_nothing(tmp_path: Path) -> None:
    assert prune(tmp_path / "never-used", "tagpage", days=1, now=NOW) == []
