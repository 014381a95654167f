"""The record and its JSON Schema describe the same fields and version."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st
from spidermon.contrib.validation import JSONSchemaValidator

from newscrawl.items import SCHEMA_VERSION, Story
from newscrawl.pipelines.schema import CompiledJSONSchemaValidator
from newscrawl.schema import story_schema
from newscrawl.sites import load_profile

DELETE = object()


def test_schema_and_record_agree_on_fields_and_version() -> None:
    schema = story_schema()
    assert [f.name for f in fields(Story)] == list(schema["properties"])
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


# --- the compiled check (newscrawl/pipelines/schema.py) gives jsonschema's verdict -------------

GOOD: dict = {
    "id": "228946c26ab5ba4667a4d6d76e2afb4d",
    "url": "https://www.daily8.com/en/article/228946c26ab5ba4667a4d6d76e2afb4d",
    "title": "Jordan and Bahrain discuss investment cooperation in Jeddah",
    "publisher": "Al Arabiya English",
    "published": "2024-05-08",
    "published_raw": "08-05-2024",
    "published_precision": "day",
    "categories": ["Entertainment"],
    "hashtags": ["Urban-Startups", "UrbanElections"],
    "story_hashtags": None,
    "excerpt": "JEDDAH: Jordan and Bahrain have held talks in Jeddah, officials said.",
    "body": None,
    "image": "https://cdn.daily8.com/images/228946c26ab5ba4667a4d6d76e2afb4d.jpg",
    "lang": "en",
    "duplicate_of": None,
    "crawled_at": "2026-11-28T07:51:20Z",
    "schema_version": "2",
}
ODD_STRINGS = (
    "", "x", "en", "ar", "fr", "day", "minute", "hour", "1", "2", "2025-04-18",
    "2025-04-18T10:00:00+00:00", "2025-04-18T10:00:00Z", "0" * 32, "G" * 32,
    "https://x.invalid/a", "javascript:alert(1)", "18-04-2025", "14 hours ago",
    "2025-13-45", "2025-02-29", "2024-02-29", "0000-01-01", "2025-13-45T10:00:00Z",
    "2025-06-12T24:00:00Z", "2025-06-12T10:00:60Z", "2024-02-29T10:00:00Z",
)  # fmt: skip
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.floats(allow_nan=False),
    st.sampled_from(ODD_STRINGS),
    st.lists(st.sampled_from(["", "a", "b", "#a"]), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id"]), st.none(), max_size=1),
)


@settings(max_examples=500, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from([*GOOD, "extra"]), st.one_of(st.just(DELETE), ODD_VALUES)),
        max_size=3,
    )
)
def test_the_compiled_check_gives_jsonschemas_verdict(edits: list) -> None:
    record = copy.deepcopy(GOOD)
    for key, value in edits:
        if value is DELETE:
            record.pop(key, None)
        else:
            record[key] = value
    slow = JSONSchemaValidator(story_schema())
    fast = CompiledJSONSchemaValidator(story_schema())
    assert fast.validate(record) == slow.validate(record)


def test_a_good_record_passes_and_a_bad_one_gets_spidermons_messages() -> None:
    fast = CompiledJSONSchemaValidator(story_schema())
    assert fast.validate(GOOD) == (True, {})
    bad = {**GOOD, "lang": "fr"}
    del bad["title"]
    ok, errors = fast.validate(bad)
    assert not ok
    assert set(errors) == {"lang", "title"}
    assert fast.validate(GOOD) == (True, {})  # nothing carried over from the bad one


def test_the_pipeline_counts_what_spidermons_counts() -> None:
    from dataclasses import replace

    from scrapy.utils.test import get_crawler
    from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline

    from newscrawl.pipelines.schema import SchemaValidationPipeline
    from newscrawl.schema import STORY_SCHEMA_OBJECT

    good = Story(**{k: v for k, v in GOOD.items() if k != "schema_version"})
    stories = [good, replace(good, lang="fr", title=None), replace(good, id="xyz"), good]
    counted = []
    for cls in (ItemValidationPipeline, SchemaValidationPipeline):
        crawler = get_crawler(
            settings_dict={
                "SPIDERMON_ENABLED": True,
                "SPIDERMON_VALIDATION_SCHEMAS": [STORY_SCHEMA_OBJECT],
            }
        )
        pipe = cls.from_crawler(crawler)
        for story in stories:
            assert pipe.process_item(story) is story
        stats = crawler.stats.get_stats()
        counted.append({k: v for k, v in stats.items() if k.startswith("spidermon/")})
    assert counted[0]["spidermon/validation/items/errors"] == 2
    assert counted[1] == counted[0]


# --- dates that have the right shape but are no dates -----------------------------------------

IMPOSSIBLE = {
    "published": ["2025-13-45", "2025-02-29", "2025-13-45T10:00:00Z", "2025-06-12T24:00:00Z"],
    "crawled_at": ["2025-13-45T10:00:00Z", "2025-02-30T10:00:00Z", "2025-06-12T10:00:60Z"],
}


def _impossible_records() -> list[tuple[str, dict]]:
    out = []
    for field, values in IMPOSSIBLE.items():
        for value in values:
            precision = "day" if field == "published" and "T" not in value else "hour"
            extra = {"published_precision": precision} if field == "published" else {}
            out.append((f"{field}={value}", {**GOOD, field: value, **extra}))
    return out


def test_every_validator_rejects_an_impossible_date() -> None:
    import jsonschema

    from newscrawl.pipelines.schema import compile_schema

    is_valid = compile_schema(story_schema())
    plain = jsonschema.Draft202012Validator(
        story_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    spidermons = JSONSchemaValidator(story_schema())
    good_leap = {**GOOD, "published": "2024-02-29", "crawled_at": "2024-02-29T23:59:59Z"}
    assert is_valid(good_leap)
    plain.validate(good_leap)
    for name, record in _impossible_records():
        assert not is_valid(record), name  # the fast path alone says no, not only the slow one
        assert not plain.is_valid(record), name
        ok, errors = spidermons.validate(record)
        assert not ok, name
        field = name.split("=")[0]
        assert field in errors, (name, errors)


def test_the_kept_format_answers_are_jsonschemas_each_time_asked() -> None:
    # FORMATS keeps each checker's answer for a text: asked again, it must still be
    # jsonschema's own verdict, for good and impossible texts alike, in any order.
    from jsonschema import FormatChecker

    from newscrawl.pipelines.schema import FORMATS

    plain = FormatChecker(["date", "date-time"])
    texts = {
        "date": ["2024-02-29", "2023-02-29", "2025-04-18", "2025-13-01", "18-04-2025", ""],
        "date-time": [
            "2025-04-18T10:00:00Z",
            "2025-04-18T25:00:00Z",
            "2025-04-18T10:00:00+03:00",
            "2025-04-18 10:00:00",
            "2023-02-29T00:00:00Z",
        ],
    }
    for name, values in texts.items():
        for _round in range(3):
            for value in values:
                assert FORMATS[name](value) is plain.conforms(value, name), (name, value)
    assert FORMATS["date"].cache_info().hits > 0  # the second and third rounds were kept answers


def test_schema_version_is_a_string_const() -> None:
    assert story_schema()["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert isinstance(SCHEMA_VERSION, str)


# --- the schema of a site (newscrawl.schema.story_schema(site)) --------------------------------


def test_daily8s_schema_is_the_shipped_file() -> None:
    # The same object: the shipped file stays Daily8's, and spidermon is handed it unchanged.
    assert story_schema(load_profile("daily8")) is story_schema()


def test_another_sites_schema_takes_its_id_url_and_languages() -> None:
    site = dataclasses.replace(
        load_profile("daily8"),
        name="numbered",
        langs=("fr",),
        id_pattern=r"^[1-9][0-9]*$",
        url_pattern=r"^https?://[^/]+/n/[1-9][0-9]*$",
    )
    schema = story_schema(site)
    record = {**GOOD, "id": "1042", "url": "https://example.invalid/n/1042", "lang": "fr"}
    assert CompiledJSONSchemaValidator(schema).validate(record) == (True, {})
    ok, errors = CompiledJSONSchemaValidator(schema).validate(
        {**record, "duplicate_of": GOOD["id"]}
    )
    assert not ok and "duplicate_of" in errors
    # Daily8's record is not one of this site's, and the shipped schema is left as it was.
    assert not CompiledJSONSchemaValidator(schema).validate(GOOD)[0]
    assert CompiledJSONSchemaValidator(story_schema()).validate(GOOD) == (True, {})
    assert story_schema()["properties"]["lang"]["enum"] == ["en", "ar"]
