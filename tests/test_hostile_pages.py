"""Pages nobody here controls: malformed, hostile or odd markup never crashes nor leaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from newscrawl.middlewares.guard import RequestGuardMiddleware
from newscrawl.sites import cards, daily8
from tests.conftest import run_crawl
from tests.mockserver.static import StaticServer

FILES = Path(__file__).parent / "files" / "daily8"
BASE = "https://www.daily8.com"
PAGE = f"{BASE}/en/hashtag/T"
A, B = "a" * 32, "b" * 32


def card(sid: str, title: str = "Headline", extra: str = "") -> str:
    return (
        f'<div><a href="/en/article/{sid}"><img src="/i/{sid}.jpg" alt="{title}"><h2>{title}</h2></a>'
        f'<p><span>Dawn</span><img alt="time" src="/t.svg">3 days ago</p>'
        f"<ul><li>Politics</li><li>Dawn</li></ul>"
        f'<a href="/en/article/{sid}"><h3>{title}</h3><p>Body of {sid[:4]}.</p></a>{extra}</div>'
    )


def parse(body: str | bytes) -> daily8.Listing:
    return daily8.parse_listing(body, PAGE, BASE)


def test_truncated_html_keeps_the_cards_before_the_cut() -> None:
    raw = (FILES / "hashtag-en.html").read_bytes()
    page = parse(raw[: raw.index(b"Naqvi, UK envoy") + 10])
    assert page.cards[0].title.startswith("Pakistan, UK discuss")
    assert page.cards[0].date_text == "18-04-2025"
    assert len(page.cards) == 2  # the cut card still yields its id and what it shows


@pytest.mark.parametrize("body", [b"", b"   ", b"<html>", b"\x00\xff\xfe", b"<!-- -->", "<p>ü</p>"])
def test_empty_and_junk_pages_give_no_cards(body: bytes | str) -> None:
    page = parse(body)
    assert page.cards == [] and page.next_url is None


def test_a_card_with_only_its_link_keeps_the_link_text_and_nulls() -> None:
    [c] = parse(f'<h1>x</h1><div><a href="/en/article/{A}">Only a headline</a></div>').cards
    assert (c.title, c.publisher, c.date_text, c.categories, c.excerpt, c.image) == (
        "Only a headline",
        None,
        None,
        [],
        None,
        None,
    )


def test_duplicated_card_is_one_card_and_counted() -> None:
    page = parse("<h1>x</h1><section>" + card(A) + card(B) + card(A) + "</section>")
    assert [c.id for c in page.cards] == [A, B]
    assert page.duplicate_cards == 1


def test_nested_card_is_its_own_story_and_the_outer_keeps_its_headline() -> None:
    inner = card(B, "Inner story")
    page = parse(f"<h1>x</h1><section>{card(A, 'Outer story', extra=inner)}</section>")
    got = {c.id: c for c in page.cards}
    assert set(got) == {A, B}
    assert got[B].title == "Inner story"
    assert got[B].publisher == "Dawn" and got[B].date_text == "3 days ago"
    assert got[A].title == "Outer story"


def test_markup_inside_titles_and_excerpts_comes_out_as_plain_text() -> None:
    hostile = (
        f'<div><a href="/en/article/{A}"><h2>Big <b>news</b><script>alert(1)</script>'
        f"<style>h2{{}}</style> &lt;img src=x onerror=alert(2)&gt;today</h2></a>"
        f'<p>Dawn<img alt="time">a day ago</p><ul><li>Dawn</li></ul>'
        f'<a href="/en/article/{A}"><h3>x</h3><p>Text &lt;script&gt;evil()&lt;/script&gt; end'
        f'<iframe src="https://evil.example/"></iframe></p></a>'
        f'<img src="javascript:alert(3)" alt="j"></div>'
    )
    c = parse(f"<h1>x</h1><section>{hostile}{card(B)}</section>").cards[0]
    assert c.title == "Big news today"
    assert "<" not in c.excerpt and "script" not in c.excerpt.lower().replace("evil()", "")
    assert c.image is None


def test_control_characters_and_huge_values_are_cleaned_and_bounded() -> None:
    title = "Bad\x00 \x07title\u202e " + "x" * 5000
    excerpt = "word " * 10_000
    html = (
        f'<div><a href="/en/article/{A}"><h2>{title}</h2></a><p>{"P" * 400}<img alt="time">'
        f"{'9' * 200}</p><ul>{''.join(f'<li>c{i}</li>' for i in range(50))}</ul>"
        f'<a href="/en/article/{A}"><h3>{title}</h3><p>{excerpt}{excerpt}</p></a></div>'
    )
    c = parse(f"<h1>x</h1><section>{html}{card(B)}</section>").cards[0]
    assert c.title.startswith("Bad title xxx") and len(c.title) == 500 and c.title.endswith("…")
    assert len(c.publisher) == 150 and len(c.date_text) == 64
    assert len(c.excerpt) == 20_000
    assert len(c.categories) == 20
    assert set(c.truncated) == {"title", "publisher", "date_text", "excerpt", "categories"}


def test_thousands_of_cards_on_one_page() -> None:
    ids = [f"{i:032x}" for i in range(3000)]
    page = parse("<h1>x</h1><section>" + "".join(card(i) for i in ids) + "</section>")
    assert [c.id for c in page.cards] == ids
    assert all(c.publisher == "Dawn" and c.categories == ["Politics"] for c in page.cards)


@pytest.mark.parametrize(
    "href",
    [
        "http://169.254.169.254/en/hashtag/T?page=2",
        "http://localhost/en/hashtag/T?page=2",
        "http://127.0.0.1/en/hashtag/T?page=2",
        "file:///etc/passwd",
        "data:text/html,<a>",
        "javascript:location='/en/hashtag/T?page=2'",
        "//evil.example/en/hashtag/T?page=2",
        "https://www.daily8.com.evil.example/en/hashtag/T?page=2",
        "https://www.daily8.com/en/hashtag/Other?page=2",
    ],
)
def test_pagination_never_leaves_the_site_or_the_hashtag(href: str) -> None:
    page = parse(f'<h1>x</h1><section>{card(A)}</section><a rel="next" href="{href}">Load more</a>')
    assert page.next_url is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.daily8.com/en/hashtag/T", True),
        ("https://WWW.DAILY8.COM:443/robots.txt", True),
        ("http://www.daily8.com/en/hashtag/T", False),
        ("https://www.daily8.com:8443/", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("http://127.0.0.1/", False),
        ("http://[::1]/", False),
        ("https://ads.example.net/en/article/" + A, False),
        ("file:///etc/passwd", False),
        ("http://splash.internal:8050/render.html", True),
    ],
)
def test_guard_lets_only_the_site_and_its_renderer_through(url: str, allowed: bool) -> None:
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_BASE_URL": BASE, "SPLASH_URL": "http://splash.internal:8050"}
    )
    crawler.stats.open_spider()
    guard = RequestGuardMiddleware.from_crawler(crawler)
    if allowed:
        assert guard.process_request(Request(url)) is None
        assert crawler.stats.get_value("newscrawl/guard/refused") is None
    else:
        with pytest.raises(IgnoreRequest):
            guard.process_request(Request(url))
        assert crawler.stats.get_value("newscrawl/guard/refused") == 1


# --- property-based: the extractor on arbitrary markup ---------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_href = st.one_of(
    st.sampled_from([f"/en/article/{A}", f"/article/{B}", f"{BASE}/en/article/{A}", "#", ""]),
    st.builds(lambda s: f"https://x.example/{s}", _text),
    _text,
)
_tag = st.sampled_from(["div", "li", "ul", "p", "span", "h2", "h3", "a", "img", "svg", "button"])


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(draw(_text).replace("<", "&lt;"))
        elif kind == 1:
            alt = draw(st.sampled_from(["time", "Time", "", "headline"]))
            parts.append(f'<img alt="{alt}" src="{draw(_href)}">')
        else:
            tag = draw(_tag)
            href = draw(_href).replace('"', "")
            inner = draw(_markup(depth + 1))
            parts.append(f'<{tag} href="{href}">{inner}</{tag}>')
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markup())
def test_extractor_never_raises_and_keeps_its_invariants(markup: str) -> None:
    page = parse(f"<html><body><h1>T</h1>{markup}</body></html>")
    ids = [c.id for c in page.cards]
    assert len(ids) == len(set(ids))
    for c in page.cards:
        assert c.id in (A, B)
        assert c.url.startswith(BASE + "/") and c.url.endswith(c.id)
        for value in (c.title, c.publisher, c.date_text, c.excerpt, *c.categories):
            assert value is None or (value and value == value.strip())
            assert value is None or not any(ch < " " for ch in value)
        assert c.image is None or c.image.startswith(("http://", "https://"))
        assert c.title is None or len(c.title) <= cards.FIELD_LIMITS["title"]
    assert page.next_url is None or page.next_url.startswith(PAGE)


# --- end to end: odd encodings, empty and blocked pages over real HTTP -------------------


def _listing(title: str, date: str, lang_path: str, sid: str) -> str:
    art = "/article/" if lang_path == "/hashtag/" else "/en/article/"
    return (
        f"<html><body><h1>#</h1><section><div><a href='{art}{sid}'><h2>{title}</h2></a>"
        f"<p><span>Pub</span><img alt='time'>{date}</p><ul><li>Pub</li></ul></div>"
        f"<div><a href='{art}{'f' * 32}'><h2>Other</h2></a></div></section></body></html>"
    )


def test_encodings_empty_and_blocked_pages_end_to_end(tmp_path: Path) -> None:
    arabic = "خبر عاجل من الرياض"
    html = "text/html"
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        # windows-1256 Arabic with no charset declared anywhere
        "/hashtag/cp1256": (
            200,
            {"Content-Type": html},
            _listing(arabic, "منذ يومين", "/hashtag/", A).encode("cp1256"),
        ),
        # UTF-8 bytes declared as Latin-1
        "/hashtag/liar": (
            200,
            {"Content-Type": f"{html}; charset=iso-8859-1"},
            _listing(arabic, "منذ ساعتين", "/hashtag/", B).encode(),
        ),
        # a BOM and nothing else
        "/hashtag/bom": (
            200,
            {"Content-Type": html},
            b"\xef\xbb\xbf" + _listing(arabic + " ٢", "٠٤-٠٥-٢٠٢٥", "/hashtag/", "c" * 32).encode(),
        ),
        "/hashtag/empty": (200, {"Content-Type": html}, b""),
        "/hashtag/challenge": (
            200,
            {"Content-Type": html},
            b"<html><title>Just a moment...</title><div id='cf-challenge'></div></html>",
        ),
        "/hashtag/forbidden": (
            403,
            {"Content-Type": html},
            b"<html><div class='g-recaptcha'></div></html>",
        ),
    }
    with StaticServer(routes) as server:
        result = run_crawl(
            server.base_url,
            tmp_path,
            "-a",
            "lang=ar",
            "-a",
            "tags=cp1256,liar,bom,empty,challenge,forbidden",
        )
        requested = list(server.requests)
    assert result.returncode == 0, result.log[-2000:]
    got = result.by_id()
    assert got[A]["title"] == arabic and got[A]["published"] == "2025-06-10"
    assert got[B]["title"] == arabic and got[B]["published"] == "2025-06-12T07:30:00Z"
    assert got["c" * 32]["title"] == arabic + " ٢" and got["c" * 32]["published"] == "2025-05-04"
    s = result.stats
    assert s["newscrawl/charset/guessed_cp1256"] == 1
    assert s["newscrawl/charset/utf8_over_declared"] == 1
    assert s["newscrawl/hashtag/no_stories"] == 1
    assert s["newscrawl/blocked"] == 2
    assert s["newscrawl/run/incomplete"] == 1
    assert "#empty lists no stories" in result.log
    assert "#challenge page 1: BLOCKED" in result.log and "#forbidden page 1: BLOCKED" in result.log
    # nothing but the listings asked for and robots.txt was requested
    assert sorted(set(requested)) == sorted(routes)
