"""The data dir's lock: one run at a time, the holder named, handed to a child, never stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl.ops.lock import INHERITED_FD_ENV, LOCK_FILE, CrawlLock, DataDirBusy, DataDirLock
from tests.conftest import ROOT

# A second process asks for the lock and prints whether it got it (and who holds it).
TRY_LOCK = (
    "import sys; from newscrawl.ops.lock import DataDirLock; "
    "lock = DataDirLock(sys.argv[1]); ok = lock.acquire('run child'); "
    "print('got' if ok else 'busy: ' + lock.holder(), flush=True)"
)


@pytest.fixture(autouse=True)
def no_inherited_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test run under the cron runner would otherwise adopt the runner's descriptor.
    monkeypatch.delenv(INHERITED_FD_ENV, raising=False)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[DataDirLock]:
    lock = DataDirLock(tmp_path / "data")
    assert lock.acquire("run 20250612T093000Z-00000a")
    yield lock
    lock.release()


def try_lock(data_dir: Path, *, env: dict[str, str] | None = None, fd: int | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", TRY_LOCK, str(data_dir)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        pass_fds=(fd,) if fd is not None else (),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return proc.stdout.strip()


def test_acquire_makes_the_lock_file_and_names_the_holder(tmp_path: Path) -> None:
    lock = DataDirLock(tmp_path / "data")  # the data dir does not exist yet
    assert lock.acquire("run 20250612T093000Z-00000a")
    assert lock.path == tmp_path / "data" / LOCK_FILE
    holder = lock.holder()
    assert holder.startswith(f"pid {os.getpid()} run 20250612T093000Z-00000a since 20")
    assert lock.acquire() is True  # asking again while holding it is not a refusal
    lock.release()


def test_a_second_acquire_is_refused_at_once_and_names_the_holder(
    held: DataDirLock, tmp_path: Path
) -> None:
    other = DataDirLock(tmp_path / "data")  # another run in this process
    assert other.acquire("run 20250612T100000Z-00000b") is False
    assert other.fd is None
    assert "run 20250612T093000Z-00000a" in other.holder()  # the refused run is not written
    assert try_lock(tmp_path / "data").startswith(f"busy: pid {os.getpid()} run 2025")


def test_release_lets_the_next_run_in(held: DataDirLock, tmp_path: Path) -> None:
    held.release()
    assert held.fd is None
    nxt = DataDirLock(tmp_path / "data")
    assert nxt.acquire("run next")
    assert "run next" in nxt.holder()
    nxt.release()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    holder = subprocess.Popen(
        [sys.executable, "-c", TRY_LOCK + "; sys.stdin.read()", str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "got"
        assert not DataDirLock(data_dir).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    lock = DataDirLock(data_dir)
    assert lock.acquire(), "the lock of a killed run must not outlive it"
    lock.release()


def test_a_child_handed_the_descriptor_adopts_the_lock(held: DataDirLock, tmp_path: Path) -> None:
    assert held.fd is not None
    os.set_inheritable(held.fd, True)
    try:
        # The runner's own crawl gets in; any other process is still refused.
        assert (
            try_lock(tmp_path / "data", env={INHERITED_FD_ENV: str(held.fd)}, fd=held.fd) == "got"
        )
        assert not DataDirLock(tmp_path / "data").acquire()
    finally:
        os.set_inheritable(held.fd, False)


def test_an_adopted_lock_is_not_released_by_the_child(
    held: DataDirLock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert held.fd is not None
    monkeypatch.setenv(INHERITED_FD_ENV, str(held.fd))
    child = DataDirLock(tmp_path / "data")
    assert child.acquire()
    assert child.fd == held.fd
    child.release()  # the child's crawl ends: the runner still holds the lock
    os.fstat(held.fd)  # its descriptor is still open
    monkeypatch.delenv(INHERITED_FD_ENV)
    assert not DataDirLock(tmp_path / "data").acquire()


def test_a_descriptor_of_another_file_is_not_taken_for_the_lock(
    held: DataDirLock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    with (other_dir / LOCK_FILE).open("w") as fh:  # a runner of another data dir
        monkeypatch.setenv(INHERITED_FD_ENV, str(fh.fileno()))
        assert DataDirLock(tmp_path / "data").acquire() is False
        monkeypatch.setenv(INHERITED_FD_ENV, "not-a-number")
        assert DataDirLock(tmp_path / "data").acquire() is False


def settings(data_dir: Path, **kw: object) -> Settings:
    return Settings(
        {
            "NEWSCRAWL_EXPORT_ENABLED": True,
            "NEWSCRAWL_DATA_DIR": str(data_dir),
            "NEWSCRAWL_RUN_ID": "20250612T100000Z-00000b",
            **kw,
        }
    )


def test_a_crawl_refuses_to_start_while_another_run_holds_the_data_dir(
    held: DataDirLock, tmp_path: Path
) -> None:
    addon = CrawlLock(get_crawler())
    with pytest.raises(DataDirBusy, match=r"run 20250612T093000Z-00000a.*nothing was crawled"):
        addon.update_settings(settings(tmp_path / "data"))
    assert addon.lock is None


def test_a_crawl_holds_the_lock_until_the_engine_stops(tmp_path: Path) -> None:
    crawler = get_crawler()
    addon = CrawlLock(crawler)
    addon.update_settings(settings(tmp_path / "data"))
    assert "run 20250612T100000Z-00000b" in DataDirLock(tmp_path / "data").holder()
    assert not DataDirLock(tmp_path / "data").acquire()
    crawler.signals.send_catch_log(signals.engine_stopped)
    after = DataDirLock(tmp_path / "data")
    assert after.acquire()
    after.release()


def test_a_crawl_without_exports_takes_no_lock(held: DataDirLock, tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        CrawlLock(get_crawler()).update_settings(
            settings(tmp_path / "data", NEWSCRAWL_EXPORT_ENABLED=False)
        )
