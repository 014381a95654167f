"""`python -m newscrawl.replica`: serve the Daily8 replica until SIGTERM or SIGINT."""

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--variant", default="modules", choices=SERVED_VARIANTS)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--now", default="2025-06-12T09:30:00Z", help="the site's clock (UTC)")
    parser.add_argument("--tz", default="Asia/Dubai")
    parser.add_argument("--tags-en", type=int, default=8, help="number of English hashtags")
    parser.add_argument("--tags-ar", type=int, default=4, help="number of Arabic hashtags")
    parser.add_argument("--pages", type=int, default=3, help="pages per hashtag (at most)")
    parser.add_argument("--cards", type=int, default=10, help="cards per page")
    parser.add_argument("--write-tags", type=Path, metavar="DIR")
    args = parser.parse_args(argv)

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
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
