"""The Daily8 page object on saved pages, and on the same cards in markups it was not written for."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.sites import daily8

FILES = Path(__file__).parent / "files" / "daily8"
BASE = "https://www.daily8.com"
EN_URL = f"{BASE}/en/hashtag/Pakistan-UKCounterTerrorismDialogue"


def listing(name: str, url: str = EN_URL) -> daily8.Listing:
    return daily8.parse_listing((FILES / name).read_bytes(), url, BASE)


def test_english_listing_fields() -> None:
    page = listing("hashtag-en.html")
    assert [c.id for c in page.cards] == [
        "662064ce497bbf3a7bb749167085eb73",
        "0b7e3f5c9a1d4e2f8a6b5c4d3e2f1a0b",
    ]
    first, second = page.cards
    assert first.url == f"{BASE}/en/article/662064ce497bbf3a7bb749167085eb73"
    assert first.title == (
        "Pakistan, UK discuss counterterrorism, security cooperation to tackle cross-border crime"
    )
    assert first.publisher == "Arab News"
    assert first.date_text == "18-04-2025"
    assert first.categories == ["Politics"]
    assert first.excerpt.startswith("ISLAMABAD: Pakistan and the United Kingdom (UK)")
    assert first.excerpt.endswith("foreign national offender population.")
    assert "Copy the Story Link" not in first.excerpt
    assert first.image == f"https://cdn.daily8.com/images/{first.id}.jpg"
    # A card whose list holds only the publisher has no category.
    assert second.publisher == "Dawn"
    assert second.categories == []
    assert second.date_text == "14 hours ago"
    # Dates inside the excerpt are not the story's date.
    assert "Mon 19 May 2025 at 10:28pm" in second.excerpt
    assert page.next_url == f"{EN_URL}?page=2"


def test_arabic_listing_fields() -> None:
    page = listing("hashtag-ar.html", f"{BASE}/hashtag/%D8%A8%D8%A7%D9%83%D8%B3%D8%AA%D8%A7%D9%86")
    assert [(c.publisher, c.date_text, c.categories) for c in page.cards] == [
        ("عرب نيوز", "٠٤-٠٣-٢٠٢٥", ["سياسة"]),
        ("الشرق الأوسط", "منذ 10 ساعات", []),
    ]
    assert page.cards[0].url == f"{BASE}/article/beb8ca352a3bd6e72a508d85223fb643"
    assert page.cards[0].title == "باكستان والمملكة المتحدة تبحثان التعاون في مكافحة الإرهاب"
    assert page.next_url is None


def test_related_card_on_story_page_takes_its_own_headline() -> None:
    page = listing("article-en.html", f"{BASE}/en/article/662064ce497bbf3a7bb749167085eb73")
    [card] = page.cards
    assert card.title == "Naqvi, UK envoy review progress on returns agreement"
    assert card.publisher == "Dawn"


def test_js_shell_has_no_cards_and_says_so() -> None:
    page = listing("hashtag-en-js.html")
    assert page.cards == []
    assert page.next_url is None


REDESIGNS = {
    # Every class gone, other wrappers, the icon an svg labelled by aria-label, the
    # publisher glued to the icon, categories as a bullet run, a share link.
    "bare-svg-bullets": """
      <ol><li>
        <a href="/en/article/{id}"><img src="//cdn.daily8.com/i/{id}.webp" alt="{title}">
          <h3>{title}</h3></a>
        <p>Gulf News<svg aria-label="time" viewBox="0 0 1 1"><path d="M0"/></svg>6 minutes ago</p>
        <div><span>• Business</span> <span>• Health</span> <span>• Gulf News</span></div>
        <a href="/en/article/{id}"><h4>{title}</h4><p>Body   text
          over lines.</p></a>
        <span role="button">Copy the Story Link</span>
      </li>
      <li><a href="https://www.daily8.com/en/article/{id2}"><div>{title2}</div></a>
        <p>Yahoo<i title="time"></i>2 days ago</p><ul><li>Yahoo</li></ul></li></ol>""",
    # Utility classes, a lazy image, the date wrapped in its own element, no excerpt.
    "utility-lazy": """
      <div class="grid gap-4"><article class="flex flex-col p-2">
        <a class="block" href="/en/article/{id}"><img class="w-full" src="data:image/gif;base64,R0lG"
           data-src="/img/{id}.jpg" alt="{title}"><h2 class="text-lg font-bold">{title}</h2></a>
        <div class="flex text-sm"><span>Gulf News</span><img class="h-3" src="/i/c.svg" alt="Time">
          <time class="ml-1">6 minutes ago</time></div>
        <ul class="flex"><li class="px-1">Business</li><li>Health</li><li>Gulf News</li></ul>
      </article>
      <article class="flex flex-col p-2"><a href="/en/article/{id2}"><h2>{title2}</h2></a>
        <div><span>Yahoo</span><img alt="time" src="/i/c.svg"><span>2 days ago</span></div>
        <ul><li>Yahoo</li></ul><a href="/en/article/{id2}"><h3>{title2}</h3><p>Second.</p></a>
      </article></div>""",
}


@pytest.mark.parametrize("name", sorted(REDESIGNS))
def test_fields_survive_redesigns(name: str) -> None:
    ids = ("a" * 32, "b" * 32)
    body = REDESIGNS[name].format(id=ids[0], id2=ids[1], title="First &amp; best", title2="Second")
    html = f"<html><body><h1>#Tag</h1>{body}<footer><a href='/en/hashtag/Other'>#Other</a></footer></body></html>"
    page = daily8.parse_listing(html, f"{BASE}/en/hashtag/Tag", BASE)
    first, second = page.cards
    assert (first.id, second.id) == ids
    assert first.title == "First & best"
    assert first.publisher == "Gulf News"
    assert first.date_text == "6 minutes ago"
    assert first.categories == ["Business", "Health"]
    assert first.image is not None and first.image.endswith(
        f"{ids[0]}.webp" if "bare" in name else f"/img/{ids[0]}.jpg"
    )
    assert (second.title, second.publisher, second.date_text, second.categories) == (
        "Second",
        "Yahoo",
        "2 days ago",
        [],
    )
    if name == "bare-svg-bullets":
        assert first.excerpt == "Body text over lines."
        assert second.excerpt is None
    else:
        assert first.excerpt is None
        assert second.excerpt == "Second."


def test_links_elsewhere_are_not_stories() -> None:
    hexid = "c" * 32
    html = f"""<html><body><h1>#T</h1>
      <a href="https://ads.example.net/en/article/{hexid}">ad</a>
      <a href="//evil.example/article/{hexid}">protocol-relative</a>
      <a href="javascript:alert(1)/en/article/{hexid}">js</a>
      <a href="/en/article/{hexid[:-1]}">short id</a>
      <a href="/en/article/{hexid.upper()}">upper</a>
      <nav><a rel="next" href="https://ads.example.net/en/hashtag/T?page=2">Load more</a>
      <a href="/en/hashtag/Other?page=2">Load more</a></nav></body></html>"""
    page = daily8.parse_listing(html, f"{BASE}/en/hashtag/T", BASE)
    assert page.cards == []
    assert page.next_url is None


@pytest.mark.parametrize(
    ("lang", "tag", "path"),
    [
        ("en", "Prince&Knight", "/en/hashtag/Prince%26Knight"),
        (
            "en",
            "Pakistan-UKCounterTerrorismDialogue",
            "/en/hashtag/Pakistan-UKCounterTerrorismDialogue",
        ),
        ("ar", "باكستان", "/hashtag/%D8%A8%D8%A7%D9%83%D8%B3%D8%AA%D8%A7%D9%86"),
        ("en", "a?b#c", "/en/hashtag/a%3Fb%23c"),
    ],
)
def test_listing_paths_are_percent_encoded(lang: str, tag: str, path: str) -> None:
    assert daily8.listing_path(lang, tag) == path


def test_unknown_lang_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lang 'fr'"):
        daily8.listing_path("fr", "Saco")


@pytest.mark.parametrize(
    ("meta", "publisher", "date"),
    [
        ("Yahoo2 days ago", "Yahoo", "2 days ago"),
        ("Express Tribune21-03-2025", "Express Tribune", "21-03-2025"),
        ("الشرق الأوسطمنذ ساعتين", "الشرق الأوسط", "منذ ساعتين"),
        ("Dawn", "Dawn", None),
    ],
)
def test_publisher_glued_to_the_date_without_an_icon(meta: str, publisher: str, date: str) -> None:
    sid = "d" * 32
    html = (
        f'<h1>x</h1><div><a href="/en/article/{sid}"><h2>T</h2></a><p>{meta}</p>'
        f'<ul><li>Health</li><li>{publisher}</li></ul><a href="/en/article/{sid}"><h3>T</h3><p>Body</p></a></div>'
    )
    [card] = daily8.parse_listing(html, f"{BASE}/en/hashtag/X", BASE).cards
    assert (card.publisher, card.date_text, card.categories) == (publisher, date, ["Health"])
