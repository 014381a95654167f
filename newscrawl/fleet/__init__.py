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
