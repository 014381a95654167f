"""A test site profile: Daily8's, but its listing parse fails where a test needs it to.

``NEWSCRAWL_SITE=tests.listing_fails``. In the listing worker's child process (only there)
the third page it parses ends the child (exit code 3), as a crash would, and a page whose
URL holds ``HangChild`` never gets an answer; anywhere, a page whose URL holds
``Unparseable`` raises. Everything else is Daily8's.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from typing import Any

from newscrawl.sites import daily8
from newscrawl.sites.cards import Listing


def _in_listing_worker() -> bool:
    return sys.argv[0].endswith(os.path.join("newscrawl", "listing_worker.py"))


_parsed = 0  # pages parsed by this process


def parse_listing(body: Any, page_url: str, base_url: str, *, root: Any = None) -> Listing:
    global _parsed
    _parsed += 1
    if "HangChild" in page_url and _in_listing_worker():
        time.sleep(3600)
    if _parsed == 3 and _in_listing_worker():
        os._exit(3)
    if "Unparseable" in page_url:
        raise ValueError(f"no listing in {page_url} (a test's page)")
    return daily8.parse_listing(body, page_url, base_url, root=root)


PROFILE = dataclasses.replace(daily8.PROFILE, name="listing_fails", parse_listing=parse_listing)
