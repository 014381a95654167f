"""``make bench``: newscrawl beside bare Scrapy and dateparser, on a large loopback replica.

``python -m newscrawl.bench`` runs every part and writes ``BENCHMARKS.md``; each part is a
module here: ``server`` (pre-rendered replica and its ceiling), ``spiders`` (the bare
baseline spider), ``crawl`` (runs and measures one crawl process), ``dates`` (normaliser
beside dateparser), ``seenstore`` (the SQLite store up to a million stories).
Nothing here runs in ``make test`` beyond a quick smoke run on a tiny site.
"""
