"""The Story record newscrawl exports: one per story per run, typed, with its schema version."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

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
    None.
    """
    return {name: getattr(story, name) for name in STORY_FIELDS}
