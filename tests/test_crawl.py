"""End to end: the real `scrapy crawl tagpage` against the replica site over loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from tests.conftest import CrawlResult, run_crawl

VARIANTS = ["modules", "rehashed", "utility", "bare", "mixed"]
COMPARED = (
    "id",
    "title",
    "publisher",
    "published",
    "published_raw",
    "published_precision",
    "categories",
    "excerpt",
    "image",
    "lang",
)


def assert_matches_oracle(
    result: CrawlResult, expected: dict[str, dict[str, Any]], base: str
) -> None:
    assert result.returncode == 0, result.log[-3000:]
    got = result.by_id()
    assert len(got) == len(result.records), "a story was exported twice in one run"
    assert sorted(got) == sorted(expected)
    for sid, want in expected.items():
        rec = got[sid]
        assert rec["url"] == base + want["url"]
        assert sorted(rec["hashtags"]) == sorted(want["hashtags"]), sid
        for name in COMPARED:
            assert rec[name] == want[name], (sid, name, rec[name], want[name])


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_markup_variant_gives_the_oracles_records(
    site: Site, variant: str, tmp_path: Path
) -> None:
    tags = site.tags("en")
    with ReplicaServer(site, variant=variant) as server:
        base = server.base_url
        result = run_crawl(base, tmp_path, "-a", "tags=" + ",".join(tags))
        requested = list(server.requests)
    assert_matches_oracle(result, site.expected("en", tags, max_pages=10), base)
    # Only listings and robots.txt were fetched: no story pages, no other hashtags.
    assert all(p.startswith(("/en/hashtag/", "/robots.txt")) for p in requested), requested
    assert result.stats["downloader/request_count"] == len(requested)
    assert result.stats["newscrawl/export/records"] == len(result.records)


@pytest.mark.parametrize("variant", ["modules", "utility"])
def test_arabic_listings(site: Site, variant: str, tmp_path: Path) -> None:
    tags = site.tags("ar")
    with ReplicaServer(site, variant=variant) as server:
        base = server.base_url
        result = run_crawl(base, tmp_path, "-a", "lang=ar", "-a", "tags=" + ",".join(tags))
    assert_matches_oracle(result, site.expected("ar", tags, max_pages=10), base)
    raw = result.exports[0].read_bytes()
    assert "منذ".encode() in raw and b"\\u06" not in raw, "Arabic must be written as UTF-8"


def test_second_run_exports_nothing_old_and_refresh_exports_all(
    crawl, site: Site, tmp_path: Path
) -> None:
    tags = site.tags("en")[:3]
    data = tmp_path / "shared"
    first = crawl("-a", "tags=" + ",".join(tags), data_dir=data)
    assert first.returncode == 0 and first.records
    second = crawl("-a", "tags=" + ",".join(tags), data_dir=data)
    assert second.returncode == 0
    assert len(second.exports) == 1 and second.records == []  # a complete, empty export
    assert second.stats["newscrawl/drop/seen_before"] == len(first.records)
    # Not held: none went through the pipelines after the crawl only to be dropped there.
    assert second.stats.get("item_dropped_count", 0) == 0
    assert second.stats["newscrawl/stories"] == len(first.records)
    # A tag not crawled before brings only the stories the first run did not export.
    more = site.tags("en")[3]
    third = crawl("-a", f"tags={tags[0]},{more}", data_dir=data)
    new_ids = set(site.expected("en", [tags[0], more], 10)) - set(first.by_id())
    assert set(third.by_id()) == new_ids
    refreshed = crawl("-a", "tags=" + ",".join(tags), "-a", "refresh=1", data_dir=data)
    assert sorted(refreshed.by_id()) == sorted(first.by_id())


def test_hashtags_merge_across_tags_in_the_users_spelling(crawl, site: Site) -> None:
    tags = site.tags("en")
    result = crawl("-a", "tags=" + ",".join(tags))
    multi = [r for r in result.records if len(r["hashtags"]) > 1]
    assert multi, "the replica lists some stories under several hashtags"
    order = {t: i for i, t in enumerate(tags)}
    for r in multi:
        assert r["hashtags"] == sorted(r["hashtags"], key=order.__getitem__)
    assert result.stats["newscrawl/drop/in_run_duplicate"] > 0


def test_max_pages_bounds_each_hashtag(crawl, site: Site) -> None:
    tags = site.tags("en")
    result = crawl("-a", "tags=" + ",".join(tags), "-a", "max_pages=1")
    assert sorted(result.by_id()) == sorted(site.expected("en", tags, max_pages=1))
    assert result.stats["newscrawl/pages"] == len(tags)


def test_tags_file_and_dash_O_feed_beside_the_run_export(crawl, site: Site, tmp_path: Path) -> None:
    tags_file = tmp_path / "tags.txt"
    tags = site.tags("en")[:2]
    tags_file.write_text("# topics\n" + "\n".join(tags) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = crawl("-a", f"tags_file={tags_file}", "-O", str(out))
    assert result.returncode == 0
    side = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in side) == sorted(result.by_id()) != []


def test_unknown_hashtag_is_named_and_nothing_exported(crawl) -> None:
    result = crawl("-a", "tags=NoSuchTagAnywhere")
    assert result.returncode == 0
    assert "#NoSuchTagAnywhere does not exist on the site (HTTP 404" in result.log
    assert result.records == []
    assert result.stats["newscrawl/hashtag/not_found"] == 1
    assert result.stats["newscrawl/hashtag/NoSuchTagAnywhere/stories"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-a", "tags=a/b"], "may not contain '/'"),
        (["-a", "tags=Saco", "-a", "lang=fr"], "unknown lang 'fr'"),
        ([], "no hashtags given"),
    ],
)
def test_bad_arguments_fail_before_anything_is_written(
    crawl, tmp_path: Path, args, message
) -> None:
    result = crawl(*args)
    assert result.returncode != 0
    assert message in result.log
    assert not (tmp_path / "data" / "exports").exists()


def test_the_run_exports_lines_are_scrapys_jsonlines_byte_for_byte() -> None:
    from io import BytesIO

    from scrapy.exporters import JsonLinesItemExporter

    from newscrawl.exports import StoryJsonLinesExporter
    from newscrawl.items import Story

    stories = [
        Story(
            id="a" * 32,
            url="https://www.daily8.com/article/" + "a" * 32,
            title='باكستان "وبريطانيا" \\ تبحثان',
            publisher=None,
            published="2025-04-18",
            published_raw="18-04-2025",
            published_precision="day",
            categories=["سياسة", "عرب نيوز"],
            hashtags=["باكستان", "Prince&Knight"],
            story_hashtags=[],
            excerpt="line one\nline two\t\u2028<b>",
            body=None,
            image=None,
            lang="ar",
            duplicate_of="b" * 32,
            crawled_at="2026-11-28T00:00:00Z",
        ),
        {"a plain dict": 1},  # any other item: Scrapy's own way
    ]
    written = []
    for cls in (JsonLinesItemExporter, StoryJsonLinesExporter):
        out = BytesIO()
        exporter = cls(out, encoding="utf-8")
        exporter.start_exporting()
        for story in stories:
            exporter.export_item(story)
        exporter.finish_exporting()
        written.append(out.getvalue())
    assert written[1] == written[0]
    assert json.loads(written[0].splitlines()[0])["title"].startswith("باكستان")
