"""Faults of the site, over real HTTP: errors, 429s, timeouts, resets, truncated bodies, drips,
redirect loops, redirects off the site, huge pages and a gzip bomb.

Each crawl is the real ``scrapy crawl tagpage`` against ``tests.mockserver.faults.FaultServer``,
with one fault per hashtag, so one run checks several cases. Production retry and size limits
are kept (they are what is under test); only the waits are shortened with ``-s``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.python.failure import Failure

from newscrawl import settings as production
from newscrawl.failures import failure_reason
from newscrawl.middlewares.backoff import backoff_delay, parse_retry_after
from newscrawl.middlewares.redirect import RedirectLoop, TooManyRedirects
from newscrawl.replica.markup import hashtag_path
from newscrawl.replica.site import Site
from tests.conftest import NOW, ROOT, CrawlResult, run_crawl
from tests.mockserver.faults import (
    Drip,
    Fault,
    FaultServer,
    GzipBomb,
    Hit,
    Huge,
    MetaRefresh,
    Redirect,
    Reset,
    Stall,
    Status,
    Truncate,
    gzip_zeros,
)
from tests.test_crawl import assert_matches_oracle

RETRY_TIMES = production.RETRY_TIMES  # the production bound, not overridden here
BASE, CAP = 0.4, 2.0  # backoff for the tests: 0.2-0.4 s, 0.4-0.8 s, 0.8-1.6 s
TIMEOUT = 1.0
SHORT_WAITS = (
    *("-s", f"NEWSCRAWL_RETRY_BACKOFF_BASE={BASE}"),
    *("-s", f"NEWSCRAWL_RETRY_BACKOFF_MAX={CAP}"),
)
FAST = (*SHORT_WAITS, "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}")
# Hashtags of the replica with at least two listing pages, and one with a single page.
MULTI = ["Pakistan-UKCounterTerrorismDialogue", "Prince&Knight", "GazaCeasefire", "OilPrices"]
MULTI += ["Expo-City-Dubai", "ClimateAction"]
SINGLE = "Saco"


def target(tag: str, page: int = 1) -> str:
    path = hashtag_path("en", tag)
    return path if page == 1 else f"{path}?page={page}"


def crawl(server: FaultServer, tmp_path: Path, tags: list[str], *args: str) -> CrawlResult:
    return run_crawl(server.base_url, tmp_path / "data", "-a", "tags=" + ",".join(tags), *args)


def run_report(result: CrawlResult) -> dict[str, Any]:
    [path] = (result.data_dir / "runs").glob("*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def expected_when(site: Site, tags: list[str], failed: dict[str, int]) -> dict[str, dict]:
    """The records of a correct crawl of ``tags`` in which page ``failed[tag]`` of a tag
    failed for good: that page's and later pages' stories are missing, the rest are there."""
    hashtags: dict[str, set[str]] = {}
    for tag, pages in site.crawl_plan("en", tags, max_pages=10).items():
        for page in pages:
            if page >= failed.get(tag, page + 1):
                break
            for sid in site.listing("en", tag, page):
                hashtags.setdefault(sid, set()).add(tag)
    return {sid: site.record(sid, sorted(names)) for sid, names in hashtags.items()}


def least_wait(n: int) -> float:
    """The shortest wait before retry ``n`` with the tests' settings: half the full backoff."""
    return min(CAP, BASE * 2 ** (n - 1)) / 2


def assert_backed_off(hits: list[Hit]) -> None:
    """Each retry came no sooner than the shortest backoff for its number."""
    for n, (before, after) in enumerate(pairwise(hits), start=1):
        assert after.at - before.at >= least_wait(n), (n, after.at - before.at, least_wait(n))


def failed_line(tag: str, page: int, reason: str, url: str) -> str:
    return (
        f"#{tag} page {page} failed for good ({reason}), its stories are missing from this run:"
        f" {url}"
    )


# --- a page that fails, then recovers -------------------------------------------------------

RECOVERING: dict[str, tuple[int, tuple[Fault, ...]]] = {
    MULTI[0]: (2, (Status(503), Status(503))),
    MULTI[1]: (2, (Status(500), Status(502))),
    MULTI[2]: (2, (Stall(10 * TIMEOUT),)),  # a timeout
    MULTI[3]: (2, (Reset(), Reset())),
    MULTI[4]: (2, (Truncate(keep=0.5),)),
    MULTI[5]: (1, (Status(429, (("Retry-After", "1"),)),)),
}


def test_pages_that_recover_are_retried_with_backoff_and_their_stories_exported(
    site: Site, tmp_path: Path
) -> None:
    tags = list(RECOVERING)
    with FaultServer(site) as server:
        for tag, (page, faults) in RECOVERING.items():
            server.script(target(tag, page), *faults)
        result = crawl(server, tmp_path, tags, *FAST)
        base = server.base_url
    assert_matches_oracle(result, site.expected("en", tags, max_pages=10), base)
    for tag, (page, faults) in RECOVERING.items():
        hits = server.hits_to(target(tag, page))
        assert [h.fault for h in hits] == [f.name for f in faults] + ["serve"], tag
    # Waited between tries: exponential backoff; at least the Retry-After for the 429.
    assert_backed_off(server.hits_to(target(MULTI[0], 2)))
    assert_backed_off(server.hits_to(target(MULTI[1], 2)))
    first, second = server.hits_to(target(MULTI[5]))
    assert second.at - first.at >= 1.0
    stats = result.stats
    assert stats["newscrawl/retry/retry_after"] == 1
    shortest = 1.0 + 2 * (least_wait(1) + least_wait(2)) + 3 * least_wait(1)
    assert stats["newscrawl/retry/backoff_seconds"] >= shortest
    assert stats["retry/count"] >= 2 + 2 + 1 + 1 + 1 + 1  # a reset may be re-sent by Twisted
    # Nothing is missing, and the run says so.
    assert "newscrawl/listing/failed" not in stats
    assert "newscrawl/run/incomplete" not in stats
    assert "failed for good" not in result.log
    assert run_report(result)["ok"] is True


# --- a page that never recovers -----------------------------------------------------------------

FAILING: dict[str, tuple[int, Fault, str]] = {
    MULTI[0]: (2, Status(503), "http_503"),
    MULTI[1]: (2, Drip(interval=0.05), "timeout"),
    MULTI[2]: (2, Stall(60), "timeout"),
    MULTI[3]: (2, Reset(), "connection"),
    MULTI[4]: (2, Truncate(keep=0.5), "dataloss"),
    MULTI[5]: (2, Status(429, (("Retry-After", "3600"),)), "http_429"),
}


def test_pages_that_never_recover_are_bounded_named_counted_and_the_run_incomplete(
    site: Site, tmp_path: Path
) -> None:
    tags = list(FAILING)
    started = time.monotonic()
    with FaultServer(site) as server:
        for tag, (page, fault, _) in FAILING.items():
            server.always(target(tag, page), fault)
        result = crawl(server, tmp_path, tags, *FAST)
        base = server.base_url
    # A drip of ~30 KB at 20 bytes/s and a 60 s stall did not hold the run: the whole
    # download is bounded by DOWNLOAD_TIMEOUT, each try of it.
    assert time.monotonic() - started < 30
    assert_matches_oracle(result, expected_when(site, tags, {t: 2 for t in tags}), base)
    tries = RETRY_TIMES + 1
    for tag, (page, _, reason) in FAILING.items():
        hits = server.hits_to(target(tag, page))
        assert failed_line(tag, page, reason, base + target(tag, page)) in result.log
        assert not server.hits_to(target(tag, page + 1)), f"{tag}: went past a failed page"
        if reason == "http_429":  # Retry-After: 3600 is over the cap: given up at once
            assert len(hits) == 1
        elif isinstance(FAILING[tag][1], Reset):
            # Twisted re-sends once, silently, a request whose reused connection was reset.
            assert tries <= len(hits) <= 2 * tries
        else:
            assert len(hits) == tries, (tag, len(hits))
    assert_backed_off(server.hits_to(target(MULTI[0], 2)))
    stats = result.stats
    reasons = Counter(reason for _, _, reason in FAILING.values())
    for reason, n in reasons.items():
        assert stats[f"newscrawl/listing/failed/{reason}"] == n
    assert stats["newscrawl/listing/failed"] == len(FAILING)
    assert stats["retry/max_reached"] == len(FAILING) - 1
    assert stats["newscrawl/retry/retry_after_too_long"] == 1
    assert "asks to wait 3600 s (Retry-After)" in result.log
    # The run's exit state: incomplete, and its report says it did not work.
    assert stats["newscrawl/run/incomplete"] == 1
    report = run_report(result)
    assert report["ok"] is False
    assert report["listing_failures"] == len(FAILING)


# --- redirects ----------------------------------------------------------------------------------


def test_redirect_loops_and_redirects_off_the_site_are_not_followed(
    site: Site, tmp_path: Path
) -> None:
    tags = [*MULTI, SINGLE]
    with (
        FaultServer(site) as server,
        FaultServer(site) as other_port,
        FaultServer(site, host="127.0.0.2") as other_host,
    ):
        a, b = target(MULTI[1]), target(MULTI[1]) + "?via=b"
        server.always(target(MULTI[0]), Redirect(target(MULTI[0])))  # to itself
        server.always(a, Redirect(b)).always(b, Redirect(a))  # A -> B -> A
        server.always(target(MULTI[2]), MetaRefresh(target(MULTI[2])))  # <meta> to itself
        chain = [target(MULTI[3])] + [f"{target(MULTI[3])}?hop={i}" for i in range(1, 30)]
        for here, there in pairwise(chain):  # never repeats, never ends
            server.always(here, Redirect(there))
        server.always(target(MULTI[4]), Redirect(other_port.base_url + target(MULTI[4])))
        server.always(target(MULTI[5]), Redirect(other_host.base_url + target(MULTI[5])))
        server.script(target(SINGLE), Redirect(target(SINGLE) + "?moved=1", code=301))
        result = crawl(server, tmp_path, tags, *FAST)
        base = server.base_url
    # A redirect within the site is followed: the moved listing's stories are exported.
    assert_matches_oracle(result, expected_when(site, tags, {t: 1 for t in MULTI}), base)
    assert result.by_id(), "the control hashtag exported nothing"
    # Loops end at their first repeat; a chain ends at REDIRECT_MAX_TIMES.
    assert len(server.hits_to(target(MULTI[0]))) == 1
    assert len(server.hits_to(a)) == len(server.hits_to(b)) == 1
    assert len(server.hits_to(target(MULTI[2]))) == 1
    followed = [h.target for h in server.hits if h.target.startswith(target(MULTI[3]))]
    assert followed == chain[: production.REDIRECT_MAX_TIMES + 1]
    # The other host and port never saw a request; the guard refused them.
    assert other_port.hits == [] and other_host.hits == []
    stats = result.stats
    assert stats["newscrawl/redirect/loop"] == 3
    assert stats["newscrawl/listing/failed/redirect_loop"] == 3
    assert stats["newscrawl/redirect/max_reached"] == 1
    assert stats["newscrawl/listing/failed/too_many_redirects"] == 1
    assert stats["newscrawl/guard/refused"] == 2
    assert stats["newscrawl/listing/failed/refused"] == 2
    assert stats["newscrawl/run/incomplete"] == 1
    for tag in MULTI[:3]:
        assert f"#{tag} page 1 failed for good (redirect_loop)" in result.log
    assert f"#{MULTI[3]} page 1 failed for good (too_many_redirects)" in result.log
    for tag in MULTI[4:]:
        # The line names the listing page, not the off-site target it was sent to.
        assert failed_line(tag, 1, "refused", base + target(tag)) in result.log


# --- size limits --------------------------------------------------------------------------------


def test_huge_pages_and_a_gzip_bomb_stop_at_the_size_limit(site: Site, tmp_path: Path) -> None:
    limit = production.DOWNLOAD_MAXSIZE
    big = 4 * limit  # 64 MB with the production limit of 16 MB
    faults = {
        MULTI[0]: GzipBomb(size=big),  # ~65 KB on the wire
        MULTI[1]: Huge(size=big, declare=True),  # refused on its Content-Length
        MULTI[2]: Huge(size=big, declare=False),  # cut while reading
    }
    between = (production.DOWNLOAD_WARNSIZE + limit) // 2  # over the warning size only
    tags = [*faults, MULTI[3]]
    with FaultServer(site) as server:
        for tag, fault in faults.items():
            server.always(target(tag), fault)
        server.always(target(MULTI[3]), Huge(size=between, declare=False))
        assert len(gzip_zeros(big)) < limit // 100
        # The production DOWNLOAD_TIMEOUT: on a busy machine 16 MB can take longer than 1 s.
        result = crawl(server, tmp_path, tags, *SHORT_WAITS)
        base = server.base_url
    # The page over the warning size but under the limit is read, with a warning.
    assert_matches_oracle(result, expected_when(site, tags, {t: 1 for t in faults}), base)
    assert "larger than download warn size" in result.log
    for tag in faults:
        assert len(server.hits_to(target(tag))) == 1, f"{tag}: a size failure is not retried"
        assert failed_line(tag, 1, "maxsize", base + target(tag)) in result.log
    assert f"exceeded DOWNLOAD_MAXSIZE ({limit} B) during decompression" in result.log
    assert result.stats["newscrawl/listing/failed/maxsize"] == len(faults)
    assert result.stats["newscrawl/run/incomplete"] == 1


# --- shutting down during a long wait -----------------------------------------------------------


def test_a_shutdown_during_a_long_retry_wait_is_prompt(site: Site, tmp_path: Path) -> None:
    tag = SINGLE
    with FaultServer(site) as server:
        server.always(target(tag), Status(503, (("Retry-After", "90"),)))
        env = {
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings_loopback",
            "NEWSCRAWL_BASE_URL": server.base_url,
            "NEWSCRAWL_DATA_DIR": str(tmp_path / "data"),
            "NEWSCRAWL_NOW": NOW,
        }
        cmd = [sys.executable, "-m", "scrapy", "crawl", "tagpage", "-a", f"tags={tag}"]
        cmd += ["-s", "NEWSCRAWL_RETRY_AFTER_MAX=120"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines: list[str] = []
        waiting = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if "as Retry-After asks" in line:
                    waiting.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert waiting.wait(60), "".join(lines)[-3000:]
            asked = time.monotonic()
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
            took = time.monotonic() - asked
        finally:
            if proc.poll() is None:
                proc.kill()
        reader.join(10)
        base = server.base_url
    log = "".join(lines)
    assert took < 10, f"shutdown took {took:.1f} s of a 90 s wait"
    assert len(server.hits_to(target(tag))) == 1
    [path] = (tmp_path / "data" / "runs").glob("*.json")
    stats = json.loads(path.read_text(encoding="utf-8"))["stats"]
    assert stats["newscrawl/retry/interrupted"] == 1
    assert stats["newscrawl/run/incomplete"] == 1
    assert failed_line(tag, 1, "http_503", base + target(tag)) in log


# --- the pieces, without an engine --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"120", 120.0),
        (" 0 ", 0.0),
        ("Thu, 12 Jun 2025 09:31:30 GMT", 90.0),
        ("Thu, 12 Jun 2025 09:00:00 GMT", 0.0),  # already past
        ("9" * 5000, float("inf")),  # no ValueError, and over any cap
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: Any, seconds: float | None) -> None:
    now = 1749720600.0  # 2025-06-12T09:30:00Z
    assert parse_retry_after(value, now) == seconds


def test_backoff_doubles_from_base_to_the_cap_with_jitter_in_the_upper_half() -> None:
    assert [backoff_delay(n, 2, 60, 0.0) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert [backoff_delay(n, 2, 60, 0.999999) for n in (1, 3)] == pytest.approx([2, 8], 1e-5)
    assert backoff_delay(10**6, 2, 60, 0.5) == 45  # no overflow on absurd attempt numbers


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (DownloadTimeoutError("took longer than 30 seconds"), "timeout"),
        (CannotResolveHostError("no such host"), "dns"),
        (DownloadConnectionRefusedError("refused"), "connection"),
        (RedirectLoop("loop"), "redirect_loop"),
        (TooManyRedirects("chain"), "too_many_redirects"),
        (IgnoreRequest("not on the configured site: http://x/"), "refused"),
        (IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE (16 B) during decompression."), "maxsize"),
        (ValueError("odd"), "ValueError"),
    ],
)
def test_failure_reasons(exc: Exception, reason: str) -> None:
    assert failure_reason(Failure(exc)) == reason
