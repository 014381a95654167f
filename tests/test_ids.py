"""Story ids as the stores key them (newscrawl/stores/ids.py), and a store keyed by each."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.stores import StoredFingerprint
from newscrawl.stores.ids import DECIMAL, HEX128, KEY_SIZE
from newscrawl.stores.sqlite import SQLiteSeenStore


def test_hex128_is_the_bytes_the_digits_spell() -> None:
    sid = "228946c26ab5ba4667a4d6d76e2afb4d"
    assert HEX128.key(sid) == bytes.fromhex(sid)
    assert HEX128.story_id(HEX128.key(sid)) == sid


@pytest.mark.parametrize("bad", ["", "abcd", "ab" * 17, "zz" * 16, "12345"])
def test_hex128_refuses_other_shapes(bad: str) -> None:
    with pytest.raises(ValueError, match="32 hex digits"):
        HEX128.key(bad)


@pytest.mark.parametrize("sid", ["0", "1", "42", "1042", "9" * 19, str(2**128 - 1)])
def test_decimal_round_trips(sid: str) -> None:
    key = DECIMAL.key(sid)
    assert len(key) == KEY_SIZE
    assert DECIMAL.story_id(key) == sid


def test_decimal_keys_differ_in_their_first_bytes() -> None:
    # The Redis store buckets keys by their first two bytes: consecutive ids must not share.
    firsts = {DECIMAL.key(str(n))[:2] for n in range(1000, 1300)}
    assert len(firsts) == 300


@pytest.mark.parametrize("bad", ["", "007", "-1", "1.5", "12a", "١٢٣", str(2**128), " 12"])
def test_decimal_refuses_what_is_not_one_canonical_number(bad: str) -> None:
    # "007" and "7" would be one key: only the canonical spelling is an id.
    with pytest.raises(ValueError, match=r"decimal number|below 2\*\*128"):
        DECIMAL.key(bad)


def test_a_store_keyed_by_decimal_ids_stages_promotes_and_gives_the_ids_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SQLiteSeenStore(path, ids=DECIMAL)
    store.bind_fingerprints("p")
    store.stage("r1", "1042")
    store.stage("r1", "7")
    sig = bytes(range(128))
    store.stage_fingerprint("r1", StoredFingerprint("7", "1042", 40, sig), [11, 12])
    store.flush()
    assert store.promote("r1") == 2
    store.close()

    again = SQLiteSeenStore(path, ids=DECIMAL)
    assert again.is_seen("1042") and again.is_seen("7")
    assert not again.is_seen("1043")
    fp = again.fingerprint_of("r2", "7")
    assert (fp.id, fp.original, fp.size, fp.signature) == ("7", "1042", 40, sig)
    assert [f.id for f in again.similar("r2", [12], 10)] == ["7"]
    with pytest.raises(ValueError, match="decimal number"):
        again.stage("r2", "228946c26ab5ba4667a4d6d76e2afb4d")
    again.close()
