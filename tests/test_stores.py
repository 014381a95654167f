"""The SQLite seen-store: staged ids are not seen until promoted; state survives reopening."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.stores.sqlite import SQLiteSeenStore

A, B, C = "a" * 32, "b" * 32, "c" * 32


def test_staged_is_not_seen_until_promoted(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    store.stage("r1", A)
    store.stage("r1", B)
    assert not store.is_seen(A)
    assert store.promote("r1") == 2
    assert store.is_seen(A) and store.is_seen(B) and not store.is_seen(C)
    assert store.staged_runs() == []
    store.close()


def test_state_survives_reopening_and_discard_forgets(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SQLiteSeenStore(path)
    store.stage("r1", A)
    store.promote("r1")
    store.stage("r2", B)
    store.flush()
    store.close()  # as if the process died after staging r2

    store = SQLiteSeenStore(path)
    assert store.is_seen(A)
    assert store.staged_runs() == ["r2"]
    assert store.discard("r2") == 1
    assert not store.is_seen(B)
    assert store.count() == 1
    store.close()


def test_promote_is_idempotent_for_ids_seen_before(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "s.sqlite3")
    store.stage("r1", A)
    store.promote("r1")
    store.stage("r2", A)  # refresh=1 exports it again
    assert store.promote("r2") == 0
    assert store.count() == 1
    store.close()


def test_non_hex_id_is_refused(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "s.sqlite3")
    with pytest.raises(ValueError):
        store.stage("r1", "not-an-id")
    store.close()
