"""`python -m newscrawl.replica`: serve the Daily8 replica until SIGTERM or SIGINT.

An offline stand-in for the site, on loopback: hashtag listings in English and Arabic with
pagination, story pages, and the crawl oracle the tests compare with. It prints one line on
stdout, `READY <base URL>`, once it serves (the tests and scripts read it), and on stderr
the command that crawls it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from newscrawl.replica.markup import SERVED_VARIANTS
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import LANGS, Site, build_site


def write_tags(site: Site, directory: Path) -> None:
    """Write `tags-en.txt` and `tags-ar.txt` (one tag per line after a `#` header)."""
    directory.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        lines = [f"# Daily8 replica hashtags, lang={lang}, seed={site.seed}", *site.tags(lang)]
        (directory / f"tags-{lang}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


EPILOG = """\
to crawl what it serves, from the project directory: serve it in one shell,
  .venv/bin/python -m newscrawl.replica --port 8008 --write-tags data/replica
and crawl it from another:
  SCRAPY_SETTINGS_MODULE=newscrawl.settings_loopback \\
  NEWSCRAWL_BASE_URL=http://127.0.0.1:8008 NEWSCRAWL_NOW=2025-06-12T09:30:00Z \\
  NEWSCRAWL_DATA_DIR=data/replica \\
  .venv/bin/scrapy crawl tagpage -a tags_file=data/replica/tags-en.txt

NEWSCRAWL_NOW set to --now makes relative dates ("14 hours ago") come out as the replica
meant them; settings_loopback drops the delays that protect the real site.
"""


def crawl_hint(base_url: str, now: str, tags_dir: Path | None) -> str:
    """The command that crawls a replica serving at *base_url* (printed on stderr): into
    *tags_dir* with its tags file when the tags were written, else data/replica."""
    data = tags_dir or Path("data/replica")
    tags = f"-a tags_file={data / 'tags-en.txt'}" if tags_dir else "-a tags=Saco"
    return (
        f"crawl it: SCRAPY_SETTINGS_MODULE=newscrawl.settings_loopback "
        f"NEWSCRAWL_BASE_URL={base_url} NEWSCRAWL_NOW={now} "
        f"NEWSCRAWL_DATA_DIR={data} .venv/bin/scrapy crawl tagpage {tags}"
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line, every option with its help."""
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 (default) picks a free one")
    parser.add_argument(
        "--variant",
        default="modules",
        choices=SERVED_VARIANTS,
        help="listing markup: the reference's CSS modules (default), re-hashed modules, utility"
        " classes, no classes, a page-by-page mix, or js (a script shell filled from a JSON API)",
    )
    parser.add_argument(
        "--seed", type=int, default=8, help="the site's random seed: same seed, same site"
    )
    parser.add_argument(
        "--now",
        default="2025-06-12T09:30:00Z",
        help="the site's clock, UTC (%(default)s); give the crawl the same as NEWSCRAWL_NOW",
    )
    parser.add_argument(
        "--tz", default="Asia/Dubai", help="the site's time zone for calendar dates (%(default)s)"
    )
    parser.add_argument(
        "--tags-en", type=int, default=8, help="number of English hashtags (%(default)s)"
    )
    parser.add_argument(
        "--tags-ar", type=int, default=4, help="number of Arabic hashtags (%(default)s)"
    )
    parser.add_argument(
        "--pages", type=int, default=3, help="listing pages per hashtag, at most (%(default)s)"
    )
    parser.add_argument("--cards", type=int, default=10, help="cards per page (%(default)s)")
    parser.add_argument(
        "--write-tags",
        type=Path,
        metavar="DIR",
        help="write DIR/tags-en.txt and DIR/tags-ar.txt, the site's hashtags as tags files",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    site = build_site(
        seed=args.seed,
        n_tags_en=args.tags_en,
        n_tags_ar=args.tags_ar,
        pages_per_tag=args.pages,
        cards_per_page=args.cards,
        now=args.now,
        tz=args.tz,
    )
    if args.write_tags:
        write_tags(site, args.write_tags)

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with ReplicaServer(site, variant=args.variant, host=args.host, port=args.port) as server:
        print(f"READY {server.base_url}", flush=True)
        print(crawl_hint(server.base_url, args.now, args.write_tags), file=sys.stderr, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
