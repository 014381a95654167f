"""Hashtag feeds: every feed read back by real clients (feedparser, lxml with RFC 4287's schema).

The feeds are made by the code the crawl runs (``FeedWriter.apply`` on export files, as
``export_published`` does); the end-to-end crawls, the killed runs and the fleet are in
``tests/test_feeds_crawl.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl import settings as project
from newscrawl.feeds.extension import HashtagFeeds
from newscrawl.feeds.store import FeedStore
from newscrawl.feeds.writer import FeedConfig, FeedWriter, RenderMemo, rebuild
from newscrawl.items import SCHEMA_VERSION
from newscrawl.replica.site import Site
from newscrawl.sites.daily8 import listing_url, story_url

SITE = "https://www.daily8.com"
FEED_BASE = "https://news.example.org/feeds/"
ATOM = "{http://www.w3.org/2005/Atom}"
RNG = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "files" / "atom" / "rfc4287.rng")))
DUBAI = timedelta(hours=4)


# --- making exports ---------------------------------------------------------------------------


def record(story_id: str, **fields: Any) -> dict[str, Any]:
    """An export line as the run export writes it (every field of the schema)."""
    lang = fields.get("lang", "en")
    base = {
        "id": story_id,
        "url": story_url(SITE, lang, story_id),
        "title": f"Story {story_id[:6]}",
        "publisher": "Dawn",
        "published": "2025-06-12T08:00:00Z",
        "published_raw": "an hour ago",
        "published_precision": "hour",
        "categories": ["Business"],
        "hashtags": ["Saco"],
        "story_hashtags": None,
        "excerpt": "An excerpt.",
        "body": None,
        "image": None,
        "lang": lang,
        "duplicate_of": None,
        "crawled_at": "2025-06-12T09:30:00Z",
        "schema_version": SCHEMA_VERSION,
    }
    return {**base, **fields}


def replica_records(site: Site, lang: str, crawled_at: str) -> list[dict[str, Any]]:
    """The replica's stories in *lang* as a crawl of every hashtag exports them."""
    return [
        {**record(r["id"], lang=lang), **r, "url": SITE + r["url"], "crawled_at": crawled_at}
        for r in site.expected(lang, site.tags(lang), max_pages=10).values()
    ]


def write_export(data_dir: Path, run_id: str, records: list[dict[str, Any]]) -> Path:
    path = data_dir / "exports" / "tagpage" / f"{run_id}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def config(data_dir: Path, entries: int = 50) -> FeedConfig:
    return FeedConfig(
        data_dir=data_dir,
        site_base_url=SITE,
        feed_base_url=FEED_BASE,
        entries=entries,
        timezone="Asia/Dubai",
    )


def apply_runs(data_dir: Path, runs: list[tuple[str, list[dict]]], entries: int = 50) -> None:
    """Each run's export written, then applied as the extension applies it, in this order."""
    cfg = config(data_dir, entries)
    store = FeedStore(cfg.state_path, cfg.window)
    writer = FeedWriter(cfg, store)
    try:
        for run_id, records in runs:
            writer.apply(run_id, write_export(data_dir, run_id, records))
    finally:
        store.close()


def feed_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "feeds"
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# --- reading feeds back -------------------------------------------------------------------------


def instant(rec: dict[str, Any]) -> datetime:
    """When a record sorts (the test's own reading of the rule): published, else crawled."""
    value = rec["published"] or rec["crawled_at"]
    if len(value) == 10:  # a date: midnight in Dubai, the site's zone
        return datetime.fromisoformat(value).replace(tzinfo=UTC) - DUBAI
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def newest(records: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (instant(r), r["id"]), reverse=True)[:n]


def read_feed(path: Path) -> Any:
    """The feed as a reader sees it, after checking it is valid Atom (schema and prose)."""
    data = path.read_bytes()
    doc = etree.fromstring(data)
    assert RNG.validate(doc), (path, RNG.error_log.last_error)
    # RFC 4287's Schematron rules (Appendix B annotations) and 4.1.1's "exactly one".
    assert doc.find(f"{ATOM}author") is not None or all(
        e.find(f"{ATOM}author") is not None for e in doc.iter(f"{ATOM}entry")
    )
    for entry in doc.iter(f"{ATOM}entry"):
        assert entry.xpath("a:link[@rel='alternate']", namespaces={"a": ATOM[1:-1]})
        for once in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{once}")) == 1
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_a_feed_lists_the_newest_stories_of_its_hashtag_over_all_runs(
    site: Site, tmp_path: Path
) -> None:
    records = replica_records(site, "en", "2025-06-12T09:30:00Z")
    half = len(records) // 2
    apply_runs(tmp_path, [("run-a", records[:half]), ("run-b", records[half:])], entries=5)
    tags = site.tags("en")
    assert sorted(p.name for p in (tmp_path / "feeds" / "en").iterdir()) == sorted(
        f"{t}.atom" for t in tags
    )
    for tag in tags:
        feed = read_feed(tmp_path / "feeds" / "en" / f"{tag}.atom")
        want = newest([r for r in records if tag in r["hashtags"]], 5)
        assert feed.feed.title == f"#{tag}"
        assert feed.feed.language == "en"
        links = {link["rel"]: link["href"] for link in feed.feed.links}
        assert links["alternate"] == listing_url(SITE, "en", tag)
        assert links["self"].startswith(FEED_BASE) and links["self"].endswith(".atom")
        assert [e.id for e in feed.entries] == [
            f"tag:newscrawl.invalid,2025:daily8/story/{r['id']}" for r in want
        ]
        assert feed.feed.updated == max(r["crawled_at"] for r in want)
        for got, r in zip(feed.entries, want, strict=True):
            assert got.title == r["title"]
            assert got.link == r["url"]
            assert got.updated == r["crawled_at"]
            assert got.get("author") == r["publisher"]
            assert got.get("summary") == r["excerpt"]
            if r["published"]:
                assert datetime.fromisoformat(got.published) == instant(r)
            else:
                assert "published" not in got
            terms = [(t.term, t.scheme) for t in got.tags]
            assert terms == [(c, None) for c in r["categories"]] + [
                (h, "tag:newscrawl.invalid,2025:daily8/hashtag") for h in r["hashtags"]
            ]


def test_the_same_story_has_the_same_entry_id_in_every_feed_and_run(tmp_path: Path) -> None:
    sid = "a" * 32
    apply_runs(tmp_path, [("run-a", [record(sid, hashtags=["Saco", "OilPrices"])])])
    apply_runs(tmp_path, [("run-b", [record("b" * 32, hashtags=["Saco"])])])
    ids = {
        name: [e.id for e in read_feed(tmp_path / "feeds" / "en" / name).entries]
        for name in ("Saco.atom", "OilPrices.atom")
    }
    story = f"tag:newscrawl.invalid,2025:daily8/story/{sid}"
    assert ids["OilPrices.atom"] == [story]
    assert story in ids["Saco.atom"] and len(ids["Saco.atom"]) == 2


def test_an_arabic_feed_is_arabic_right_to_left_and_intact(site: Site, tmp_path: Path) -> None:
    records = replica_records(site, "ar", "2025-06-12T09:30:00Z")
    apply_runs(tmp_path, [("run-ar", records)])
    tag = site.tags("ar")[0]
    path = tmp_path / "feeds" / "ar" / f"{tag}.atom"
    raw = path.read_bytes()
    assert tag.encode("utf-8") in raw and b"&#" not in raw, "Arabic must be UTF-8, not references"
    assert etree.fromstring(raw).get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    feed = read_feed(path)
    assert feed.feed.language == "ar"
    by_id = {r["id"]: r for r in records}
    assert feed.entries
    for got in feed.entries:
        r = by_id[got.id.rsplit("/", 1)[1]]
        assert got.title_detail.language == "ar"  # what a reader lays out right to left
        assert got.title == r["title"] and got.get("summary") == r["excerpt"]
        assert got.get("author") == r["publisher"]


HOSTILE = [
    "<script>alert(1)</script>",
    '"><script src=//x></script><b onmouseover="x">',
    "]]><!-- a & b -->&amp;&lt;",
    "<![CDATA[x]]>",
    "Tab\tand\rreturn\nand a quote \"'",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_never_reaches_the_xml_as_markup(tmp_path: Path, text: str) -> None:
    rec = record(
        "c" * 32, title=text, publisher=text, excerpt=text, categories=[text], hashtags=["Saco"]
    )
    apply_runs(tmp_path, [("run-x", [rec])])
    raw = (tmp_path / "feeds" / "en" / "Saco.atom").read_bytes()
    assert b"<script" not in raw and b"<b " not in raw and b"<![CDATA[" not in raw
    doc = etree.fromstring(raw)
    assert {el.tag for el in doc.iter()} <= {f"{ATOM}{n}" for n in _ATOM_ELEMENTS}
    [entry] = doc.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == text
    assert entry.findtext(f"{ATOM}summary") == text
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == text
    assert entry.find(f"{ATOM}category").get("term") == text
    # A reader gets it as plain text, which it shows as written and never runs.
    got = read_feed(tmp_path / "feeds" / "en" / "Saco.atom").entries[0]
    assert (got.title_detail.type, got.title) == ("text/plain", text)
    assert (got.summary_detail.type, got.summary) == ("text/plain", text)


_ATOM_ELEMENTS = {
    "feed", "id", "title", "link", "updated", "author", "name", "uri", "generator", "entry",
    "published", "summary", "category",
}  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_text_comes_back_as_the_same_text(tmp_path: Path, text: str) -> None:
    data_dir = tmp_path / "h"
    shutil.rmtree(data_dir, ignore_errors=True)
    apply_runs(data_dir, [("run-h", [record("d" * 32, title=text, excerpt=text)])])
    doc = etree.fromstring((data_dir / "feeds" / "en" / "Saco.atom").read_bytes())
    entry = doc.find(f"{ATOM}entry")
    # Only what XML 1.0 cannot carry at all is left out; everything else is the same text.
    allowed = "".join(
        c
        for c in text
        if c in "\t\n\r"
        or "\x20" <= c <= "\ud7ff"
        or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000"
    )
    assert entry.findtext(f"{ATOM}title") == allowed
    assert entry.findtext(f"{ATOM}summary") == (allowed or None)


def test_syndicated_copies_are_one_entry_and_a_lone_copy_names_its_original(
    tmp_path: Path,
) -> None:
    original, copy, later_copy, lone = "0" * 31 + "1", "0" * 31 + "2", "0" * 31 + "3", "f" * 32
    outside = "e" * 32  # an original listed under another hashtag only
    runs = [
        ("run-a", [record(original, published="2025-06-10T08:00:00Z", hashtags=["Saco"])]),
        (
            "run-b",
            [
                record(copy, published="2025-06-11T08:00:00Z", duplicate_of=original),
                record(outside, published="2025-06-09T08:00:00Z", hashtags=["OilPrices"]),
                record(lone, published="2025-06-11T09:00:00Z", duplicate_of=outside),
            ],
        ),
        ("run-c", [record(later_copy, published="2025-06-12T08:00:00Z", duplicate_of=original)]),
    ]
    apply_runs(tmp_path, runs)
    feed = read_feed(tmp_path / "feeds" / "en" / "Saco.atom")
    ids = [e.id.rsplit("/", 1)[1] for e in feed.entries]
    # The original stands for its copies (a reader got it first); the lone copy is listed.
    assert ids == [lone, original]
    links = {e.id.rsplit("/", 1)[1]: {x["rel"]: x["href"] for x in e.links} for e in feed.entries}
    assert links[lone]["related"] == story_url(SITE, "en", outside)
    assert "related" not in links[original]


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, list[dict[str, Any]]]]:
    """Runs of a small world: few stories, exported again (refresh), copies, dates or none."""
    pool = [f"{i:032x}" for i in range(1, 9)]
    days = [None, "2025-06-10", "2025-06-11", "2025-06-11T20:00:00Z", "2025-06-12T01:00:00Z"]
    runs = []
    for n in range(draw(st.integers(1, 5))):
        chosen = draw(st.lists(st.sampled_from(pool), unique=True, max_size=6))
        recs = []
        for sid in chosen:
            others = [p for p in pool if p != sid]
            recs.append(
                record(
                    sid,
                    published=draw(st.sampled_from(days)),
                    hashtags=draw(
                        st.lists(
                            st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True
                        )
                    ),
                    duplicate_of=draw(st.none() | st.sampled_from(others)),
                    crawled_at=f"2025-06-12T0{n}:00:00Z",
                    title=draw(st.sampled_from(["one", "two"])),
                )
            )
        runs.append((f"2025061{n}T000000Z-00000{n}", recs))
    return runs


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs=histories(), order=st.randoms(use_true_random=False))
def test_rebuild_gives_the_bytes_runs_gave_whatever_the_order(
    tmp_path: Path, runs: list[tuple[str, list[dict[str, Any]]]], order: Any
) -> None:
    incremental, rebuilt, shuffled = tmp_path / "inc", tmp_path / "reb", tmp_path / "shuf"
    for d in (incremental, rebuilt, shuffled):
        shutil.rmtree(d, ignore_errors=True)
    apply_runs(incremental, runs, entries=2)  # a window of 4: stories fall out of it
    for run_id, recs in runs:
        write_export(rebuilt, run_id, recs)
    done = rebuild(config(rebuilt, entries=2))
    assert done.exports == len(runs) and done.dropped == 0
    mixed = list(runs)
    order.shuffle(mixed)
    apply_runs(shuffled, mixed, entries=2)
    assert feed_files(rebuilt) == feed_files(incremental) == feed_files(shuffled)
    for name in feed_files(incremental):
        if name.endswith(".atom"):
            entries = read_feed(incremental / "feeds" / name).entries
            ids = [e.id for e in entries]
            assert len(ids) == len(set(ids)) <= 2, "a story listed twice, or more than N"


def test_the_render_memo_is_bounded_and_changes_no_byte(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries forgotten by the memo (stories in several feeds) are rendered again alike."""
    records = replica_records(site, "en", "2025-06-12T09:30:00Z")
    shared = sum(len(r["hashtags"]) > 1 for r in records)
    assert shared > 10, "the replica lists stories under several hashtags"
    apply_runs(tmp_path / "full", [("run-a", records)])
    monkeypatch.setattr(RenderMemo, "LIMIT", 1)
    memo = RenderMemo()
    memo["a"], memo["b"] = "A", "B"
    assert memo == {"b": "B"}
    apply_runs(tmp_path / "small", [("run-a", records)])
    full, small = feed_files(tmp_path / "full"), feed_files(tmp_path / "small")
    assert len(full) > 3 and small == full


def test_a_run_that_brings_a_feed_nothing_new_leaves_its_file_alone(tmp_path: Path) -> None:
    apply_runs(tmp_path, [("run-a", [record("a" * 32, hashtags=["Saco", "OilPrices"])])])
    saco, oil = (tmp_path / "feeds" / "en" / n for n in ("Saco.atom", "OilPrices.atom"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (saco, oil)}
    # Same story again (a refresh run) and a new one for one feed only.
    apply_runs(
        tmp_path,
        [("run-b", [record("a" * 32, hashtags=["Saco", "OilPrices"]), record("b" * 32)])],
    )
    assert (oil.read_bytes(), oil.stat().st_mtime_ns) == before[oil]
    assert saco.read_bytes() != before[saco][0]
    assert not list((tmp_path / "feeds").rglob(".*.tmp")), "a temporary file was left"


def test_a_record_that_cannot_be_an_entry_is_left_out_named_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = record("a" * 32)
    path = write_export(tmp_path, "run-a", [good, record("b" * 32, hashtags=["a/b"])])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps(record("c" * 32, published="12-06-2025")) + "\n")
    cfg = config(tmp_path)
    store = FeedStore(cfg.state_path, cfg.window)
    applied = FeedWriter(cfg, store).apply("run-a", path)
    store.close()
    assert (applied.records, applied.dropped) == (1, 3)
    assert f"{path}:2: hashtag 'a/b' cannot name a feed file" in caplog.text
    assert f"{path}:3:" in caplog.text
    assert f"{path}:4: published must be YYYY-MM-DD" in caplog.text
    assert [e.id for e in read_feed(tmp_path / "feeds" / "en" / "Saco.atom").entries] == [
        f"tag:newscrawl.invalid,2025:daily8/story/{'a' * 32}"
    ]


def project_settings(data_dir: Path) -> dict[str, Any]:
    """newscrawl's settings as a dict (get_crawler starts from Scrapy's defaults), without
    its add-ons and extensions: the test builds the one it is about itself."""
    names = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    return {**names, "ADDONS": {}, "EXTENSIONS": {}, "NEWSCRAWL_DATA_DIR": str(data_dir)}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSCRAWL_FEED_BASE_URL", "feeds/", "NEWSCRAWL_FEED_BASE_URL must be an http(s) URL"),
        ("NEWSCRAWL_FEED_BASE_URL", "ftp://x/", "NEWSCRAWL_FEED_BASE_URL must be an http(s) URL"),
        ("NEWSCRAWL_FEED_ENTRIES", "0", "NEWSCRAWL_FEED_ENTRIES must be a whole number >= 1"),
        ("NEWSCRAWL_FEED_ENTRIES", "many", "NEWSCRAWL_FEED_ENTRIES must be a whole number >= 1"),
    ],
)
def test_bad_feed_settings_stop_the_crawl_naming_the_value(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    crawler = get_crawler(settings_dict={**project_settings(tmp_path), name: value})
    with pytest.raises(ValueError, match=re.escape(message)):
        HashtagFeeds.from_crawler(crawler)


def test_feeds_can_be_switched_off(tmp_path: Path) -> None:
    base = project_settings(tmp_path)
    assert isinstance(HashtagFeeds.from_crawler(get_crawler(settings_dict=base)), HashtagFeeds)
    for off in ({"NEWSCRAWL_FEEDS_ENABLED": False}, {"NEWSCRAWL_EXPORT_ENABLED": False}):
        with pytest.raises(NotConfigured):
            HashtagFeeds.from_crawler(get_crawler(settings_dict={**base, **off}))


def test_a_feed_write_that_fails_is_logged_and_done_by_the_next_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def extension(run_id: str) -> tuple[HashtagFeeds, Any]:
        crawler = get_crawler(
            settings_dict={**project_settings(tmp_path), "NEWSCRAWL_RUN_ID": run_id}
        )
        ext = HashtagFeeds.from_crawler(crawler)
        ext.spider_opened()
        return ext, crawler.stats

    path = write_export(tmp_path, "run-a", [record("a" * 32)])
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "en").write_text("in the way")  # the feeds' folder cannot be made
    ext, stats = extension("run-a")
    ext.before_publish("run-a", path)
    ext.published("run-a", path, 1)
    ext.engine_stopped()
    assert stats.get_value("newscrawl/feeds/failed") == 1
    assert f"feeds: not updated from {path}" in caplog.text
    (tmp_path / "feeds" / "en").unlink()

    ext, stats = extension("run-b")  # the next run's start
    ext.engine_stopped()
    assert stats.get_value("newscrawl/feeds/recovered_runs") == 1
    feed = read_feed(tmp_path / "feeds" / "en" / "Saco.atom")
    assert [e.id.rsplit("/", 1)[1] for e in feed.entries] == ["a" * 32]
    assert (tmp_path / "feeds" / "index.opml").exists()


def test_lines_the_fast_json_reader_refuses_are_read_as_before_and_bad_bytes_cost_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """orjson reads the export; what it refuses and the standard library reads (a lone
    surrogate escape) is still an entry, and a line that is not
    UTF-8 is one named, counted drop, not the end of the whole update."""
    path = write_export(tmp_path, "run-j", [])
    with path.open("ab") as fh:  # json.dumps escapes non-ASCII: "\ud800" in the line
        fh.write(json.dumps(record("a" * 32, title="Lone \ud800 surrogate")).encode() + b"\n")
        fh.write(json.dumps(record("b" * 32)).encode() + b"\n")
        fh.write(
            json.dumps(record("c" * 32, title="caf\u00e9")).encode().replace(b"\\u00e9", b"\xe9")
            + b"\n"
        )
        fh.write(json.dumps(record("d" * 32)).encode() + b"\n")
    cfg = config(tmp_path)
    store = FeedStore(cfg.state_path, cfg.window)
    applied = FeedWriter(cfg, store).apply("run-j", path)
    store.close()
    assert (applied.records, applied.dropped) == (3, 1)
    assert f"{path}:3:" in caplog.text and "utf-8" in caplog.text
    got = {e.id[-32:]: e.title for e in read_feed(tmp_path / "feeds" / "en" / "Saco.atom").entries}
    assert got == {"a" * 32: "Lone  surrogate", "b" * 32: "Story bbbbbb", "d" * 32: "Story dddddd"}


def test_a_story_twice_in_one_export_keeps_its_best_version_in_either_order(
    tmp_path: Path,
) -> None:
    """The batch merge keeps, of one story's lines, the later sort key, then the later
    crawl, as the row-by-row merge did, whichever line comes first."""
    old = record("e" * 32, title="Old", crawled_at="2025-06-12T09:30:00Z")
    newer = record("e" * 32, title="Newer", crawled_at="2025-06-12T10:30:00Z")
    later = record("e" * 32, title="Later", published="2025-06-12T08:30:00Z")
    for n, lines in enumerate([[old, newer, later], [later, newer, old], [newer, later, old]]):
        data_dir = tmp_path / str(n)
        apply_runs(data_dir, [("run-t", lines)])
        [entry] = read_feed(data_dir / "feeds" / "en" / "Saco.atom").entries
        assert entry.title == "Later"
        apply_runs(data_dir, [("run-u", [old])])  # an older version later changes nothing
        [entry] = read_feed(data_dir / "feeds" / "en" / "Saco.atom").entries
        assert entry.title == "Later"


def test_staged_files_are_written_by_threads_and_published_whole(tmp_path: Path) -> None:
    """Staged writes and fsyncs its files on a pool of threads: what publish() renames into
    place is every file, byte for byte, whatever order the threads finished in."""
    from newscrawl.feeds.writer import Staged

    staged = Staged(tmp_path / "staging")
    wanted = {tmp_path / "out" / f"f{n}.atom": f"feed {n}\n".encode() * (n + 1) for n in range(60)}
    for path, data in wanted.items():
        assert staged.add(path, data)
    assert staged.publish() == 60
    assert {p: p.read_bytes() for p in wanted} == wanted
    assert list((tmp_path / "staging").iterdir()) == []
    assert not staged.add(tmp_path / "out" / "f3.atom", wanted[tmp_path / "out" / "f3.atom"])


def test_a_staged_file_that_cannot_be_written_fails_the_update_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    """An error writing a staged file (in its thread) is raised by wait(), before anything
    is published; discard() then removes what the other threads wrote."""
    from newscrawl.feeds.writer import Staged

    folder = tmp_path / "staging"
    staged = Staged(folder)
    assert staged.add(tmp_path / "out" / "a.atom", b"a")  # makes the folder: 0.tmp
    (folder / "1.tmp").mkdir()  # where the next file is to be written
    assert staged.add(tmp_path / "out" / "b.atom", b"b")  # the error waits in its thread
    assert staged.add(tmp_path / "out" / "c.atom", b"c")
    with pytest.raises(IsADirectoryError):
        staged.wait()
    (folder / "1.tmp").rmdir()
    staged.discard()
    assert list(folder.iterdir()) == [] and not (tmp_path / "out").exists()
