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
) -> CrawlResult:
    """`scrapy crawl tagpage ARGS` as a user runs it, against *base_url*, in *data_dir*."""
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
        [sys.executable, "-m", "scrapy", "crawl", "tagpage", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    result = CrawlResult(proc.returncode, proc.stdout + proc.stderr, data_dir)
    result.exports = sorted(set((data_dir / "exports" / "tagpage").glob("*.jsonl")) - before)
    validator = jsonschema.Draft202012Validator(story_schema())
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
