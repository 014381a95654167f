"""Story pages (-a articles=1) and hashtag discovery (-a discover=N)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.replica import articles
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from newscrawl.sites import daily8
from tests.conftest import ROOT, run_crawl
from tests.mockserver.static import StaticServer
from tests.test_crawl import assert_matches_oracle

FILES = Path(__file__).parent / "files" / "daily8"
BASE = "https://www.daily8.com"


def test_reference_story_page() -> None:
    page = daily8.parse_story(
        (FILES / "article-en.html").read_bytes(),
        f"{BASE}/en/article/662064ce497bbf3a7bb749167085eb73",
        BASE,
    )
    assert page.title.startswith("Pakistan, UK discuss counterterrorism")
    assert (page.publisher, page.date_text) == ("Arab News", "18-04-2025")
    assert page.hashtags == ["Pakistan-UKCounterTerrorismDialogue", "MohsinNaqvi", "Prince&Knight"]
    paras = page.body.split("\n\n")
    assert len(paras) == 3
    assert paras[0].startswith("ISLAMABAD: Pakistan and the United Kingdom")
    assert paras[2].startswith("In 2022, the UK signed an agreement")
    # The AI promo, the comments and the related cards are not the body.
    assert "AI" not in page.body and "No comments" not in page.body


@pytest.mark.parametrize(
    ("meta", "publisher", "date"),
    [
        ("<span>Express Tribune21-03-2025</span>", "Express Tribune", "21-03-2025"),
        ("<span>USA Today3 days ago</span>", "USA Today", "3 days ago"),
        ("<span>Dawn</span><span>14 hours ago</span>", "Dawn", "14 hours ago"),
        ('<p>Yahoo<img alt="time">an hour ago</p>', "Yahoo", "an hour ago"),
        ("<span>الشرق الأوسطمنذ ساعتين</span>", "الشرق الأوسط", "منذ ساعتين"),
        ("<span>عرب نيوز٠٤-٠٣-٢٠٢٥</span>", "عرب نيوز", "٠٤-٠٣-٢٠٢٥"),
        ("<span>Gulf News</span>", "Gulf News", None),
    ],
)
def test_story_page_meta_glued_or_not(meta: str, publisher: str, date: str | None) -> None:
    html = f"<main><h1>T</h1><div>{meta}</div><div><p>{'Body text. ' * 20}</p></div></main>"
    page = daily8.parse_story(html, f"{BASE}/en/article/{'a' * 32}", BASE)
    assert (page.publisher, page.date_text) == (publisher, date)
    assert page.body.startswith("Body text.")


COMPARED = ("body", "story_hashtags", "published", "published_raw", "published_precision")


def _check(result, expected, base: str) -> None:
    assert_matches_oracle(result, expected, base)
    got = result.by_id()
    for sid, want in expected.items():
        for name in COMPARED:
            assert got[sid][name] == want.get(name), (sid, name, got[sid][name], want.get(name))


def test_articles_add_body_and_hashtags_and_skip_stories_exported_before(
    site: Site, tmp_path: Path
) -> None:
    tags = site.tags("en")[:3]
    with ReplicaServer(site, variant="modules") as server:
        base = server.base_url
        first = run_crawl(base, tmp_path, "-a", "tags=" + ",".join(tags), "-a", "articles=1")
        first_requests = list(server.requests)
        expected = articles.expected_with_articles(site, "en", tags, 10)
        _check(first, expected, base)
        missing = [s for s in expected if articles.page_missing(site.story(s))]
        assert missing, "the replica has stories without a page"
        assert first.stats["newscrawl/article/failed"] == len(missing)
        assert first.stats["newscrawl/article/fetched"] == len(expected) - len(missing)
        assert all(first.by_id()[s]["body"] is None for s in missing)
        # A story page's body is part of the text fingerprinted: each story was sent to the
        # fingerprint worker again once its page was read, and its answer was for that text.
        assert first.stats["newscrawl/syndication/fingerprinted_ahead"] == len(expected)
        assert "newscrawl/syndication/fingerprinted_inline" not in first.stats
        # Related Articles cards on story pages are not stories of this run.
        assert set(first.by_id()) == set(expected)
        assert sum("/en/article/" in p for p in first_requests) == len(expected)

        more = site.tags("en")[3]
        second = run_crawl(base, tmp_path, "-a", f"tags={tags[0]},{more}", "-a", "articles=1")
        second_articles = [
            p for p in list(server.requests)[len(first_requests) :] if "/article/" in p
        ]
    new_ids = set(site.expected("en", [tags[0], more], 10)) - set(expected)
    assert set(second.by_id()) == new_ids
    # Story pages are fetched only for stories this run exports.
    assert sorted(p.rsplit("/", 1)[1] for p in second_articles) == sorted(new_ids)
    assert second.stats["newscrawl/article/skipped_seen"] > 0


def test_discovery_crawls_hashtags_found_on_story_pages_and_records_them(
    site: Site, tmp_path: Path
) -> None:
    start = site.tags("en")[:1]
    with ReplicaServer(site, variant="mixed") as server:
        base = server.base_url
        result = run_crawl(base, tmp_path, "-a", f"tags={start[0]}", "-a", "discover=1")
    expected = articles.expected_with_articles(site, "en", start, 10, discover=1)
    _check(result, expected, base)
    discovered = {t for r in expected.values() for t in r["hashtags"]} - set(start)
    assert discovered, "the first hashtag's stories link other hashtags"
    assert result.stats["newscrawl/discover/hashtags"] == len(discovered)

    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "newscrawl.ops.hashtags",
            "--data-dir",
            str(tmp_path),
            "--format",
            "tags",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert discovered <= set(listed)
    table = subprocess.run(
        [
            sys.executable,
            "-m",
            "newscrawl.ops.hashtags",
            "--data-dir",
            str(tmp_path),
            "--lang",
            "en",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "first seen" in table and next(iter(discovered)) in table


def test_discovery_is_bounded_by_max_hashtags(site: Site, tmp_path: Path) -> None:
    start = site.tags("en")[0]
    with ReplicaServer(site, variant="modules") as server:
        result = run_crawl(
            server.base_url,
            tmp_path,
            "-a",
            f"tags={start}",
            "-a",
            "discover=2",
            "-a",
            "max_hashtags=1",
        )
    assert result.returncode == 0
    assert result.stats["newscrawl/discover/hashtags"] == 1
    assert result.stats["newscrawl/discover/over_limit"] > 0
    crawled = {t for r in result.records for t in r["hashtags"]}
    assert len(crawled - {start}) == 1


def test_a_more_precise_story_page_date_wins_and_a_failed_page_keeps_the_listing(
    tmp_path: Path,
) -> None:
    a, b = "a" * 32, "b" * 32
    listing = (
        "<html><body><h1>#T</h1><section>"
        f"<div><a href='/en/article/{a}'><h2>Precise</h2></a><p><span>Dawn</span>"
        "<img alt='time'>a day ago</p><ul><li>Dawn</li></ul></div>"
        f"<div><a href='/en/article/{b}'><h2>Broken page</h2></a><p><span>Yahoo</span>"
        "<img alt='time'>2 days ago</p><ul><li>Yahoo</li></ul></div>"
        "</section></body></html>"
    ).encode()
    story = (
        b"<html><body><main><h1>Precise</h1><div><span>Dawn20 hours ago</span></div>"
        b"<div><p>First paragraph.</p><p>Second paragraph.</p></div>"
        b"<section><a href='/en/hashtag/Other'>#Other</a></section></main></body></html>"
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b""),
        "/en/hashtag/T": (200, html, listing),
        f"/en/article/{a}": (200, html, story),
        f"/en/article/{b}": (500, html, b"oops"),
    }
    with StaticServer(routes) as server:
        result = run_crawl(
            server.base_url,
            tmp_path,
            "-a",
            "tags=T",
            "-a",
            "articles=1",
            "-s",
            "RETRY_TIMES=1",
            "-s",
            "NEWSCRAWL_RETRY_BACKOFF_BASE=0.01",
        )
    got = result.by_id()
    assert got[a]["published_raw"] == "20 hours ago"
    assert (got[a]["published"], got[a]["published_precision"]) == ("2025-06-11T13:30:00Z", "hour")
    assert got[a]["body"] == "First paragraph.\n\nSecond paragraph."
    assert got[a]["story_hashtags"] == ["Other"]
    assert got[a]["hashtags"] == ["T"]  # no discovery asked: Other was not crawled
    assert (got[b]["published_raw"], got[b]["body"], got[b]["story_hashtags"]) == (
        "2 days ago",
        None,
        None,
    )
    assert result.stats["newscrawl/article/failed"] == 1
    assert result.stats["newscrawl/article/date_from_story_page"] == 1
