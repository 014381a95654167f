"""Date normaliser beside ``dateparser.parse``: time per date and the answers, on the site's shapes.

The corpus is every distinct date text the replica prints (English and Arabic, absolute
``18-04-2025`` / ``١٨-٠٤-٢٠٢٥`` and relative ``6 minutes ago`` / ``منذ 10 ساعات``), with
the value a correct reader derives, and a sample of what the JavaScript date libraries print
(moment, date-fns, dayjs, node's Intl: ``tests/jsdates/print.js``), with the value the text
says. Runs in its own process (``python -m newscrawl.bench.dates CORPUS OUT``) so that
dateparser's import is seen, and timed, here.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from newscrawl.dates import DateNormaliser, parse_now

# The pinned node project that prints the libraries' texts (package.json, package-lock.json).
JSDATES = Path(__file__).resolve().parents[2] / "tests" / "jsdates"


def corpus_from_site(site: Any) -> list[dict[str, str]]:
    """Distinct (text, lang) date texts of a replica site, with their true value."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for lang in ("en", "ar"):
        for sid in site.story_ids(lang):
            s = site.story(sid)
            if not s.date_text:
                continue
            entry = seen.get((s.date_text, lang))
            if entry is None:
                seen[s.date_text, lang] = entry = {
                    "text": s.date_text,
                    "lang": lang,
                    "value": s.published,
                    "precision": s.published_precision,
                    "shape": _shape(s.date_text),
                    "stories": 0,
                }
            entry["stories"] += 1  # how often the site prints it: weights the mean per card
    return list(seen.values())


def _shape(text: str) -> str:
    return "relative" if ("ago" in text or "منذ" in text) else "absolute"


# --- the JavaScript libraries' texts --------------------------------------------------------


class JsDatesUnavailable(RuntimeError):
    """node or npm is missing, so the libraries' texts cannot be printed."""


def install_jsdates(directory: Path = JSDATES) -> None:
    """``npm ci`` into *directory*/node_modules unless the locked versions are installed."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise JsDatesUnavailable("node and npm are needed to print the libraries' date texts")
    lock = json.loads((directory / "package-lock.json").read_text(encoding="utf-8"))
    installed = directory / "node_modules" / ".package-lock.json"
    if installed.exists():
        have = json.loads(installed.read_text(encoding="utf-8")).get("packages", {})
        want = {k: v for k, v in lock["packages"].items() if k}
        if all(have.get(k, {}).get("version") == v.get("version") for k, v in want.items()):
            return
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"npm ci in {directory} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )


def library_texts(now: str, tz: str, directory: Path = JSDATES) -> list[dict[str, Any]]:
    """Every distinct text ``print.js`` prints for *now* and *tz*, one dict per text."""
    install_jsdates(directory)
    proc = subprocess.run(
        ["node", "print.js", "--now", now, "--tz", tz],
        cwd=directory,
        env={**os.environ, "TZ": "UTC"},  # the zone the texts are in is --tz, not the machine's
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node print.js failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line]


@dataclass(frozen=True)
class Expected:
    """What a text says: a value and precision (or None), and the earliest value that fits."""

    value: str | None
    precision: str | None
    earliest: str | None = None  # "a few seconds ago": any instant from this to `value`

    def admits(self, value: str | None, precision: str | None) -> bool:
        if self.value is None or value is None:
            return value == self.value and precision is None
        low = self.earliest or self.value
        return precision == self.precision and low <= value <= self.value


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_CLOCK = {"second": 1, "minute": 60, "hour": 3600}


def expected_reading(row: dict[str, Any], now: datetime, tz: str) -> Expected:
    """The value and precision the text of a ``print.js`` row says (the issue's rules).

    "N units ago" is now minus N units: seconds and minutes at minute precision, hours at
    hour precision, days, weeks, quarters, months and years the calendar date in *tz*
    (day precision); "about/almost/over N" is N; "a few seconds", "less than a minute" is a
    window up to now; a future, a text printed for both sides and "this week/month/year"
    say no past instant. An absolute date is its Gregorian date, except where the numbers
    alone cannot say it: day first is the reading of a numeric date (Daily8's contract),
    so a month-first one ("6/12/2025", en-US) is read day first, and one without an era is
    Gregorian (en-AU's Hijri "16/12/1446").
    """
    kind = row["kind"]
    if kind in ("future", "same_both_ways"):
        return Expected(None, None)
    today = now.astimezone(ZoneInfo(tz)).date()
    if kind == "absolute":
        numbers = row.get("numbers")
        calendar = row["calendar"]
        if numbers and (row["order"] == "mdy" or (calendar != "gregory" and not row["era"])):
            day, month, year = numbers
            if year < 100:
                year += 2000
            if calendar != "gregory" and row["era"]:
                from hijridate import Hijri

                try:
                    return Expected(Hijri(year, month, day).to_gregorian().isoformat(), "day")
                except (ValueError, OverflowError):
                    return Expected(None, None)
            try:
                return Expected(date(year, month, day).isoformat(), "day")
            except ValueError:
                return Expected(None, None)
        return Expected(row["date"], "day")
    unit, count = row["unit"], row["count"]
    if count is None:
        return Expected(_instant(now), "minute", _instant(now - timedelta(seconds=row["window"])))
    if count == 0 and row.get("numeric") == "auto" and unit in ("week", "month", "quarter", "year"):
        return Expected(None, None)  # "this week": the present span, no day in it
    if unit in _CLOCK:
        precision = "hour" if unit == "hour" else "minute"
        return Expected(_instant(now - timedelta(seconds=count * _CLOCK[unit])), precision)
    if unit == "day":
        day = today - timedelta(days=count)
    elif unit == "week":
        day = today - timedelta(weeks=count)
    elif unit == "quarter":
        day = today - relativedelta(months=3 * count)
    else:
        day = today - relativedelta(**{f"{unit}s": count})
    return Expected(day.isoformat(), "day")


def row_lang(row: dict[str, Any]) -> str:
    return "ar" if row["locale"].lower().startswith("ar") else "en"


def row_family(row: dict[str, Any]) -> str:
    """What kind of text a row is, for the bench's table: relative, absolute, hijri, none."""
    if row["kind"] == "absolute":
        return "library hijri" if row["calendar"] != "gregory" else "library absolute"
    return "library relative" if row["kind"] == "past" else "library no past"


def corpus_from_libraries(
    now: str, tz: str, sample: int = 1200, seed: int = 8
) -> list[dict[str, Any]]:
    """A sample of the libraries' texts, every family in it, with the value each says.

    Month-first and era-less numeric dates are left out: the reader takes them day first
    and Gregorian by contract (see ``expected_reading``), which is no measure of it.
    """
    when = parse_now(now)
    rows = [
        r
        for r in library_texts(now, tz)
        if not (
            r["kind"] == "absolute"
            and r.get("numbers")
            and (r["order"] == "mdy" or (r["calendar"] != "gregory" and not r["era"]))
        )
    ]
    families: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        families.setdefault(f"{row_lang(r)} {row_family(r)}", []).append(r)
    rng = random.Random(seed)
    share = sample / len(rows) if rows else 0
    picked: list[dict[str, Any]] = []
    for name in sorted(families):
        group = families[name]
        picked.extend(rng.sample(group, min(len(group), max(1, round(share * len(group))))))
    corpus = []
    for r in picked:
        want = expected_reading(r, when, tz)
        corpus.append(
            {
                "text": r["text"],
                "lang": row_lang(r),
                "value": want.value,
                "precision": want.precision,
                "earliest": want.earliest,
                "shape": row_family(r),
                "stories": 1,
            }
        )
    return corpus


def _shape_keys(corpus: list[dict[str, Any]]) -> list[str]:
    keys = {f"{c['lang']} {c['shape']}" for c in corpus}
    return sorted(keys, key=lambda k: (not k.startswith("en"), "library" in k, k))


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _tick(timer: Any) -> int:
    t0 = timer()
    return timer() - t0


def time_normaliser(
    corpus: list[dict[str, str]], now: datetime, tz: str, passes: int
) -> dict[str, Any]:
    """Median and p99 µs per date (each text's median over shuffled passes), and answers."""
    normaliser = DateNormaliser(now, tz)
    timer = time.perf_counter_ns
    per_text: list[list[int]] = [[] for _ in corpus]
    order = list(range(len(corpus)))
    rng = random.Random(8)
    gc.disable()  # a collection landing inside one call would be charged to that date
    try:
        for _ in range(passes):
            rng.shuffle(order)
            for i in order:
                text, lang = corpus[i]["text"], corpus[i]["lang"]
                t0 = timer()
                normaliser.read(text, lang)
                per_text[i].append(timer() - t0)
        # The same work without a timer around each call: the mean cost in a tight loop.
        pairs = [(c["text"], c["lang"]) for c in corpus]
        t0 = timer()
        for _ in range(passes):
            for text, lang in pairs:
                normaliser.read(text, lang)
        loop_ns = (timer() - t0) / (passes * len(pairs))
        # What the timer itself costs, so the per-call figures can be read against it.
        overhead = min(_tick(timer) for _ in range(1000))
    finally:
        gc.enable()
    each = [statistics.median(v) / 1000 for v in per_text]
    answers = [normaliser.normalise(c["text"], c["lang"]) for c in corpus]
    weights = [c.get("stories", 1) for c in corpus]
    by_shape: dict[str, float] = {}
    for key in _shape_keys(corpus):
        group = [e for e, c in zip(each, corpus, strict=True) if f"{c['lang']} {c['shape']}" == key]
        by_shape[key] = statistics.median(group)
    return {
        "median_us": statistics.median(each),
        "by_shape_median_us": by_shape,
        "per_story_mean_us": sum(e * w for e, w in zip(each, weights, strict=True)) / sum(weights),
        "p99_us": _quantile(each, 0.99),
        "max_us": max(each),
        "mean_loop_us": loop_ns / 1000,
        "timer_overhead_us": overhead / 1000,
        "passes": passes,
        "answers": [(a.value, a.precision, a.method) for a in answers],
        "dateparser_loaded": "dateparser" in sys.modules,
    }


def time_dateparser(corpus: list[dict[str, str]], now: datetime, tz: str) -> dict[str, Any]:
    """``dateparser.parse`` on the same texts, told the language, the zone and `now`."""
    t0 = time.perf_counter()
    import dateparser

    import_s = time.perf_counter() - t0
    zone = ZoneInfo(tz)
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": now.astimezone(zone).replace(tzinfo=None),
        "TIMEZONE": tz,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    first: dict[str, float] = {}
    for lang in ("en", "ar"):
        sample = next((c["text"] for c in corpus if c["lang"] == lang), None)
        if sample is not None:
            t0 = time.perf_counter()
            dateparser.parse(sample, languages=[lang], settings=settings)
            first[lang] = time.perf_counter() - t0
    each: list[float] = []
    results: list[datetime | None] = []
    for c in corpus:
        t0 = time.perf_counter_ns()
        found = dateparser.parse(c["text"], languages=[c["lang"]], settings=settings)
        each.append((time.perf_counter_ns() - t0) / 1000)
        results.append(found)
    return {
        "import_s": import_s,
        "first_call_s": first,
        "median_us": statistics.median(each),
        "p99_us": _quantile(each, 0.99),
        "results": results,
        "version": getattr(dateparser, "__version__", "?"),
    }


def _as_value(found: datetime | None, precision: str | None, zone: ZoneInfo) -> str | None:
    """dateparser's datetime in the normaliser's terms: a local day, or a UTC instant."""
    if found is None:
        return None
    if precision == "day":
        return found.astimezone(zone).date().isoformat()
    return found.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def compare(
    corpus: list[dict[str, str]], ours: dict[str, Any], theirs: dict[str, Any], tz: str
) -> dict[str, Any]:
    zone = ZoneInfo(tz)
    ours_right = dp_right = agree = 0
    wrong: list[dict[str, Any]] = []
    for c, (value, precision, _), found in zip(
        corpus, ours["answers"], theirs["results"], strict=True
    ):
        want = Expected(c["value"], c["precision"], c.get("earliest"))
        dp_value = _as_value(found, c["precision"], zone)
        ours_ok = want.admits(value, precision)
        dp_ok = want.admits(dp_value, c["precision"] if dp_value is not None else None)
        ours_right += ours_ok
        dp_right += dp_ok
        agree += dp_ok and ours_ok
        if not dp_ok and len(wrong) < 50:
            wrong.append({"text": c["text"], "want": c["value"], "dateparser": dp_value})
    return {
        "n": len(corpus),
        "ours_right": ours_right,
        "dateparser_right": dp_right,
        "agree_where_dateparser_right": agree,
        "dateparser_wrong_examples": wrong[:8],
    }


def run(corpus: list[dict[str, str]], now: str, tz: str, passes: int) -> dict[str, Any]:
    when = parse_now(now)
    ours = time_normaliser(corpus, when, tz, passes)
    theirs = time_dateparser(corpus, when, tz)
    result = {
        "n": len(corpus),
        "shapes": {
            key: sum(1 for c in corpus if f"{c['lang']} {c['shape']}" == key)
            for key in _shape_keys(corpus)
        },
        "ours": {k: v for k, v in ours.items() if k != "answers"},
        "dateparser": {k: v for k, v in theirs.items() if k != "results"},
        "answers": compare(corpus, ours, theirs, tz),
    }
    result["speedup_median"] = theirs["median_us"] / ours["median_us"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench.dates")
    parser.add_argument("corpus", type=Path, help="JSON list from corpus_from_site()")
    parser.add_argument("out", type=Path, help="where to write the figures (JSON)")
    parser.add_argument("--now", required=True)
    parser.add_argument("--tz", default="Asia/Dubai")
    parser.add_argument("--passes", type=int, default=15)
    parser.add_argument(
        "--libraries",
        type=int,
        default=1200,
        metavar="N",
        help="add N texts the JavaScript date libraries print (tests/jsdates; 0: none)",
    )
    args = parser.parse_args(argv)
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    if args.libraries:
        try:
            corpus += corpus_from_libraries(args.now, args.tz, sample=args.libraries)
        except JsDatesUnavailable as error:
            print(f"dates bench: without the libraries' texts: {error}", file=sys.stderr)
    result = run(corpus, args.now, args.tz, args.passes)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
