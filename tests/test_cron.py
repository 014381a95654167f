"""The cron runner as cron runs it: a subprocess against the replica, its exit codes and files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from tests.conftest import ROOT
from tests.cronkit import (
    GatedReplica,
    children,
    export_files,
    records,
    reports,
    run_runner,
    runner_env,
    start_runner,
    tags_file,
    wait_for,
)


def snapshot(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every file under *root* with its size and mtime: equal snapshots, nothing changed.

    Logs are compared by name only: the run that is going may still write to its own.
    """
    return {
        str(p.relative_to(root)): None
        if p.parent.name == "logs"
        else (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_tags_file_with_languages_gives_one_complete_run_per_language(
    replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    en, ar = site.tags("en")[:3], site.tags("ar")[:2]
    tags = tags_file(
        tmp_path / "tags.txt",
        [
            "# hashtag  language",
            en[0],
            f"{en[1]} en",
            f"{ar[0]} ar",
            f"{en[2]}   # a comment",
            f"{ar[1]} ar",
        ],
    )
    data = tmp_path / "data"
    done = run_runner(replica.base_url, data, "--tags-file", str(tags))
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == "", "a good run is silent, so cron mails nothing"

    runs = reports(data)
    assert [r["lang"] for r in runs] == ["en", "ar"]
    for run, lang, lang_tags in zip(runs, ("en", "ar"), (en, ar), strict=True):
        assert run["ok"] and run["problems"] == [] and run["finish_reason"] == "finished"
        expected = site.expected(lang, lang_tags, max_pages=10)
        assert list(run["hashtags"]) == lang_tags
        assert all(n > 0 for n in run["hashtags"].values())
        assert run["stories_exported"] == len(expected) == run["export"]["records"]
        assert run["pages_fetched"] == sum(
            len(p) for p in site.crawl_plan(lang, lang_tags, 10).values()
        )
        assert run["start"] <= run["end"]
        for key in ("drops", "date_parse_failures", "http_errors", "download_errors"):
            assert key in run
        export = Path(run["export"]["path"])
        assert export.name == f"{run['run_id']}.jsonl"
        assert hashlib.sha256(export.read_bytes()).hexdigest() == run["export"]["sha256"]
        assert {r["id"] for r in records(export)} == set(expected)
        assert {r["lang"] for r in records(export)} == {lang}
        assert Path(run["log"]) == data / "logs" / f"{run['run_id']}.log"
        log = Path(run["log"]).read_text(encoding="utf-8")
        assert "Spider closed (finished)" in log and f"run {run['run_id']}: ok" in log
        assert not run["monitors"]["failed"] and "Field coverage" in run["monitors"]["passed"]

    latest = json.loads((data / "exports" / "tagpage" / "latest.json").read_text())
    assert latest["latest"] == {"en": runs[0]["run_id"], "ar": runs[1]["run_id"]}
    assert [e["run_id"] for e in latest["exports"]] == [runs[1]["run_id"], runs[0]["run_id"]]
    assert latest["exports"][0]["sha256"] == runs[1]["export"]["sha256"]

    # The next run exports only what is new (nothing), and is still a success.
    again = run_runner(replica.base_url, data, "--tags-file", str(tags))
    assert again.returncode == 0, again.stderr
    newest = reports(data)[2:]
    assert [r["stories_exported"] for r in newest] == [0, 0]
    assert all(r["ok"] and r["stories_listed"] > 0 for r in newest)
    assert all(r["monitors"]["passed"].count("Silent hashtags") == 1 for r in newest)
    latest = json.loads((data / "exports" / "tagpage" / "latest.json").read_text())
    assert latest["latest"] == {"en": newest[0]["run_id"], "ar": newest[1]["run_id"]}
    assert len(latest["exports"]) == 4


def test_a_second_run_while_one_is_going_exits_75_and_changes_nothing(
    site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    tags = ",".join(site.tags("en")[:2])
    with GatedReplica(site, allow=0) as server:
        first = start_runner(server.base_url, data, "--tags", tags)
        try:
            wait_for(server.listing_requests, "the first run to request a listing")
            before = snapshot(data)
            second = run_runner(server.base_url, data, "--tags", tags, timeout=60)
            assert second.returncode == 75
            assert "another run is still going" in second.stderr
            assert "changed nothing" in second.stderr
            assert "pid " in second.stderr  # who holds it
            assert snapshot(data) == before

            # A plain `scrapy crawl` on the same data dir is refused too, before it writes.
            plain = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "tagpage", "-a", f"tags={tags}"],
                cwd=ROOT,
                env=runner_env(server.base_url, NEWSCRAWL_DATA_DIR=str(data)),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert plain.returncode != 0
            assert "another newscrawl run is using" in plain.stdout + plain.stderr
            assert snapshot(data) == before
        finally:
            server.release()
        _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert len(export_files(data)) == 1


def test_a_plain_crawl_in_progress_makes_the_runner_wait_for_the_next_slot(
    site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    tags = ",".join(site.tags("en")[:2])
    with GatedReplica(site, allow=0) as server:
        plain = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "tagpage", "-a", f"tags={tags}"],
            cwd=ROOT,
            env=runner_env(server.base_url, NEWSCRAWL_DATA_DIR=str(data)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(server.listing_requests, "the plain crawl to request a listing")
            busy = run_runner(server.base_url, data, "--tags", tags, timeout=60)
            assert busy.returncode == 75, busy.stderr
        finally:
            server.release()
        assert plain.wait(timeout=120) == 0


def test_a_failed_monitor_fails_the_run_in_exit_code_stderr_report_and_log(
    replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    done = run_runner(
        replica.base_url,
        data,
        "--tags",
        site.tags("en")[0],
        "--set",
        "NEWSCRAWL_MONITOR_MIN_STORIES=100000",
    )
    assert done.returncode == 1
    assert "FAILED" in done.stderr and "Stories listed" in done.stderr
    [run] = reports(data)
    assert str(data / "runs" / f"{run['run_id']}.json") in done.stderr
    assert not run["ok"]
    assert [f["monitor"] for f in run["monitors"]["failed"]] == ["Stories listed"]
    assert "at least 100000 expected" in run["monitors"]["failed"][0]["reason"]
    # The export is still complete and its stories seen: the next run will not repeat them.
    assert run["export"]["records"] == len(site.expected("en", [site.tags("en")[0]], 10)) > 0
    log = Path(run["log"]).read_text(encoding="utf-8")
    assert "monitors failed: Stories listed" in log


def test_a_site_that_is_down_is_a_failure_not_an_empty_success(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    data = tmp_path / "data"
    done = run_runner(
        dead, data, "--tags", "Saco", "--set", "RETRY_TIMES=0", "--set", "ROBOTSTXT_OBEY=False"
    )
    assert done.returncode == 1
    assert "Pages fetched" in done.stderr and "Stories listed" in done.stderr
    [run] = reports(data)
    assert run["pages_fetched"] == 0 and run["download_errors"]


def test_bad_arguments_fail_with_a_message_before_anything_is_written(tmp_path: Path) -> None:
    bad = tags_file(tmp_path / "tags.txt", ["Saco", "OilPrices fr"])
    data = tmp_path / "data"
    for args, message in (
        (["--tags-file", str(bad)], f"{bad}:2: unknown language 'fr'"),
        (["--tags", "a/b"], "may not contain '/'"),
        ([], "no hashtags given"),
        (["--tags", "Saco", "--set", "NOVALUE"], "--set expects NAME=VALUE"),
        (["--tags", "Saco", "--lang", "fr"], "invalid choice: 'fr'"),
        (["--tags", "Saco", "--arg", "lang=ar"], "--arg lang: use --tags, --tags-file and --lang"),
    ):
        done = run_runner("http://127.0.0.1:9", data, *args)
        assert done.returncode == 1, args
        assert message in done.stderr, (args, done.stderr)
    assert not data.exists()


def test_sigterm_stops_the_crawl_cleanly_and_is_a_failure(site: Site, tmp_path: Path) -> None:
    data = tmp_path / "data"
    tags = site.tags("en")
    with GatedReplica(site, allow=2) as server:
        proc = start_runner(server.base_url, data, "--tags", ",".join(tags))
        try:
            wait_for(lambda: server.listing_requests() > 2, "the crawl to be under way")
            proc.send_signal(signal.SIGTERM)
            server.release()  # the held requests answer, the crawl closes
            _out, err = proc.communicate(timeout=120)
        finally:
            server.release()
        assert proc.returncode == 1
        [run] = reports(data)
        assert run["finish_reason"] == "shutdown"
        assert "Finish Reason Monitor" in err
        # The export is complete, and what it holds (if anything) is what became seen.
        with sqlite3.connect(data / "seen.sqlite3") as db:
            seen = db.execute("SELECT count(*) FROM seen").fetchone()[0]
        assert seen == run["export"]["records"] == len(records(Path(run["export"]["path"])))
        # The next run brings the rest: every story once across the two exports.
        again = run_runner(server.base_url, data, "--tags", ",".join(tags))
    assert again.returncode == 0, again.stderr
    ids = [r["id"] for path in export_files(data) for r in records(path)]
    assert sorted(ids) == sorted(site.expected("en", tags, max_pages=10))


def test_a_crawl_that_dies_is_reported_by_the_runner(site: Site, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with GatedReplica(site, allow=0) as server:
        proc = start_runner(server.base_url, data, "--tags", site.tags("en")[0])
        try:
            wait_for(server.listing_requests, "the crawl to request a listing")
            [crawl, *_] = children(proc.pid)
            os.kill(crawl, signal.SIGKILL)
            _out, err = proc.communicate(timeout=60)
        finally:
            server.release()
    assert proc.returncode == 1
    assert "killed by SIGKILL" in err and "wrote no run report" in err
    [run] = reports(data)
    assert not run["ok"] and run["export"] is None and run["lang"] == "en"
    assert export_files(data) == []


def test_retention_removes_old_run_files_and_nothing_else(
    replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    old = "20200101T000000Z-abcdef"
    keep = [data / "seen.sqlite3.bak", data / "exports" / "tagpage" / "notes.txt"]
    gone = [
        data / "logs" / f"{old}.log",
        data / "runs" / f"{old}.json",
        data / "exports" / "tagpage" / f"{old}.jsonl",
        data / "exports" / "tagpage" / f".{old}.jsonl.part",
    ]
    for path in keep + gone:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n" if path.suffix == ".json" else "", encoding="utf-8")
    done = run_runner(
        replica.base_url,
        data,
        "--tags",
        site.tags("en")[0],
        "--set",
        "NEWSCRAWL_RETENTION_DAYS=30",
    )
    assert done.returncode == 0, done.stderr
    assert [p for p in gone if p.exists()] == []
    assert all(p.exists() for p in keep)
    [run] = reports(data)
    latest = json.loads((data / "exports" / "tagpage" / "latest.json").read_text())
    assert [e["run_id"] for e in latest["exports"]] == [run["run_id"]]


def test_spider_arguments_pass_through_and_verbose_prints_a_line_per_good_run(
    replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    tags = site.tags("en")[:3]
    done = run_runner(
        replica.base_url, tmp_path / "data", "--tags", ",".join(tags), "--arg", "max_pages=1", "-v"
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert " (en) ok: 3 pages, " in line and ".jsonl" in line
    [run] = reports(tmp_path / "data")
    assert run["pages_fetched"] == len(tags)
    assert run["stories_exported"] == len(site.expected("en", tags, max_pages=1))
