"""JavaScript listings: the replica's script shell, rendered by a real Splash and a real chromium.

The replica's ``js`` variant serves every listing as an empty shell whose cards a script
fetches from the JSON API; the crawl must export the same records from it as from the
server-rendered pages. Splash (scripts/splash-server) and chromium are started once per
session on loopback; where one is missing the tests say so as a skip (a failure in CI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from newscrawl.render.modes import RendererUnavailable, resolve_mode
from newscrawl.replica.markup import API_PATH, api_path, render_api, render_listing
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site
from newscrawl.sites import daily8
from tests.conftest import CrawlResult, run_crawl
from tests.test_crawl import COMPARED, assert_matches_oracle

# --- the replica's js variant ------------------------------------------------------------------


@pytest.fixture(scope="module")
def js_replica(site: Site) -> Iterator[ReplicaServer]:
    with ReplicaServer(site, variant="js") as server:
        yield server


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_js_variant_is_a_shell_and_its_api_serves_the_model(site: Site, lang: str) -> None:
    tag = site.tags(lang)[0]
    shell = render_listing(site, lang, tag, 1, "js", base_url="http://h")
    root = lxml_html.fromstring(shell)
    assert root.xpath("//script") and root.get("lang") == lang
    assert (
        daily8.parse_listing(shell, "http://h" + daily8.listing_path(lang, tag), "http://h").cards
        == []
    )
    for page in range(1, site.pages(lang, tag) + 1):
        data = json.loads(render_api(site, lang, tag, page))
        assert [s["id"] for s in data["stories"]] == site.listing(lang, tag, page)
        assert data["next"] == (page + 1 if page < site.pages(lang, tag) else None)
        for s in data["stories"]:
            story = site.story(s["id"])
            assert (s["title"], s["source"], s["date"], s["excerpt"]) == (
                story.title,
                story.publisher,
                story.date_text,
                story.excerpt,
            )


def test_js_replica_serves_shell_and_api_over_http(site: Site, js_replica: ReplicaServer) -> None:
    import urllib.error
    import urllib.request

    tag = "Prince&Knight"
    base = js_replica.base_url
    with urllib.request.urlopen(base + daily8.listing_path("en", tag)) as answer:
        assert b'id="__root"' in answer.read()
    with urllib.request.urlopen(base + api_path("en", tag, 2)) as answer:
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        assert [s["id"] for s in json.load(answer)["stories"]] == site.listing("en", tag, 2)
    for query in ("lang=en&tag=NoSuchTag&page=1", f"lang=fr&tag={tag}&page=1", "lang=en&page=1"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}{API_PATH}?{query}")
        assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + "/en/hashtag/NoSuchTag")
    assert err.value.code == 404, "an unknown tag is a 404 page, not a shell"


# --- choosing the mode -------------------------------------------------------------------------


def test_resolve_mode() -> None:
    assert resolve_mode(None, "", "") == ("auto", "")
    assert resolve_mode("auto", "", "http://splash:8050") == ("auto", "splash")
    assert resolve_mode("AUTO", "playwright", "http://splash:8050") == ("auto", "playwright")
    assert resolve_mode("splash", "", "") == ("splash", "splash")
    assert resolve_mode("playwright", "", "") == ("playwright", "playwright")
    with pytest.raises(RendererUnavailable, match="unknown render mode 'selenium'"):
        resolve_mode("selenium", "", "")
    with pytest.raises(RendererUnavailable, match="NEWSCRAWL_RENDER_AUTO='phantomjs'"):
        resolve_mode("auto", "phantomjs", "")


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["-a", "render=selenium"], {}, "unknown render mode 'selenium'"),
        (["-a", "render=splash"], {"SPLASH_URL": ""}, "needs SPLASH_URL"),
        (["-a", "render=splash"], {"SPLASH_URL": "http://127.0.0.1:9"}, "does not answer"),
        (
            ["-a", "render=playwright"],
            {"NEWSCRAWL_CHROMIUM": "/nonexistent/chromium", "PLAYWRIGHT_CDP_URL": ""},
            "no chromium at /nonexistent/chromium",
        ),
        ([], {"NEWSCRAWL_RENDER_AUTO": "splash", "SPLASH_URL": ""}, "needs SPLASH_URL"),
    ],
)
def test_a_renderer_asked_for_but_missing_stops_the_run_at_start(
    site: Site, tmp_path: Path, args: list[str], env: dict, message: str
) -> None:
    with ReplicaServer(site, variant="js") as server:
        result = run_crawl(server.base_url, tmp_path, "-a", "tags=Saco", *args, env=env)
        assert server.requests == [], "nothing was fetched"
    assert result.returncode != 0
    assert "ERROR: cannot render JavaScript pages: " in result.log
    assert message in result.log
    assert not (tmp_path / "exports").exists()


def test_auto_without_a_renderer_counts_the_shells_loudly(
    site: Site, js_replica: ReplicaServer, tmp_path: Path
) -> None:
    tags = site.tags("en")[:3]
    result = run_crawl(
        js_replica.base_url,
        tmp_path,
        "-a",
        "tags=" + ",".join(tags),
        env={"SPLASH_URL": "", "NEWSCRAWL_RENDER_AUTO": ""},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.records == []
    assert result.stats["newscrawl/render/shell_pages"] == len(tags)
    assert result.stats["newscrawl/render/shells_not_rendered"] == len(tags)
    assert result.stats["newscrawl/render/rendered"] == 0
    assert result.stats["newscrawl/run/incomplete"] == 1
    assert result.log.count("ERROR: script shell with no story card") == 1
    assert result.log.count("WARNING: script shell with no story card") == len(tags) - 1
    assert f"ERROR: {len(tags)} listing page(s) were JavaScript shells" in result.log


# --- through a real Splash ---------------------------------------------------------------------


def _listing_fetches(requests: list[str]) -> dict[str, int]:
    """How often each listing page (path and query) was fetched from the replica."""
    counts: dict[str, int] = {}
    for target in requests:
        if "/hashtag/" in urlsplit(target).path:
            counts[target] = counts.get(target, 0) + 1
    return counts


def _same_records(a: CrawlResult, b: CrawlResult) -> None:
    """The two crawls exported the same stories with the same fields (URLs differ by port)."""
    assert sorted(a.by_id()) == sorted(b.by_id()) != []
    for sid, rec in a.by_id().items():
        other = b.by_id()[sid]
        assert urlsplit(rec["url"]).path == urlsplit(other["url"]).path
        for name in (*COMPARED, "hashtags"):
            assert rec[name] == other[name], (sid, name)


@pytest.fixture(scope="module")
def plain_en(site: Site, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """The English tags crawled from the server-rendered variant, as the reference."""
    with ReplicaServer(site, variant="modules") as server:
        tags = ",".join(site.tags("en"))
        return run_crawl(server.base_url, tmp_path_factory.mktemp("plain"), "-a", f"tags={tags}")


def test_splash_renders_every_listing_and_gets_the_server_rendered_records(
    site: Site, splash_url: str, plain_en: CrawlResult, tmp_path: Path
) -> None:
    tags = site.tags("en")
    with ReplicaServer(site, variant="js") as server:
        base = server.base_url
        result = run_crawl(
            base,
            tmp_path,
            "-a",
            "tags=" + ",".join(tags),
            "-a",
            "render=splash",
            env={"SPLASH_URL": splash_url},
        )
        requested = server.requests
    assert_matches_oracle(result, site.expected("en", tags, max_pages=10), base)
    _same_records(result, plain_en)
    pages = result.stats["newscrawl/pages"]
    assert pages == sum(len(p) for p in site.crawl_plan("en", tags, 10).values())
    assert result.stats["newscrawl/render/rendered"] == pages
    assert result.stats["splash/execute/request_count"] == pages
    # Every listing was fetched once, by Splash, whose script then called the API once.
    assert set(_listing_fetches(requested).values()) == {1}
    assert sum(p.startswith(API_PATH) for p in requested) == pages


def test_splash_in_auto_mode_renders_only_the_shells(
    site: Site, splash_url: str, tmp_path: Path
) -> None:
    tags = site.tags("ar")
    env = {"SPLASH_URL": splash_url}
    with ReplicaServer(site, variant="js") as server:
        base = server.base_url
        result = run_crawl(
            base,
            tmp_path / "js",
            "-a",
            "lang=ar",
            "-a",
            f"tags={','.join(tags)}",
            env=env,
        )
        fetches = _listing_fetches(server.requests)
    assert_matches_oracle(result, site.expected("ar", tags, max_pages=10), base)
    pages = result.stats["newscrawl/pages"]
    assert result.stats["newscrawl/render/shell_pages"] == pages
    assert result.stats["newscrawl/render/rendered"] == pages
    assert set(fetches.values()) == {2}, "each shell: once plain, once through Splash"
    # The same configuration on server-rendered pages never calls Splash.
    with ReplicaServer(site, variant="mixed") as server:
        plain_base = server.base_url
        plain = run_crawl(
            plain_base,
            tmp_path / "plain",
            "-a",
            "lang=ar",
            "-a",
            f"tags={','.join(tags)}",
            env=env,
        )
    assert_matches_oracle(plain, site.expected("ar", tags, max_pages=10), plain_base)
    assert plain.stats["newscrawl/render/shell_pages"] == 0
    assert plain.stats["newscrawl/render/rendered"] == 0
    assert not any(k.startswith("splash/") for k in plain.stats)


def test_splash_passes_the_sites_404_through(
    js_replica: ReplicaServer, splash_url: str, tmp_path: Path
) -> None:
    result = run_crawl(
        js_replica.base_url,
        tmp_path,
        "-a",
        "tags=NoSuchTag,Saco",
        "-a",
        "render=splash",
        env={"SPLASH_URL": splash_url},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawl/hashtag/not_found"] == 1
    assert "#NoSuchTag does not exist on the site (HTTP 404" in result.log
    assert result.records and all(r["hashtags"] == ["Saco"] for r in result.records)


# --- through a real chromium, driven by Playwright ---------------------------------------------


def test_playwright_launches_chromium_and_gets_the_server_rendered_records(
    site: Site, chromium_cdp_url: str, plain_en: CrawlResult, tmp_path: Path
) -> None:
    # The production configuration: scrapy-playwright launches the executable_path chromium.
    # (The session's chromium fixture is only asked for so that a missing one skips/fails.)
    tags = site.tags("en")
    with ReplicaServer(site, variant="js") as server:
        base = server.base_url
        result = run_crawl(
            base,
            tmp_path,
            "-a",
            "tags=" + ",".join(tags),
            "-a",
            "render=playwright",
            env={"PLAYWRIGHT_CDP_URL": ""},
        )
        fetches = _listing_fetches(server.requests)
    assert_matches_oracle(result, site.expected("en", tags, max_pages=10), base)
    _same_records(result, plain_en)
    pages = result.stats["newscrawl/pages"]
    assert result.stats["newscrawl/render/rendered"] == pages
    assert "Launching browser chromium" in result.log
    assert "Connected using CDP" not in result.log
    assert set(fetches.values()) == {1}
    # response.url stayed the listing's own: page 2 and 3 were found from the rendered pages.
    assert any(unquote(p).endswith("?page=3") for p in fetches)


def test_playwright_in_auto_mode_on_a_running_chromium(
    site: Site, chromium_cdp_url: str, js_replica: ReplicaServer, tmp_path: Path
) -> None:
    tags = site.tags("ar")
    result = run_crawl(
        js_replica.base_url,
        tmp_path,
        "-a",
        "lang=ar",
        "-a",
        "tags=" + ",".join(tags),
        env={"NEWSCRAWL_RENDER_AUTO": "playwright", "PLAYWRIGHT_CDP_URL": chromium_cdp_url},
    )
    assert_matches_oracle(result, site.expected("ar", tags, max_pages=10), js_replica.base_url)
    pages = result.stats["newscrawl/pages"]
    assert result.stats["newscrawl/render/shell_pages"] == pages
    assert result.stats["newscrawl/render/rendered"] == pages
    assert f"Connected using CDP: {chromium_cdp_url}" in result.log
    assert "Launching browser" not in result.log
