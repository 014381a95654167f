"""The Story record newscrawl exports: one per story per run, typed, with its schema version."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from itemadapter import ItemAdapter

#: Bump when a field is added, removed or changes meaning; the JSON Schema's
#: ``schema_version`` const must match (a test checks that).
SCHEMA_VERSION = "2"


@dataclass(kw_only=True, slots=True)
class Story:
    """One story as exported. The spider fills what the cards show; pipelines the rest.

    Field order is the export order, so records read well by eye.
    """

    id: str
    url: str
    title: str | None
    publisher: str | None
    published: str | None = None
    published_raw: str | None
    published_precision: str | None = None
    categories: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    # Every hashtag the story page links to; null unless story pages were fetched.
    story_hashtags: list[str] | None = None
    excerpt: str | None
    # The story page's body, paragraphs joined by a blank line; null unless fetched.
    body: str | None = None
    image: str | None
    lang: str
    # Id of the earliest copy of the same story from another publisher, else null.
    duplicate_of: str | None = None
    crawled_at: str
    schema_version: str = SCHEMA_VERSION


#: The record's field names, in export order.
STORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Story))


def story_record(story: Story) -> dict[str, Any]:
    """The story as the export writes it, field by field (values shared, not copied).

    ``ItemAdapter(story).asdict()`` gives the same dict but looks into every value for a
    nested item (about 80 µs a story); a story's values are strings, lists of strings and
    None. The values are read at once (``operator.attrgetter``): 2.9 -> 2.4 µs (timeit).
    """
    return dict(zip(STORY_FIELDS, _story_values(story), strict=False))  # as many, always


_story_values = operator.attrgetter(*STORY_FIELDS)


_STORY_FIELD_SET = frozenset(STORY_FIELDS)


class StoryFields:
    """A :class:`Story`'s fields by name, for the pipelines: what ``ItemAdapter`` gives
    (``a["id"]``, ``a.get("url")``, ``a["published"] = …``, ``items()``) without building
    an adapter per story per pipeline: a dates pipeline's reads and writes 0.7 µs instead
    of 4.6, spidermon's ``items()`` 2.2 µs instead of 11 (timeit), about 25 µs a story over
    the pipelines. A name that is not a field is a ``KeyError``, as there."""

    __slots__ = ("item",)

    def __init__(self, item: Story) -> None:
        self.item = item

    def __getitem__(self, name: str) -> Any:
        if name not in _STORY_FIELD_SET:
            raise KeyError(name)
        return getattr(self.item, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in _STORY_FIELD_SET:
            raise KeyError(f"Story has no field {name!r}")
        setattr(self.item, name, value)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self.item, name) if name in _STORY_FIELD_SET else default

    def items(self) -> Iterator[tuple[str, Any]]:
        item = self.item
        return ((name, getattr(item, name)) for name in STORY_FIELDS)


#: What :func:`item_fields` gives.
Fields = StoryFields | ItemAdapter


def item_fields(item: Any) -> Fields:
    """The item's fields by name: a :class:`StoryFields` for a Story, else ``ItemAdapter``
    (a dict or any other item a pipeline is handed)."""
    return StoryFields(item) if type(item) is Story else ItemAdapter(item)
