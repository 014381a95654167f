"""Bytes Redis holds per story for the seen-store (the figures in docs/REDIS.md)."""

from __future__ import annotations

import argparse
import json
import secrets
from typing import Any

import redis

from newscrawl.stores import StoredFingerprint
from newscrawl.stores.redis import RedisSeenStore, _band_key, _pack, _text


def measure(client: Any, stories: int, *, fingerprints: bool = False, bands: int = 32) -> dict:
    """Bytes Redis holds per story (``INFO memory``), staged then seen, in an empty database.

    ``python -m newscrawl.bench.redis URL STORIES [--fingerprints]``: the figures in
    docs/REDIS.md. Ids are random, as story ids are (hashes).
    """
    if client.dbsize():
        raise ValueError("measure in an empty Redis database: it writes and counts every key")
    store = RedisSeenStore(client, prefix="measure", alive_ttl=3600)
    store.register_run(
        "m", fleet="m", queue_key="q", dupefilter_key="d", fleet_runs_key="fr", exports_dir="/"
    )

    def used() -> int:
        return int(client.info("memory")["used_memory"])

    base = used()
    for start in range(0, stories, 1000):
        with client.pipeline(transaction=False) as pipe:
            for _ in range(min(1000, stories - start)):
                sid = secrets.token_hex(16)
                raw = bytes.fromhex(sid)
                bucket, field = store._seen_key(raw)
                store._stage(
                    keys=[bucket, f"measure:claim:{sid}", "measure:run:m:staged", "measure:run:m"],
                    args=["m", field, raw, 1, store.run_ttl, "measure"],
                    client=pipe,
                )
                if fingerprints:
                    fp = StoredFingerprint(sid, None, 100, secrets.token_bytes(128))
                    keys = [secrets.randbits(47) for _ in range(bands)]
                    pipe.hset("measure:run:m:fp", raw, _pack(fp))
                    store._stage_bands(
                        keys=["measure:run:m:band"],
                        args=[raw, *(_band_key(k) for k in keys)],
                        client=pipe,
                    )
            pipe.execute()
    staged = used() - base
    store.promote("m")
    seen = used() - base
    encodings: dict[str, int] = {}
    for key in client.scan_iter(match="measure:seen:*", count=1000):
        enc = _text(client.object("encoding", key))
        encodings[enc] = encodings.get(enc, 0) + 1
    return {
        "stories": stories,
        "fingerprints": fingerprints,
        "staged_bytes_per_story": round(staged / stories, 1),
        "seen_bytes_per_story": round(seen / stories, 1),
        "seen_total_mib": round(seen / 2**20, 1),
        "keys": client.dbsize(),
        "seen_bucket_encodings": encodings,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=measure.__doc__)
    parser.add_argument("url")
    parser.add_argument("stories", type=int)
    parser.add_argument("--fingerprints", action="store_true")
    ns = parser.parse_args()
    print(
        json.dumps(measure(redis.Redis.from_url(ns.url), ns.stories, fingerprints=ns.fingerprints))
    )
