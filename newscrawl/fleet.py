"""Fleet runs: several ``scrapy crawl tagpage`` workers sharing one frontier in Redis.

``NEWSCRAWL_BACKEND=redis`` (the :class:`RedisBackend` add-on) swaps in scrapy-redis: its
scheduler queue and its request dupefilter, keyed by a *fleet run* named after the command
(:func:`fleet_run_name`), so workers started with the same command share them; and the Redis
seen-store (``newscrawl.stores.redis``), whose claims make each story exported once.

scrapy-redis has no acknowledgement: a request popped by a worker that dies is gone. So
:class:`FleetScheduler` pops a request and records it as *taken* by its run in one Lua step,
and a run's taken requests are dropped only when its export is complete; if the run dies (its
heartbeat lapses) or ends without a complete export, they go back into the fleet's queue.
How to run a fleet, key sizes and expiry: docs/REDIS.md.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.request import request_from_dict
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newscrawl.stores.redis import CRAWLING, PROMOTING, RedisSeenStore

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BACKENDS = ("sqlite", "redis")
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def fleet_run_name(command: dict[str, Any], *, window: float, now: datetime) -> str:
    """The fleet run a worker joins: a digest of what it crawls and the run window it starts in.

    *now* is rounded to the *nearest* multiple of *window* seconds, so workers cron starts at
    the same minute on machines whose clocks differ by a few seconds agree; workers started
    more than half a window apart never share. ``window`` 0: no window, the fleet run lasts
    until its last worker leaves.
    """
    digest = hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()[:16]
    if window <= 0:
        return digest
    start = round(now.timestamp() / window) * window
    return f"{digest}-{datetime.fromtimestamp(start, UTC):%Y%m%dT%H%M%SZ}"


def spider_command(spider: Spider, base_url: str) -> dict[str, Any]:
    """What makes two workers' crawls the same: the spider, its site and its arguments."""
    return {
        "spider": spider.name,
        "base_url": base_url,
        "lang": getattr(spider, "lang", None),
        "tags": sorted(getattr(spider, "tags", [])),
        "max_pages": getattr(spider, "max_pages", None),
        "refresh": getattr(spider, "refresh", None),
        "articles": getattr(spider, "articles", None),
        "discover": getattr(spider, "discover", None),
        "max_hashtags": getattr(spider, "max_hashtags", None),
    }


class RedisBackend:
    """Scrapy add-on: ``NEWSCRAWL_BACKEND=redis`` puts the frontier and seen-store in Redis.

    Read here, after ``-s`` options are applied, so the switch works from the command line.
    """

    def update_settings(self, settings: Any) -> None:
        backend = settings.get("NEWSCRAWL_BACKEND") or "sqlite"
        if backend not in BACKENDS:
            raise ValueError(
                f"NEWSCRAWL_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}"
            )
        if backend != "redis":
            return
        if not settings.get("REDIS_URL"):
            raise ValueError("NEWSCRAWL_BACKEND=redis needs REDIS_URL (e.g. redis://host:6379/0)")
        prefix = settings.get("NEWSCRAWL_REDIS_PREFIX") or ""
        if not _NAME.match(prefix):
            raise ValueError(f"NEWSCRAWL_REDIS_PREFIX must match {_NAME.pattern}, not {prefix!r}")
        settings.set("SCHEDULER", "newscrawl.fleet.FleetScheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        # The fleet's queue and dupefilter are shared: no worker may clear them when it
        # closes (SCHEDULER_PERSIST=False would); the last worker of a fleet run does.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        # A worker crawls its share of the fleet's listings: a share can be empty, and a
        # hashtag its last run crawled may be another worker's this time. "project" so that
        # settings.py's values give way and -s still wins.
        settings.set("NEWSCRAWL_MONITOR_MIN_PAGES", 0, priority="project")
        settings.set("NEWSCRAWL_MONITOR_MIN_STORIES", 0, priority="project")
        settings.set("NEWSCRAWL_MONITOR_SILENT_HASHTAGS", False, priority="project")


def redis_seen_store(
    settings: Any, *, check_seen: bool = True, client: Any = None
) -> RedisSeenStore:
    """The Redis seen-store as the settings describe it (for ``from_crawler`` methods)."""
    return RedisSeenStore(
        client if client is not None else get_redis_from_settings(settings),
        prefix=settings.get("NEWSCRAWL_REDIS_PREFIX"),
        check_seen=check_seen,
        alive_ttl=settings.getfloat("NEWSCRAWL_REDIS_HEARTBEAT_TTL"),
        run_ttl=settings.getint("NEWSCRAWL_REDIS_RUN_TTL"),
        fleet_ttl=settings.getint("NEWSCRAWL_FLEET_TTL"),
    )


class FleetScheduler(Scheduler):
    """scrapy-redis's scheduler for one fleet run, with taken requests acknowledged on export.

    - ``next_request`` pops from the fleet's queue into this run's *taken* set (one Lua step);
    - ``has_pending_requests`` keeps the engine from going idle while the queue has requests
      or another live worker is crawling (it may queue more), and settles dead workers
      (their taken requests come back to the queue);
    - the first ``spider_idle`` is this worker's end: the spider sends its stories to the
      pipelines, and no request is taken after that (they would be in no export);
    - a heartbeat (``NEWSCRAWL_REDIS_HEARTBEAT_TTL``) tells the fleet this run lives.
    """

    def __init__(
        self,
        server: Any,
        *,
        store: RedisSeenStore,
        run_id: str,
        fleet: str,
        queue_key: str,
        dupefilter: RFPDupeFilter,
        fleet_runs_key: str,
        exports_dir: Path,
        export_enabled: bool = True,
        poll: float = 0.5,
        serializer: Any = None,
    ) -> None:
        super().__init__(
            server,
            persist=True,
            queue_key=queue_key,
            queue_cls="scrapy_redis.queue.PriorityQueue",
            dupefilter=dupefilter,
            dupefilter_key=dupefilter.key,
            serializer=serializer,
        )
        self.store = store
        self.run_id = run_id
        self.fleet = fleet
        self.fleet_runs_key = fleet_runs_key
        self.exports_dir = exports_dir
        self.export_enabled = export_enabled
        self.poll = poll
        self.released = False
        self._wanted = False  # pending requests reported with none handed out: poke the engine
        self._given_up = False
        self._expiring = False  # the fleet's queue and dupefilter carry an expiry yet
        self._loop: task.LoopingCall | None = None
        self._crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetScheduler:
        s = crawler.settings
        spider = crawler.spider
        explicit = s.get("NEWSCRAWL_FLEET_RUN") or ""
        if explicit and not _NAME.match(explicit):
            raise ValueError(f"NEWSCRAWL_FLEET_RUN must match {_NAME.pattern}, not {explicit!r}")
        fleet = explicit or fleet_run_name(
            spider_command(spider, s.get("NEWSCRAWL_BASE_URL")),
            window=s.getfloat("NEWSCRAWL_FLEET_WINDOW"),
            now=datetime.now(UTC),
        )
        names = {"prefix": s.get("NEWSCRAWL_REDIS_PREFIX"), "spider": spider.name, "fleet": fleet}
        queue_key = s.get("SCHEDULER_QUEUE_KEY") % names
        dupefilter_key = s.get("SCHEDULER_DUPEFILTER_KEY") % names
        for key in (queue_key, dupefilter_key):
            if "%" in key:  # scrapy-redis formats the queue key again with %(spider)s
                raise ValueError(f"a Redis key may not contain '%': {key!r}")
        server = get_redis_from_settings(s)
        server.ping()
        store = redis_seen_store(s, client=server)
        data_dir = Path(s.get("NEWSCRAWL_DATA_DIR"))
        serializer = s.get("SCHEDULER_SERIALIZER")
        if isinstance(serializer, str):
            serializer = importlib.import_module(serializer)
        scheduler = cls(
            server,
            store=store,
            run_id=s.get("NEWSCRAWL_RUN_ID"),
            fleet=fleet,
            queue_key=queue_key,
            dupefilter=RFPDupeFilter(
                server, key=dupefilter_key, debug=s.getbool("DUPEFILTER_DEBUG")
            ),
            fleet_runs_key=f"{s.get('NEWSCRAWL_REDIS_PREFIX')}:fleet:{spider.name}:{fleet}:runs",
            exports_dir=data_dir / "exports" / spider.name,
            export_enabled=s.getbool("NEWSCRAWL_EXPORT_ENABLED"),
            poll=min(s.getfloat("NEWSCRAWL_FLEET_POLL"), store.alive_ttl_ms / 3000),
            serializer=serializer,
        )
        scheduler.stats = crawler.stats
        scheduler._crawler = crawler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = PriorityQueue(
            server=self.server, spider=spider, key=self.queue_key, serializer=self.serializer
        )
        registered = self.store.register_run(
            self.run_id,
            fleet=self.fleet,
            queue_key=self.queue_key,
            dupefilter_key=self.df.key,
            fleet_runs_key=self.fleet_runs_key,
            exports_dir=self.exports_dir,
        )
        if not registered:
            raise ValueError(f"run id {self.run_id} is already known to Redis: run ids are unique")
        if self.stats is not None:
            self.stats.set_value("newscrawl/fleet/run", self.fleet)
        logger.info(
            "fleet run %s: queue %s, %d requests queued now", self.fleet, self.queue_key, len(self)
        )
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.poll, now=False)
        if self._crawler is not None:
            self._crawler.signals.connect(self._idle, signal=signals.spider_idle)
            self._crawler.signals.connect(self._stopped, signal=signals.engine_stopped)

    def enqueue_request(self, request: Request) -> bool:
        if self.released:
            # Cannot happen through the engine (nothing is crawled after release); refuse
            # rather than queue a request this worker could no longer report.
            return False
        # scrapy-redis's own, less its deprecated stats call (spider= argument).
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        if not self._expiring:
            # The first request creates the fleet's queue and dupefilter keys: give them their
            # expiry now, not at the next heartbeat, so no key is ever left without one.
            self._expiring = True
            self.store.heartbeat(self.run_id)
        return True

    def next_request(self) -> Request | None:
        if self.released:
            return None
        data = self.store.pop_request(self.run_id, self.queue_key, self.fleet_runs_key)
        if data is None:
            return None
        self._wanted = False
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request_from_dict(self.queue.serializer.loads(data), spider=self.spider)

    def has_pending_requests(self) -> bool:
        # The engine asks only when this worker has nothing in flight.
        if self.released:
            return False
        status = self.store.fleet_check(self.run_id, self.queue_key, self.fleet_runs_key)
        if status[0] == "idle":
            return False
        if status[0] == "dead":
            for run_id in status[1:]:
                self.store.settle_dead(run_id)
                if self.stats is not None:
                    self.stats.inc_value("newscrawl/fleet/settled_dead_runs")
        self._wanted = True
        return True

    def _tick(self) -> None:
        state = self.store.heartbeat(self.run_id)
        if state not in (CRAWLING, PROMOTING) and not self._given_up and not self.released:
            self._given_up = True
            logger.error(
                "this run's heartbeat lapsed and the fleet settled it (%s): what it exports"
                " now may be exported again by another worker; raise"
                " NEWSCRAWL_REDIS_HEARTBEAT_TTL if the worker stalls this long",
                state or "expired",
            )
        if self._wanted and self._crawler is not None:
            self._wanted = False
            _wake(self._crawler.engine)

    def _idle(self) -> None:
        if not self.released:
            self.released = True
            self.store.mark_released(self.run_id, self.fleet_runs_key)
            logger.info(
                "fleet run %s: nothing left to crawl, sending this worker's stories", self.fleet
            )

    def _stopped(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.store.run_state(self.run_id) == CRAWLING:
            # Not settled by a complete export: with exports off a released run is done;
            # otherwise its export failed or never came, so its requests go back.
            if self.export_enabled or not self.released:
                self.store.discard(self.run_id)
            else:
                self.store.promote(self.run_id)
        self.store.end_heartbeat(self.run_id)


def _wake(engine: Any) -> None:
    # Scrapy re-asks an idle scheduler only on its 5 s heartbeat; poking the engine's loop
    # (private API, as the spider's _wake) lets a waiting worker take new requests at once.
    nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()
