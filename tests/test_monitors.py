"""The close-of-run monitors: each one on stats that should fail it, then end to end via the runner."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import scrapy
from scrapy.utils.test import get_crawler
from spidermon import Action
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

import newscrawl.settings as project_settings
from newscrawl.monitors.suite import RESULTS_STAT, CloseMonitorSuite
from newscrawl.replica.site import Site
from tests.cronkit import GatedReplica, records, reports, run_runner

RUN_ID = "20250612T093000Z-000001"
# spidermon 1.27 logs through the deprecated Spider.log(); newscrawl.monitors.suite silences it in
# crawls, pytest resets warning filters per test.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Spider.log:scrapy.exceptions.ScrapyDeprecationWarning"
)

HEALTHY: dict[str, Any] = {
    "finish_reason": "finished",
    "newscrawl/lang": "en",
    "newscrawl/pages": 12,
    "newscrawl/stories": 80,
    "newscrawl/hashtag/Saco/stories": 30,
    "newscrawl/hashtag/OilPrices/stories": 50,
    "item_scraped_count": 40,
    "spidermon/validation/items": 80,
    "spidermon_field_coverage/Story/title": 1.0,
    "spidermon_field_coverage/Story/publisher": 0.95,
    "spidermon_field_coverage/Story/published": 0.9,
}


class _TagPage(scrapy.Spider):
    name = "tagpage"


class Recorder(Action):
    """A failed-monitors action plugged in by setting, as a user's own would be."""

    calls: ClassVar[list[list[str]]] = []

    def run_action(self) -> None:
        Recorder.calls.append([r.item.monitor_name for r in self.result.monitors_failed_results])


def run_suite(data_dir: Path, stats: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Run CloseMonitorSuite with real spidermon on *stats*; the results it recorded."""
    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    for component in ("ADDONS", "EXTENSIONS", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES"):
        values.pop(component, None)
    values.update(NEWSCRAWL_DATA_DIR=str(data_dir), NEWSCRAWL_RUN_ID=RUN_ID, **settings)
    crawler = get_crawler(_TagPage, values)
    crawler.spider = crawler._create_spider()
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    SpiderMonitorRunner(spider=crawler.spider).run(
        CloseMonitorSuite(crawler=crawler),
        stats=crawler.stats.get_stats(),
        stats_history=[],
        crawler=crawler,
        spider=crawler.spider,
        sc_spider_name="tagpage",
        job=None,
    )
    return crawler.stats.get_value(RESULTS_STAT)


def failed(results: dict[str, Any]) -> dict[str, str]:
    return {f["monitor"]: f["reason"] for f in results["failed"]}


def write_report(data_dir: Path, run_id: str, *, ok: bool, hashtags: dict[str, int], lang="en"):
    path = data_dir / "runs" / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {"run_id": run_id, "spider": "tagpage", "lang": lang, "ok": ok, "hashtags": hashtags}
    path.write_text(json.dumps(report), encoding="utf-8")


def test_a_healthy_run_passes_every_monitor(tmp_path: Path) -> None:
    results = run_suite(tmp_path, HEALTHY)
    assert results["failed"] == []
    assert set(results["passed"]) >= {
        "Finish Reason Monitor",
        "Pages fetched",
        "Stories listed",
        "Listings",
        "Errors logged",
        "Item validation",
        "Field coverage",
    }
    # Nothing to compare with on a first run: skipped, and the report says why.
    assert results["skipped"] == [
        {
            "monitor": "Silent hashtags",
            "reason": "no earlier good run of this language to compare with",
        }
    ]


@pytest.mark.parametrize(
    ("change", "monitor", "says"),
    [
        ({"finish_reason": "shutdown"}, "Finish Reason Monitor", "shutdown"),
        ({"newscrawl/pages": 0}, "Pages fetched", "0 listing pages fetched"),
        ({"newscrawl/stories": 0}, "Stories listed", "showed 0 stories"),
        ({"newscrawl/listing/failed": 1}, "Listings", "1 failed for good"),
        ({"newscrawl/blocked": 2}, "Listings", "2 blocked"),
        ({"newscrawl/hashtag/not_found": 1}, "Listings", "1 hashtag not on the site"),
        ({"log_count/ERROR": 3}, "Errors logged", "Current value: '3.0'"),
        ({"spidermon/validation/fields/errors": 4}, "Item validation", "Current value: '4.0'"),
        ({"spidermon_field_coverage/Story/publisher": 0.5}, "Field coverage", "Story/publisher"),
    ],
)
def test_each_monitor_fails_on_what_it_guards(
    tmp_path: Path, change: dict[str, Any], monitor: str, says: str
) -> None:
    results = run_suite(tmp_path, {**HEALTHY, **change})
    assert list(failed(results)) == [monitor]
    assert says in failed(results)[monitor]


def test_thresholds_are_settings(tmp_path: Path) -> None:
    stats = {**HEALTHY, "log_count/ERROR": 2, "newscrawl/listing/failed": 1}
    assert failed(run_suite(tmp_path, stats)).keys() == {"Errors logged", "Listings"}
    relaxed = run_suite(
        tmp_path, stats, SPIDERMON_MAX_ERRORS=2, NEWSCRAWL_MONITOR_MAX_LISTING_FAILURES=1
    )
    assert relaxed["failed"] == []


def test_field_coverage_is_not_judged_on_a_handful_of_stories(tmp_path: Path) -> None:
    stats = {**HEALTHY, "item_scraped_count": 3, "spidermon_field_coverage/Story/publisher": 0.33}
    results = run_suite(tmp_path, stats)
    assert results["failed"] == []
    [skip] = [s for s in results["skipped"] if s["monitor"] == "Field coverage"]
    assert "3 stories exported" in skip["reason"]


def test_a_hashtag_that_fell_silent_is_flagged_against_the_last_good_run(tmp_path: Path) -> None:
    write_report(
        tmp_path, "20250610T000000Z-aaaaaa", ok=True, hashtags={"Saco": 30, "OilPrices": 12}
    )
    # Newer, but failed (the hashtag was already silent then): not the reference.
    write_report(
        tmp_path, "20250611T000000Z-bbbbbb", ok=False, hashtags={"Saco": 30, "OilPrices": 0}
    )
    # Another language's run: not the reference either.
    write_report(tmp_path, "20250611T120000Z-cccccc", ok=True, hashtags={"OilPrices": 0}, lang="ar")
    stats = {**HEALTHY, "newscrawl/hashtag/OilPrices/stories": 0}
    reason = failed(run_suite(tmp_path, stats))["Silent hashtags"]
    assert "#OilPrices (12 stories in run 20250610T000000Z-aaaaaa, 0 now)" in reason
    assert "Saco" not in reason

    # A hashtag that was not crawled before is not "silent"; one listing again is fine.
    write_report(tmp_path, "20250611T200000Z-dddddd", ok=True, hashtags={"Saco": 30})
    assert run_suite(tmp_path, stats)["failed"] == []
    assert run_suite(tmp_path, stats, NEWSCRAWL_MONITOR_SILENT_HASHTAGS=False)["failed"] == []


def test_failed_monitors_run_the_actions_named_in_the_setting(tmp_path: Path) -> None:
    Recorder.calls.clear()
    actions = ["tests.test_monitors.Recorder"]
    run_suite(tmp_path, HEALTHY, NEWSCRAWL_MONITOR_FAILED_ACTIONS=actions)
    assert Recorder.calls == []  # nothing failed, nothing sent
    run_suite(tmp_path, {**HEALTHY, "newscrawl/pages": 0}, NEWSCRAWL_MONITOR_FAILED_ACTIONS=actions)
    assert Recorder.calls == [["Pages fetched"]]


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_silent_hashtag_end_to_end_with_webhook(site: Site, tmp_path: Path) -> None:
    """Runs 1-4 of the real runner: fine, a hashtag falls silent (flagged, webhook called),
    still silent (still flagged), back (fine)."""
    data = tmp_path / "data"
    tags = site.tags("en")[:3]
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    _Hook.received.clear()
    env = {"NEWSCRAWL_WEBHOOK_URL": f"http://127.0.0.1:{hook.server_address[1]}/hook"}
    try:
        with GatedReplica(site) as server:

            def run() -> Any:
                return run_runner(server.base_url, data, "--tags", ",".join(tags), env=env)

            first = run()
            assert first.returncode == 0, first.stderr
            assert _Hook.received == []

            server.silenced = {tags[1]}
            second = run()
            assert second.returncode == 1
            assert "Silent hashtags" in second.stderr and f"#{tags[1]}" in second.stderr
            third = run()
            assert third.returncode == 1 and f"#{tags[1]}" in third.stderr

            server.silenced = set()
            fourth = run()
            assert fourth.returncode == 0, fourth.stderr
    finally:
        hook.shutdown()
        hook.server_close()

    runs = reports(data)
    assert [r["ok"] for r in runs] == [True, False, False, True]
    assert [f["monitor"] for f in runs[1]["monitors"]["failed"]] == ["Silent hashtags"]
    assert runs[1]["hashtags"][tags[1]] == 0
    # Every story a run exported went through schema validation, none with an error, and
    # no validation field reached the export.
    assert runs[0]["stats"]["spidermon/validation/items"] == runs[0]["stories_exported"] > 0
    assert runs[3]["stats"].get("spidermon/validation/items", 0) == runs[3]["stories_exported"]
    assert "spidermon/validation/fields/errors" not in runs[0]["stats"]
    assert all("_validation" not in r for r in records(Path(runs[0]["export"]["path"])))

    assert [h["run_id"] for h in _Hook.received] == [runs[1]["run_id"], runs[2]["run_id"]]
    sent = _Hook.received[0]
    assert sent["lang"] == "en" and sent["spider"] == "tagpage"
    assert sent["failed"][0]["monitor"] == "Silent hashtags"
    assert f"#{tags[1]}" in sent["failed"][0]["reason"]
    assert sent["report"] == str(data / "runs" / f"{runs[1]['run_id']}.json")


# --- field coverage, tallied (newscrawl/monitors/coverage.py) --------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_NONE": False},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_FALSY": False},
        {"SPIDERMON_FIELD_COVERAGE_SKIP_VALUES": ["x", 0]},
        {"SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": 1},
    ],
)
def test_tallied_field_coverage_counts_what_spidermon_counts(extra: dict) -> None:
    from dataclasses import replace

    from spidermon.contrib.scrapy.extensions import Spidermon as Theirs

    from newscrawl.items import Story
    from newscrawl.monitors.coverage import Spidermon as Ours

    story = Story(
        id="a" * 32,
        url="https://www.daily8.com/en/article/" + "a" * 32,
        title="T",
        publisher="N/A",
        published_raw=None,
        categories=[],
        hashtags=["x", "y"],
        excerpt="",
        image="-",
        lang="en",
        crawled_at="2026-11-28T00:00:00Z",
    )
    items = [
        story,
        replace(story, publisher="Dawn", excerpt="x", published_raw="0", categories=["a"]),
        {"title": "a dict item", "nested": {"a": 1, "b": None}, "n": 0, "f": False},
        {"title": None, "tags": [{"k": "v"}]},
    ]
    settings = {
        "SPIDERMON_ENABLED": True,
        "SPIDERMON_ADD_FIELD_COVERAGE": True,
        "SPIDERMON_FIELD_COVERAGE_SKIP_NONE": True,
        **extra,
    }
    counted = []
    for cls in (Theirs, Ours):
        crawler = get_crawler(scrapy.Spider, settings_dict=settings)
        spider = scrapy.Spider("coverage")
        spider.crawler = crawler
        ext = cls.from_crawler(crawler)
        for item in items * 2:  # each shape more than once: counted as many times
            ext.item_scraped(item, None, spider)
        if cls is Ours:
            ext.publish_tally()
        stats = crawler.stats.get_stats()
        counted.append({k: v for k, v in stats.items() if k.startswith("spidermon_item")})
    assert counted[0]["spidermon_item_scraped_count/Story/title"] == 4
    assert counted[1] == counted[0]
