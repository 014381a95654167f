"""Run one crawl as a user does (``python -m scrapy crawl ...``) and measure it from outside.

Wall time from process start to exit, the first request's arrival at the server (start-up),
peak RSS and CPU seconds from the kernel (``os.wait4``), pages from the server's own count,
items and the rest from the bench probe's JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.bench.server import PrerenderedServer

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "newscrawl.bench.settings"


@dataclass
class CrawlRun:
    """One measured crawl process."""

    spider: str
    lang: str
    returncode: int
    wall_s: float
    startup_s: float | None
    cpu_s: float
    maxrss_mib: float
    pages: int
    items: int
    cards: int
    dateparser_loaded: bool | None
    # Resident memory when the last page was served (the run's stories all held), and the
    # seconds from then to exit (sending the held stories through the pipelines, closing).
    rss_crawled_mib: float | None = None
    after_last_page_s: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    hits: Counter[bytes] = field(default_factory=Counter)
    log: Path | None = None

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.wall_s * 60 if self.wall_s else 0.0

    @property
    def items_per_s(self) -> float:
        return self.items / self.wall_s if self.wall_s else 0.0


def crawl_command(
    spider: str,
    lang: str,
    tags_file: Path,
    python_flags: list[str] | None = None,
    settings: dict[str, str] | None = None,
) -> list[str]:
    args = ["-a", f"lang={lang}", "-a", f"tags_file={tags_file}"]
    for name, value in (settings or {}).items():
        args += ["-s", f"{name}={value}"]
    return [sys.executable, *(python_flags or []), "-m", "scrapy", "crawl", spider, *args]


def crawl_env(base_url: str, data_dir: Path, now: str, probe: Path) -> dict[str, str]:
    # As cron runs an installed project: bytecode cached, whatever the bench's shell says.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "SCRAPY_SETTINGS_MODULE": SETTINGS,
        "NEWSCRAWL_BASE_URL": base_url,
        "NEWSCRAWL_DATA_DIR": str(data_dir),
        "NEWSCRAWL_NOW": now,
        "NEWSCRAWL_BENCH_PROBE": str(probe),
        # The source tree, however the bench itself was started.
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }


def run_crawl(
    server: PrerenderedServer,
    spider: str,
    lang: str,
    tags_file: Path,
    work: Path,
    *,
    now: str,
    timeout: float = 900,
    wrap: list[str] | None = None,
    python_flags: list[str] | None = None,
    settings: dict[str, str] | None = None,
) -> CrawlRun:
    """Crawl the server's site with *spider* in *lang*, in a fresh data dir under *work*.

    *wrap* prefixes the command (a profiler); the figures then include its cost. *settings*
    are passed as ``-s NAME=VALUE``.
    """
    work.mkdir(parents=True, exist_ok=True)
    probe = work / "probe.json"
    log = work / "crawl.log"
    cmd = [*(wrap or []), *crawl_command(spider, lang, tags_file, python_flags, settings)]
    env = crawl_env(server.base_url, work / "data", now, probe)
    server.reset()
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, _kill, (proc.pid,))
        timer.start()
        sampler = _RssSampler(proc.pid)
        sampler.start()
        try:
            # wait4, not wait(): the kernel's CPU time of exactly this child.
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        ended = time.monotonic()
    proc.returncode = os.waitstatus_to_exitcode(status)
    first, last = server.first_arrival, server.last_arrival
    hits = Counter(server.hits)
    data: dict[str, Any] = json.loads(probe.read_text(encoding="utf-8")) if probe.exists() else {}
    stats = data.get("stats", {})
    pages = sum(n for path, n in hits.items() if path != b"/robots.txt")
    if spider == "bare":
        items = cards = int(stats.get("item_scraped_count", 0))
    else:
        items = int(stats.get("newscrawl/export/records", 0))
        cards = int(stats.get("newscrawl/cards", 0))
    return CrawlRun(
        spider=spider,
        lang=lang,
        returncode=proc.returncode,
        wall_s=ended - started,
        startup_s=(first - started) if first is not None else None,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_mib=sampler.hwm if sampler.hwm is not None else usage.ru_maxrss / 1024,
        pages=pages,
        items=items,
        cards=cards,
        dateparser_loaded=data.get("dateparser_loaded"),
        rss_crawled_mib=sampler.at(last) if last is not None else None,
        after_last_page_s=(ended - last) if last is not None else None,
        stats=stats,
        hits=hits,
        log=log,
    )


class _RssSampler(threading.Thread):
    """Reads a process's VmRSS every 50 ms, so the memory at a given moment can be told."""

    def __init__(self, pid: int) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.path = f"/proc/{pid}/status"
        self.samples: list[tuple[float, float]] = []
        # The kernel's peak for this process since its exec (getrusage's ru_maxrss is not:
        # it carries the forking parent's size over).
        self.hwm: float | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.05):
            try:
                with open(self.path, encoding="ascii") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            self.hwm = int(line.split()[1]) / 1024
                        elif line.startswith("VmRSS:"):
                            self.samples.append((time.monotonic(), int(line.split()[1]) / 1024))
                            break
            except (OSError, ValueError):
                return  # the process is gone (or a zombie without memory)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def at(self, moment: float) -> float | None:
        """The largest sample up to *moment*."""
        before = [rss for t, rss in self.samples if t <= moment]
        return max(before) if before else None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended as the timer fired
        os.kill(pid, signal.SIGKILL)


def heavy_imports(log: Path, top: int = 8) -> list[tuple[str, float]]:
    """From a ``python -X importtime`` log: the costliest top-level packages, in seconds."""
    best: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line[len("import time:") :].split("|"))
        if not cumulative.isdigit():
            continue  # the header line
        package = name.split(".")[0]
        best[package] = max(best.get(package, 0), int(cumulative))
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return [(name, us / 1e6) for name, us in ranked]


def export_ids(run: CrawlRun) -> list[str]:
    """The story ids in the run's export (empty for the bare spider)."""
    path = run.stats.get("newscrawl/export/path")
    if not path or not Path(path).exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh]
