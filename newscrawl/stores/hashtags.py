"""The hashtag registry: every hashtag seen on story pages, so users can follow new ones."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

REGISTRY_FILE = "hashtags.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hashtags (
    lang TEXT NOT NULL,
    tag TEXT NOT NULL,
    first_seen TEXT NOT NULL,      -- UTC, when a story page first linked it
    last_seen TEXT NOT NULL,
    story_pages INTEGER NOT NULL,  -- story pages seen linking it, all runs together
    listed_stories INTEGER,        -- stories its listing showed when last crawled; NULL: never
    last_crawled TEXT,
    PRIMARY KEY (lang, tag)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class HashtagRow:
    lang: str
    tag: str
    first_seen: str
    last_seen: str
    story_pages: int
    listed_stories: int | None
    last_crawled: str | None


class HashtagRegistry:
    """SQLite file in the data dir; one row per (lang, hashtag)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)

    def record(
        self,
        lang: str,
        seen_at: str,
        linked: dict[str, int],
        crawled: dict[str, int],
    ) -> None:
        """*linked*: hashtag -> story pages linking it this run; *crawled*: hashtag ->
        stories its listing showed this run (only hashtags whose listing was crawled)."""
        with self._db:
            for tag, n in linked.items():
                self._db.execute(
                    "INSERT INTO hashtags (lang, tag, first_seen, last_seen, story_pages)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (lang, tag) DO UPDATE SET"
                    " last_seen = excluded.last_seen,"
                    " story_pages = story_pages + excluded.story_pages",
                    (lang, tag, seen_at, seen_at, n),
                )
            for tag, n in crawled.items():
                self._db.execute(
                    "UPDATE hashtags SET listed_stories = ?, last_crawled = ?"
                    " WHERE lang = ? AND tag = ?",
                    (n, seen_at, lang, tag),
                )

    def rows(self, lang: str | None = None) -> list[HashtagRow]:
        sql = "SELECT lang, tag, first_seen, last_seen, story_pages, listed_stories, last_crawled"
        sql += " FROM hashtags"
        args: tuple[str, ...] = ()
        if lang:
            sql += " WHERE lang = ?"
            args = (lang,)
        sql += " ORDER BY story_pages DESC, first_seen, tag"
        return [HashtagRow(*r) for r in self._db.execute(sql, args)]

    def close(self) -> None:
        self._db.close()
