"""Date normaliser beside ``dateparser.parse``: time per date and the answers, on the site's shapes.

The corpus is every distinct date text the replica prints (English and Arabic, absolute
``18-04-2025`` / ``١٨-٠٤-٢٠٢٥`` and relative ``6 minutes ago`` / ``منذ 10 ساعات``), with
the value a correct reader derives. Runs in its own process (``python -m
newscrawl.bench.dates CORPUS OUT``) so that dateparser's import is seen, and timed, here.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newscrawl.dates import DateNormaliser, parse_now


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
                normaliser.normalise(text, lang)
                per_text[i].append(timer() - t0)
        # The same work without a timer around each call: the mean cost in a tight loop.
        pairs = [(c["text"], c["lang"]) for c in corpus]
        t0 = timer()
        for _ in range(passes):
            for text, lang in pairs:
                normaliser.normalise(text, lang)
        loop_ns = (timer() - t0) / (passes * len(pairs))
        # What the timer itself costs, so the per-call figures can be read against it.
        overhead = min(_tick(timer) for _ in range(1000))
    finally:
        gc.enable()
    each = [statistics.median(v) / 1000 for v in per_text]
    answers = [normaliser.normalise(c["text"], c["lang"]) for c in corpus]
    weights = [c.get("stories", 1) for c in corpus]
    by_shape: dict[str, float] = {}
    for lang in ("en", "ar"):
        for shape in ("absolute", "relative"):
            group = [
                e
                for e, c in zip(each, corpus, strict=True)
                if (c["lang"], c["shape"]) == (lang, shape)
            ]
            if group:
                by_shape[f"{lang} {shape}"] = statistics.median(group)
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
    for c, (value, _, _), found in zip(corpus, ours["answers"], theirs["results"], strict=True):
        dp_value = _as_value(found, c["precision"], zone)
        ours_ok = value == c["value"]
        dp_ok = dp_value == c["value"]
        ours_right += ours_ok
        dp_right += dp_ok
        agree += dp_ok and value == dp_value
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
            f"{lang} {shape}": sum(1 for c in corpus if c["lang"] == lang and c["shape"] == shape)
            for lang in ("en", "ar")
            for shape in ("absolute", "relative")
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
    args = parser.parse_args(argv)
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    result = run(corpus, args.now, args.tz, args.passes)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
