"""A record of a complete export as an entry of its hashtags' feeds: checked, keyed, versioned.

Feeds list stories newest first by ``published`` (a story without one, by ``crawled_at``).
A day-precision date is midnight in the site's zone (``NEWSCRAWL_TIMEZONE``): Daily8 prints
calendar dates there. The *sort key* is that instant in UTC; the *version* orders two
exports of one story (``refresh=1`` exports stories again) so that every path keeps the same
one: the later sort key wins, then the later ``crawled_at``, then the later run.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from newscrawl.sites import SiteProfile, load_profile
from newscrawl.tags import validate_tag

# Characters XML 1.0 cannot carry at all; the extractor already drops control characters,
# so this only keeps a hand-edited export from breaking a whole feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INSTANT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def load_json(line: bytes | str) -> Any:
    """One JSON text, by orjson; what orjson refuses and the standard library reads (a lone
    surrogate escape, ``"\\ud800"``) is read the standard library's way, so the two accept
    the same lines."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


def dump_shown(shown: dict[str, Any]) -> str:
    """An entry's stored text: its fields as compact JSON, keys sorted, UTF-8 unescaped
    (orjson; the standard library where orjson refuses a string, as a lone surrogate)."""
    try:
        return orjson.dumps(shown, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def xml_safe(value: str) -> str:
    return _NOT_XML.sub("", value) if not value.isprintable() else value


@functools.lru_cache(maxsize=4096)
def _tag_problem(tag: str) -> str | None:
    """Why *tag* cannot name a feed file, or None (hashtags repeat: checked once each)."""
    try:
        if validate_tag(tag) != tag:
            return "not as the site spells it"
    except ValueError as exc:
        return str(exc)
    return None


class BadRecord(ValueError):
    """An export line that cannot be a feed entry; the message names the field."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One story as the feeds of its hashtags show it (``shown``: the fields, Atom-ready)."""

    story_id: str
    lang: str
    hashtags: tuple[str, ...]
    sort_key: str
    version: str
    shown: dict[str, Any]


def _text(record: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = record.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(f"{name} must be a non-empty string, not {value!r}")
    return value


def _strings(record: dict[str, Any], name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise BadRecord(f"{name} must be a list of non-empty strings, not {value!r}")
    return list(value)


def published_instant(published: str, zone: ZoneInfo) -> datetime:
    """The instant a record's ``published`` stands for (a bare date: midnight in *zone*)."""
    try:
        if m := _DAY.match(published):
            return datetime(*map(int, m.groups()), tzinfo=zone)
        if m := _INSTANT.match(published):
            return datetime(*map(int, m.groups()), tzinfo=UTC)
    except ValueError:  # the shape of a date, not a date (2025-02-30)
        pass
    raise BadRecord(f"published must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not {published!r}")


def rfc3339(instant: datetime) -> str:
    """``2025-06-12T09:30:00Z``, or with the zone's offset (``+04:00``) when not UTC."""
    if instant.utcoffset() == timedelta(0):
        return instant.strftime(_UTC_FORMAT)
    return instant.isoformat(timespec="seconds")


@functools.lru_cache(maxsize=1 << 14)
def _published_keys(published: str, zone: ZoneInfo) -> tuple[str, str]:
    """A ``published`` value's sort key (the instant in UTC) and its Atom text, once per
    distinct value: a run's stories share their days, and formatting both was a tenth of
    reading an export."""
    instant = published_instant(published, zone)
    return instant.astimezone(UTC).strftime(_UTC_FORMAT), rfc3339(instant)


@functools.cache
def _id_shape(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def entry_from_record(
    record: Any, run_id: str, zone: ZoneInfo, site: SiteProfile | None = None
) -> FeedEntry:
    """The feed entry of one export line; :class:`BadRecord` naming what is wrong.

    *site* (default: Daily8) says what an id looks like and which languages there are.
    """
    if not isinstance(record, dict):
        raise BadRecord(f"a record must be a JSON object, not {type(record).__name__}")
    site = site or load_profile()
    id_shape = _id_shape(site.id_pattern)
    story_id = _text(record, "id", required=True)
    if not id_shape.match(story_id or ""):
        raise BadRecord(f"id must match {site.id_pattern} ({site.name}), not {story_id!r}")
    url = _text(record, "url", required=True)
    if not str(url).startswith(("http://", "https://")):
        raise BadRecord(f"url must be an http(s) URL, not {url!r}")
    lang = record.get("lang")
    if lang not in site.langs:
        raise BadRecord(f"lang must be one of {', '.join(site.langs)}, not {lang!r}")
    crawled_at = _text(record, "crawled_at", required=True)
    if not _INSTANT.match(crawled_at or ""):
        raise BadRecord(f"crawled_at must be YYYY-MM-DDTHH:MM:SSZ, not {crawled_at!r}")
    hashtags = _strings(record, "hashtags")
    if not hashtags:
        raise BadRecord("hashtags is empty: the story belongs to no feed")
    for tag in hashtags:
        problem = _tag_problem(tag)
        if problem is not None:
            raise BadRecord(f"hashtag {tag!r} cannot name a feed file: {problem}")
    duplicate_of = _text(record, "duplicate_of")
    if duplicate_of is not None and not id_shape.match(duplicate_of):
        raise BadRecord(
            f"duplicate_of must match {site.id_pattern} or be null, not {duplicate_of!r}"
        )
    published = _text(record, "published")
    sort_key, shown_published = (
        _published_keys(published, zone) if published else (crawled_at, None)
    )
    publisher, excerpt = _text(record, "publisher"), _text(record, "excerpt")
    shown = {
        "id": story_id,
        "url": xml_safe(url),
        "title": xml_safe(_text(record, "title", required=True)),
        "publisher": xml_safe(publisher) if publisher else None,
        "published": shown_published,
        "updated": crawled_at,
        "excerpt": xml_safe(excerpt) if excerpt else None,
        "categories": [xml_safe(c) for c in _strings(record, "categories")],
        "hashtags": hashtags,
        "duplicate_of": duplicate_of,
    }
    return FeedEntry(
        story_id=story_id,
        lang=lang,
        hashtags=tuple(dict.fromkeys(hashtags)),
        sort_key=sort_key,
        version=f"{crawled_at} {run_id}",
        shown=shown,
    )
