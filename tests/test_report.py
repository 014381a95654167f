"""Run reports and latest.json on plain stats and files: what an operator reads after a run."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newscrawl.ops.report import (
    build,
    export_info,
    hashtag_counts,
    last_good_report,
    latest_path,
    log_path,
    read_report,
    report_path,
    write_json,
    write_latest,
)

RUN = "20250612T093000Z-00000a"
LINES = b'{"id": "a", "lang": "en"}\n{"id": "b", "lang": "en"}\n'


def test_paths_follow_the_data_dir_layout(tmp_path: Path) -> None:
    assert report_path(tmp_path, RUN) == tmp_path / "runs" / f"{RUN}.json"
    assert log_path(str(tmp_path), RUN) == tmp_path / "logs" / f"{RUN}.log"
    assert latest_path(tmp_path, "tagpage") == tmp_path / "exports" / "tagpage" / "latest.json"


def test_hashtag_counts_reads_only_the_per_hashtag_story_stats() -> None:
    stats = {
        "newscrawl/hashtag/Pakistan/stories": 12,
        "newscrawl/hashtag/Silent/stories": 0,  # requested, listed nothing: still reported
        "newscrawl/hashtag/not_found": 1,
        "newscrawl/hashtag/no_stories": 1,
        "newscrawl/stories": 13,
        "newscrawl/hashtags_requested": 2,
    }
    assert hashtag_counts(stats) == {"Pakistan": 12, "Silent": 0}


def test_export_info_counts_records_and_checksums_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / f"{RUN}.jsonl"
    path.write_bytes(LINES)
    assert export_info(path) == {
        "path": str(path),
        "records": 2,
        "sha256": hashlib.sha256(LINES).hexdigest(),
    }
    path.write_bytes(b"")
    assert export_info(path)["records"] == 0


def good_stats(export: Path | None) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "start_time": datetime(2025, 6, 12, 9, 30, tzinfo=UTC),
        "finish_time": datetime(2025, 6, 12, 9, 31, 5, tzinfo=UTC),
        "finish_reason": "finished",
        "newscrawl/lang": "en",
        "newscrawl/pages": 7,
        "newscrawl/stories": 40,
        "newscrawl/hashtag/Pakistan/stories": 40,
        "newscrawl/drop/seen_before": 38,
        "newscrawl/drop/invalid/title": 1,
        "downloader/response_status_count/200": 7,
        "downloader/response_status_count/404": 2,
        "downloader/response_status_count/503": 1,
        "downloader/exception_type_count/twisted.internet.error.TimeoutError": 3,
        "newscrawl/monitors": {"passed": ["Pages fetched"], "failed": [], "skipped": []},
    }
    if export is not None:
        stats["newscrawl/export/path"] = str(export)
    return stats


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "exports" / "tagpage" / f"{RUN}.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(LINES)
    return path


def test_a_good_run_is_ok_and_says_what_it_did(tmp_path: Path, export: Path) -> None:
    data = build(good_stats(export), run_id=RUN, spider="tagpage", data_dir=tmp_path)
    assert data["ok"] is True and data["problems"] == []
    assert data["run_id"] == RUN and data["spider"] == "tagpage" and data["lang"] == "en"
    assert (data["start"], data["end"]) == ("2025-06-12T09:30:00Z", "2025-06-12T09:31:05Z")
    assert data["pages_fetched"] == 7
    assert data["stories_listed"] == 40
    assert data["stories_exported"] == 2  # counted in the export file, not taken from stats
    assert data["export"]["sha256"] == hashlib.sha256(LINES).hexdigest()
    assert data["hashtags"] == {"Pakistan": 40}
    assert data["drops"] == {"seen_before": 38, "invalid/title": 1}
    assert data["http_errors"] == {"404": 2, "503": 1}
    assert data["download_errors"] == {"twisted.internet.error.TimeoutError": 3}
    assert data["log"] is None  # no log file was written
    assert data["stats"]["start_time"] == "2025-06-12T09:30:00Z"
    json.dumps(data)  # the whole report is JSON, datetimes included


def test_the_log_is_named_when_it_exists(tmp_path: Path, export: Path) -> None:
    log = log_path(tmp_path, RUN)
    log.parent.mkdir(parents=True)
    log.write_text("a log\n")
    data = build(good_stats(export), run_id=RUN, spider="tagpage", data_dir=tmp_path)
    assert data["log"] == str(log)


def test_failed_monitors_are_the_problems(tmp_path: Path, export: Path) -> None:
    stats = good_stats(export)
    stats["newscrawl/monitors"] = {
        "passed": [],
        "failed": [
            {"monitor": "Pages fetched", "reason": "0 pages, expected at least 1"},
            {"monitor": "Errors logged", "reason": "3 ERROR lines"},
        ],
        "skipped": [],
    }
    data = build(stats, run_id=RUN, spider="tagpage", data_dir=tmp_path)
    assert data["ok"] is False
    assert data["problems"] == [
        "Pages fetched: 0 pages, expected at least 1",
        "Errors logged: 3 ERROR lines",
    ]


def test_no_export_is_a_problem(tmp_path: Path) -> None:
    data = build(good_stats(None), run_id=RUN, spider="tagpage", data_dir=tmp_path)
    assert data["ok"] is False
    assert data["problems"] == ["no complete export was written"]
    assert data["export"] is None and data["stories_exported"] == 0


def test_monitors_that_did_not_run_are_a_problem_when_enabled(tmp_path: Path, export: Path) -> None:
    stats = good_stats(export)
    del stats["newscrawl/monitors"]
    data = build(stats, run_id=RUN, spider="tagpage", data_dir=tmp_path)
    assert data["problems"] == ["the monitors did not run (the log says why)"]
    off = build(stats, run_id=RUN, spider="tagpage", data_dir=tmp_path, monitors_enabled=False)
    assert off["ok"] is True and off["problems"] == []


def test_without_monitors_the_finish_reason_is_judged_by_the_report(
    tmp_path: Path, export: Path
) -> None:
    stats = good_stats(export)
    del stats["newscrawl/monitors"]
    stats["finish_reason"] = "shutdown"
    data = build(stats, run_id=RUN, spider="tagpage", data_dir=tmp_path, monitors_enabled=False)
    assert data["ok"] is False
    assert data["problems"] == ["finished with 'shutdown'"]


def test_write_json_writes_the_data_readably(tmp_path: Path) -> None:
    path = tmp_path / "runs" / f"{RUN}.json"  # the folder is made
    write_json(path, {"run_id": RUN, "title": "باكستان"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"run_id": RUN, "title": "باكستان"}
    assert "باكستان" in path.read_text(encoding="utf-8")  # not \u-escaped
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left


def test_write_json_replaces_the_file_a_reader_has_open_instead_of_rewriting_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "latest.json"
    write_json(path, {"version": 1})
    with path.open(encoding="utf-8") as reader:  # a consumer polling latest.json
        before = os.fstat(reader.fileno()).st_ino
        write_json(path, {"version": 2, "padding": "x" * 10_000})
        # The reader still reads the whole old file; the new one is another file renamed in.
        assert json.loads(reader.read()) == {"version": 1}
    assert os.stat(path).st_ino != before
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 2


def test_read_report_of_a_missing_broken_or_odd_file_is_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert read_report(tmp_path / "missing.json") is None
    assert caplog.records == []  # a report not written yet is not worth a warning
    broken = tmp_path / "broken.json"
    broken.write_text('{"run_id": "20250612T0930', encoding="utf-8")  # a half-written file
    with caplog.at_level(logging.WARNING, logger="newscrawl.ops.report"):
        assert read_report(broken) is None
    assert any(str(broken) in r.getMessage() for r in caplog.records)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    assert read_report(listed) is None
    good = tmp_path / "good.json"
    good.write_text('{"ok": true}', encoding="utf-8")
    assert read_report(good) == {"ok": True}


def put_report(data_dir: Path, run_id: str, **kw: Any) -> None:
    write_json(
        report_path(data_dir, run_id),
        {"run_id": run_id, "spider": "tagpage", "lang": "en", "ok": True, **kw},
    )


def test_last_good_report_is_the_newest_ok_one_of_that_spider_and_language(
    tmp_path: Path,
) -> None:
    put_report(tmp_path, "20250601T000000Z-000001")
    put_report(tmp_path, "20250602T000000Z-000002")
    put_report(tmp_path, "20250603T000000Z-000003", ok=False)
    put_report(tmp_path, "20250604T000000Z-000004", lang="ar")
    put_report(tmp_path, "20250605T000000Z-000005", spider="other")
    (tmp_path / "runs" / "20250606T000000Z-000006.json").write_text("{broken")
    found = last_good_report(tmp_path, spider="tagpage", lang="en", before=None)
    assert found is not None and found["run_id"] == "20250602T000000Z-000002"
    ar = last_good_report(tmp_path, spider="tagpage", lang="ar", before=None)
    assert ar is not None and ar["run_id"] == "20250604T000000Z-000004"
    # Only runs before the one asking: a run never compares with itself or a later one.
    older = last_good_report(
        tmp_path, spider="tagpage", lang="en", before="20250602T000000Z-000002"
    )
    assert older is not None and older["run_id"] == "20250601T000000Z-000001"
    assert last_good_report(tmp_path, spider="tagpage", lang="en", before="20250601") is None
    assert last_good_report(tmp_path / "nothing", spider="tagpage", lang="en", before=None) is None


def test_write_latest_indexes_the_complete_exports_newest_first(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "tagpage"
    folder.mkdir(parents=True)
    en_old, ar, en_new = (
        "20250601T000000Z-000001",
        "20250602T000000Z-000002",
        "20250603T000000Z-000003",
    )
    (folder / f"{en_old}.jsonl").write_bytes(LINES)
    (folder / f"{ar}.jsonl").write_bytes(b'{"id": "c", "lang": "ar"}\n')
    (folder / f"{en_new}.jsonl").write_bytes(LINES[: LINES.index(b"\n") + 1])
    (folder / f".{en_new}9.jsonl.part").write_bytes(LINES)  # a run still writing
    put_report(tmp_path, en_new, ok=False)  # the newest run has a report; the others none
    target = write_latest(tmp_path, "tagpage")
    assert target == latest_path(tmp_path, "tagpage")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["spider"] == "tagpage"
    assert data["latest"] == {"en": en_new, "ar": ar}
    entries = data["exports"]
    assert [e["run_id"] for e in entries] == [en_new, ar, en_old]
    newest = entries[0]
    assert newest["records"] == 1 and newest["run_ok"] is False
    assert newest["sha256"] == hashlib.sha256(LINES[: LINES.index(b"\n") + 1]).hexdigest()
    assert newest["report"] == str(report_path(tmp_path, en_new).resolve())
    assert newest["path"] == str((folder / f"{en_new}.jsonl").resolve())
    assert entries[1]["lang"] == "ar"  # no report: read from the export's first record
    assert entries[2]["report"] is None and entries[2]["run_ok"] is None


def test_write_latest_forgets_an_export_that_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "tagpage"
    folder.mkdir(parents=True)
    (folder / f"{RUN}.jsonl").write_bytes(LINES)
    write_latest(tmp_path, "tagpage")
    (folder / f"{RUN}.jsonl").unlink()  # pruned by retention
    data = json.loads(write_latest(tmp_path, "tagpage").read_text(encoding="utf-8"))
    assert data["exports"] == [] and data["latest"] == {}


def test_an_empty_export_is_listed_but_is_no_languages_latest(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "tagpage"
    folder.mkdir(parents=True)
    (folder / f"{RUN}.jsonl").write_bytes(b"")
    data = json.loads(write_latest(tmp_path, "tagpage").read_text(encoding="utf-8"))
    assert [(e["run_id"], e["lang"], e["records"]) for e in data["exports"]] == [(RUN, None, 0)]
    assert data["latest"] == {}
