"""The JSON Schema of the exported record, shipped with the package."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

# Read as a package resource, not as a path beside this file: in the zipped egg that
# scrapyd runs there is no such file on disk (docs/OPERATIONS.md, "Deploying on scrapyd").
STORY_SCHEMA: dict[str, Any] = json.loads(
    files(__package__).joinpath("story.schema.json").read_text(encoding="utf-8")
)
# The object path spidermon's SPIDERMON_VALIDATION_SCHEMAS loads STORY_SCHEMA from.
STORY_SCHEMA_OBJECT = f"{__package__}.STORY_SCHEMA"


def story_schema() -> dict[str, Any]:
    """The story record's schema (one dict per process: treat it as read-only)."""
    return STORY_SCHEMA
