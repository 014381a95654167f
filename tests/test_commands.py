"""Scrapy's own commands on the project: `scrapy crawl` with bad arguments says so in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NOW, ROOT


def scrapy(*args: str, data_dir: Path, base_url: str = "http://127.0.0.1:9") -> tuple[int, str]:
    """`scrapy ARGS` as a user types it in the project; its exit code and all it printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
            "NEWSCRAWL_BASE_URL": base_url,
            "NEWSCRAWL_DATA_DIR": str(data_dir),
            "NEWSCRAWL_NOW": NOW,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-a", "tags="], "no hashtags given: use -a tags=A,B or -a tags_file=FILE"),
        (["-a", "tags=Saco", "-a", "lang=xx"], "unknown lang 'xx': use one of en, ar"),
        (["-a", "tags_file=no-such-tags.txt"], "tags_file no-such-tags.txt: cannot be read"),
        (["-a", "tags=Saco", "-a", "max_pages=0"], "max_pages must be at least 1"),
        (["-a", "tags=Saco", "-s", "NEWSCRAWL_NOW=soon"], "not an ISO 8601 instant: 'soon'"),
    ],
)
def test_a_bad_argument_is_one_error_line_a_failing_exit_and_nothing_written(
    tmp_path: Path, args: list[str], named: str
) -> None:
    data = tmp_path / "data"
    code, out = scrapy("crawl", "tagpage", *args, data_dir=data)
    assert code == 1
    errors = [line for line in out.splitlines() if " ERROR: " in line]
    assert len(errors) == 1, out
    assert named in errors[0]
    assert "Traceback" not in out and "Task exception was never retrieved" not in out
    assert not data.exists()
