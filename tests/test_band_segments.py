"""Band rows promoted as segments: every lookup answers as if they were in the band index,
however much of them a later run has folded into it, and the fold loses nothing."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from newscrawl.stores import StoredFingerprint, sqlite_fingerprints
from newscrawl.stores.band_segments import BandFolder, fold, sort_ties
from newscrawl.stores.sqlite import SQLiteSeenStore

RUNS, STORIES, BANDS = 4, 150, 32


def _history(seed: int = 11) -> list[list[tuple[str, list[int]]]]:
    """Runs of stories and their band keys: most keys are the story's own, and a few pools
    of keys are shared by many stories (a wire story republished 80 times shares all of
    its keys; others share a few), so that a lookup meets more than its limit. Each later
    run stages ten of the first run's stories again (promoted, they keep their sids)."""
    rng = random.Random(seed)
    popular = [rng.randrange(1 << 47) for _ in range(BANDS)]
    pool = [rng.randrange(1 << 47) for _ in range(40)]
    runs = []
    n = 0
    for _ in range(RUNS):
        stories = []
        for _ in range(STORIES):
            n += 1
            if n % 7 == 0:
                keys = list(popular)
            else:
                keys = [rng.randrange(1 << 47) for _ in range(BANDS)]
                shared = rng.randrange(4)
                for b, key in zip(
                    rng.sample(range(BANDS), shared), rng.sample(pool, shared), strict=True
                ):
                    keys[b] = key
            stories.append((rng.randbytes(16).hex(), keys))
        if runs:  # stories of the first run staged again: their sids are not in id order
            stories.extend((story, list(popular)) for story, _ in runs[0][:70:7])
        runs.append(stories)
    return runs


def _store(
    path: Path, history: list, after_promote: Callable[[SQLiteSeenStore, int], object]
) -> SQLiteSeenStore:
    store = SQLiteSeenStore(path)
    store.bind_fingerprints("p")
    for r, stories in enumerate(history):
        run = f"r{r}"
        for story, keys in stories:
            store.stage(run, story)
            store.stage_fingerprint(run, StoredFingerprint(story, None, 40, bytes(128)), keys)
        store.promote(run)
        after_promote(store, r)
    return store


def _queries(history: list, seed: int = 5) -> list[list[int]]:
    rng = random.Random(seed)
    stored = [k for stories in history for _, keys in stories for k in keys]
    queries = [keys for stories in history for _, keys in stories[::9]]
    for _ in range(150):
        q = [
            rng.choice(stored) if rng.random() < 0.3 else rng.randrange(1 << 47)
            for _ in range(BANDS)
        ]
        queries.append(q + q[:3])  # a key twice counts once
    shared = {k for stories in history for _, keys in stories for k in keys}
    queries += [[k] for k in sorted(shared)[:: max(1, len(shared) // 200)]]
    return queries


@pytest.mark.parametrize("segment_rows", [sqlite_fingerprints.SEGMENT_ROWS, 7])
def test_a_lookup_answers_the_same_whatever_is_folded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, segment_rows: int
) -> None:
    # 7 rows a segment: many segments a promote, keys shared past a segment's end.
    monkeypatch.setattr(sqlite_fingerprints, "SEGMENT_ROWS", segment_rows)
    history = _history()

    def partly(store: SQLiteSeenStore, r: int) -> None:  # a later run stopped in the middle
        for _ in range(r + 1):
            fold(store._db, rows=997)
        store._segments.stale()

    stores = {
        "index": _store(tmp_path / "index.sqlite3", history, lambda s, r: s.fold_bands()),
        "segments": _store(tmp_path / "segments.sqlite3", history, lambda s, r: None),
        "partly": _store(tmp_path / "partly.sqlite3", history, partly),
    }
    counts = {}
    for name, store in stores.items():
        with closing(sqlite3.connect(store.path)) as db:
            counts[name] = [
                db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("synd_band", "synd_band_segment")
            ]
    assert counts["index"][0] > 0 and counts["index"][1] == 0  # all folded: the old layout
    assert counts["segments"][0] == 0 and counts["segments"][1] > 0
    assert 0 < counts["partly"][0] < counts["index"][0] and counts["partly"][1] > 0
    # Each promote's segments, end to end, in (key, sid) order: a lookup takes a key's first
    # sids from them. Stories staged again keep their earlier sids, out of staging order.
    with closing(sqlite3.connect(stores["segments"].path)) as db:
        groups: dict[int, list] = {}
        for grp, keys, sids in db.execute("SELECT grp, keys, sids FROM synd_band_segment"):
            groups.setdefault(grp, []).append((keys, sids))
    assert len(groups) == RUNS
    for parts in groups.values():
        keys = np.frombuffer(b"".join(p[0] for p in parts), dtype="<u8")
        sids = np.frombuffer(b"".join(p[1] for p in parts), dtype="<i8")
        assert (np.lexsort((sids, keys)) == np.arange(len(keys))).all()

    answers: dict[str, list] = {name: [] for name in stores}
    more_than_limit = 0
    for keys in _queries(history):
        for limit in (1, 3, 10, 50):
            for name, store in stores.items():
                answers[name].append([fp.id for fp in store.similar("q", keys, limit)])
            more_than_limit += len(answers["index"][-1]) == limit
    # The oracle is the band index alone, as every store was before segments; with it, the
    # lookups that met more candidates than their limit, where order decides who is kept.
    assert more_than_limit > 50
    assert answers["segments"] == answers["index"]
    assert answers["partly"] == answers["index"]
    # And after folding the rest, the index is what the first store's is.
    for name in ("segments", "partly"):
        stores[name].fold_bands()
    tables = {}
    for name, store in stores.items():
        store.close()
        with closing(sqlite3.connect(store.path)) as db:
            tables[name] = sorted(db.execute("SELECT key, sid FROM synd_band"))
            assert db.execute("SELECT count(*) FROM synd_band_segment").fetchone()[0] == 0
    assert tables["segments"] == tables["index"] == tables["partly"]


def test_ties_are_put_in_story_order_and_nothing_else_moves() -> None:
    keys = np.array([1, 4, 4, 4, 7, 9, 9, 12], dtype=np.uint64)
    sids = np.array([5, 30, 2, 9, 1, 8, 3, 0], dtype=np.int64)
    sort_ties(keys, sids)
    assert sids.tolist() == [5, 2, 9, 30, 1, 3, 8, 0]
    assert keys.tolist() == [1, 4, 4, 4, 7, 9, 9, 12]


def _one_run(path: Path) -> int:
    """A store with one promoted run of 200 stories; returns its band rows."""
    history = _history()[:1]
    _store(path, history, lambda s, r: None).close()
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT sum(rows) FROM synd_band_segment").fetchone()[0]


def test_the_next_store_opened_folds_in_a_thread_and_waits_for_the_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "seen.sqlite3"
    rows = _one_run(path)
    store = SQLiteSeenStore(path)
    keys = _history()[0][3][1]
    before = [fp.id for fp in store.similar("q", keys, 50)]
    assert before  # found in the segments
    store.stage("r9", "f" * 32)  # this run's write transaction: the folder must wait
    folder = store.fold_in_background()
    assert folder is not None
    time.sleep(0.6)
    assert folder.folded == 0 and not folder.wait(0)
    store.flush()  # the lock is free: it goes on
    assert folder.wait(20)
    assert folder.folded == rows and folder.error is None
    assert [fp.id for fp in store.similar("q", keys, 50)] == before
    store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM synd_band").fetchone()[0] == rows
        assert db.execute("SELECT count(*) FROM synd_band_segment").fetchone()[0] == 0
    again = SQLiteSeenStore(path)
    assert again.fold_in_background() is None  # nothing left to fold
    assert [fp.id for fp in again.similar("q", keys, 50)] == before
    again.close()


def test_a_fold_that_fails_says_so_and_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "seen.sqlite3"
    rows = _one_run(path)
    with closing(sqlite3.connect(path)) as db:  # the band index refuses every row
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON synd_band BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
        db.commit()
    store = SQLiteSeenStore(path)
    keys = _history()[0][3][1]
    before = [fp.id for fp in store.similar("q", keys, 50)]
    folder = store.fold_in_background()
    assert folder is not None
    with caplog.at_level(logging.ERROR, logger="newscrawl.stores.band_segments"):
        assert folder.wait(20)
    assert isinstance(folder.error, sqlite3.IntegrityError) and folder.folded == 0
    assert "folding band rows into the band index failed" in caplog.text
    assert [fp.id for fp in store.similar("q", keys, 50)] == before
    store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM synd_band").fetchone()[0] == 0
        assert db.execute("SELECT sum(rows), max(folded) FROM synd_band_segment").fetchone() == (
            rows,
            0,
        )


def test_closing_the_store_stops_the_fold_and_what_is_left_stays_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seen.sqlite3"
    rows = _one_run(path)
    # Slow, so that it is stopped with rows left: 500 rows, then a pause.
    monkeypatch.setattr(BandFolder, "rows", 500)
    monkeypatch.setattr(BandFolder, "pause_s", 0.3)
    store = SQLiteSeenStore(path)
    folder = store.fold_in_background()
    assert folder is not None
    deadline = time.monotonic() + 20
    while not folder.folded and time.monotonic() < deadline:  # stopped in the middle
        time.sleep(0.01)
    keys = [k for _, ks in _history()[0] for k in ks[:1]][:32]
    before = [fp.id for fp in store.similar("q", keys, 50)]
    store.close()
    assert folder.wait(0) and 0 < folder.folded < rows
    with closing(sqlite3.connect(path)) as db:
        folded = db.execute("SELECT count(*) FROM synd_band").fetchone()[0]
        left = db.execute("SELECT sum(rows - folded) FROM synd_band_segment").fetchone()[0]
    assert folded == folder.folded and folded + left == rows
    again = SQLiteSeenStore(path)
    assert [fp.id for fp in again.similar("q", keys, 50)] == before
    again.close()
