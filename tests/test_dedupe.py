"""DedupePipeline on plain records and real stores: once per run, once ever, staged until complete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.stores import SeenStore
from newscrawl.stores.redis import RedisSeenStore
from newscrawl.stores.sqlite import SQLiteSeenStore
from tests.test_redis import _register as register  # as the fleet scheduler registers a run
from tests.test_redis import redis_server  # noqa: F401  (the session's real redis-server)

A, B = "a" * 32, "b" * 32


def item(sid: str) -> dict[str, str]:
    return {"id": sid, "url": f"https://www.daily8.com/en/article/{sid}", "title": "T"}


def pipeline(store: SeenStore | None, run_id: str, *, refresh: bool = False) -> DedupePipeline:
    return DedupePipeline(store, get_crawler().stats, run_id=run_id, refresh=refresh)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteSeenStore]:
    s = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    yield s
    s.close()


def test_a_new_story_passes_and_is_counted_new(store: SQLiteSeenStore) -> None:
    pipe = pipeline(store, "r1")
    record = item(A)
    assert pipe.process_item(record) is record
    assert pipe.stats.get_value("newscrawl/dedupe/new") == 1
    assert pipe.stats.get_value("newscrawl/drop/seen_before") is None


def test_a_story_twice_in_one_run_is_exported_once(store: SQLiteSeenStore) -> None:
    pipe = pipeline(store, "r1")
    assert pipe._run_ids is None  # the store says what this run staged: no set of ids
    pipe.process_item(item(A))
    with pytest.raises(DropItem, match="already exported in this run"):
        pipe.process_item(item(A))
    pipe.process_item(item(B))
    assert pipe.stats.get_value("newscrawl/drop/in_run_duplicate") == 1
    assert pipe.stats.get_value("newscrawl/dedupe/new") == 2


def test_staged_stories_are_not_seen_until_the_runs_export_is_complete(
    store: SQLiteSeenStore,
) -> None:
    pipeline(store, "r1").process_item(item(A))
    assert store.staged_runs() == ["r1"]
    # r1's export is not complete yet: another run must not skip its story.
    assert not store.is_seen(A)
    pipeline(store, "r2").process_item(item(A))
    assert store.staged_runs() == ["r1", "r2"]


def test_a_story_an_earlier_complete_export_holds_is_dropped(store: SQLiteSeenStore) -> None:
    pipeline(store, "r1").process_item(item(A))
    assert store.promote("r1") == 1  # r1's export renamed into place
    later = pipeline(store, "r2")
    with pytest.raises(DropItem, match="exported by an earlier run"):
        later.process_item(item(A))
    assert later.process_item(item(B))["id"] == B
    assert later.stats.get_value("newscrawl/drop/seen_before") == 1
    assert later.stats.get_value("newscrawl/dedupe/new") == 1
    assert store.staged_runs() == ["r2"]  # only the new story is staged


def test_seen_state_survives_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    first = SQLiteSeenStore(path)
    pipeline(first, "r1").process_item(item(A))
    first.promote("r1")
    first.close()
    again = SQLiteSeenStore(path)
    try:
        with pytest.raises(DropItem):
            pipeline(again, "r2").process_item(item(A))
    finally:
        again.close()


def test_refresh_exports_a_seen_story_again_but_still_once_per_run(
    store: SQLiteSeenStore,
) -> None:
    pipeline(store, "r1").process_item(item(A))
    store.promote("r1")
    pipe = pipeline(store, "r2", refresh=True)
    assert pipe.process_item(item(A))["id"] == A
    with pytest.raises(DropItem, match="already exported in this run"):
        pipe.process_item(item(A))
    assert pipe.stats.get_value("newscrawl/drop/seen_before") is None
    assert pipe.stats.get_value("newscrawl/dedupe/new") == 1
    assert "r2" in store.staged_runs()  # staged with the run like any exported story


def test_without_a_store_only_in_run_duplicates_are_dropped() -> None:
    pipe = pipeline(None, "r1")  # exports off: no seen-store
    pipe.process_item(item(A))
    with pytest.raises(DropItem):
        pipe.process_item(item(A))
    assert pipe.stats.get_value("newscrawl/dedupe/new") == 1


# --- a shared store (Redis): another live run has the story staged -----------------------------


@pytest.fixture
def redis_store(redis_server: str) -> Iterator[RedisSeenStore]:  # noqa: F811
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    store = RedisSeenStore(client, prefix="newscrawl")
    yield store
    store.close()


def test_a_story_another_live_run_claimed_is_dropped_and_counted(
    redis_store: RedisSeenStore,
) -> None:
    register(redis_store, "run-a")
    register(redis_store, "run-b")
    pipeline(redis_store, "run-a").process_item(item(A))
    other = pipeline(redis_store, "run-b")
    with pytest.raises(DropItem, match="staged by another live run"):
        other.process_item(item(A))
    assert other.stats.get_value("newscrawl/drop/claimed_by_other_run") == 1
    assert other.stats.get_value("newscrawl/dedupe/new") is None
    assert other.process_item(item(B))["id"] == B  # its own stories go on
    # Not taken as exported by run-b: once run-a dies undelivered, run-b may stage it.
    redis_store.end_heartbeat("run-a")
    redis_store.discard("run-a")
    assert other.process_item(item(A))["id"] == A
    assert other.stats.get_value("newscrawl/dedupe/new") == 2


def test_a_story_twice_in_one_run_on_redis_is_exported_once(
    redis_store: RedisSeenStore,
) -> None:
    register(redis_store, "run-a")
    pipe = pipeline(redis_store, "run-a")
    assert pipe._run_ids is None
    pipe.process_item(item(A))
    with pytest.raises(DropItem, match="already exported in this run"):
        pipe.process_item(item(A))
    assert pipe.stats.get_value("newscrawl/drop/in_run_duplicate") == 1
    assert pipe.stats.get_value("newscrawl/dedupe/new") == 1


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_stage_says_whether_the_run_had_staged_the_story_already(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        store: SeenStore = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    else:
        store = request.getfixturevalue("redis_store")
        register(store, "r1")
        register(store, "r2")
    assert store.stage("r1", A) is True
    assert store.stage("r1", A) is False
    assert store.stage("r1", B) is True
    if kind == "sqlite":  # one writer at a time: another run stages it too, after r1
        assert store.stage("r2", A) is True
        store.close()
