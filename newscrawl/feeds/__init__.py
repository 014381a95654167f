"""Atom feeds per hashtag and an OPML list of them, derived from the complete run exports.

``<DATA_DIR>/feeds/<lang>/<hashtag>.atom`` and ``<DATA_DIR>/feeds/index.opml`` are what a
feed reader is given; ``<DATA_DIR>/feeds.sqlite3`` keeps each feed's newest entries (outside
the served folder) so a run's update reads only its own export. A feed is a function of the
exports alone: ``python -m newscrawl.feeds rebuild`` gives the same bytes from them.

- ``entries``: an exported record as a feed entry (validated; its sort key and version)
- ``store``: the state (each feed's window of newest entries; runs whose feeds are pending)
- ``atom``: the Atom 1.0 and OPML 2.0 documents
- ``writer``: applies an export to the state and writes the files atomically
- ``extension``: the Scrapy extension on the export's signals
"""
