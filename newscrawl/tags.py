"""Hashtag arguments: the comma list and the tags file, validated before anything is fetched."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

MAX_TAG_LENGTH = 100


def validate_tag(tag: str) -> str:
    """The tag as given, stripped; ValueError naming it if it cannot be a hashtag."""
    t = tag.strip().lstrip("#").strip()
    if not t:
        raise ValueError("empty hashtag")
    if len(t) > MAX_TAG_LENGTH:
        raise ValueError(f"hashtag longer than {MAX_TAG_LENGTH} characters: {t[:40]!r}...")
    if "/" in t or "\\" in t or ".." in t:
        raise ValueError(f"hashtag may not contain '/', '\\' or '..': {t!r}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in t) or any(
        ch.isspace() for ch in t
    ):
        raise ValueError(f"hashtag may not contain spaces or control characters: {t!r}")
    return t


def parse_tag_list(value: str) -> list[str]:
    return [validate_tag(t) for t in value.split(",") if t.strip()]


def read_tags_file(path: Path) -> list[str]:
    """One hashtag per line; blank lines and comments skipped.

    A comment is ``#`` followed by a space (or alone), at the start of a line or after
    the tag: ``# my topics``, ``Saco  # the company``. ``#Saco`` is the hashtag Saco.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:  # the argument that is wrong, not a traceback about a file
        raise ValueError(
            f"tags_file {path}: cannot be read ({exc.strerror}); give a file with one"
            " hashtag per line"
        ) from None
    tags: list[str] = []
    for n, content in tag_lines(text):
        try:
            tags.append(validate_tag(content))
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: {exc}") from None
    return tags


def tag_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, content) of a tags file's lines that are not blank or a comment; a
    comment is ``#`` then a space (or alone), at the start of a line or after the tag."""
    for n, line in enumerate(text.splitlines(), 1):
        content = line.split(" # ", 1)[0].strip()
        if content and not content.startswith("# ") and content != "#":
            yield n, content
