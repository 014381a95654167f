"""``FleetScheduler``: scrapy-redis's scheduler, with taken requests acknowledged on export."""

from __future__ import annotations

import importlib
import logging
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

from newscrawl.collect import wake
from newscrawl.fleet.backend import NAME_RE, fleet_run_name, spider_command
from newscrawl.sites import base_url_of
from newscrawl.stores.redis import CRAWLING, PROMOTING, RedisSeenStore, redis_seen_store

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


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
        if explicit and not NAME_RE.match(explicit):
            raise ValueError(f"NEWSCRAWL_FLEET_RUN must match {NAME_RE.pattern}, not {explicit!r}")
        fleet = explicit or fleet_run_name(
            spider_command(spider, base_url_of(s)),
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
            wake(self._crawler.engine)

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
