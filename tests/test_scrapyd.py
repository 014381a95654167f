"""The project deployed on a real scrapyd 1.6 with scrapyd-client, as docs/OPERATIONS.md says.

A copy of the project's files (what a clone has) is built into an egg by ``scrapyd-deploy``
and deployed to a scrapyd started here on a free loopback port; a job scheduled through its
HTTP API crawls the replica. scrapyd calls every job that ended "finished", a crashed one
too, so the test judges the job by what it left: the run report, the export, the logs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from tests.checkout import copy_checkout
from tests.conftest import NOW, _free_loopback_port, _tail, stop_process

PROJECT = "newscrawl"


def _clean_env() -> dict[str, str]:
    """This environment without what would let a job import the source tree or its settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT")
        and not k.startswith("NEWSCRAWL_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Scrapyd:
    url: str
    home: Path
    log: Path

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/{endpoint}?{query}", timeout=10) as answer:
            return json.loads(answer.read())

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(f"{self.url}/{endpoint}", data=body, timeout=10) as answer:
            return json.loads(answer.read())


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """scrapyd 1.6 from a scrapyd.conf in its own directory, on a free loopback port."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = _free_loopback_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        "poll_interval = 0.2\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n",
        encoding="utf-8",
    )
    log = home / "scrapyd.out"
    with log.open("wb") as out:
        # Its own directory: the job's `python -m scrapyd.runner` must not find the source
        # tree on its path, or the test would prove nothing about the egg.
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapyd"], cwd=home, env=_clean_env(), stdout=out, stderr=out
        )
    server = Scrapyd(f"http://127.0.0.1:{port}", home, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"scrapyd exited {proc.returncode}: {_tail(log)}")
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not answer within 60 s: {_tail(log)}")
            time.sleep(0.1)
        yield server
    finally:
        stop_process(proc)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def _wait_finished(server: Scrapyd, job: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in server.get("listjobs.json", project=PROJECT)["finished"]:
            if entry["id"] == job:
                return entry
        time.sleep(0.2)
    pytest.fail(f"job {job} did not finish within {timeout} s: {_tail(server.log)}")


def test_a_job_deployed_with_scrapyd_client_exports_the_replicas_stories(
    scrapyd: Scrapyd, replica: ReplicaServer, site: Site, tmp_path: Path
) -> None:
    clone = copy_checkout(tmp_path / "clone")
    with (clone / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {scrapyd.url}/\nproject = {PROJECT}\n")
    deploy = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "test", "--version", "1"],
        cwd=clone,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert scrapyd.get("listspiders.json", project=PROJECT)["spiders"] == ["tagpage"]

    # The egg carries every file of the package, data files included.
    [egg] = (scrapyd.home / "eggs" / PROJECT).glob("*.egg")
    in_egg = set(zipfile.ZipFile(egg).namelist())
    package = {
        p.relative_to(clone).as_posix()
        for p in (clone / "newscrawl").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert "newscrawl/schema/story.schema.json" in package
    assert package - in_egg == set()

    tags = site.tags("en")[:3]
    data = tmp_path / "data"
    fields = [("project", PROJECT), ("spider", "tagpage"), ("tags", ",".join(tags))]
    for name, value in (
        ("NEWSCRAWL_BASE_URL", replica.base_url),
        ("NEWSCRAWL_DATA_DIR", str(data)),
        ("NEWSCRAWL_NOW", NOW),
        ("DOWNLOAD_DELAY", "0"),  # the replica is on this machine: no politeness needed
        ("AUTOTHROTTLE_ENABLED", "False"),
    ):
        fields.append(("setting", f"{name}={value}"))
    job = scrapyd.post("schedule.json", fields)["jobid"]
    _wait_finished(scrapyd, job)

    job_log = scrapyd.home / "logs" / PROJECT / "tagpage" / f"{job}.log"
    log_text = job_log.read_text(encoding="utf-8") if job_log.exists() else ""
    # scrapyd says "finished" whatever happened: a crash shows only in its own log and the job's.
    died = [line for line in _lines(scrapyd.log) if "Process died" in line and job in line]
    assert died == [], log_text[-3000:]
    assert "Traceback" not in log_text, log_text[-3000:]
    reports = [p for p in (data / "runs").glob("*.json") if p.name != "latest.json"]
    assert len(reports) == 1, (reports, log_text[-3000:])
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert report["ok"] is True, report["problems"]
    assert report["errors_logged"] == 0
    assert report["monitors"]["failed"] == []
    # The fingerprint worker's child found the project's code in the egg, as the job did.
    assert report["stats"]["newscrawl/syndication/fingerprinted_ahead"] > 0

    export = Path(report["export"]["path"])
    records = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    expected = site.expected("en", tags, max_pages=10)
    assert len(expected) > 0
    assert {r["id"]: sorted(r["hashtags"]) for r in records} == {
        sid: sorted(want["hashtags"]) for sid, want in expected.items()
    }
    # The schema check ran inside the egg, on every exported story.
    assert report["stats"]["spidermon/validation/items"] == len(records)
