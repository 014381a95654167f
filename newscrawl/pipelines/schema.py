"""The JSON Schema check of every exported story: spidermon's item validation, compiled.

Spidermon's ``ItemValidationPipeline`` (its stats are what the "Item validation" monitor
reads) with one change: whether a story is valid is decided by jsonschema-rs, a compiled
(Rust) validator, in about 10 µs, where fastjsonschema's generated Python took about 34 and
jsonschema about 200 (spidermon's walk over its errors more); the bench's story records,
same process. Nearly every story is valid; only an invalid one goes through spidermon's own
jsonschema validator, for the same error messages and stats as before.
``tests/test_schema.py`` checks that both give the same verdict on good and damaged records.

The schema (``newscrawl/schema/story.schema.json``) says draft 2020-12, which jsonschema-rs
implements. Its ``format: date`` / ``date-time`` are checked by both: spidermon's validator
passes jsonschema a format checker, and the compiled check is given jsonschema's own
checkers for those two formats (called back from Rust: most of those 10 µs; its own would
take 2 µs, but they are other code, and the fast path must never let through what the
slow one refuses). The checkers are pure functions of the text and a crawl's dates repeat
(a day's stories share ``published_date``, a run shares ``scraped_at``), so each answer is
kept for the last 4,096 texts: 5.2 -> 2.3 µs a record on the bench's records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import jsonschema_rs
from itemadapter import ItemAdapter
from jsonschema import FormatChecker
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.scrapy.stats import ValidationStatsManager
from spidermon.contrib.validation import JSONSchemaValidator
from spidermon.contrib.validation.jsonschema.tools import get_schema_from

from newscrawl.items import Story, story_record
from newscrawl.schema import STORY_SCHEMA, story_schema
from newscrawl.sites import SiteProfile, site_of

# jsonschema's checkers (date-time needs rfc3339-validator, pinned in requirements.txt: a
# missing one is a KeyError here, not a format silently left unchecked).
_CHECKER = FormatChecker(["date", "date-time"])
FORMATS: dict[str, Callable[[str], bool]] = {
    name: lru_cache(maxsize=4096)(partial(_CHECKER.conforms, format=name))
    for name in _CHECKER.checkers
}


def compile_schema(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """*schema*'s check, compiled by jsonschema-rs, its date formats checked as jsonschema
    does: a record -> whether it is valid."""
    return jsonschema_rs.validator_for(schema, validate_formats=True, formats=FORMATS).is_valid


class CompiledJSONSchemaValidator(JSONSchemaValidator):
    """Spidermon's JSON Schema validator, with a compiled check in front of it."""

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        self._is_valid = compile_schema(schema)

    def validate(self, data: Any, strict: bool = True) -> tuple[bool, dict[str, list[str]]]:
        if not self._is_valid(data):
            return super().validate(data, strict=strict)  # every error, spidermon's words
        self._reset()
        return True, {}


class _StatNames(ValidationStatsManager):
    """Spidermon's validation stats, each stat's name slugified once, not once per story."""

    def __init__(self, stats: Any) -> None:
        super().__init__(stats)
        self._names: dict[tuple[str, ...], str] = {}

    def _get_stats_name(self, *names: str) -> str:
        name = self._names.get(names)
        if name is None:
            name = self._names[names] = super()._get_stats_name(*names)
        return name


class SchemaValidationPipeline(ItemValidationPipeline):
    """``SPIDERMON_VALIDATION_SCHEMAS`` checked with :class:`CompiledJSONSchemaValidator`."""

    def __init__(self, validators: Any, stats: Any, **kwargs: Any) -> None:
        super().__init__(validators, stats, **kwargs)
        self.stats = _StatNames(stats)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        pipeline = super().from_crawler(crawler)
        if isinstance(pipeline, cls):  # not spidermon's pass-through (SPIDERMON_ENABLED off)
            pipeline.for_site(site_of(crawler.settings))
        return pipeline

    def for_site(self, site: SiteProfile) -> None:
        """The shipped schema, where the settings name it, checked with *site*'s id, URL
        and language values (``newscrawl.schema.story_schema``); other schemas as given."""
        schema = story_schema(site)
        if schema is STORY_SCHEMA:
            return
        for validators in self.validators.values():
            for i, validator in enumerate(validators):
                if getattr(validator, "_schema", None) is STORY_SCHEMA:
                    validators[i] = CompiledJSONSchemaValidator(schema)

    @classmethod
    def _load_jsonschema_validator(cls, schema: Any) -> JSONSchemaValidator:
        if isinstance(schema, str):
            schema = get_schema_from(schema)
        if not isinstance(schema, dict):
            # spidermon's own message for a schema that is not one
            return super()._load_jsonschema_validator(schema)
        return CompiledJSONSchemaValidator(schema)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if type(item) is not Story:
            return super().process_item(item, spider)
        # spidermon's process_item, with the record read off the dataclass (story_record)
        # rather than by ItemAdapter(item).asdict().
        validators = self.find_validators(item)
        if not validators:
            return item
        record = story_record(item)
        self.stats.add_item()
        self.stats.add_fields(len(record))
        for validator in validators:
            ok, errors = validator.validate(record)
            if not ok:
                self._add_error_stats(errors)
                if self.add_errors_to_items:
                    self._add_errors_to_item(ItemAdapter(item), errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item
