"""Distributed crawling on Redis: real redis-server, real `scrapy crawl` workers, the replica.

The promise: workers started with the same command split the work, the union of their
exports is exactly the site's stories with none twice, a worker killed mid-crawl (or at the
rename of its export) loses nothing, and a finished fleet run leaves only the seen ids behind.
Every wait is on observable state (requests reaching the server, Redis keys, files).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica.site import Site
from newscrawl.stores import StoredFingerprint, StoryClaimed
from newscrawl.stores.redis import RedisSeenStore
from tests.conftest import ROOT, _free_loopback_port, stop_process
from tests.cronkit import (
    CRASHPOINT,
    GatedReplica,
    export_files,
    records,
    reports,
    runner_env,
    wait_for,
)

try:
    import redis
except ImportError:  # an old venv; CI installs requirements.txt, so there it fails
    if os.environ.get("CI", "").strip().lower() == "true":
        raise
    pytest.skip("redis-py is not installed (make venv)", allow_module_level=True)

HEARTBEAT_TTL = "2"  # seconds: a killed worker's share is taken over this soon
_NO_PERSISTENCE = ["--save", "", "--appendonly", "no", "--daemonize", "no"]


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"redis-server missing in CI (CI=true): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, no persistence; stopped by its PID."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        _missing("redis-server is not installed (apt-get install redis-server)")
    port = _free_loopback_port()
    log = tmp_path_factory.mktemp("redis") / "redis.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", *_NO_PERSISTENCE],
            stdout=out,
            stderr=out,
        )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                _missing(f"redis-server exited {proc.returncode}: {log.read_text()[-800:]}")
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not answer PING within 20 s: {log.read_text()}")
            time.sleep(0.05)
        yield url
    finally:
        client.close()
        stop_process(proc, grace=10)


@pytest.fixture
def r(redis_server: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.close()


def _worker(
    base_url: str,
    data_dir: Path,
    redis_url: str,
    tags: list[str],
    *args: str,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`scrapy crawl tagpage -a tags=... -s NEWSCRAWL_BACKEND=redis -s REDIS_URL=...`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "tagpage", "-a", f"tags={','.join(tags)}"]
    cmd += ["-s", "NEWSCRAWL_BACKEND=redis", "-s", f"REDIS_URL={redis_url}", *args]
    full_env = runner_env(
        base_url,
        NEWSCRAWL_DATA_DIR=str(data_dir),
        NEWSCRAWL_REDIS_HEARTBEAT_TTL=HEARTBEAT_TTL,
        NEWSCRAWL_FLEET_POLL="0.2",
        **(env or {}),
    )
    with (data_dir / "worker.log").open("ab") as log:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=log, stderr=log, start_new_session=True
        )


def _finish(proc: subprocess.Popen[bytes], data_dir: Path, timeout: float = 90) -> None:
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "timeout"
    log = (data_dir / "worker.log").read_text(errors="replace")
    assert code == 0, f"worker in {data_dir} exited {code}:\n{log[-3000:]}"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _exported(*data_dirs: Path) -> Counter[str]:
    return Counter(rec["id"] for d in data_dirs for p in export_files(d) for rec in records(p))


def _fleet_keys(r: redis.Redis) -> list[bytes]:
    return sorted(r.scan_iter(match="newscrawl:fleet:*"))


def _assert_fleet_over(r: redis.Redis, seen: int) -> None:
    """Only the seen ids (and short-lived run tombstones) outlive a finished fleet run."""
    assert _fleet_keys(r) == [], "the fleet run's queue and dupefilter outlived it"
    assert list(r.scan_iter(match="newscrawl:claim:*")) == []
    assert [k for k in r.scan_iter(match="newscrawl:run:*:*")] == []
    assert r.scard("newscrawl:runs") == 0
    for run in r.scan_iter(match="newscrawl:run:*"):
        assert 0 < r.ttl(run) <= 7 * 86400, "a finished run's record does not expire"
    buckets = list(r.scan_iter(match="newscrawl:seen:*"))
    assert sum(r.hlen(b) for b in buckets) == seen
    assert {r.object("encoding", b) for b in buckets} == {b"listpack"}


# --- end to end: workers against the replica --------------------------------------------------


def test_two_workers_split_the_listings_and_export_each_story_once(
    site: Site, tmp_path: Path, r: redis.Redis, redis_server: str
) -> None:
    tags = site.tags("en")
    expected = site.expected("en", tags, max_pages=10)
    dirs = [tmp_path / "w1", tmp_path / "w2"]
    with GatedReplica(site, allow=0) as server:
        # Two listings in flight per worker: both hold some when the gate opens.
        workers = [
            _worker(server.base_url, d, redis_server, tags, "-s", "CONCURRENT_REQUESTS=2")
            for d in dirs
        ]
        try:
            wait_for(lambda: server.listing_requests() >= 4, "both workers to take listings")
            [dupefilter] = [k for k in _fleet_keys(r) if k.endswith(b":dupefilter")]
            assert 0 < r.ttl(dupefilter) <= 86400, "the dupefilter has no expiry"
            assert r.scard(dupefilter) == len(tags)  # each first page queued once, not twice
        finally:
            server.release()
        for proc, d in zip(workers, dirs, strict=True):
            _finish(proc, d)

    ids = _exported(*dirs)
    assert [i for i, n in ids.items() if n > 1] == [], "a story was exported twice"
    assert set(ids) == set(expected), "the union of the exports is not the site's stories"
    for d in dirs:
        [run] = reports(d)
        assert run["stats"]["newscrawl/pages"] >= 2, f"{d.name} did no share of the listings"
        for path in export_files(d):
            for rec in records(path):
                # hashtags: those whose listings this worker saw, all of them true ones
                true_tags = set(expected[rec["id"]]["hashtags"])
                assert rec["hashtags"] and set(rec["hashtags"]) <= true_tags
    _assert_fleet_over(r, seen=len(expected))

    # The incremental state is shared: the same command again exports nothing new.
    again = tmp_path / "w3"
    with GatedReplica(site) as server:
        proc = _worker(server.base_url, again, redis_server, tags)
        _finish(proc, again)
    assert _exported(again) == Counter()
    [run] = reports(again)
    assert run["drops"]["seen_before"] == len(expected)


def test_a_worker_killed_mid_crawl_loses_nothing_its_peer_takes_over(
    site: Site, tmp_path: Path, r: redis.Redis, redis_server: str
) -> None:
    tags = site.tags("en")
    expected = site.expected("en", tags, max_pages=10)
    survivor, victim = tmp_path / "survivor", tmp_path / "victim"
    with GatedReplica(site, allow=0) as server:
        procs = {
            d: _worker(server.base_url, d, redis_server, tags, "-s", "CONCURRENT_REQUESTS=2")
            for d in (survivor, victim)
        }
        try:
            wait_for(lambda: server.listing_requests() >= 4, "both workers to take listings")
            taken = [k for k in r.scan_iter(match="newscrawl:run:*:taken")]
            assert len(taken) == 2 and all(r.zcard(k) == 2 for k in taken)
            _kill(procs[victim])  # holding two listings it never got
        finally:
            server.release()
        _finish(procs[survivor], survivor)

    assert export_files(victim) == []
    ids = _exported(survivor, victim)
    assert [i for i, n in ids.items() if n > 1] == []
    assert set(ids) == set(expected), "the killed worker's listings were lost"
    [run] = reports(survivor)
    assert run["stats"]["newscrawl/fleet/settled_dead_runs"] == 1
    _assert_fleet_over(r, seen=len(expected))


def _crashpoint_env(point: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(CRASHPOINT), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, "CRASHPOINT_RENAME": point}


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_worker_killed_at_its_export_rename_is_settled_on_restart(
    site: Site, tmp_path: Path, r: redis.Redis, redis_server: str, point: str
) -> None:
    """Claims staged, export written: before the rename they are discarded (the restart
    exports the stories), after it promoted (the restart finds the file on its disk)."""
    tags = site.tags("en")[:4]
    expected = site.expected("en", tags, max_pages=10)
    data = tmp_path / "data"
    # No run window: the restart joins the killed worker's fleet run whatever the time.
    same_fleet = {"NEWSCRAWL_FLEET_WINDOW": "0"}
    with GatedReplica(site) as server:
        env = {**_crashpoint_env(point), **same_fleet}
        proc = _worker(server.base_url, data, redis_server, tags, env=env)
        marker = wait_for(
            lambda: next((data / "exports" / "tagpage").glob("*.crashpoint"), None),
            "the worker to reach its export's rename",
        )
        assert len(list(r.scan_iter(match="newscrawl:claim:*"))) == len(expected)
        _kill(proc)
        left = export_files(data)
        assert (left != []) == (point == "after"), marker

        restart = _worker(server.base_url, data, redis_server, tags, env=same_fleet)
        _finish(restart, data)

    ids = _exported(data)
    assert [i for i, n in ids.items() if n > 1] == [], "a story was exported twice"
    assert set(ids) == set(expected), "a story was lost"
    run = reports(data)[-1]
    assert run["stories_exported"] == (len(expected) if point == "before" else 0)
    _assert_fleet_over(r, seen=len(expected))


# --- the store on its own -------------------------------------------------------------------

A_ID, B_ID = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"


def _store(r: redis.Redis, **kw: Any) -> RedisSeenStore:
    return RedisSeenStore(r, prefix="newscrawl", **kw)


def _register(store: RedisSeenStore, run_id: str) -> None:
    assert store.register_run(
        run_id,
        fleet="f",
        queue_key="newscrawl:fleet:t:f:requests",
        dupefilter_key="newscrawl:fleet:t:f:dupefilter",
        fleet_runs_key="newscrawl:fleet:t:f:runs",
        exports_dir="/nonexistent",
    )


def test_a_claim_holds_while_its_run_lives_and_is_released_when_it_dies(
    r: redis.Redis,
) -> None:
    a, b = _store(r), _store(r)
    _register(a, "run-a")
    _register(b, "run-b")
    a.stage("run-a", A_ID)
    with pytest.raises(StoryClaimed):
        b.stage("run-b", A_ID)
    assert b.staged_runs() == []  # a live run is never recovered by another

    a.end_heartbeat("run-a")  # as a killed worker's heartbeat key expiring
    assert b.staged_runs() == ["run-a"]
    b.stage("run-b", A_ID)  # the dead run's claim is taken over
    assert b.discard("run-a") == 1
    assert r.get(f"newscrawl:claim:{A_ID}") == b"run-b"  # discard kept the new owner's claim
    assert b.promote("run-b") == 1 and a.is_seen(A_ID)
    assert b.promote("run-b") == 0  # settled once
    with pytest.raises(StoryClaimed):  # seen now: a third run cannot stage it either
        _register(a, "run-c")
        a.stage("run-c", A_ID)


def test_seen_among_answers_for_a_batch_what_is_seen_answers_for_each(r: redis.Redis) -> None:
    store = _store(r)
    _register(store, "run-a")
    ids = [f"{i:032x}" for i in range(1, 41)]
    for sid in ids[:20]:
        store.stage("run-a", sid)
    assert store.seen_among(ids) == set()  # staged is not seen
    store.promote("run-a")
    assert store.seen_among(ids + ids[:3]) == set(ids[:20]) == {s for s in ids if store.is_seen(s)}
    assert store.seen_among([]) == set()


def test_fingerprints_follow_the_staged_then_seen_rule(r: redis.Redis) -> None:
    a, b = _store(r), _store(r)
    _register(a, "run-a")
    _register(b, "run-b")
    assert a.bind_fingerprints("p1") == "p1" and b.bind_fingerprints("p2") == "p1"
    sig = bytes(range(128))
    a.stage("run-a", A_ID)
    a.stage_fingerprint("run-a", StoredFingerprint(A_ID, None, 40, sig), [7, 2**46 + 9])
    b.stage("run-b", B_ID)
    b.stage_fingerprint("run-b", StoredFingerprint(B_ID, A_ID, 30, sig), [8])
    assert [f.id for f in a.similar("run-a", [7], 10)] == [A_ID]
    assert b.similar("run-b", [7], 10) == []  # another run's staged fingerprint is not seen
    assert b.fingerprint_of("run-b", B_ID) == StoredFingerprint(B_ID, A_ID, 30, sig, staged=True)
    a.promote("run-a")
    [found] = b.similar("run-b", [2**46 + 9, 5], 10)
    assert found == StoredFingerprint(A_ID, None, 40, sig, staged=False)
    b.discard("run-b")
    assert a.fingerprint_of("run-a", B_ID) is None
    a.reset_fingerprints()  # docs/SYNDICATION.md, "Changing the method"
    assert a.similar("run-a", [7], 10) == [] and a.bind_fingerprints("p2") == "p2"
    assert a.is_seen(A_ID)
