"""`python -m newscrawl.ops.hashtags`: list the hashtags found on story pages.

    python -m newscrawl.ops.hashtags [--data-dir data] [--lang en] [--exclude data/tags.txt]
                                 [--format table|tags]

``--format tags`` prints one hashtag per line, ready to append to a tags file;
``--exclude FILE`` leaves out the hashtags already in your tags file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from newscrawl.sites import load_profile
from newscrawl.stores.hashtags import REGISTRY_FILE, HashtagRegistry
from newscrawl.tags import read_tags_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.ops.hashtags", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("NEWSCRAWL_DATA_DIR", "data"))
    parser.add_argument("--lang", help="one of the site's languages (en, ar for daily8)")
    parser.add_argument("--exclude", type=Path, help="a tags file whose hashtags to leave out")
    parser.add_argument("--format", choices=("table", "tags"), default="table")
    args = parser.parse_args(argv)
    if args.lang is not None:
        site = load_profile(os.environ.get("NEWSCRAWL_SITE") or None)
        if args.lang not in site.langs:
            parser.error(
                f"--lang: {site.name} has no language {args.lang!r}:"
                f" use one of {', '.join(site.langs)}"
            )
    path = Path(args.data_dir) / REGISTRY_FILE
    if not path.exists():
        print(f"no hashtags recorded yet ({path} does not exist): crawl with -a articles=1")
        return 1
    registry = HashtagRegistry(path)
    rows = registry.rows(args.lang)
    registry.close()
    if args.exclude:
        known = set(read_tags_file(args.exclude))
        rows = [r for r in rows if r.tag not in known]
    if args.format == "tags":
        for r in rows:
            print(r.tag)
        return 0
    print(f"{'lang':4}  {'hashtag':40}  {'first seen':20}  {'story pages':>11}  {'listed':>6}")
    for r in rows:
        listed = "-" if r.listed_stories is None else str(r.listed_stories)
        print(f"{r.lang:4}  {r.tag:40}  {r.first_seen:20}  {r.story_pages:>11}  {listed:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
