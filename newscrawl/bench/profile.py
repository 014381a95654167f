"""Reading a py-spy profile (``--format raw``: collapsed stacks) into a short table.

Each sample's stack is attributed to the first newscrawl frame from the top of the stack
that is not the spider coordinating (so "extraction", "pipelines/dates", ...), else to
Scrapy, Twisted/asyncio, lxml/parsel, logging or start-up imports. That says at a glance how
much of the crawl's CPU is newscrawl's own work.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")

_THEIRS = (
    ("importlib", "start-up: imports"),
    ("scrapy/exporters", "scrapy: feed export (JSON)"),
    ("scrapy/extensions/feedexport", "scrapy: feed export (JSON)"),
    ("json/", "scrapy: feed export (JSON)"),
    ("logging/", "logging"),
    ("parsel/", "lxml/parsel parsing"),
    ("lxml/", "lxml/parsel parsing"),
    ("scrapy/", "scrapy engine"),
    ("twisted/", "twisted/asyncio"),
    ("asyncio/", "twisted/asyncio"),
)
# Frames that coordinate rather than work: the spider, and spiders the bench defines.
_COORDINATING = ("newscrawl/spiders/", "newscrawl/bench/")
# Just below the spider, these mean the engine is at work on what the spider handed it.
_ENGINE = ("scrapy/core/", "scrapy/utils/", "scrapy/signalmanager", "twisted/", "asyncio/")
_PARSING = ("scrapy/http/", "scrapy/selector/", "parsel/")


def _file(frame: str) -> str:
    m = _FRAME.match(frame)
    return m["file"] if m else frame


def _ours(path: str) -> str:
    rest = path.split("newscrawl/", 1)[1].removesuffix(".py")
    if rest.startswith("sites/"):
        return "newscrawl: extraction (sites/)"
    if rest.startswith("pipelines/"):
        return f"newscrawl: {rest.split('/', 1)[1]} pipeline"
    return f"newscrawl: {rest}"


def _theirs(files: list[str]) -> str:
    for f in reversed(files):  # leaf first
        for key, name in _THEIRS:
            if key in f:
                return name
    return "other"


def bucket(stack: list[str]) -> str:
    """The bucket of one sampled stack (root first, leaf last).

    The outermost newscrawl frame that does work names it (a pipeline with the store and
    libraries it calls, the extractor); under the spider alone, the spider's own stats and
    logs are newscrawl's, while parsing the response and running the engine are Scrapy's.
    """
    files = [_file(f) for f in stack]
    spider_at = None
    for i, f in enumerate(files):
        if "newscrawl/" not in f:
            continue
        if any(c in f for c in _COORDINATING):
            spider_at = i
            continue
        return _ours(f)
    if spider_at is None:
        return _theirs(files)
    below = files[spider_at + 1] if spider_at + 1 < len(files) else ""
    if not below:
        return "newscrawl: spider (stats, logs)"
    if any(k in below for k in _PARSING):
        return "lxml/parsel parsing"
    if any(k in below for k in _ENGINE):
        return _theirs(files[spider_at + 1 :])
    return "newscrawl: spider (stats, logs)"


def summarise(raw: Path, top: int = 15) -> tuple[Counter[str], Counter[str], int]:
    """(samples per bucket, self samples per function, total) of a py-spy raw file."""
    buckets: Counter[str] = Counter()
    funcs: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        stack = stack_text.split(";")
        total += n
        buckets[bucket(stack)] += n
        leaf = _FRAME.match(stack[-1])
        funcs[f"{leaf['func']} ({leaf['file']})" if leaf else stack[-1]] += n
    return buckets, Counter(dict(funcs.most_common(top))), total


def render(raw: Path, top: int = 15) -> str:
    buckets, funcs, total = summarise(raw, top)
    if not total:
        return "(no samples)\n"
    lines = ["| where the crawler's CPU went | share |", "| --- | ---: |"]
    lines += [f"| {name} | {100 * n / total:.1f}% |" for name, n in buckets.most_common()]
    lines += ["", "| hottest functions (self time) | share |", "| --- | ---: |"]
    lines += [f"| `{name}` | {100 * n / total:.1f}% |" for name, n in funcs.most_common()]
    return "\n".join(lines) + "\n"
