"""`python -m newscrawl.feeds rebuild`: every hashtag feed again from the exports on disk.

    python -m newscrawl.feeds rebuild [--data-dir DIR] [--spider tagpage]

Settings come as for a crawl (``NEWSCRAWL_*`` from the environment, ``--set NAME=VALUE``).
The result is byte for byte what the runs wrote for the same exports. Run it after changing
``NEWSCRAWL_FEED_ENTRIES``, ``NEWSCRAWL_FEED_BASE_URL`` or the site's base URL, or if the
feeds' state was lost. Exports pruned by retention are gone, so are their entries: the
runs' own feeds keep them, a rebuild cannot.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.utils.project import get_project_settings

from newscrawl.feeds.writer import FeedConfig, rebuild
from newscrawl.ops.lock import DataDirLock

EX_TEMPFAIL = 75


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.feeds", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("rebuild", help="rebuild every feed from the exports on disk")
    cmd.add_argument("--data-dir", help="the data dir (default: NEWSCRAWL_DATA_DIR, or data)")
    cmd.add_argument("--spider", default="tagpage", help="whose exports (default: tagpage)")
    cmd.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a setting")
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    settings = get_project_settings()
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set takes NAME=VALUE, not {item!r}")
        settings.set(name, value, priority="cmdline")
    if args.data_dir:
        settings.set("NEWSCRAWL_DATA_DIR", args.data_dir, priority="cmdline")
    try:
        config = FeedConfig.from_settings(settings)
    except ValueError as exc:
        print(f"newscrawl.feeds: {exc}", file=sys.stderr)
        return 1
    if not (config.data_dir / "exports" / args.spider).is_dir():
        print(
            f"newscrawl.feeds: no exports in {config.data_dir / 'exports' / args.spider}",
            file=sys.stderr,
        )
        return 1
    # A crawl writes the same files; one of the two waits for the other (cron: next slot).
    lock = DataDirLock(config.data_dir)
    if not lock.acquire("feeds rebuild"):
        print(
            f"newscrawl.feeds: {config.data_dir} is busy ({lock.holder()}); try again later",
            file=sys.stderr,
        )
        return EX_TEMPFAIL
    try:
        done = rebuild(config, args.spider)
    finally:
        lock.release()
    print(
        f"rebuilt {done.feeds} feeds from {done.exports} exports ({done.records} records"
        f", {done.dropped} left out) in {done.ms:.0f} ms: {done.written} files written"
        f", {len(done.removed)} removed, in {config.feeds_dir}"
    )
    return 1 if done.dropped else 0


if __name__ == "__main__":
    sys.exit(main())
