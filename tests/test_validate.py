"""ValidatePipeline on plain records: each kind of invalid record is dropped, named and counted."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import Story
from newscrawl.pipelines.validate import ValidatePipeline

URL = "https://www.daily8.com/en/article/0123456789abcdef0123456789abcdef"


def story(**kw: Any) -> Story:
    values: dict[str, Any] = {
        "id": "0123456789abcdef0123456789abcdef",
        "url": URL,
        "title": "Pakistan and UK expand counter-terror cooperation",
        "publisher": "Dawn",
        "published_raw": "16-04-2025",
        "excerpt": "ISLAMABAD: ...",
        "image": None,
        "lang": "en",
        "crawled_at": "2025-06-12T09:30:00Z",
    }
    values.update(kw)
    return Story(**values)


def pipeline() -> ValidatePipeline:
    return ValidatePipeline.from_crawler(get_crawler())  # Scrapy's real stats collector


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"id": None}, "id"),
        ({"id": ""}, "id"),
        ({"id": "0123456789abcdef"}, "id"),  # too short
        ({"id": "0123456789ABCDEF0123456789ABCDEF"}, "id"),  # ids are lower-case hex
        ({"id": "0123456789abcdef0123456789abcdeg"}, "id"),  # not hex
        ({"id": "0123456789abcdef0123456789abcdef0"}, "id"),  # too long
        ({"url": None}, "url"),
        ({"url": "/en/article/0123456789abcdef0123456789abcdef"}, "url"),  # relative
        ({"url": "ftp://www.daily8.com/x"}, "url"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"lang": "fr"}, "lang"),
        ({"lang": None}, "lang"),
    ],
)
def test_an_invalid_field_drops_the_story_with_its_reason_and_stat(
    change: dict[str, Any], problem: str
) -> None:
    pipe = pipeline()
    item = story(**change)
    with pytest.raises(DropItem) as dropped:
        pipe.process_item(item)
    assert f"({problem})" in str(dropped.value)
    assert str(item.url) in str(dropped.value)  # the warning names the page
    assert pipe.stats.get_value("newscrawl/drop/invalid") == 1
    assert pipe.stats.get_value(f"newscrawl/drop/invalid/{problem}") == 1
    others = {"id", "url", "title", "lang"} - {problem}
    assert all(pipe.stats.get_value(f"newscrawl/drop/invalid/{o}") is None for o in others)


def test_a_dict_missing_its_fields_is_dropped_not_crashed_on() -> None:
    pipe = pipeline()
    with pytest.raises(DropItem, match=r"\(id\)"):
        pipe.process_item({"title": "No id, no url"})
    with pytest.raises(DropItem, match=r"\(url\)"):
        pipe.process_item({"id": "a" * 32})
    assert pipe.stats.get_value("newscrawl/drop/invalid") == 2


def test_drops_are_counted_per_reason_across_a_run() -> None:
    pipe = pipeline()
    for bad in (story(lang="fr"), story(lang="de"), story(title=None)):
        with pytest.raises(DropItem):
            pipe.process_item(bad)
    assert pipe.stats.get_value("newscrawl/drop/invalid") == 3
    assert pipe.stats.get_value("newscrawl/drop/invalid/lang") == 2
    assert pipe.stats.get_value("newscrawl/drop/invalid/title") == 1


def test_the_drop_is_logged_as_a_warning() -> None:
    with pytest.raises(DropItem) as dropped:
        pipeline().process_item(story(title=None))
    assert dropped.value.log_level == "WARNING"  # a site change shows in the log, not DEBUG


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_valid_story_passes_unchanged_and_uncounted(lang: str) -> None:
    pipe = pipeline()
    item = story(lang=lang, url=URL.replace("https://", "http://"))
    before = dataclasses.asdict(item)
    assert pipe.process_item(item) is item
    assert dataclasses.asdict(item) == before
    assert pipe.stats.get_value("newscrawl/drop/invalid") is None


def test_a_storys_fields_read_and_write_as_through_itemadapter() -> None:
    """The pipelines' StoryFields gives a Story's fields as ItemAdapter gives them: the same
    items in the same order, the same reads and writes, a KeyError for what is no field."""
    from itemadapter import ItemAdapter

    from newscrawl.items import StoryFields, item_fields

    mine, theirs = story(categories=["Business"]), story(categories=["Business"])
    fast, slow = item_fields(mine), ItemAdapter(theirs)
    assert isinstance(fast, StoryFields) and isinstance(item_fields({"id": "x"}), ItemAdapter)
    assert list(fast.items()) == list(slow.items())
    for name in ("id", "published_raw", "categories", "duplicate_of"):
        assert fast[name] == slow[name] and fast.get(name) == slow.get(name)
    fast["published"], slow["published"] = "2025-04-16", "2025-04-16"
    assert mine == theirs
    assert fast.get("nope") is None is slow.get("nope")
    assert fast.get("nope", 7) == 7 == slow.get("nope", 7)
    for adapter in (fast, slow):
        with pytest.raises(KeyError):
            adapter["nope"]
        with pytest.raises(KeyError):
            adapter["nope"] = 1
