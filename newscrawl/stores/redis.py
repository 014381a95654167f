"""The Redis seen-store: one incremental memory, and atomic claims, shared by a fleet of workers.

The SQLite store's two states become, in Redis, a *claim*: staging a story fails while another
live run has it staged, so two workers that both list a story export it once between them.
A run is live while its heartbeat key exists (``newscrawl.fleet.scheduler.FleetScheduler`` refreshes
it); a dead run's claims are promoted if it had begun promoting (its export was renamed into
place first) and discarded otherwise, and the listing requests it had taken go back into its
fleet's queue. Every state change is one Lua script, so two workers recovering the same dead
run cannot both act on it. Key layout, sizes per million stories and what expires:
docs/REDIS.md.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy_redis.connection import get_redis_from_settings

from newscrawl.sites import site_of
from newscrawl.stores import StoredFingerprint, StoryClaimed
from newscrawl.stores.ids import HEX128, IdCodec

logger = logging.getLogger(__name__)

#: Seen ids live in 16**4 = 65,536 hashes keyed by their first two bytes: about 15 ids per
#: hash at a million stories, each hash a compact listpack (``hash-max-listpack-entries``
#: is 128 by default: about 8 million stories before hashes turn into hash tables).
SEEN_BUCKET_HEX = 4
#: Band keys (under 2**47) live in 2**20 hashes keyed by their low 20 bits.
BAND_BUCKET_BITS = 20
#: Ids kept per band key: a wire story republished a thousand times costs no more.
MAX_BAND_IDS = 64
#: Ids moved per Lua call when promoting or discarding, so Redis is never blocked for long.
CHUNK = 500

CRAWLING, PROMOTING, DISCARDING = "crawling", "promoting", "discarding"
PROMOTED, DISCARDED = "promoted", "discarded"

_HEX = """
local function hex(s)
  return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
"""

# KEYS: seen bucket, claim, run's staged set, run hash.
# ARGV: run id, seen field, id (16 bytes), check seen, claim ttl, prefix.
# 1 staged; 2 staged by this run already; 0 another live (or promoting) run has it; -1 seen;
# -2 run unknown; -3 given up.
_STAGE = """
local state = redis.call('HGET', KEYS[4], 'state')
if not state then return -2 end
if state ~= 'crawling' then return -3 end
if ARGV[4] == '1' and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return -1 end
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[1] then
  local other = ARGV[6] .. ':run:' .. owner
  if redis.call('EXISTS', other .. ':alive') == 1 then return 0 end
  local s = redis.call('HGET', other, 'state')
  if s == 'promoting' or s == 'promoted' then return 0 end
end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[5])
if redis.call('SADD', KEYS[3], ARGV[3]) == 0 then return 2 end
return 1
"""

# KEYS: run hash, alive, runs set, fleet runs hash.
# ARGV: run id, alive ttl (ms), run ttl, fleet ttl, then field/value pairs for the run hash.
_REGISTER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'crawling', 'released', '0', unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], 'crawling')
redis.call('EXPIRE', KEYS[4], ARGV[4])
return 1
"""

# KEYS: run hash, alive. ARGV: alive ttl (ms), run ttl, fleet ttl. Returns the run's state; the
# heartbeat is refreshed only while the run may still export.
_HEARTBEAT = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'crawling' and state ~= 'promoting' then return state or '' end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
for _, suffix in ipairs({'', ':staged', ':taken', ':fp', ':band'}) do
  redis.call('EXPIRE', KEYS[1] .. suffix, ARGV[2])
end
for _, field in ipairs({'queue', 'dupefilter', 'fleet_runs'}) do
  local key = redis.call('HGET', KEYS[1], field)
  if key then redis.call('EXPIRE', key, ARGV[3]) end
end
return state
"""

# KEYS: fleet queue, run's taken zset, fleet runs hash. ARGV: run id.
# Pops the best request and records it as taken by this run in one step: a worker killed
# right after the pop still has it on record, and it is queued again when the run is settled.
_POP = """
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then return false end
redis.call('ZADD', KEYS[2], r[2], r[1])
redis.call('HSET', KEYS[3], ARGV[1], 'crawling')
return r[1]
"""

# KEYS: fleet queue, fleet runs hash. ARGV: prefix, run id.
# {'queue'}: requests queued; {'busy', run}: a live run is crawling (it may queue more) or
# exporting (if it dies, what it took comes back); {'dead', runs...}: unsettled runs without a
# heartbeat; {'idle'}: the fleet run is done. Runs that wait like this one do not count.
_FLEET_CHECK = """
if redis.call('ZCARD', KEYS[1]) > 0 then return {'queue'} end
redis.call('HSET', KEYS[2], ARGV[2], 'waiting')
local all = redis.call('HGETALL', KEYS[2])
local dead = {'dead'}
for i = 1, #all, 2 do
  local run, state = all[i], all[i + 1]
  if run ~= ARGV[2] and state ~= 'settled' then
    if redis.call('EXISTS', ARGV[1] .. ':run:' .. run .. ':alive') == 0 then
      table.insert(dead, run)
    elseif state == 'crawling' or state == 'released' then
      return {'busy', run}
    end
  end
end
if #dead > 1 then return dead end
return {'idle'}
"""

# KEYS: run hash. ARGV: run id, 'promote' or 'discard', fleet ttl, require dead ('1'/'0').
# The one atomic decision about a run's claims; the data then moves in chunks (idempotent,
# so a worker that dies half-way leaves the rest to whoever settles the run next).
_DECIDE = """
local run = KEYS[1]
local state = redis.call('HGET', run, 'state')
if not state then return 'gone' end
if state ~= 'crawling' then return state end
if ARGV[4] == '1' and redis.call('EXISTS', run .. ':alive') == 1 then return 'alive' end
local queue = redis.call('HGET', run, 'queue')
local fruns = redis.call('HGET', run, 'fleet_runs')
local taken = run .. ':taken'
if ARGV[2] == 'promote' and redis.call('HGET', run, 'released') == '1' then
  redis.call('DEL', taken)
elseif queue and redis.call('EXISTS', taken) == 1 then
  redis.call('ZUNIONSTORE', queue, 2, queue, taken, 'AGGREGATE', 'MIN')
  redis.call('EXPIRE', queue, ARGV[3])
  redis.call('DEL', taken)
end
local new = 'discarding'
if ARGV[2] == 'promote' then new = 'promoting' end
redis.call('HSET', run, 'state', new)
-- a worker killed before its first heartbeat set no expiry on the fleet's keys yet
for _, field in ipairs({'queue', 'dupefilter', 'fleet_runs'}) do
  local key = redis.call('HGET', run, field)
  if key and redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, ARGV[3]) end
end
if fruns then
  redis.call('HSET', fruns, ARGV[1], 'settled')
  if queue and redis.call('ZCARD', queue) == 0 then
    local over = true
    for _, s in ipairs(redis.call('HVALS', fruns)) do
      if s ~= 'settled' then over = false break end
    end
    if over then
      redis.call('DEL', queue, fruns)
      local dupefilter = redis.call('HGET', run, 'dupefilter')
      if dupefilter then redis.call('DEL', dupefilter) end
    end
  end
end
return new
"""

# KEYS: run hash. ARGV: run id, prefix, count, 'promote' or 'discard'. Returns
# {ids moved, ids newly seen}.
_CHUNK_IDS = (
    _HEX
    + """
local ids = redis.call('SPOP', KEYS[1] .. ':staged', ARGV[3])
local new = 0
for _, id in ipairs(ids) do
  local h = hex(id)
  if ARGV[4] == 'promote' then
    new = new + redis.call('HSETNX', ARGV[2] .. ':seen:' .. string.sub(h, 1, 4),
                           string.sub(id, 3), '')
  end
  local claim = ARGV[2] .. ':claim:' .. h
  if redis.call('GET', claim) == ARGV[1] then redis.call('DEL', claim) end
end
return {#ids, new}
"""
)

# KEYS: run hash. ARGV: prefix, cursor, count. Staged fingerprints become seen ones.
_CHUNK_FP = (
    _HEX
    + """
local r = redis.call('HSCAN', KEYS[1] .. ':fp', ARGV[2], 'COUNT', ARGV[3])
local kv = r[2]
for i = 1, #kv, 2 do
  local id = kv[i]
  redis.call('HSETNX', ARGV[1] .. ':synd:fp:' .. hex(string.sub(id, 1, 2)), string.sub(id, 3),
             kv[i + 1])
  redis.call('HDEL', KEYS[1] .. ':fp', id)
end
return r[1]
"""
)

_HAS = """
local function has(ids, id)
  for j = 1, #ids, 16 do
    if string.sub(ids, j, j + 15) == id then return true end
  end
  return false
end
"""

# KEYS: run hash. ARGV: prefix, cursor, count, max ids per band key.
_CHUNK_BAND = (
    _HAS
    + """
local r = redis.call('HSCAN', KEYS[1] .. ':band', ARGV[2], 'COUNT', ARGV[3])
local kv = r[2]
local cap = tonumber(ARGV[4]) * 16
for i = 1, #kv, 2 do
  local k, ids = kv[i], kv[i + 1]
  local b4, b5, b6 = string.byte(k, 4, 6)
  local low = (b4 % 16) * 65536 + b5 * 256 + b6
  local bucket = ARGV[1] .. ':synd:band:' .. string.format('%05x', low)
  local cur = redis.call('HGET', bucket, k) or ''
  for j = 1, #ids, 16 do
    local id = string.sub(ids, j, j + 15)
    if #cur < cap and not has(cur, id) then cur = cur .. id end
  end
  redis.call('HSET', bucket, k, cur)
  redis.call('HDEL', KEYS[1] .. ':band', k)
end
return r[1]
"""
)

# KEYS: run hash. ARGV: run id, prefix, tombstone ttl.
_FINISH = """
local state = redis.call('HGET', KEYS[1], 'state')
local final
if state == 'promoting' then final = 'promoted'
elseif state == 'discarding' then final = 'discarded'
else return state or '' end
if redis.call('SCARD', KEYS[1] .. ':staged') > 0 then return state end
redis.call('UNLINK', KEYS[1] .. ':fp', KEYS[1] .. ':band', KEYS[1] .. ':taken')
redis.call('HSET', KEYS[1], 'state', final)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SREM', ARGV[2] .. ':runs', ARGV[1])
return final
"""

# KEYS: run hash's band table. ARGV: fingerprint id (16 bytes), then band keys (6 bytes each).
_STAGE_BANDS = (
    _HAS
    + """
for i = 2, #ARGV do
  local cur = redis.call('HGET', KEYS[1], ARGV[i]) or ''
  if not has(cur, ARGV[1]) then redis.call('HSET', KEYS[1], ARGV[i], cur .. ARGV[1]) end
end
return 1
"""
)

_FP_HEAD = struct.Struct(">B16sI")  # has original, original id, shingle count; then signature


def _band_key(key: int) -> bytes:
    return key.to_bytes(6, "big")


def _pack(ids: IdCodec, fp: StoredFingerprint) -> bytes:
    original = ids.key(fp.original) if fp.original else bytes(16)
    return _FP_HEAD.pack(1 if fp.original else 0, original, fp.size) + fp.signature


def _unpack(ids: IdCodec, raw: bytes, story: bytes, *, staged: bool) -> StoredFingerprint:
    has_original, original, size = _FP_HEAD.unpack_from(raw)
    return StoredFingerprint(
        ids.story_id(story),
        ids.story_id(original) if has_original else None,
        size,
        raw[_FP_HEAD.size :],
        staged=staged,
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisSeenStore:
    """Seen-store in Redis, shared by every worker of a fleet; claims make staging exclusive.

    *client* is a redis-py client returning bytes. *check_seen* False (``refresh=1``) stages
    stories seen before, as SQLite does; claims still hold. *alive_ttl* is how long a run
    without a heartbeat counts as live; *run_ttl* bounds how long the traces of a run nobody
    settles stay; *fleet_ttl* how long a fleet run's queue and dupefilter outlive its last
    heartbeat.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "newscrawl",
        check_seen: bool = True,
        alive_ttl: float = 30.0,
        run_ttl: int = 7 * 86400,
        fleet_ttl: int = 86400,
        host: str | None = None,
        ids: IdCodec = HEX128,
    ) -> None:
        self.client = client
        #: How the site's ids become the 16-byte fields (its profile's codec).
        self.ids = ids
        self.prefix = prefix
        self.check_seen = check_seen
        self.alive_ttl_ms = max(1, int(alive_ttl * 1000))
        self.run_ttl = int(run_ttl)
        self.fleet_ttl = int(fleet_ttl)
        self.host = host or socket.gethostname()
        s = client.register_script
        self._stage, self._register, self._heartbeat = s(_STAGE), s(_REGISTER), s(_HEARTBEAT)
        self._pop, self._fleet_check, self._decide = s(_POP), s(_FLEET_CHECK), s(_DECIDE)
        self._chunk_ids, self._chunk_fp, self._chunk_band = (
            s(_CHUNK_IDS),
            s(_CHUNK_FP),
            s(_CHUNK_BAND),
        )
        self._finish_script, self._stage_bands = s(_FINISH), s(_STAGE_BANDS)

    # --- key names ------------------------------------------------------------------------

    def run_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def _seen_key(self, raw: bytes) -> tuple[str, bytes]:
        return f"{self.prefix}:seen:{raw[:2].hex()}", raw[2:]

    def _fp_key(self, raw: bytes) -> tuple[str, bytes]:
        return f"{self.prefix}:synd:fp:{raw[:2].hex()}", raw[2:]

    def _band_bucket(self, key: int) -> str:
        return f"{self.prefix}:synd:band:{key & ((1 << BAND_BUCKET_BITS) - 1):05x}"

    # --- the SeenStore protocol ----------------------------------------------------------

    def is_seen(self, story_id: str) -> bool:
        key, field = self._seen_key(self.ids.key(story_id))
        return bool(self.client.hexists(key, field))

    def seen_among(self, story_ids: Sequence[str]) -> set[str]:
        if not story_ids:
            return set()
        pipe = self.client.pipeline(transaction=False)  # one round trip for the batch
        for sid in story_ids:
            pipe.hexists(*self._seen_key(self.ids.key(sid)))
        return {sid for sid, seen in zip(story_ids, pipe.execute(), strict=True) if seen}

    def stage(self, run_id: str, story_id: str) -> bool:
        raw = self.ids.key(story_id)
        bucket, field = self._seen_key(raw)
        run = self.run_key(run_id)
        keys = [bucket, f"{self.prefix}:claim:{story_id.lower()}", f"{run}:staged", run]
        args = [run_id, field, raw, int(self.check_seen), self.run_ttl, self.prefix]
        result = int(self._stage(keys=keys, args=args))
        if result in (1, 2):
            return result == 1  # 2: already in this run's staged set
        if result == 0:
            raise StoryClaimed(f"story {story_id} is staged by another live run")
        if result == -1:
            raise StoryClaimed(f"story {story_id} was exported by another run meanwhile")
        if result == -2:
            raise RuntimeError(
                f"run {run_id} is not registered in Redis: the redis backend needs"
                " SCHEDULER = 'newscrawl.fleet.scheduler.FleetScheduler'"
                " (set by NEWSCRAWL_BACKEND=redis)"
            )
        raise StoryClaimed(
            f"run {run_id} was given up (its heartbeat lapsed and another worker settled it):"
            f" story {story_id} is left to the worker that crawls it again"
        )

    def flush(self) -> None:
        """Nothing to do: every stage is written to Redis when it is made."""

    def promote(self, run_id: str) -> int:
        return self._settle(run_id, "promote", require_dead=False)

    def discard(self, run_id: str) -> int:
        return self._settle(run_id, "discard", require_dead=False)

    def staged_runs(self) -> list[str]:
        """Dead runs whose fate is undecided (their export may or may not be complete).

        Live runs are never listed: their claims are theirs. Runs that died while promoting
        are finished here (their export was complete), so only crawling ones are returned.
        """
        undecided = []
        for member in sorted(self.client.smembers(f"{self.prefix}:runs")):
            run_id = _text(member)
            run = self.run_key(run_id)
            state = self.client.hget(run, "state")
            if state is None:  # expired (run_ttl) without being settled: nothing left of it
                self.client.srem(f"{self.prefix}:runs", run_id)
                continue
            if self.client.exists(f"{run}:alive"):
                continue
            state = _text(state)
            if state == CRAWLING:
                undecided.append(run_id)
            elif state in (PROMOTING, DISCARDING):
                self._finish(run_id, state)
            else:
                self.client.srem(f"{self.prefix}:runs", run_id)
        return undecided

    def close(self) -> None:
        self.client.close()

    # --- settling a run: one atomic decision, then the data moves in chunks ----------------

    def _settle(self, run_id: str, decision: str, *, require_dead: bool) -> int:
        state = _text(
            self._decide(
                keys=[self.run_key(run_id)],
                args=[run_id, decision, self.fleet_ttl, int(require_dead)],
            )
        )
        if decision == "promote" and state in (DISCARDING, DISCARDED):
            logger.error(
                "run %s was given up by the fleet (heartbeat lapsed) before its export was"
                " complete: its stories may be exported again by another worker",
                run_id,
            )
        if state in (PROMOTING, DISCARDING):
            return self._finish(run_id, state)
        return 0

    def _finish(self, run_id: str, state: str) -> int:
        run = self.run_key(run_id)
        decision = "promote" if state == PROMOTING else "discard"
        count = 0
        while True:
            moved, new = self._chunk_ids(keys=[run], args=[run_id, self.prefix, CHUNK, decision])
            count += int(new) if decision == "promote" else int(moved)
            if int(moved) < CHUNK:
                break
        if decision == "promote":
            for script in (self._chunk_fp, self._chunk_band):
                cursor = 0
                while True:
                    extra = [MAX_BAND_IDS] if script is self._chunk_band else []
                    cursor = int(script(keys=[run], args=[self.prefix, cursor, CHUNK, *extra]))
                    if cursor == 0:
                        break
        self._finish_script(keys=[run], args=[run_id, self.prefix, self.run_ttl])
        return count

    # --- fleet runs (used by newscrawl.fleet.scheduler.FleetScheduler) ------------------

    def register_run(
        self,
        run_id: str,
        *,
        fleet: str,
        queue_key: str,
        dupefilter_key: str,
        fleet_runs_key: str,
        exports_dir: str | Path,
    ) -> bool:
        """Record a starting run and its first heartbeat; False if the run id is taken."""
        run = self.run_key(run_id)
        fields = {
            "fleet": fleet,
            "queue": queue_key,
            "dupefilter": dupefilter_key,
            "fleet_runs": fleet_runs_key,
            "host": self.host,
            "exports_dir": str(Path(exports_dir).resolve()),
        }
        args: list[Any] = [run_id, self.alive_ttl_ms, self.run_ttl, self.fleet_ttl]
        for name, value in fields.items():
            args += [name, value]
        keys = [run, f"{run}:alive", f"{self.prefix}:runs", fleet_runs_key]
        return bool(self._register(keys=keys, args=args))

    def heartbeat(self, run_id: str) -> str:
        """Refresh the run's heartbeat and its keys' expiry; returns the run's state."""
        run = self.run_key(run_id)
        return _text(
            self._heartbeat(
                keys=[run, f"{run}:alive"], args=[self.alive_ttl_ms, self.run_ttl, self.fleet_ttl]
            )
        )

    def end_heartbeat(self, run_id: str) -> None:
        self.client.delete(f"{self.run_key(run_id)}:alive")

    def mark_released(self, run_id: str, fleet_runs_key: str) -> None:
        """The run sends its stories to the pipelines now: it takes no more requests."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.run_key(run_id), "released", "1")
            pipe.hset(fleet_runs_key, run_id, "released")
            pipe.execute()

    def pop_request(self, run_id: str, queue_key: str, fleet_runs_key: str) -> bytes | None:
        return self._pop(
            keys=[queue_key, f"{self.run_key(run_id)}:taken", fleet_runs_key], args=[run_id]
        )

    def fleet_check(self, run_id: str, queue_key: str, fleet_runs_key: str) -> list[str]:
        reply = self._fleet_check(keys=[queue_key, fleet_runs_key], args=[self.prefix, run_id])
        return [_text(v) for v in reply]

    def run_state(self, run_id: str) -> str | None:
        state = self.client.hget(self.run_key(run_id), "state")
        return None if state is None else _text(state)

    def settle_dead(self, run_id: str) -> str:
        """Settle a run without a heartbeat: promote it if its export is complete on a disk
        this worker sees (same host and data dir), else discard its claims and queue what it
        had taken again. Returns what was decided ('alive' if it came back)."""
        info = {_text(k): _text(v) for k, v in self.client.hgetall(self.run_key(run_id)).items()}
        decision = "discard"
        # The rename that completes an export is followed at once by the promotion; a crash
        # in between is told apart only by a worker that sees the dead run's disk.
        exports_dir = info.get("exports_dir")
        here = info.get("host") == self.host and exports_dir
        if here and (Path(exports_dir) / f"{run_id}.jsonl").exists():
            decision = "promote"
        state = _text(
            self._decide(keys=[self.run_key(run_id)], args=[run_id, decision, self.fleet_ttl, 1])
        )
        if state in (PROMOTING, DISCARDING):
            n = self._finish(run_id, state)
            logger.warning(
                "settled dead run %s: %s (%d stories)",
                run_id,
                "its export is complete, promoted"
                if state == PROMOTING
                else "discarded, its requests queued again",
                n,
            )
        return state

    # --- syndicated copies -----------------------------------------------------------------

    def bind_fingerprints(self, params: str) -> str:
        key = f"{self.prefix}:synd:params"
        self.client.set(key, params, nx=True)
        return _text(self.client.get(key))

    def fingerprint_of(self, run_id: str, story_id: str) -> StoredFingerprint | None:
        raw = self.ids.key(story_id)
        key, field = self._fp_key(raw)
        value = self.client.hget(key, field)
        if value is not None:
            return _unpack(self.ids, value, raw, staged=False)
        value = self.client.hget(f"{self.run_key(run_id)}:fp", raw)
        return None if value is None else _unpack(self.ids, value, raw, staged=True)

    def similar(self, run_id: str, keys: Sequence[int], limit: int) -> list[StoredFingerprint]:
        """Seen fingerprints, then *run_id*'s staged ones, sharing a band key (at most *limit*
        of each)."""
        fields = [_band_key(k) for k in keys]
        with self.client.pipeline(transaction=False) as pipe:
            for k, field in zip(keys, fields, strict=True):
                pipe.hget(self._band_bucket(k), field)
            seen_lists = pipe.execute()
        run_fp = f"{self.run_key(run_id)}:fp"
        staged_lists = self.client.hmget(f"{self.run_key(run_id)}:band", fields) if fields else []
        seen_ids = _distinct(seen_lists, limit)
        staged_ids = _distinct(staged_lists, limit)
        with self.client.pipeline(transaction=False) as pipe:
            for raw in seen_ids:
                pipe.hget(*self._fp_key(raw))
            for raw in staged_ids:
                pipe.hget(run_fp, raw)
            values = pipe.execute()
        found = []
        for i, raw in enumerate(seen_ids + staged_ids):
            if values[i] is not None:
                found.append(_unpack(self.ids, values[i], raw, staged=i >= len(seen_ids)))
        return found

    def stage_fingerprint(
        self, run_id: str, fingerprint: StoredFingerprint, keys: Sequence[int]
    ) -> None:
        raw = self.ids.key(fingerprint.id)
        run = self.run_key(run_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(f"{run}:fp", raw, _pack(self.ids, fingerprint))
            self._stage_bands(
                keys=[f"{run}:band"], args=[raw, *(_band_key(k) for k in keys)], client=pipe
            )
            pipe.execute()

    def reset_fingerprints(self) -> None:
        """Forget every fingerprint (after changing how they are made); ids stay seen."""
        for pattern in ("synd:*", "run:*:fp", "run:*:band"):
            batch = list(self.client.scan_iter(match=f"{self.prefix}:{pattern}", count=1000))
            for i in range(0, len(batch), 1000):
                self.client.unlink(*batch[i : i + 1000])

    # --- figures ---------------------------------------------------------------------------

    def count(self) -> int:
        """Seen ids (one HLEN per bucket: for tests and the docs' figures, not for crawls)."""
        with self.client.pipeline(transaction=False) as pipe:
            for b in range(16**SEEN_BUCKET_HEX):
                pipe.hlen(f"{self.prefix}:seen:{b:04x}")
            return sum(pipe.execute())


def _distinct(lists: Sequence[bytes | None], limit: int) -> list[bytes]:
    out: dict[bytes, None] = {}
    for ids in lists:
        for i in range(0, len(ids or b""), 16):
            out.setdefault(ids[i : i + 16], None)
            if len(out) >= limit:
                return list(out)
    return list(out)


def redis_seen_store(
    settings: Any, *, check_seen: bool = True, client: Any = None
) -> RedisSeenStore:
    """The Redis seen-store the settings describe (for the seen-store service and the fleet)."""
    return RedisSeenStore(
        client if client is not None else get_redis_from_settings(settings),
        prefix=settings.get("NEWSCRAWL_REDIS_PREFIX"),
        check_seen=check_seen,
        alive_ttl=settings.getfloat("NEWSCRAWL_REDIS_HEARTBEAT_TTL"),
        run_ttl=settings.getint("NEWSCRAWL_REDIS_RUN_TTL"),
        fleet_ttl=settings.getint("NEWSCRAWL_FLEET_TTL"),
        ids=site_of(settings).ids,
    )
