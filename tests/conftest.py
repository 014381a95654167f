"""Shared fixtures: the replica site on a free loopback port and a real `scrapy crawl` runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site, build_site
from newscrawl.schema import story_schema
from newscrawl.sites import load_profile

ROOT = Path(__file__).resolve().parent.parent
NOW = "2025-06-12T09:30:00Z"


@pytest.fixture(scope="session")
def site() -> Site:
    return build_site(now=NOW)


@pytest.fixture(scope="session")
def replica(site: Site) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, variant="modules") as server:
        yield server


@dataclass
class CrawlResult:
    returncode: int
    log: str
    data_dir: Path
    exports: list[Path] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.records}


def run_crawl(
    base_url: str,
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    wrap: list[str] | None = None,
) -> CrawlResult:
    """`scrapy crawl tagpage ARGS` as a user runs it, against *base_url*, in *data_dir*
    (*wrap* prefixes the command: ``taskset -c 0``, say)."""
    before = set((data_dir / "exports" / "tagpage").glob("*.jsonl"))
    full_env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
        "NEWSCRAWL_BASE_URL": base_url,
        "NEWSCRAWL_DATA_DIR": str(data_dir),
        "NEWSCRAWL_NOW": NOW,
        **(env or {}),
    }
    proc = subprocess.run(
        [*(wrap or []), sys.executable, "-m", "scrapy", "crawl", "tagpage", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = CrawlResult(proc.returncode, proc.stdout + proc.stderr, data_dir)
    result.exports = sorted(set((data_dir / "exports" / "tagpage").glob("*.jsonl")) - before)
    validator = jsonschema.Draft202012Validator(
        # The schema of the site the crawl was of (NEWSCRAWL_SITE; Daily8's by default).
        story_schema(load_profile(full_env.get("NEWSCRAWL_SITE") or None)),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    for path in result.exports:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            validator.validate(record)
            result.records.append(record)
    reports = sorted((data_dir / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    if reports:
        result.stats = json.loads(reports[-1].read_text(encoding="utf-8"))["stats"]
    return result


@pytest.fixture
def crawl(replica: ReplicaServer, tmp_path: Path):
    """Run a crawl against the session's replica with a fresh data dir per test."""

    def _crawl(*args: str, data_dir: Path | None = None, **kw: Any) -> CrawlResult:
        return run_crawl(replica.base_url, data_dir or tmp_path / "data", *args, **kw)

    return _crawl


# --- JavaScript renderers: a real Splash and a real chromium, one each per session -----------
# (tests/test_render.py, tests/test_splash_compat.py). Imports are local: this section is
# appended to a shared file.


def renderer_missing(reason: str) -> None:
    """Skip with *reason* on a developer's machine; in CI (CI=true) a missing renderer fails."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"renderer missing in CI (CI=true): {reason}")
    pytest.skip(reason)


def _free_loopback_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM by PID, then SIGKILL if it has not exited within *grace* seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _tail(path: Path, n: int = 1500) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-n:] if path.exists() else ""


@pytest.fixture(scope="session")
def splash_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`scripts/splash-server PORT` on a free loopback port (installing Splash on first use)."""
    import time
    import urllib.error
    import urllib.request

    port = _free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("splash") / "splash.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "splash-server"), str(port)], stdout=out, stderr=out
        )
    try:
        # First use installs Debian packages and a venv (about a minute); later starts ~3 s.
        deadline = time.monotonic() + 600
        while True:
            if proc.poll() is not None:
                renderer_missing(
                    f"Splash: scripts/splash-server exited {proc.returncode}: {_tail(log)}"
                )
            try:
                with urllib.request.urlopen(url + "/_ping", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Splash did not answer {url}/_ping within 600 s: {_tail(log)}")
            time.sleep(0.1)
        yield url
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def chromium_cdp_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's chromium, headless, its DevTools on a free loopback port (PLAYWRIGHT_CDP_URL)."""
    import importlib.util
    import time

    executable = os.environ.get("NEWSCRAWL_CHROMIUM", "/usr/bin/chromium")
    if not os.access(executable, os.X_OK):
        renderer_missing(f"Playwright: no chromium at {executable} (apt-get install chromium)")
    if importlib.util.find_spec("scrapy_playwright") is None:
        renderer_missing("Playwright: scrapy-playwright is not installed (make venv)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = profile.parent / "chromium.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",  # it picks a free one and writes it down
                f"--user-data-dir={profile}",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--blink-settings=imagesEnabled=false",
                "about:blank",
            ],
            stdout=out,
            stderr=out,
        )
    try:
        active = profile / "DevToolsActivePort"  # "<port>\n<browser path>" once listening
        deadline = time.monotonic() + 60
        while not (active.exists() and active.read_text().strip()):
            if proc.poll() is not None:
                renderer_missing(f"Playwright: chromium exited {proc.returncode}: {_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"chromium wrote no DevToolsActivePort within 60 s: {_tail(log)}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{active.read_text().split()[0]}"
    finally:
        stop_process(proc)
