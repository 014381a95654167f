"""Dates as JavaScript front ends print them: every text moment, date-fns, dayjs and node's
Intl print (tests/jsdates/print.js, pinned versions), read through the normaliser and
through a crawl of the replica whose cards show them.

The texts come from the libraries themselves, for a grid of instants around NOW; what each
text says (unit and count, or the calendar date) comes from the same libraries, and
``expected_reading`` turns that into the value and precision the issue asks for.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newscrawl.bench.dates import (
    Expected,
    JsDatesUnavailable,
    expected_reading,
    library_texts,
    row_lang,
)
from newscrawl.dates import DateNormaliser, parse_now
from newscrawl.replica.server import ReplicaServer
from newscrawl.replica.site import Site, Story, build_site
from tests.conftest import NOW, run_crawl

TZ = "Asia/Dubai"
WHEN = parse_now(NOW)
# Invisible marks the page object drops from card text (README: published_raw).
BIDI_MARKS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def node_missing(reason: str) -> None:
    """Skip with *reason* on a developer's machine; in CI (CI=true) fail instead."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"node missing in CI (CI=true): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    if shutil.which("node") is None or shutil.which("npm") is None:
        node_missing("node and npm are needed to print the JavaScript libraries' date texts")
    try:
        return library_texts(NOW, TZ)
    except JsDatesUnavailable as error:
        node_missing(str(error))
        raise


def _misread(rows: list[dict[str, Any]], normaliser: DateNormaliser) -> list[str]:
    wrong = []
    for row in rows:
        want = expected_reading(row, WHEN, TZ)
        got = normaliser.normalise(row["text"], row_lang(row))
        if not want.admits(got.value, got.precision):
            wrong.append(
                f"{row['text']!r} ({row['library']} {row.get('fn', '')} {row['locale']} "
                f"{row.get('style', '')} {row.get('numeric', '')} {row.get('calendar', '')}): "
                f"want {want.value} {want.precision}, got {got.value} {got.precision}"
            )
    return wrong


def test_the_grid_covers_every_library_locale_and_kind(rows: list[dict[str, Any]]) -> None:
    # Guards the generator itself: a script printing little would make the next tests easy.
    by_library = Counter(r["library"] for r in rows)
    assert set(by_library) == {
        "moment",
        "date-fns",
        "dayjs",
        "Intl.RelativeTimeFormat",
        "Intl.DateTimeFormat",
    }
    locales = {(r["library"], loc) for r in rows for loc in r["locales"]}
    for library, some in [
        ("moment", {"en", "en-gb", "en-au", "en-in", "ar", "ar-sa", "ar-dz", "ar-kw", "ar-ly"}),
        ("dayjs", {"en", "en-gb", "ar", "ar-sa", "ar-iq", "ar-ma", "ar-tn"}),
        ("date-fns", {"enUS", "enGB", "enAU", "enIN", "ar", "arSA", "arEG", "arDZ", "arTN"}),
        ("Intl.RelativeTimeFormat", {"en", "en-US", "en-GB", "ar", "ar-SA", "ar-EG", "ar-AE"}),
        ("Intl.DateTimeFormat", {"en-US", "en-CA", "ar-SA", "ar-IQ", "ar-DZ", "ar-MA"}),
    ]:
        assert {(library, loc) for loc in some} <= locales, library
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["past"] > 1500 and kinds["future"] > 1500 and kinds["absolute"] > 3000
    assert kinds["same_both_ways"] > 0  # ICU's Arabic short months: "خلال 3 أشهر"
    assert {r["calendar"] for r in rows if r["kind"] == "absolute"} == {
        "gregory",
        "islamic-umalqura",
    }
    texts = {r["text"] for r in rows}
    # The issue's own examples are among what the libraries print (each line keeps only
    # the first grid point that printed its text: these show the styles are all there).
    for text in [
        "منذ ساعة واحدة تقريباً",
        "منذ 3 ساعات تقريباً",
        "منذ حوالي 3 ساعات",
        "منذ أكثر من سنة",
        "منذ ما يقارب سنتين",
        "منذ نصف دقيقة",
        "منذ نص دقيقة",
        "last month",
        "الأسبوع الماضي",
        "السنة الماضية",
        "2 hr. ago",
        "2h ago",
        "3 wk. ago",
        "3w ago",
        "last mo.",
        "2mo ago",
        "last qtr.",
        "١٦\u200f/١٢\u200f/١٤٤٦ هـ",
        "١٦ ذو الحجة ١٤٤٦ هـ",
    ]:
        assert text in texts, text


def test_every_text_reads_to_what_it_says(rows: list[dict[str, Any]]) -> None:
    wrong = _misread(rows, DateNormaliser(WHEN, TZ))
    assert not wrong, f"{len(wrong)} of {len(rows)} misread:\n" + "\n".join(wrong[:30])


def test_every_text_is_read_on_the_fast_path(rows: list[dict[str, Any]]) -> None:
    # dateparser off: nothing the libraries print needs it.
    wrong = _misread(rows, DateNormaliser(WHEN, TZ, use_dateparser=False))
    assert not wrong, f"{len(wrong)} of {len(rows)} need dateparser:\n" + "\n".join(wrong[:30])


def test_hijri_dates_are_the_gregorian_day_intl_formatted(rows: list[dict[str, Any]]) -> None:
    # The Umm al-Qura conversion agrees with ICU's over two years of days (with their era,
    # numbers day first as printed).
    hijri = [
        r
        for r in rows
        if r.get("calendar") == "islamic-umalqura"
        and r["era"]
        and not (r["numbers"] and r["order"] == "mdy")
    ]
    assert len({r["date"] for r in hijri}) >= 60
    normaliser = DateNormaliser(WHEN, TZ, use_dateparser=False)
    for r in hijri:
        assert normaliser.normalise(r["text"], row_lang(r)).value == r["date"], r


# --- one crawl of the replica whose cards show these texts -------------------------------


class LibraryDatesSite(Site):
    """The replica with each dated card showing a text a JavaScript library printed."""

    def __init__(self, base: Site, dates: dict[str, tuple[str, Expected]]) -> None:
        self.__dict__.update(base.__dict__)
        self._stories = {}
        self._dates = dates

    def story(self, story_id: str) -> Story:
        story = super().story(story_id)
        if story_id not in self._dates or story.date_text == self._dates[story_id][0]:
            return story
        text, want = self._dates[story_id]
        story = replace(
            story, date_text=text, published=want.value, published_precision=want.precision
        )
        self._stories[story_id] = story
        return story

    def record(self, story_id: str, hashtags: list[str]) -> dict:
        out = super().record(story_id, hashtags)
        if out["published_raw"] is not None:
            # The card's text with its invisible marks removed, as the README says.
            out["published_raw"] = " ".join(BIDI_MARKS.sub("", out["published_raw"]).split())
        return out


def _sample(rows: list[dict[str, Any]], lang: str, n: int) -> list[dict[str, Any]]:
    """*n* texts of *lang*, every library and kind among them; a-few-seconds texts left out
    (their instant is a window, the oracle a single value)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if row_lang(r) == lang and expected_reading(r, WHEN, TZ).earliest is None:
            groups.setdefault((r["library"], r["kind"], r.get("calendar", "")), []).append(r)
    rng = random.Random(16)
    for group in groups.values():
        rng.shuffle(group)
    picked: list[dict[str, Any]] = []
    while len(picked) < n and any(groups.values()):
        for key in sorted(groups):
            if groups[key] and len(picked) < n:
                picked.append(groups[key].pop())
    return picked


def test_a_crawl_of_cards_with_these_texts(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    base = build_site(now=NOW)
    dates: dict[str, tuple[str, Expected]] = {}
    shown: dict[str, list[str]] = {}
    for lang in ("en", "ar"):
        ids = [sid for sid in base.story_ids(lang) if base.story(sid).date_text]
        sample = _sample(rows, lang, len(ids))
        shown[lang] = [r["text"] for r in sample]
        for sid, r in zip(ids, sample, strict=False):
            dates[sid] = (r["text"], expected_reading(r, WHEN, TZ))
    site = LibraryDatesSite(base, dates)
    expected_failed = 0
    with ReplicaServer(site, variant="modules") as server:
        for lang in ("en", "ar"):
            tags = site.tags(lang)
            probe = tmp_path / f"probe-{lang}.json"
            result = run_crawl(
                server.base_url,
                tmp_path / lang,
                "-a",
                f"lang={lang}",
                "-a",
                "tags=" + ",".join(tags),
                env={
                    "SCRAPY_SETTINGS_MODULE": "newscrawl.bench.settings",
                    "NEWSCRAWL_BENCH_PROBE": str(probe),
                },
            )
            assert result.returncode == 0, result.log[-3000:]
            want = site.expected(lang, tags, max_pages=10)
            got = result.by_id()
            assert sorted(got) == sorted(want)
            for sid, record in want.items():
                for name in ("published", "published_precision", "published_raw"):
                    assert got[sid][name] == record[name], (sid, name, got[sid][name], record)
            # The texts that name no past instant: null, counted and warned about, as any
            # unreadable date; and no text needed dateparser, which was never imported.
            unread = [r for r in want.values() if r["published_raw"] and not r["published"]]
            assert unread, "the sample has futures and texts printed either way"
            stats = json.loads(probe.read_text(encoding="utf-8"))
            assert stats["stats"]["newscrawl/dates/failed"] == len(unread)
            assert stats["stats"].get("newscrawl/dates/dateparser", 0) == 0
            assert stats["dateparser_loaded"] is False
            assert result.log.count("unreadable date") == len(unread)
            expected_failed += len(unread)
            # Most of the sample was on the cards the crawl read.
            on_cards = {r["published_raw"] for r in want.values()}
            sample = {" ".join(BIDI_MARKS.sub("", t).split()) for t in shown[lang]}
            assert len(on_cards & sample) > 0.5 * len(sample)
    assert expected_failed > 0
