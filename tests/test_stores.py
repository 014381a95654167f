"""The SQLite seen-store: staged ids are not seen until promoted; state survives reopening."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from newscrawl.stores.sqlite import SQLiteSeenStore

ROOT = Path(__file__).resolve().parent.parent

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


def test_seen_among_answers_for_a_batch_what_is_seen_answers_for_each(tmp_path: Path) -> None:
    store = SmallLevels(tmp_path / "seen.sqlite3")
    ids = [f"{i:032x}" for i in range(1, 1201)]
    for run, part in (("r1", ids[:300]), ("r2", ids[300:340]), ("r3", ids[340:640])):
        for sid in part:
            store.stage(run, sid)
        store.flush()
    store.promote("r1")  # merged into the large level
    store.promote("r2")  # too few to merge: the small level; r3 stays staged, not seen
    assert levels(tmp_path / "seen.sqlite3")["main"] == 300
    asked = ids + ids[:5]  # more than one statement's batch, and repeats
    expected = {sid for sid in ids if store.is_seen(sid)}
    assert expected == set(ids[:340]) and store.seen_among(asked) == expected
    assert store.seen_among([]) == set()
    store.stage("r4", ids[-1])  # inside the write transaction the filter answers each
    assert store.seen_among(ids[:2] + ids[-2:]) == set(ids[:2])
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


def test_staging_runs_on_a_smaller_page_cache_and_the_rest_on_the_full_one(
    tmp_path: Path,
) -> None:
    """A run's staged writes go through ``staging_cache_kib``; lookups outside the staging
    transaction and promote's merge have the store's whole cache."""
    store = SQLiteSeenStore(tmp_path / "s.sqlite3", cache_kib=32 * 1024)

    def cache_kib() -> int:
        return -store._db.execute("PRAGMA cache_size").fetchone()[0]

    assert cache_kib() == 32 * 1024
    store.is_seen(A)
    assert cache_kib() == 32 * 1024
    store.stage("r1", A)
    assert cache_kib() == SQLiteSeenStore.staging_cache_kib == 16 * 1024
    store.flush()
    assert cache_kib() == 32 * 1024
    store.stage("r1", "b" * 32)
    assert cache_kib() == 16 * 1024
    assert store.promote("r1") == 2
    assert cache_kib() == 32 * 1024
    store.close()
    small = SQLiteSeenStore(tmp_path / "t.sqlite3", cache_kib=4 * 1024)
    small.stage("r1", A)  # never more than the store's own cache
    assert -small._db.execute("PRAGMA cache_size").fetchone()[0] == 4 * 1024
    small.close()


def test_non_hex_id_is_refused(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "s.sqlite3")
    with pytest.raises(ValueError):
        store.stage("r1", "not-an-id")
    store.close()


# --- the two levels: staged ids, a small level of recent ones, merged into the large one ---


class SmallLevels(SQLiteSeenStore):
    """Merges after a handful of ids, so that a test sees several."""

    merge_floor = 4
    merge_fraction = 0.5


def ids(n: int, start: int = 0) -> list[str]:
    return [f"{i:032x}" for i in range(start, start + n)]


def levels(path: Path) -> dict[str, int]:
    """What a reader of the file sees: ids per level and the old tables' shape (views)."""
    with closing(sqlite3.connect(path)) as db:
        q = {
            "main": "SELECT count(*) FROM seen_main",
            "recent": "SELECT count(*) FROM seen_recent",
            "seen": "SELECT count(*) FROM seen",
            "staged": "SELECT count(*) FROM staged",
        }
        return {name: db.execute(sql).fetchone()[0] for name, sql in q.items()}


def pipeline_run(store: SQLiteSeenStore, run_id: str, stories: list[str]) -> int:
    """As the dedupe pipeline does: look up, stage the new ones, flush, promote."""
    for sid in stories:
        if not store.is_seen(sid):
            store.stage(run_id, sid)
    store.flush()
    return store.promote(run_id)


def test_merges_move_ids_to_the_large_level_and_every_id_stays_seen(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    done: list[str] = []
    for run in range(8):
        batch = ids(3, start=10 * run)
        assert pipeline_run(store, f"r{run}", batch) == 3
        done += batch
        assert all(store.is_seen(sid) for sid in done)
        assert not store.is_seen(ids(1, start=10 * run + 5)[0])
        assert store.count() == len(done)
    assert store.merges >= 3
    after = levels(path)
    assert after["main"] > 0 and after["main"] + after["recent"] == len(done)
    assert after["seen"] == len(done) and after["staged"] == 0
    store.close()

    store = SmallLevels(path)  # and after reopening
    assert all(store.is_seen(sid) for sid in done)
    assert store.count() == len(done)
    with closing(sqlite3.connect(path)) as db:
        assert {r[0] for r in db.execute("SELECT id FROM seen")} == set(done)
    store.close()


def test_a_run_staged_during_a_merge_stays_staged(tmp_path: Path) -> None:
    store = SmallLevels(tmp_path / "seen.sqlite3")
    live = ids(2, start=100)
    for sid in live:  # another crawl's run, still going
        store.stage("live", sid)
    store.flush()
    pipeline_run(store, "r1", ids(5))  # 5 >= merge_floor: merged
    assert store.merges == 1
    assert store.staged_runs() == ["live"]
    assert not any(store.is_seen(sid) for sid in live)
    assert store.discard("live") == 2
    assert store.count() == 5 and all(store.is_seen(sid) for sid in ids(5))
    store.close()


def test_promote_counts_only_ids_no_run_made_seen(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    assert pipeline_run(store, "r1", ids(5)) == 5  # merged into the large level
    assert store.merges == 1
    # refresh=1: seen ids staged again, from the large level and not.
    for sid in ids(7):
        store.stage("r2", sid)
    assert store.promote("r2") == 2
    # Two runs staging the same ids; the first promoted makes them seen.
    for run in ("r3", "r4"):
        for sid in ids(3, start=50):
            store.stage(run, sid)
    assert store.promote("r3") == 3
    assert store.promote("r4") == 0
    # Another connection promotes an id between this one's stage and promote.
    assert not store.is_seen(ids(1, start=60)[0])
    for sid in ids(2, start=60):
        store.stage("r5", sid)
    store.flush()
    other = SQLiteSeenStore(path)
    other.stage("elsewhere", ids(1, start=60)[0])
    assert other.promote("elsewhere") == 1
    other.close()
    assert store.promote("r5") == 1
    assert store.count() == 7 + 3 + 2 == levels(path)["seen"]
    store.close()


def test_an_old_file_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    old_seen = {
        sid: ("20250101T000000Z-aaaaaa" if i % 2 else "20250102T000000Z-bbbbbb")
        for i, sid in enumerate(ids(300))
    }
    old_staged = ids(4, start=1000)
    with closing(sqlite3.connect(path)) as db, db:  # the layout before the two levels
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(
            "CREATE TABLE seen (id BLOB PRIMARY KEY, run_id TEXT NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE staged (run_id TEXT NOT NULL, id BLOB NOT NULL,"
            " PRIMARY KEY (run_id, id)) WITHOUT ROWID;"
        )
        db.executemany(
            "INSERT INTO seen VALUES (?, ?)", [(bytes.fromhex(s), r) for s, r in old_seen.items()]
        )
        db.executemany(
            "INSERT INTO staged VALUES ('dead-run', ?)", [(bytes.fromhex(s),) for s in old_staged]
        )

    store = SQLiteSeenStore(path)
    assert all(store.is_seen(sid) for sid in old_seen)
    assert store.count() == len(old_seen)
    assert store.staged_runs() == ["dead-run"]  # recovered by the next crawl as before
    assert not any(store.is_seen(sid) for sid in old_staged)
    assert pipeline_run(store, "new", ids(2, start=5000)) == 2
    store.close()

    with closing(sqlite3.connect(path)) as db:  # read by hand, the old shape still answers
        assert dict(db.execute("SELECT id, run_id FROM seen WHERE run_id != 'new'")) == old_seen
        assert db.execute("SELECT count(*) FROM staged").fetchone()[0] == len(old_staged)
        kinds = dict(db.execute("SELECT name, type FROM sqlite_master"))
    assert kinds["seen"] == kinds["staged"] == "view"

    store = SQLiteSeenStore(path)  # opened again: nothing to migrate, nothing lost
    assert store.promote("dead-run") == len(old_staged)
    assert all(store.is_seen(sid) for sid in [*old_seen, *old_staged])
    assert store.count() == len(old_seen) + len(old_staged) + 2
    assert store.staged_runs() == []
    store.close()


_CRASH_IN_MERGE = """
import os, sys
from newscrawl.stores.sqlite import SQLiteSeenStore

class SmallLevels(SQLiteSeenStore):
    merge_floor = 4
    merge_fraction = 0.5

    def _merge(self):
        super()._merge()  # written, not committed: the power goes now
        os._exit(3)

store = SmallLevels(sys.argv[1])
for sid in sys.argv[2:]:
    store.stage("r2", sid)
store.flush()
store.promote("r2")
"""


def test_a_crash_in_the_middle_of_a_merge_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    assert pipeline_run(store, "r1", ids(3)) == 3  # below the floor: not merged yet
    assert store.merges == 0
    store.close()

    second = ids(3, start=10)
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH_IN_MERGE, str(path), *second],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr

    # The promote and its merge are one transaction: neither happened.
    assert levels(path) == {"main": 0, "recent": 6, "seen": 3, "staged": 3}
    store = SmallLevels(path)
    assert all(store.is_seen(sid) for sid in ids(3))
    assert not any(store.is_seen(sid) for sid in second)
    assert store.staged_runs() == ["r2"]
    assert store.promote("r2") == 3  # recovered: its export was complete
    assert store.merges == 1
    assert all(store.is_seen(sid) for sid in [*ids(3), *second])
    assert store.count() == 6
    store.close()
    assert levels(path) == {"main": 6, "recent": 0, "seen": 6, "staged": 0}


def test_id_must_be_32_hex_digits(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "s.sqlite3")
    with pytest.raises(ValueError):
        store.is_seen("abcd")
    with pytest.raises(ValueError):
        store.stage("r1", "ab" * 17)
    assert store.is_seen("AB" * 16) is False  # hex, either case: the same id as "ab" * 16
    store.stage("r1", "AB" * 16)
    store.promote("r1")
    assert store.is_seen("ab" * 16)
    store.close()


def test_opening_needs_no_write_lock_once_migrated(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    crawl = SQLiteSeenStore(path)
    crawl.stage("r1", A)  # a crawl under way holds the write transaction until it flushes
    other = SQLiteSeenStore(path)  # would wait for the lock, then fail, were it needed
    assert not other.is_seen(A) and other.staged_runs() == []
    other.close()
    crawl.promote("r1")
    crawl.close()


# --- the Bloom filter of seen ids (newscrawl/stores/sqlite_filter.py) ---


def _saved_filter(path: Path) -> tuple[int, int] | None:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT ids, version FROM seen_filter").fetchone()


def _in_transaction(store: SQLiteSeenStore, run_id: str, sid: str) -> None:
    """Open the connection's write transaction, as the dedupe pipeline's first stage does."""
    store.stage(run_id, sid)
    assert store._in_tx


def _seen_keys(path: Path) -> list[tuple[int, int]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT k, lo FROM seen_main UNION SELECT r.k, r.lo FROM seen_recent AS r"
            " JOIN seen_run AS u ON u.run = r.run WHERE u.state = 1"
        ).fetchall()


def test_the_filter_covers_every_seen_id_and_rules_out_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    done: list[str] = []
    for run in range(12):
        batch = ids(40, start=1000 * run)
        pipeline_run(store, f"r{run}", batch)
        done += batch
    assert store.merges >= 4
    after = levels(path)
    assert after["recent"] > 0 or after["main"] > 0
    assert _saved_filter(path)[0] == len(done)  # saved by each promote, covering both levels

    store.close()
    store = SmallLevels(path)
    _in_transaction(store, "r-next", ids(1, start=999_999)[0])
    assert store._filter_ok
    seen = _seen_keys(path)
    assert len(seen) == len(done)
    assert all(store._filter.may_contain(k, lo) for k, lo in seen)  # no false negative
    new = ids(2000, start=500_000)
    ruled_out = sum(store._ruled_out(store.key(sid)) for sid in new)
    assert ruled_out >= 0.95 * len(new)  # the point of it: most new ids need no query
    # Through the filter, inside the transaction: every id seen, no new one.
    assert all(store.is_seen(sid) for sid in done)
    assert not any(store.is_seen(sid) for sid in new)
    store.close()


def test_a_run_staged_elsewhere_is_added_to_the_filter_when_promoted(tmp_path: Path) -> None:
    # Recovery promotes a run this connection did not stage: its ids are read back.
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    pipeline_run(store, "r0", ids(10))
    dead = ids(20, start=100)
    for sid in dead:
        store.stage("dead", sid)
    store.flush()
    store.close()  # the crawl died before its export completed

    store = SmallLevels(path)
    assert store.promote("dead") == 20  # ... but the export had: recovered
    _in_transaction(store, "r1", ids(1, start=90_000)[0])
    assert store._filter_ok
    assert all(store._filter.may_contain(*store.key(sid)) for sid in dead)
    assert all(store.is_seen(sid) for sid in dead)
    store.close()


def test_ids_made_seen_by_another_connection_are_seen_at_the_next_transaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "seen.sqlite3"
    first = SmallLevels(path)
    for run in range(4):
        pipeline_run(first, f"a{run}", ids(10, start=100 * run))
    other = SmallLevels(path)
    _in_transaction(other, "b0", ids(1, start=90_000)[0])  # loads the filter as it is now
    other.flush()
    version = other._filter.version

    later = ids(200, start=50_000)  # the first connection makes these seen (and merges)
    pipeline_run(first, "a9", later)
    assert _saved_filter(path)[1] > version

    _in_transaction(other, "b1", ids(1, start=90_001)[0])
    assert other._filter.version == _saved_filter(path)[1]  # reloaded
    assert all(other.is_seen(sid) for sid in later)
    first.close()
    other.close()


def test_a_filter_that_does_not_cover_every_seen_id_is_not_used(tmp_path: Path) -> None:
    # A writer that knows nothing of the filter (an older version of the store) made ids
    # seen: the filter no longer covers them, so it must not rule them out.
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    for run in range(4):
        pipeline_run(store, f"r{run}", ids(10, start=100 * run))
    store.close()
    behind = ids(50, start=70_000)
    with closing(sqlite3.connect(path)) as db, db:
        db.executemany(
            "INSERT INTO seen_main (k, lo, run) VALUES (?, ?, 1)", [store.key(s) for s in behind]
        )
        db.execute("UPDATE seen_level SET ids = ids + ? WHERE name = 'main'", (len(behind),))

    store = SmallLevels(path)
    _in_transaction(store, "r9", ids(1, start=90_000)[0])
    assert not store._filter_ok
    assert all(store.is_seen(sid) for sid in behind)
    store.flush()
    store.promote("r9")  # the next promote builds it again, whole
    assert _saved_filter(path)[0] == store.count()
    _in_transaction(store, "r10", ids(1, start=90_002)[0])
    assert store._filter_ok
    assert all(store.is_seen(sid) for sid in behind)
    store.close()


def test_a_full_filter_is_rebuilt_larger_and_keeps_every_id(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SmallLevels(path)
    pipeline_run(store, "r0", ids(100))
    _in_transaction(store, "r1", ids(1, start=900_000)[0])
    store.flush()
    first = store._filter
    assert first is not None
    done = ids(100)
    for run in range(first.full // 1000 + 2):  # past the size it was built for
        batch = ids(1000, start=10_000 * (run + 1))
        pipeline_run(store, f"big{run}", batch)
        done += batch
    _in_transaction(store, "r2", ids(1, start=900_001)[0])
    assert store._filter_ok
    assert len(store._filter.words) > len(first.words)  # rebuilt, twice the room or more
    assert _saved_filter(path)[0] == store.count()
    assert all(store._filter.may_contain(k, lo) for k, lo in _seen_keys(path))
    assert all(store.is_seen(sid) for sid in done)
    store.close()


# --- promoting a run's band rows a range of keys at a time ---------------------------------------


def _promoted_bands(
    path: Path, monkeypatch: pytest.MonkeyPatch, pass_rows: int, *, batched: bool = False
) -> list:
    """*batched*: the run leaves its band index and stages stories 100-299 as originals in
    batches of 50 (``stage_originals``), the rest one by one."""
    import random

    import numpy as np

    from newscrawl.stores import StoredFingerprint, sqlite_fingerprints

    monkeypatch.setattr(sqlite_fingerprints, "_BAND_PASS_ROWS", pass_rows)
    rng = random.Random(7)
    store = SQLiteSeenStore(path)
    store.bind_fingerprints("p")
    handed: list = []
    rows_of = store._band_rows

    def handing(run: str):  # type: ignore[no-untyped-def]
        for keys, sids in rows_of(run):
            handed.extend(zip(keys.tolist(), sids.tolist(), strict=True))
            yield keys, sids

    monkeypatch.setattr(store, "_band_rows", handing)
    passes: list[int] = []  # rows each pass held
    rows_in = store._band_rows_in

    def counted(*args: object) -> tuple:
        rows, sids = rows_in(*args)
        passes.append(len(rows))
        return rows, sids

    monkeypatch.setattr(store, "_band_rows_in", counted)
    shared = [rng.randrange(1 << 47) for _ in range(32)]  # two stories share every key
    if batched:
        assert store.leave_run_index("r1")
    batch: list = []
    for n in range(300):
        sid = f"{n:032x}"
        keys = shared if n in (3, 250) else [rng.randrange(1 << 47) for _ in range(32)]
        store.stage("r1", sid)
        if batched and n >= 100:
            batch.append((sid, keys))
            if len(batch) == 50:
                store.stage_originals(
                    "r1",
                    [b[0] for b in batch],
                    [40] * len(batch),
                    bytes(128 * len(batch)),
                    np.array([b[1] for b in batch], dtype=np.uint64),
                )
                batch = []
        else:
            store.stage_fingerprint("r1", StoredFingerprint(sid, None, 40, bytes(128)), keys)
    if batched:
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("SELECT count(*) FROM synd_staged_batch").fetchone()[0] == 0
        store.flush()  # the batches are in the run's write transaction, committed with it
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("SELECT count(*) FROM synd_staged_batch").fetchone()[0] == 4
    store.flush()
    store.promote("r1")
    with closing(sqlite3.connect(path)) as db:
        # Promoted as segments, none in the band index until they are folded into it.
        assert db.execute("SELECT count(*) FROM synd_band").fetchone()[0] == 0
        segments = db.execute("SELECT sum(rows) FROM synd_band_segment").fetchone()[0]
    assert store.fold_bands() == segments == len(handed)
    with closing(sqlite3.connect(path)) as db:
        table = sorted(db.execute("SELECT key, sid FROM synd_band"))
        assert db.execute("SELECT count(*) FROM synd_band_segment").fetchone()[0] == 0
    store.close()
    assert handed == sorted(handed)  # handed out in (key, story) order, as segments hold them
    # Each pass holds about its share of the rows (keys are hashes), never all of them.
    assert len(passes) == -(-300 * 32 // pass_rows)
    assert max(passes) <= 2 * pass_rows
    return table


def test_band_rows_promoted_in_many_passes_are_the_rows_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _promoted_bands(tmp_path / "one.sqlite3", monkeypatch, 1 << 20)
    many = _promoted_bands(tmp_path / "many.sqlite3", monkeypatch, 1000)  # 10 passes
    assert many == one and len(one) == 300 * 32
    batched = _promoted_bands(tmp_path / "batched.sqlite3", monkeypatch, 1000, batched=True)
    assert batched == one


def test_a_run_that_left_its_band_index_gets_it_back_whole(tmp_path: Path) -> None:
    """leave_run_index: only for a run with nothing staged; similar() then gives earlier
    runs' fingerprints only; index_run() indexes every fingerprint staged meanwhile, those
    written to the file and those still in memory, and similar() answers as if the run had
    never left."""
    from newscrawl.stores import StoredFingerprint

    def fp(n: int) -> StoredFingerprint:
        return StoredFingerprint(f"{n:032x}", None, 20, bytes([n % 256]) * 128)

    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    store.bind_fingerprints("p")
    store.stage_fingerprint("old", fp(1), [5, 6])
    store.flush()
    store.promote("old")
    store.stage_fingerprint("busy", fp(2), [5])
    assert store.leave_run_index("busy") is False  # something staged: refused
    assert [f.id for f in store.similar("busy", [5], 10)] == [fp(1).id, fp(2).id]

    store.stage("r", fp(9).id)  # a write transaction, as in a crawl
    assert store.leave_run_index("r") is True
    for n in range(3, 3000):
        store.stage_fingerprint("r", fp(n), [5 + n % 2, 1000 + n])
    assert store.similar("r", [5], 10) == [StoredFingerprint(fp(1).id, None, 20, fp(1).signature)]
    # Still staged, with its signature (no longer in memory: from the file, or from what
    # is not written yet).
    store.flush()
    store.stage("r", fp(10).id)
    store.stage_fingerprint("r", fp(3000), [5, 4000])
    for n in (7, 2999, 3000):
        assert store.fingerprint_of("r", fp(n).id) == StoredFingerprint(
            fp(n).id, None, 20, fp(n).signature, staged=True
        ), n
    # Where each was staged, in staging order, and as a copy of what (none here).
    assert store.staged_place("r", fp(3).id) == (0, None)
    assert store.staged_place("r", fp(3000).id) == (2997, None)
    assert store.staged_place("r", fp(1).id) is None  # the old run's: promoted, not staged
    store.stage_fingerprint("r", StoredFingerprint(fp(3001).id, fp(3).id, 20, bytes(128)), [9])
    assert store.staged_place("r", fp(3001).id) == (2998, fp(3).id)
    store.index_run("r")
    store.index_run("r")  # again: nothing changes
    # The never-left reference: the same stagings into a store that kept its index.
    ref = SQLiteSeenStore(tmp_path / "ref.sqlite3")
    ref.bind_fingerprints("p")
    ref.stage_fingerprint("old", fp(1), [5, 6])
    ref.flush()
    ref.promote("old")
    ref.stage("r", fp(9).id)
    for n in range(3, 3000):
        ref.stage_fingerprint("r", fp(n), [5 + n % 2, 1000 + n])
    ref.stage_fingerprint("r", fp(3000), [5, 4000])
    ref.stage_fingerprint("r", StoredFingerprint(fp(3001).id, fp(3).id, 20, bytes(128)), [9])
    for keys in ([5], [6], [1003], [2999], [5, 1500], [7], [4000]):
        assert store.similar("r", keys, 50) == ref.similar("r", keys, 50), keys
    assert len(store.similar("r", [6], 5000)) == 1 + 1499  # the old run's, the odd staged
    assert [f.signature for f in store.similar("r", [4000], 9)] == [fp(3000).signature]
    # A story staged again after leaving: indexed under the keys it was staged with last.
    again = SQLiteSeenStore(tmp_path / "again.sqlite3")
    again.bind_fingerprints("p")
    again.stage("r", fp(9).id)
    assert again.leave_run_index("r")
    again.stage_fingerprint("r", fp(3), [77])
    again.stage_fingerprint("r", fp(4), [78])
    again.flush()  # written: their rows in the file
    again.stage("r", fp(10).id)
    again.stage_fingerprint("r", fp(3), [79])  # staged again, in memory only
    again.index_run("r")
    assert [f.id for f in again.similar("r", [79], 9)] == [fp(3).id]
    assert again.similar("r", [77], 9) == []
    assert [f.id for f in again.similar("r", [78], 9)] == [fp(4).id]
    again.close()
    # A key the band table cannot hold is refused when the run's rows are written, before
    # its export could be published, as the run's band index refuses it.
    wide = SQLiteSeenStore(tmp_path / "wide.sqlite3")
    wide.bind_fingerprints("p")
    wide.stage("r", fp(9).id)
    assert wide.leave_run_index("r")
    wide.stage_fingerprint("r", fp(3), [1 << 47])
    with pytest.raises(ValueError, match="not under 2\\*\\*47"):
        wide.flush()
    wide._db.close()  # the crawl ends on the error: its run is never published
    reopened = SQLiteSeenStore(tmp_path / "wide.sqlite3")
    assert reopened.fingerprint_count() == 0 and reopened.staged_runs() == []
    reopened.close()
    store.close()
    ref.close()


def test_a_runs_staged_fingerprints_come_back_as_staged_past_the_index_merge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run's flat arrays give back each fingerprint as it was staged (restaged ones
    replaced in their first place), across the id index's merge into sorted arrays."""
    from newscrawl.stores import StoredFingerprint, bandindex, sqlite_fingerprints
    from newscrawl.stores.ids import DECIMAL

    monkeypatch.setattr(bandindex.BandIndex, "RECENT", 64)
    run = sqlite_fingerprints._StagedRun(DECIMAL)
    staged = {}
    for n in range(500):
        fp = StoredFingerprint(str(n * 7919 + 1), None, n, bytes([n % 256]) * 128, staged=True)
        run.add(fp, [n, 10_000 + n % 5])  # every fifth story shares a band key
        staged[fp.id] = fp
    # Staged again, now a copy: same place.
    again = StoredFingerprint("1", "15839", 9, b"\x07" * 128, staged=True)
    run.add(again, [0])
    staged["1"] = again
    # One fingerprinter a run: a signature of another length is a bug, said at once.
    with pytest.raises(ValueError, match="64 bytes in a run whose signatures have 128"):
        run.add(StoredFingerprint("8", None, 1, b"\x07" * 64, staged=True), [1])
    assert len(run) == 500
    assert all(run.get(sid) == fp for sid, fp in staged.items())
    assert run.get("2") is None and run.get("3959501") is None and run.get("8") is None
    assert [f.id for f in run.similar([10_002], 3)] == [str(n * 7919 + 1) for n in (2, 7, 12)]
    assert run.similar([0], 5) == [again]


def test_keys_sharing_their_low_32_bits_lose_no_story_and_ids_stay_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The merged index keeps 32 bits of a key: a probe may find a story of another key
    with the same low bits (the caller checks), never miss one; the id index, whose
    hashes collide the same way, still gives each id its own fingerprint."""
    from newscrawl.stores import StoredFingerprint, bandindex, sqlite_fingerprints
    from newscrawl.stores.ids import HEX128

    monkeypatch.setattr(bandindex.BandIndex, "RECENT", 4)
    index = bandindex.BandIndex(47)
    low = 0x9E3779B9
    index.add([low | 1 << 40], 0)
    index.add([low | 2 << 40], 1)
    index.add([7, 8, 9], 2)  # a merge: the three stories are in the sorted arrays
    assert not index.recent
    assert index.ranks_of([low | 1 << 40]) >= {0}
    assert index.ranks_of([low | 2 << 40]) >= {1}
    assert index.ranks_of([low | 3 << 40]) <= {0, 1}  # another key: at most the sharers
    assert index.ranks_of([8]) == {2} and index.ranks_of([10]) == set()

    # Two ids whose 64-bit hashes (_id_hash) differ only above bit 32.
    a, b = "0" * 32, "0" * 8 + "01" + "0" * 22
    assert (
        sqlite_fingerprints._id_hash(HEX128.key(a)) ^ sqlite_fingerprints._id_hash(HEX128.key(b))
        == 1 << 32
    )
    run = sqlite_fingerprints._StagedRun(HEX128)
    staged = {
        sid: StoredFingerprint(sid, None, n, bytes([n]) * 128, staged=True)
        for n, sid in enumerate([a, b, *(f"{n:032x}" for n in range(3, 9))])
    }
    for fp in staged.values():
        run.add(fp, [fp.size])
    assert len(run.by_id.keys) >= 4  # the ids went through a merge too
    assert run.get(a) == staged[a] and run.get(b) == staged[b]


def test_opening_a_store_does_not_import_the_fingerprint_method() -> None:
    """The seen-store is opened by every run and by the bench's 1M case, whose RSS has a
    target: the method's hashing (OpenSSL among it) is the syndication pipeline's to load."""
    code = (
        "import sys\n"
        "from newscrawl.stores.sqlite import SQLiteSeenStore\n"
        "SQLiteSeenStore(':memory:').close()\n"
        "print(sorted(m for m in ('newscrawl.syndication', '_hashlib', 'xxhash')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_runs_band_index_answers_as_a_dict_of_every_key_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Across merges into the bucket directory: keys shared by a few stories, one key
    shared by a hundred (a bucket far longer than the eight keys of most), keys that were
    never added, and the largest key a band can have; 32 probes at once and one."""
    import random

    from newscrawl.stores import BAND_KEY_BITS, bandindex

    monkeypatch.setattr(bandindex.BandIndex, "RECENT", 500)
    rng = random.Random(7)
    index = bandindex.BandIndex(BAND_KEY_BITS)
    truth: dict[int, set[int]] = {}
    shared = [rng.getrandbits(BAND_KEY_BITS) for _ in range(20)]
    crowded = rng.getrandbits(BAND_KEY_BITS)  # under 100 stories: a long bucket
    top = (1 << BAND_KEY_BITS) - 1
    for rank in range(3000):
        keys = [rng.getrandbits(BAND_KEY_BITS) for _ in range(8)]
        if rank % 7 == 0:
            keys.append(rng.choice(shared))
        if rank % 30 == 0:
            keys.append(crowded)
        if rank == 1234:
            keys.append(top)
        index.add(keys, rank)
        for k in keys:
            truth.setdefault(k, set()).add(rank)
    assert len(index.keys) > 20_000 and len(index.recent) < 500  # mostly merged
    assert len(truth[crowded]) > 96
    probes = [*rng.sample(sorted(truth), 2000), *shared, crowded, top]
    probes += [rng.getrandbits(BAND_KEY_BITS) for _ in range(500)]  # (almost surely) absent
    for start in range(0, len(probes), 32):
        batch = probes[start : start + 32]
        assert index.ranks_of(batch) == set().union(*(truth.get(k, set()) for k in batch))
    for k in probes:  # one probe at a time (the id index's way)
        assert index.ranks_of([k]) == truth.get(k, set()), k
    with pytest.raises(ValueError, match="not under 2\\*\\*47"):
        index.add([1 << BAND_KEY_BITS, *range(1, 500)], 9999)  # fills RECENT: a merge


def _staged_in_batches_or_not(path: Path, *, batched: bool) -> dict:
    """120 originals staged in 3 parts, as batches (``stage_originals``) or one by one, then
    one of them staged again as a copy: what the run saw, what a new connection reads back
    and what the promote wrote."""
    import random

    import numpy as np

    from newscrawl.stores import StoredFingerprint

    rng = random.Random(3)
    stories = [
        (
            f"{n:032x}",
            20 + n % 7,
            bytes([n % 256]) * 128,
            [rng.randrange(1 << 47) for _ in range(32)],
        )
        for n in range(120)
    ]
    again = StoredFingerprint(stories[70][0], stories[5][0], 33, bytes([1]) * 128)
    again_keys = [rng.randrange(1 << 47) for _ in range(32)]
    store = SQLiteSeenStore(path)
    store.bind_fingerprints("p")
    assert store.leave_run_index("r1")
    for at in range(0, 120, 40):
        part = stories[at : at + 40]
        for sid, *_ in part:
            store.stage("r1", sid)
        if batched:
            store.stage_originals(
                "r1",
                [p[0] for p in part],
                [p[1] for p in part],
                b"".join(p[2] for p in part),
                np.array([p[3] for p in part], dtype=np.uint64),
            )
        else:
            for sid, size, sig, keys in part:
                store.stage_fingerprint("r1", StoredFingerprint(sid, None, size, sig), keys)
    store.stage_fingerprint("r1", again, again_keys)
    got: dict = {
        "seen": [
            (store.fingerprint_of("r1", s[0]), store.staged_place("r1", s[0])) for s in stories
        ]
    }
    store.flush()
    with closing(sqlite3.connect(path)) as db:
        got["batches"] = db.execute("SELECT count(*) FROM synd_staged_batch").fetchone()[0]
    store.index_run("r1")  # the run's own index again, from what it staged
    got["similar"] = [
        [fp.id for fp in store.similar("r1", keys, 50)]
        for keys in ([s[3] for s in stories] + [again_keys])
    ]
    store.close()
    reopened = SQLiteSeenStore(path)  # reads the staged run back from the file
    got["read_back"] = [reopened.fingerprint_of("r1", s[0]) for s in stories]
    reopened.promote("r1")
    reopened.fold_bands()  # the run's band rows into the band index, from its segments
    with closing(sqlite3.connect(path)) as db:
        got["stories"] = sorted(db.execute("SELECT id, original, size, sig FROM synd_story"))
        got["bands"] = sorted(
            db.execute("SELECT b.key, s.id FROM synd_band b JOIN synd_story s USING (sid)")
        )
        got["left"] = [
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("synd_staged_story", "synd_staged_batch")
        ]
    reopened.close()
    return got


def test_originals_staged_in_batches_are_staged_as_one_by_one(tmp_path: Path) -> None:
    """``stage_originals`` writes one row a batch, not one a story: the run sees the same
    fingerprints and places, a new connection reads the same back, its own index gives the
    same candidates, and the promote writes the same rows; a story staged again after its
    batch keeps what it was staged with last (a copy, other keys)."""
    one = _staged_in_batches_or_not(tmp_path / "one.sqlite3", batched=False)
    batched = _staged_in_batches_or_not(tmp_path / "batched.sqlite3", batched=True)
    assert batched["batches"] == 3 and one["batches"] == 0
    for part in ("seen", "similar", "read_back", "stories", "bands", "left"):
        assert batched[part] == one[part], part
    assert batched["left"] == [0, 0]
    copy = batched["read_back"][70]
    assert copy.original == f"{5:032x}" and copy.size == 33
    assert len(batched["bands"]) == 120 * 32
    assert batched["similar"][-1][0] == f"{70:032x}"


def test_a_discarded_run_leaves_no_batch(tmp_path: Path) -> None:
    import numpy as np

    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    store.bind_fingerprints("p")
    assert store.leave_run_index("r1")
    ids = [f"{n:032x}" for n in range(4)]
    for sid in ids:
        store.stage("r1", sid)
    store.stage_originals(
        "r1", ids, [30] * 4, bytes(128 * 4), np.arange(128, dtype=np.uint64).reshape(4, 32)
    )
    store.flush()
    assert store.staged_runs() == ["r1"]
    assert store.discard("r1") == 4
    assert store.staged_runs() == []
    with closing(sqlite3.connect(tmp_path / "seen.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM synd_staged_batch").fetchone()[0] == 0
    store.close()
