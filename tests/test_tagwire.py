"""The second site, Tagwire (newscrawl/sites/tagwire.py): its page objects on its saved pages,
and crawls of a loopback replica of it with ``NEWSCRAWL_SITE=tagwire``.

It differs from Daily8 wherever a profile can: numeric ids, ``/tags/<slug>?p=N`` listings,
one language, another card order. Nothing outside its module knows it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.sites import load_profile
from tests.conftest import ROOT, run_crawl
from tests.mockserver.static import StaticServer

FILES = Path(__file__).parent / "files" / "tagwire"
SITE = load_profile("tagwire")
BASE = "https://www.tagwire.example"
HTML = {"Content-Type": "text/html; charset=utf-8"}
ENV = {"NEWSCRAWL_SITE": "tagwire"}


def page(name: str) -> bytes:
    return (FILES / name).read_bytes()


def test_listing_cards_in_this_sites_order() -> None:
    listing = SITE.parse_listing(page("listing-energy-1.html"), f"{BASE}/tags/energy", BASE)
    assert [c.id for c in listing.cards] == ["1042", "1043", "1044"]
    first = listing.cards[0]
    assert first.url == f"{BASE}/news/1042/oil-prices-climb"
    assert first.title == "Oil prices climb as producers signal deeper output cuts"
    assert first.date_text == "Apr 18, 2025"  # first on the card
    assert first.publisher == "Wire Daily"  # last, as "via Wire Daily"
    assert first.categories == ["Energy", "Markets"]
    assert first.excerpt.startswith("Brent crude rose for a third straight session")
    assert first.image == f"{BASE}/media/1042.jpg"
    assert listing.next_url == f"{BASE}/tags/energy?p=2"
    assert listing.missing() == {} and listing.truncated() == {}


def test_last_page_has_no_next_and_the_story_page_is_read() -> None:
    last = SITE.parse_listing(page("listing-energy-2.html"), f"{BASE}/tags/energy?p=2", BASE)
    assert [c.id for c in last.cards] == ["1045", "2001"] and last.next_url is None
    story = SITE.parse_story(page("story-1042.html"), f"{BASE}/news/1042/oil-prices-climb", BASE)
    assert (story.title, story.publisher, story.date_text) == (
        "Oil prices climb as producers signal deeper output cuts",
        "Wire Daily",
        "Apr 18, 2025",
    )
    assert story.body.startswith("Brent crude rose") and "\n\nTraders said" in story.body
    assert story.hashtags == ["energy", "opec"]


def test_urls_and_links_are_this_sites() -> None:
    assert SITE.listing_url(BASE, "en", "oil & gas") == f"{BASE}/tags/oil%20%26%20gas"
    assert SITE.story_url(BASE, "en", "1042") == f"{BASE}/news/1042"
    assert SITE.story_link("/news/1042/x-y", f"{BASE}/tags/a", BASE) == (
        "1042",
        f"{BASE}/news/1042/x-y",
    )
    assert SITE.story_link("/news/0042", f"{BASE}/tags/a", BASE) is None
    assert SITE.story_link("/en/article/" + "a" * 32, f"{BASE}/tags/a", BASE) is None
    with pytest.raises(ValueError, match="en only"):
        SITE.listing_url(BASE, "ar", "energy")


def routes() -> dict[str, tuple[int, dict[str, str], bytes]]:
    return {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b""),
        "/tags/energy": (200, HTML, page("listing-energy-1.html")),
        "/tags/energy?p=2": (200, HTML, page("listing-energy-2.html")),
        "/tags/markets": (200, HTML, page("listing-markets-1.html")),
    }


def test_a_crawl_of_the_second_site_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with StaticServer(routes()) as server:
        first = run_crawl(server.base_url, data, "-a", "tags=energy,markets", env=ENV)
        again = run_crawl(server.base_url, data, "-a", "tags=energy,markets", env=ENV)
        served = list(server.requests)
    assert first.returncode == 0, first.log[-3000:]
    # Records are checked against this site's schema by run_crawl (numeric ids, its URLs).
    got = first.by_id()
    assert sorted(got, key=int) == ["1042", "1043", "1044", "1045", "1046", "2001"]
    assert got["1044"]["hashtags"] == ["energy", "markets"]  # one record, both hashtags
    assert {r["lang"] for r in first.records} == {"en"}
    assert (got["1042"]["published"], got["1042"]["published_precision"]) == ("2025-04-18", "day")
    assert got["1043"]["published"] == "2025-06-12T06:30:00Z"  # 3 hours before NEWSCRAWL_NOW
    assert got["1042"]["publisher"] == "Wire Daily" and got["1042"]["categories"] == [
        "Energy",
        "Markets",
    ]
    # The copy from another publisher, a day later, points at the original's numeric id.
    assert got["2001"]["duplicate_of"] == "1042" and got["1042"]["duplicate_of"] is None
    assert "/tags/energy?p=2" in served
    # Its own seen-store, keyed by numbers: the second run exports nothing new.
    assert again.returncode == 0, again.log[-3000:]
    assert again.records == []
    assert (data / "seen-tagwire.sqlite3").exists() and not (data / "seen.sqlite3").exists()
    # Its feeds: entry ids and links are this site's.
    atom = (data / "feeds" / "en" / "energy.atom").read_text(encoding="utf-8")
    assert "<id>tag:newscrawl.invalid,2025:tagwire/story/1042</id>" in atom
    # The copy is folded into its original's entry (its duplicate_of read as this site's id).
    assert "tagwire/story/2001" not in atom and atom.count("<entry>") == 4
    assert f'href="{server.base_url}/tags/energy"' in atom


def test_a_language_the_site_does_not_have_is_refused(tmp_path: Path) -> None:
    with StaticServer(routes()) as server:
        crawl = run_crawl(
            server.base_url, tmp_path / "d", "-a", "tags=energy", "-a", "lang=ar", env=ENV
        )
        served = list(server.requests)
    assert crawl.returncode != 0 and "unknown lang 'ar'" in crawl.log
    assert served == []
    runner = subprocess.run(
        [sys.executable, "-m", "newscrawl.cron", "--tags", "energy", "--lang", "ar"],
        cwd=ROOT,
        env={**os.environ, **ENV, "NEWSCRAWL_DATA_DIR": str(tmp_path / "cron")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert runner.returncode == 1 and "invalid choice: 'ar' (choose from 'en')" in runner.stderr
