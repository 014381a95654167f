"""Hashtag arguments: comma lists, tags files with comments, and refusal of unsafe values."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.tags import parse_tag_list, read_tags_file


def test_comma_list_strips_and_keeps_spelling() -> None:
    assert parse_tag_list(" Saco, Prince&Knight ,#باكستان,") == ["Saco", "Prince&Knight", "باكستان"]


def test_tags_file_comments_and_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "tags.txt"
    f.write_text(
        "\ufeff# my topics\n\nSaco  # the company\n#Prince&Knight\n  كأس_العالم \n#\n",
        encoding="utf-8",
    )
    assert read_tags_file(f) == ["Saco", "Prince&Knight", "كأس_العالم"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("a/b", "may not contain '/'"),
        ("..", "may not contain"),
        ("a\x00b", "control characters"),
        ("two words", "spaces"),
        ("x" * 101, "longer than 100"),
    ],
)
def test_unsafe_tags_are_refused(bad: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_tag_list(bad)


def test_tags_file_error_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "tags.txt"
    f.write_text("Saco\nbad/tag\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"tags.txt:2: .*'/'"):
        read_tags_file(f)
