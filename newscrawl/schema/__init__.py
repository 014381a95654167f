"""The JSON Schema of the exported record, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

STORY_SCHEMA_PATH = Path(__file__).with_name("story.schema.json")


@cache
def story_schema() -> dict[str, Any]:
    return json.loads(STORY_SCHEMA_PATH.read_text(encoding="utf-8"))
