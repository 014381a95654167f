"""The JSON Schema of the exported record, shipped with the package.

The shipped file is Daily8's (the default site). What differs by site (the id's and the
URL's shapes, the languages) comes from the site's profile: :func:`story_schema` with a
profile is the file with those four values replaced, and is the file itself for Daily8.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscrawl.sites import SiteProfile

# Read as a package resource, not as a path beside this file: in the zipped egg that
# scrapyd runs there is no such file on disk (docs/OPERATIONS.md, "Deploying on scrapyd").
STORY_SCHEMA: dict[str, Any] = json.loads(
    files(__package__).joinpath("story.schema.json").read_text(encoding="utf-8")
)
# The object path spidermon's SPIDERMON_VALIDATION_SCHEMAS loads STORY_SCHEMA from.
STORY_SCHEMA_OBJECT = f"{__package__}.STORY_SCHEMA"


def story_schema(site: SiteProfile | None = None) -> dict[str, Any]:
    """The story record's schema, for *site* (default: the shipped one, Daily8's).

    One dict per site and process: treat it as read-only.
    """
    if site is None:
        return STORY_SCHEMA
    return _site_schema(site.name, site.id_pattern, site.url_pattern, site.langs)


@functools.cache
def _site_schema(
    name: str, id_pattern: str, url_pattern: str, langs: tuple[str, ...]
) -> dict[str, Any]:
    props = STORY_SCHEMA["properties"]
    if (
        props["id"]["pattern"] == id_pattern
        and props["duplicate_of"]["pattern"] == id_pattern
        and props["url"]["pattern"] == url_pattern
        and props["lang"]["enum"] == list(langs)
    ):
        return STORY_SCHEMA  # the same object: spidermon's loader is handed it as it is
    schema = copy.deepcopy(STORY_SCHEMA)
    props = schema["properties"]
    props["id"]["pattern"] = props["duplicate_of"]["pattern"] = id_pattern
    props["url"]["pattern"] = url_pattern
    props["lang"]["enum"] = list(langs)
    schema["title"] = f"{schema['title']} ({name})"
    return schema
