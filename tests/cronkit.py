"""Helpers for the runner's tests: a gated replica, the runner as a subprocess, killing it.

Every wait here is on observable state (a request reaching the server, a file
appearing, a process exiting) with a deadline, never a sleep that hopes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newscrawl.replica.server import ReplicaServer
from tests.conftest import NOW, ROOT

CRASHPOINT = Path(__file__).resolve().parent / "crashpoint"
_EMPTY_LISTING = (
    b"<!doctype html><html><head><title>Daily8</title></head><body><main></main></body></html>"
)


class GatedReplica(ReplicaServer):
    """The replica, holding every listing request after the first *allow* until released.

    A held request is a crawl stopped at a known point: the test sees it arrive
    (``listing_requests``) and kills the crawl there. Hashtags in ``silenced`` answer
    with a page without story cards, as a redesigned or blocking site would.
    """

    def __init__(self, *args: Any, allow: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow = allow
        self.silenced: set[str] = set()
        self._gate = threading.Event()
        self._count = 0
        self._count_lock = threading.Lock()

    def route(self, target: str) -> tuple[int, str, bytes]:
        if "/hashtag/" in target:
            with self._count_lock:
                n = self._count
                self._count += 1
            if self.allow is not None and n >= self.allow:
                self._gate.wait(timeout=120)
            if any(f"/hashtag/{tag}" in target for tag in self.silenced):
                return 200, "text/html; charset=utf-8", _EMPTY_LISTING
        return super().route(target)

    def listing_requests(self) -> int:
        return sum("/hashtag/" in p for p in self.requests)

    def release(self) -> None:
        self.allow = None
        self._gate.set()


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Poll *predicate* until it returns something truthy; fail naming *what* at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def runner_env(base_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
        "NEWSCRAWL_BASE_URL": base_url,
        "NEWSCRAWL_NOW": NOW,
        **extra,
    }
    env.pop("NEWSCRAWL_LOCK_FD", None)
    return env


def start_runner(
    base_url: str, data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``python -m newscrawl.cron ARGS --set NEWSCRAWL_DATA_DIR=...`` as cron would start it."""
    return subprocess.Popen(
        [sys.executable, "-m", "newscrawl.cron", *args, "--set", f"NEWSCRAWL_DATA_DIR={data_dir}"],
        cwd=ROOT,
        env={**runner_env(base_url), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run_runner(
    base_url: str,
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    proc = start_runner(base_url, data_dir, *args, env=env)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def children(pid: int) -> list[int]:
    """Descendants of *pid* (Linux /proc), deepest last."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    found = [int(c) for c in text.split()]
    return found + [g for c in found for g in children(c)]


def power_cut(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the runner and its crawl at the same instant, as a power cut would.

    The runner is stopped first so that it cannot notice its child's death and react.
    """
    os.kill(proc.pid, signal.SIGSTOP)
    for pid in children(proc.pid):
        os.kill(pid, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def reports(data_dir: Path) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((data_dir / "runs").glob("*.json"))
    ]


def export_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "exports" / "tagpage").glob("*.jsonl"))


def records(path: Path) -> list[dict[str, Any]]:
    """The records of a complete export; a half-written line fails the JSON parse."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tags_file(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
