"""The listing worker: a real child process parses listings exactly as the spider does."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from newscrawl.listing_worker import ListingWorker
from newscrawl.replica.markup import JS_VARIANT, VARIANTS, render_listing
from newscrawl.sites import load_profile
from newscrawl.sites.cards import Listing

DAILY8 = load_profile("daily8")
FILES = Path(__file__).parent / "files" / "daily8"
BASE = "http://127.0.0.1:8123"


class Answers:
    """What the worker answered each page, fired from its reader thread (no reactor here)."""

    def __init__(self) -> None:
        self._got: dict[int, Listing | None] = {}
        self._changed = threading.Condition()

    def deliver(self, fn: Any, value: Any) -> None:
        fn(value)  # the Deferred's callback, in the reader thread

    def collect(self, i: int, d: Any) -> None:
        def got(value: Listing | None) -> None:
            with self._changed:
                self._got[i] = value
                self._changed.notify_all()

        d.addCallback(got)

    def wait(self, n: int, timeout: float = 30) -> dict[int, Listing | None]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self._got) >= n, timeout), self._got
            return dict(self._got)


def _worker() -> tuple[ListingWorker, Answers]:
    answers = Answers()
    worker = ListingWorker("daily8", BASE, deliver=answers.deliver)
    worker.start()
    return worker, answers


def _pages(site: Any) -> list[tuple[str, HtmlResponse]]:
    """Listing responses as the crawl gets them: saved pages, every markup variant in both
    languages, a script shell, legacy encodings, a BOM, a <base href>, an empty page."""
    out: list[tuple[str, HtmlResponse]] = []

    def add(name: str, url: str, body: bytes, **kw: Any) -> None:
        out.append((name, HtmlResponse(url=url, body=body, **kw)))

    for path in sorted(FILES.glob("hashtag-*.html")):
        lang = "ar" if "-ar" in path.name else "en"
        add(path.name, DAILY8.listing_url(BASE, lang, "Saved"), path.read_bytes())
    for lang in ("en", "ar"):
        tag = site.tags(lang)[0]
        url = DAILY8.listing_url(BASE, lang, tag)
        for variant in (*VARIANTS, JS_VARIANT):
            add(
                f"{lang}-{variant}", url, render_listing(site, lang, tag, 1, variant, base_url=BASE)
            )
        utf8 = render_listing(site, lang, tag, 1, "modules", base_url=BASE)
        text = utf8.decode("utf-8")
        legacy = "cp1256" if lang == "ar" else "cp1252"
        no_charset = text.replace('charset="utf-8"', "").replace("charset=utf-8", "")
        # Re-decoded by the charset middleware with an explicit encoding, as in a crawl.
        add(f"{lang}-{legacy}", url, no_charset.encode(legacy, "replace"), encoding=legacy)
        add(f"{lang}-bom", url, b"\xef\xbb\xbf" + utf8)
        add(
            f"{lang}-header-charset",
            url,
            utf8,
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    first = render_listing(site, "en", site.tags("en")[0], 1, "modules").decode("utf-8")
    based = first.replace("<head>", '<head><base href="http://127.0.0.1:8123/en/">', 1)
    add("base-href", DAILY8.listing_url(BASE, "en", "Based"), based.encode("utf-8"))
    add("empty", DAILY8.listing_url(BASE, "en", "Empty"), b"")
    add("whitespace", DAILY8.listing_url(BASE, "en", "Blank"), b"  \n ")
    return out


def test_the_child_parses_every_page_as_the_spider_does(site: Any) -> None:
    pages = _pages(site)
    worker, answers = _worker()
    try:
        for i, (_, response) in enumerate(pages):
            answers.collect(i, worker.parse(response.url, response.encoding, response.body))
        got = answers.wait(len(pages))
    finally:
        worker.close()
    assert worker.failed is None
    carded = 0
    for i, (name, response) in enumerate(pages):
        expected = DAILY8.parse_listing(None, response.url, BASE, root=response.selector.root)
        assert got[i] == expected, name
        carded += bool(expected.cards)
    assert carded >= 10  # the comparison is over real cards, not empty listings only


def test_an_ended_worker_answers_its_pages_and_its_child_exits_alone(
    site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """end() (the release has begun): the pages sent before it are answered, the child
    exits without close() and without a failure, and a page asked for after it is the
    spider's."""
    pages = _pages(site)[:6]
    worker, answers = _worker()
    proc = worker._proc
    assert proc is not None
    try:
        with caplog.at_level(logging.ERROR, logger="newscrawl.listing_worker"):
            for i, (_, response) in enumerate(pages):
                answers.collect(i, worker.parse(response.url, response.encoding, response.body))
            worker.end()
            proc.wait(timeout=30)  # it exits on its own, close() not called
            late = pages[0][1]
            answers.collect(len(pages), worker.parse(late.url, late.encoding, late.body))
            got = answers.wait(len(pages) + 1)
        assert worker.failed is None and not caplog.records
    finally:
        worker.close()
    for i, (name, response) in enumerate(pages):
        expected = DAILY8.parse_listing(None, response.url, BASE, root=response.selector.root)
        assert got[i] == expected, name
    assert got[len(pages)] is None  # after end(): parsed by the spider
    assert proc.returncode == 0


def test_a_page_the_child_cannot_parse_is_left_to_the_spider(
    site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tag = site.tags("en")[0]
    body = render_listing(site, "en", tag, 1, "modules", base_url=BASE)
    answers = Answers()
    worker = ListingWorker("tests.listing_fails", BASE, deliver=answers.deliver)
    worker.start()
    try:
        with caplog.at_level(logging.WARNING, logger="newscrawl.listing_worker"):
            answers.collect(0, worker.parse(f"{BASE}/en/hashtag/Unparseable", "utf-8", body))
            answers.collect(1, worker.parse(DAILY8.listing_url(BASE, "en", tag), "utf-8", body))
            got = answers.wait(2)
    finally:
        worker.close()
    assert got[0] is None  # the spider parses it (and shows its error in its own log)
    assert got[1] is not None and got[1].cards  # the child goes on with the next page
    assert worker.failed is None
    # Said, with the page and the reason: the spider's own parse may well succeed.
    assert f"{BASE}/en/hashtag/Unparseable not parsed (ValueError" in caplog.text


def test_a_dead_child_leaves_every_page_to_the_spider(
    site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tag = site.tags("en")[0]
    body = render_listing(site, "en", tag, 1, "modules", base_url=BASE)
    url = DAILY8.listing_url(BASE, "en", tag)
    worker, answers = _worker()
    try:
        answers.collect(0, worker.parse(url, "utf-8", body))
        assert answers.wait(1)[0] is not None
        with caplog.at_level(logging.ERROR, logger="newscrawl.listing_worker"):
            os.kill(worker._proc.pid, signal.SIGKILL)  # type: ignore[union-attr]
            worker._proc.wait()  # type: ignore[union-attr]
            answers.collect(1, worker.parse(url, "utf-8", body))
            answers.collect(2, worker.parse(url, "utf-8", body))
            got = answers.wait(3)
    finally:
        worker.close()
    # Sent before the child's end was noticed, or after: either way none is lost.
    assert got[1] is None and got[2] is None
    assert worker.failed is not None and "exit" in worker.failed
    assert (
        "listing worker" in caplog.text and "the spider parses the remaining pages" in caplog.text
    )


def test_a_child_that_stops_answering_is_stopped_and_its_pages_left_to_the_spider(
    site: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = render_listing(site, "en", site.tags("en")[0], 1, "modules", base_url=BASE)
    answers = Answers()
    worker = ListingWorker("tests.listing_fails", BASE, deliver=answers.deliver)
    worker.WAIT_S = 1.0
    worker.start()
    proc = worker._proc
    try:
        with caplog.at_level(logging.ERROR, logger="newscrawl.listing_worker"):
            answers.collect(0, worker.parse(f"{BASE}/en/hashtag/HangChild", "utf-8", body))
            answers.collect(1, worker.parse(f"{BASE}/en/hashtag/Next", "utf-8", body))
            got = answers.wait(2, timeout=15)
    finally:
        worker.close()
    assert got == {0: None, 1: None}  # the crawl goes on: the spider parses both
    assert worker.failed == "no answer in 1 s, stopped"
    assert proc is not None and proc.poll() is not None  # the stuck child is gone
    assert "no answer in 1 s" in caplog.text


def _comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in r.items() if k != "crawled_at"} for r in records), key=str)


def test_a_crawl_with_the_worker_exports_what_one_without_it_does(
    crawl: Any, site: Any, tmp_path: Path
) -> None:
    tags = "tags=" + ",".join(site.tags("en")[:3])
    on = crawl("-a", tags, data_dir=tmp_path / "on")
    # Off from the environment, as the README's settings table says it can be.
    off = crawl("-a", tags, data_dir=tmp_path / "off", env={"NEWSCRAWL_LISTING_WORKER": "0"})
    assert on.returncode == 0 and off.returncode == 0, on.log[-2000:] + off.log[-2000:]
    assert on.records and _comparable(on.records) == _comparable(off.records)
    pages = on.stats["newscrawl/pages"]
    assert pages > 2 and on.stats["newscrawl/listing_worker/parsed_ahead"] == pages
    assert "newscrawl/listing_worker/parsed_inline" not in on.stats
    assert not any(k.startswith("newscrawl/listing_worker/") for k in off.stats)


@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) is missing")
def test_on_one_core_the_spider_parses_its_pages_itself(
    crawl: Any, site: Any, tmp_path: Path
) -> None:
    # taskset pins the crawl to one core: a worker would only add work there.
    tags = "tags=" + site.tags("en")[0]
    result = crawl("-a", tags, data_dir=tmp_path / "one", wrap=["taskset", "-c", "0"])
    assert result.returncode == 0, result.log[-2000:]
    assert result.records
    assert not any(k.startswith("newscrawl/listing_worker/") for k in result.stats)


def test_a_crawl_whose_child_dies_loses_no_page(crawl: Any, site: Any, tmp_path: Path) -> None:
    tags = "tags=" + ",".join(site.tags("en")[:3])
    # This profile's child exits at the third page it parses: the rest are the spider's.
    died = crawl(
        "-a", tags, data_dir=tmp_path / "died", env={"NEWSCRAWL_SITE": "tests.listing_fails"}
    )
    off = crawl("-a", tags, "-s", "NEWSCRAWL_LISTING_WORKER=0", data_dir=tmp_path / "off")
    assert died.returncode == 0 and off.returncode == 0, died.log[-2000:]
    assert died.records and _comparable(died.records) == _comparable(off.records)
    stats = died.stats
    assert stats["newscrawl/listing_worker/parsed_ahead"] == 2
    inline = stats["newscrawl/listing_worker/parsed_inline"]
    assert inline >= 1 and 2 + inline == stats["newscrawl/pages"]
    # Loud: the crawl's log names it (an ERROR, so the run's report says FAILED).
    assert "listing worker: it exited (exit code 3)" in died.log
    assert died.stats["log_count/ERROR"] >= 1
