"""Syndicated copies: one story republished by several publishers is grouped, others are not."""

from __future__ import annotations

import html
import json
import logging
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.bench.syndication import evaluate, load_labelled
from newscrawl.pipelines.syndication import SyndicationPipeline
from newscrawl.stores import StoredFingerprint, bandindex
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import (
    METHOD_VERSION,
    Fingerprinter,
    FingerprinterV1,
    candidate_probability,
    jaccard,
    most_similar,
    shingles,
    story_text,
    strip_dateline,
    tokens,
)
from tests.conftest import run_crawl
from tests.mockserver.static import StaticServer

LABELLED = load_labelled()
BY_KEY = {r["id"]: r for r in LABELLED}


def labelled(group: str, label: str, n: int = 0) -> dict:
    """The *n*-th story of *group* with *label* in the labelled set."""
    return [r for r in LABELLED if r["group"] == group and r["label"] == label][n]


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ISLAMABAD (Reuters) - Pakistan and Britain agreed on Thursday to expand sharing.",
        "SINGAPORE, June 2 (Reuters) - Pakistan and Britain agreed on Thursday to expand sharing.",
        "GAZA/GENEVA, May 22 (Reuters) — Pakistan and Britain agreed on Thursday to expand sharing.",
        "ABU DHABI: Pakistan and Britain agreed on Thursday to expand sharing.",
    ],
)
def test_a_wire_dateline_is_not_part_of_the_story(text: str) -> None:
    assert strip_dateline(text) == "Pakistan and Britain agreed on Thursday to expand sharing."


def test_arabic_datelines_go_and_spellings_and_digits_fold() -> None:
    story = "أقر مجلس الوزراء السعودي يوم الثلاثاء الميزانية العامة للدولة لعام ٢٠٢٦ بعجز متوقع"
    assert strip_dateline("الرياض - رويترز: " + story) == story
    assert strip_dateline("دبي: " + story) == story
    # Hamza forms of alef, alef maqsura, taa marbuta, tatweel and short vowels fold away.
    assert tokens("أُعلن إعلان آخر علـى الميزانيّة ٢٠٢٦") == tokens(
        "اعلن اعلان اخر علي الميزانيه 2026"
    )


def test_text_that_only_looks_like_a_dateline_is_kept() -> None:
    assert strip_dateline("US, China agree to cut tariffs for 90 days, officials say") == (
        "US, China agree to cut tariffs for 90 days, officials say"
    )
    assert strip_dateline("UPDATE: short") == "UPDATE: short"  # nothing after it: not one


def test_case_accents_and_punctuation_do_not_count() -> None:
    assert story_text("Café Owners’ Strike", "ENDS TODAY.", None) == story_text(
        "cafe owners strike", "ends today", None
    )


def test_estimated_similarity_tracks_the_true_jaccard() -> None:
    fp = Fingerprinter()
    words = [f"w{i}" for i in range(400)]
    # 3-shingles of 400 words sharing the first 300: J = 298 / 498 ≈ 0.60
    a = fp.fingerprint_words(words)
    b = fp.fingerprint_words(words[:300] + [f"x{i}" for i in range(100)])
    c = fp.fingerprint_words([f"y{i}" for i in range(400)])
    assert a is not None and b is not None and c is not None
    assert abs(jaccard(a.signature, b.signature) - 298 / 498) < 0.12
    assert jaccard(a.signature, c.signature) < 0.05
    assert jaccard(a.signature, a.signature) == 1.0
    assert len(a.signature) == 128 and len(a.keys) == 32 and a.size == 398
    assert not set(a.keys) & set(c.keys)


def test_the_best_candidate_is_the_one_jaccard_ranks_first() -> None:
    fp = Fingerprinter()
    words = [f"w{i}" for i in range(200)]
    target = fp.fingerprint_words(words)
    others = [
        fp.fingerprint_words(words[:cut] + [f"x{cut}-{i}" for i in range(200 - cut)])
        for cut in (20, 150, 90, 150)  # the two at 150 tie: the first of them wins
    ]
    assert target is not None and all(others)
    sigs = [o.signature for o in others if o]
    i, similarity = most_similar(target.signature, sigs)
    assert i == 1
    assert similarity == jaccard(target.signature, sigs[1]) > jaccard(target.signature, sigs[2])


def test_signatures_are_datasketchs_affine32_value_for_value() -> None:
    # Stored fingerprints were made with datasketch 2.0 (METHOD_VERSION 1); the signature
    # computed in numpy must be the same, or earlier runs' copies would go unfound.
    from datasketch import MinHash

    fp = FingerprinterV1()
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)] + ["إسلام", "آباد", "café", "٢٠٢٥"]
    for n in (1, 2, 3, 10, 57, 400):
        grams = shingles(rng.choices(words, k=n + 2), 3)
        ref = MinHash(num_perm=128, seed=1, scheme="affine32")
        ref.update_batch(list(grams))
        assert fp.minhash(grams).tolist() == [int(v) for v in ref.hashvalues], n


def _old_tokens(text: str) -> list[str]:
    """The normalisation as method 1 first wrote it (regexes over the text): word_bytes()
    computes it differently, faster, and must give the same words."""
    import re
    import unicodedata

    marks = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
    if text.isascii():
        return re.findall(r"\w+", text.casefold())
    text = marks.sub("", unicodedata.normalize("NFKD", text))
    text = text.translate(str.maketrans({"ى": "ي", "ة": "ه", "ـ": None}))
    words = re.findall(r"\w+", text.casefold())
    return [
        w if w.isascii() else "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in w)
        for w in words
    ]


# Characters around the rules: accents, Arabic marks and spellings, Arabic-Indic and other
# digits, case folding that changes length or meets a mark (İ, ß, ﬁ, ᾳ, U+0345), spaces.
_TRICKY = "İßﬁᾳ\u0345ǰé٢٠²①_ \t\u2028\u3000،؟ـىةأإآ\u064e\u0651—’£"


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8", exclude_categories=["Cs"]),
            st.sampled_from(list(_TRICKY)),
        ),
        max_size=60,
    )
)
@settings(max_examples=3000, deadline=None)
def test_words_are_the_old_normalisations_on_any_text(text: str) -> None:
    assert tokens(text) == _old_tokens(text)


def test_words_are_the_old_normalisations_on_the_labelled_set() -> None:
    texts = [r[k] for r in LABELLED for k in ("title", "excerpt", "body") if r[k]]
    assert len(texts) > 190
    for text in texts:
        assert tokens(text) == _old_tokens(text), text[:80]


def test_no_character_is_both_a_word_character_and_a_space() -> None:
    # word_bytes() splits on whitespace where \w+ splits on anything else: the same only
    # if no character is both.
    both = [c for c in map(chr, range(0x110000)) if c.isspace() and (c.isalnum() or c == "_")]
    assert both == []


def _within_error(fp: Fingerprinter, a: list[str], b: list[str]) -> tuple[float, float]:
    """(estimate - exact Jaccard of the shingle sets, the estimate's standard error)."""
    sa, sb = shingles(a, 3), shingles(b, 3)
    true = len(sa & sb) / len(sa | sb)
    fa, fb = fp.fingerprint_words(a), fp.fingerprint_words(b)
    assert fa is not None and fb is not None
    assert (fa.size, fb.size) == (len(sa), len(sb))  # distinct shingles, as method 1
    agree = true + (1 - true) / 256  # b-bit signatures: bytes agree by chance too
    sd = (agree * (1 - agree) / fp.num_perm) ** 0.5 / (1 - 1 / 256)
    return jaccard(fa.signature, fb.signature) - true, sd


def test_method_2_estimates_jaccard_as_a_minhash_should() -> None:
    # 300 pairs of texts of distinct random words sharing a run of them (Jaccard 0 to 1):
    # each estimate within 4.5 standard errors, no bias, and the spread of 128 independent
    # permutations (permutations that were correlated would widen it).
    fp = Fingerprinter()
    rng = random.Random(11)
    errors, variances = [], []
    for _ in range(300):
        n = rng.randint(20, 300)
        base = [f"s{rng.getrandbits(48)}" for _ in range(n)]
        shared = rng.randint(0, n)
        other = base[:shared] + [f"t{rng.getrandbits(48)}" for _ in range(n - shared)]
        error, sd = _within_error(fp, base, other)
        assert abs(error) <= 4.5 * sd + 1e-9, (n, shared, error)
        errors.append(error)
        variances.append(sd**2)
    assert abs(sum(errors) / len(errors)) < 0.01
    ratio = sum(e * e for e in errors) / sum(variances)
    assert 0.7 < ratio < 1.4, ratio


def test_method_2_tracks_jaccard_on_texts_that_share_word_runs() -> None:
    # Real copies share runs of words, and method 2 hashes words, not shingles: edited
    # copies of random texts from a small vocabulary (words repeat, as in prose).
    fp = Fingerprinter()
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(400)]
    for _ in range(200):
        text = rng.choices(vocabulary, k=rng.randint(40, 160))
        copy = list(text)
        for _ in range(rng.randint(0, 25)):
            at = rng.randrange(len(copy))
            if rng.random() < 0.5:
                copy[at] = rng.choice(vocabulary)
            else:
                del copy[at]
        error, sd = _within_error(fp, text, copy)
        assert abs(error) <= 4.5 * sd + 1e-9, error


def test_method_2_bands_collide_as_often_as_lsh_says() -> None:
    # A band is shared with probability J**rows only if the permutations are independent
    # of one another: over 2,000 edited copies (J 0.1-0.5), shared bands and candidate
    # pairs within 12% of what that gives.
    fp = Fingerprinter()
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(300)]
    shared = candidates = 0
    expected_shared = expected_candidates = 0.0
    for _ in range(2000):
        text = rng.choices(vocabulary, k=rng.randint(40, 120))
        copy = list(text)
        for _ in range(rng.randint(10, 40)):
            at = rng.randrange(len(copy))
            if rng.random() < 0.5:
                copy[at] = rng.choice(vocabulary)
            else:
                del copy[at]
        a, b = shingles(text, 3), shingles(copy, 3)
        true = len(a & b) / len(a | b)
        fa, fb = fp.fingerprint_words(text), fp.fingerprint_words(copy)
        assert fa is not None and fb is not None
        bands = sum(x == y for x, y in zip(fa.keys, fb.keys, strict=True))
        shared += bands
        candidates += bands > 0
        expected_shared += fp.bands * true**fp.rows
        expected_candidates += candidate_probability(true, fp.bands, fp.rows)
    assert abs(shared / expected_shared - 1) < 0.12, (shared, expected_shared)
    assert abs(candidates / expected_candidates - 1) < 0.12, (candidates, expected_candidates)


def test_method_2_values_are_fixed() -> None:
    # Stored fingerprints are compared with new ones on other machines and in later runs:
    # these values must never change without a METHOD_VERSION bump (XXH3 and numpy integer
    # arithmetic are the same everywhere; the test holds them to it).
    import hashlib

    fp = Fingerprinter().fingerprint(
        "Pakistan, UK discuss counter-terrorism cooperation",
        "ISLAMABAD (Reuters) - Pakistan and Britain agreed on Thursday to expand"
        " intelligence sharing, officials said. الرياض ٢٠٢٥ café",
    )
    assert fp is not None and METHOD_VERSION == "2"
    assert (fp.size, fp.signature[:16].hex(), fp.keys[:3]) == (
        19,
        "e69448743785b5b87e6b8edc6a8bf889",
        (88331908378079, 47627331007817, 128851922106148),
    )
    digest = hashlib.sha256(fp.signature + repr(fp.keys).encode()).hexdigest()
    assert digest == "109effbee7cf5b5aafadcc5312c1f75462d5bef2898b8cf81deb3bf92debdb09"


# --- the labelled set -----------------------------------------------------------------------


#: The hard split's mistakes, per method (docs/SYNDICATION.md lists them). Method 2 makes
#: the same misses; the two templated/boilerplate pairs (Jaccard 0.50 and 0.53, at the
#: threshold) fall on the other side of it with its hash values.
HARD_MISSES = [
    "missed: hard-teaser (excerpt cut to 1 sentences)",
    "missed: hard-rewrite (headline rewritten, every sentence rewritten)",
    "missed: hard-body (body fetched)",
]
HARD_ERRORS = {
    "1": [
        *HARD_MISSES,
        f"wrongly a copy: original hard-rewrite -> {labelled('hard-property-q2', 'near_miss')['id']}",
        f"wrongly a copy: near_miss hard-boilerplate-other -> "
        f"{labelled('hard-boilerplate', 'original')['id']}",
    ],
    "2": HARD_MISSES,
}


@pytest.mark.parametrize("method", ["1", "2"])
def test_precision_and_recall_on_the_labelled_set(tmp_path: Path, method: str) -> None:
    """The figures docs/SYNDICATION.md reports (`python -m newscrawl.bench.syndication
    labelled --method N`). Floors: dev and test hold 41 copies and 21 near-misses; one
    mistake more than today's none would still pass 0.95, two would not. The hard split was
    written to find misses; its figures are checked so the doc's list of them stays true."""
    result = evaluate(LABELLED, tmp_path, method=method)
    splits = result["splits"]
    for name in ("dev", "test"):
        s = splits[name]
        print(f"{name}: precision {s.precision:.3f} recall {s.recall:.3f} {s.errors}")
        assert s.precision >= 0.95 and s.recall >= 0.95, (name, s.errors)
    hard = splits["hard"]
    print(f"hard: precision {hard.precision:.3f} recall {hard.recall:.3f}")
    assert sorted(hard.errors) == sorted(HARD_ERRORS[method])
    # Same names and places, different news: none of dev's or test's near-misses is grouped.
    near = [r for r in LABELLED if r["label"] == "near_miss" and r["split"] != "hard"]
    assert len(near) == 21
    assert all(
        result["decisions"][r["id"]] is None for r in near if r["expected_duplicate_of"] is None
    )


@pytest.mark.parametrize(("method", "grouped"), [("1", 44), ("2", 42)])
def test_groups_hold_across_runs(tmp_path: Path, method: str, grouped: int) -> None:
    # Each story in a run of its own, each run promoted before the next starts: the same
    # answers as one run, so every copy found points to an original from an earlier run.
    # Grouped: the 42 copies found, and method 1's two wrong groupings of the hard split.
    one = evaluate(LABELLED, tmp_path, method=method)
    many = evaluate(LABELLED, tmp_path, runs=len(LABELLED), method=method)
    assert many["decisions"] == one["decisions"]
    copies = sum(v is not None for v in one["decisions"].values())
    assert copies == one["stats"]["newscrawl/syndication/copies"] == grouped
    assert many["stats"]["newscrawl/syndication/copies/of_earlier_run"] == copies
    assert one["stats"].get("newscrawl/syndication/copies/of_earlier_run", 0) == 0


# --- store and pipeline ---------------------------------------------------------------------

ORIGINAL = labelled("pk-uk-ct-dialogue", "original")
COPY = labelled("pk-uk-ct-dialogue", "copy", 0)  # headline rewritten, dateline added
NEAR = labelled("pk-uk-migrants-deal", "near_miss")


def item(r: dict) -> dict:
    return {"id": r["id"], "title": r["title"], "excerpt": r["excerpt"], "body": r["body"]}


def pipeline(store: SQLiteSeenStore, run_id: str, **kw) -> SyndicationPipeline:
    pipe = SyndicationPipeline(
        get_crawler().stats,
        Fingerprinter(),
        run_id=run_id,
        threshold=0.5,
        min_shingles=10,
        store=store,
        **kw,
    )
    pipe.open_spider()
    return pipe


def test_fingerprints_are_staged_with_the_run_and_promoted_with_its_ids(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    first = pipeline(store, "r1")
    assert first.process_item(item(ORIGINAL))["duplicate_of"] is None
    # Visible at once within the run ...
    assert first.process_item(item(COPY))["duplicate_of"] == ORIGINAL["id"]
    # ... but not to another run while r1's export is not complete.
    other = pipeline(store, "r2")
    third = labelled("pk-uk-ct-dialogue", "copy", 1)
    assert other.process_item(item(third))["duplicate_of"] is None
    assert store.staged_runs() == ["r1", "r2"]
    assert store.discard("r2") == 0  # no ids were staged for r2, only its fingerprint
    store.promote("r1")
    assert store.staged_runs() == []
    later = pipeline(store, "r3")
    assert later.process_item(item(third))["duplicate_of"] == ORIGINAL["id"]
    assert later.stats.get_value("newscrawl/syndication/copies/of_earlier_run") == 1
    assert later.process_item(item(NEAR))["duplicate_of"] is None
    store.close()


def test_a_discarded_run_leaves_no_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SQLiteSeenStore(path)
    pipeline(store, "dead").process_item(item(ORIGINAL))
    store.stage("dead", ORIGINAL["id"])
    store.flush()
    store.close()  # the process died before its export was complete
    store = SQLiteSeenStore(path)
    assert store.staged_runs() == ["dead"]
    store.discard("dead")
    assert store.fingerprint_count() == 0
    assert pipeline(store, "next").process_item(item(COPY))["duplicate_of"] is None
    store.close()


def test_a_story_exported_again_keeps_its_group(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    pipe = pipeline(store, "r1")
    pipe.process_item(item(ORIGINAL))
    pipe.process_item(item(COPY))
    store.promote("r1")
    again = pipeline(store, "r2")  # refresh=1: the same ids come through again
    assert again.process_item(item(ORIGINAL))["duplicate_of"] is None
    assert again.process_item(item(COPY))["duplicate_of"] == ORIGINAL["id"]
    store.promote("r2")
    assert store.fingerprint_count() == 2
    store.close()


def test_drop_mode_drops_copies_loudly_and_counts_them(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    pipe = pipeline(store, "r1", drop=True)
    assert pipe.process_item(item(ORIGINAL))["duplicate_of"] is None
    with pytest.raises(DropItem, match=f"syndicated copy of {ORIGINAL['id']}"):
        pipe.process_item(item(COPY))
    assert pipe.stats.get_value("newscrawl/drop/syndicated_copy") == 1
    assert pipe.stats.get_value("newscrawl/syndication/copies") == 1
    store.close()


def test_a_bare_headline_is_never_grouped(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    pipe = pipeline(store, "r1")
    short = {"title": "Oil prices rise", "excerpt": None, "body": None}
    assert pipe.process_item({"id": "a" * 32, **short})["duplicate_of"] is None
    assert pipe.process_item({"id": "b" * 32, **short})["duplicate_of"] is None
    assert pipe.stats.get_value("newscrawl/syndication/too_short") == 2
    store.close()


def test_fingerprints_made_otherwise_are_refused(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    pipeline(store, "r1")
    pipe = SyndicationPipeline(
        get_crawler().stats,
        Fingerprinter(shingle_size=4),
        run_id="r2",
        threshold=0.5,
        min_shingles=10,
        store=store,
    )
    with pytest.raises(ValueError, match=r"shingle=3.*shingle=4"):
        pipe.open_spider()
    store.reset_fingerprints()
    pipe.open_spider()  # after a reset the new method is recorded
    store.close()


def test_a_store_of_method_1_fingerprints_keeps_being_read_with_method_1(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A store filled before method 2: new stories are fingerprinted with method 1, so its
    # copies are still found, and the log says how to move on. Never a mix of the two.
    path = tmp_path / "seen.sqlite3"
    store = SQLiteSeenStore(path)
    old = SyndicationPipeline(
        get_crawler().stats, FingerprinterV1(), run_id="r1", threshold=0.5, min_shingles=10,
        store=store,
    )  # fmt: skip
    old.open_spider()
    old.process_item(item(ORIGINAL))
    store.promote("r1")
    store.close()
    store = SQLiteSeenStore(path)
    with caplog.at_level("WARNING"):
        now = pipeline(store, "r2")  # the settings' default: method 2
    assert isinstance(now.fingerprinter, FingerprinterV1)
    assert "made by method 1" in caplog.text and "reset the fingerprints" in caplog.text
    assert now.process_item(item(COPY))["duplicate_of"] == ORIGINAL["id"]
    store.promote("r2")
    assert store.bind_fingerprints(Fingerprinter().params) == FingerprinterV1().params
    # Other settings than the store's are refused as before, whatever the method.
    with pytest.raises(ValueError, match=r"v1 affine32.*shingle=3.*shingle=4"):
        SyndicationPipeline(
            get_crawler().stats, Fingerprinter(shingle_size=4), run_id="r3", threshold=0.5,
            min_shingles=10, store=store,
        ).open_spider()  # fmt: skip
    # After a reset the store is method 2's.
    store.reset_fingerprints()
    assert type(pipeline(store, "r4").fingerprinter) is Fingerprinter
    store.close()


_CRASH_STAGING = """
import os, sys
from newscrawl.pipelines.syndication import SyndicationPipeline
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import Fingerprinter
from scrapy.utils.test import get_crawler
path, flush, stories = sys.argv[1], sys.argv[2] == "flush", sys.argv[3:]
store = SQLiteSeenStore(path)
pipe = SyndicationPipeline(get_crawler().stats, Fingerprinter(), run_id="dead", threshold=0.5,
                           min_shingles=10, store=store)
pipe.open_spider()
for n, sid in enumerate(stories):
    store.stage("dead", sid)  # what dedupe does first
    pipe.process_item({"id": sid, "title": f"story {n} of a crawl that dies",
                       "excerpt": f"word{n} " * 5 + "and the same long sentence after it " * 4})
if flush:
    store.flush()
os._exit(3)  # killed: no close, no commit
"""


@pytest.mark.parametrize("flushed", [True, False])
def test_staged_fingerprints_live_and_die_with_the_staged_ids(
    tmp_path: Path, flushed: bool
) -> None:
    # Staged fingerprints are held in memory and written by flush(), in the ids' commit: a
    # process killed after it leaves both for the next run's recovery, before it neither.
    import subprocess
    import sys

    path = tmp_path / "seen.sqlite3"
    stories = [f"{n:032x}" for n in range(1, 41)]
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH_STAGING, str(path), "flush" if flushed else "-", *stories],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stderr
    store = SQLiteSeenStore(path)
    if not flushed:
        assert store.staged_runs() == [] and store.count() == 0
        assert store.fingerprint_count() == 0
        store.close()
        return
    assert store.staged_runs() == ["dead"]
    assert store.promote("dead") == len(stories)  # its export was complete
    assert store.fingerprint_count() == len(stories)
    # The first story's copies of one another were grouped; promoted, they are found again.
    later = pipeline(store, "next")
    again = later.store.similar("next", Fingerprinter().fingerprint(
        "story 0 of a crawl that dies", "word0 " * 5 + "and the same long sentence after it " * 4
    ).keys, 50)  # fmt: skip
    assert stories[0] in [f.id for f in again]
    store.close()


def test_staged_fingerprints_are_seen_by_their_run_before_any_flush(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    pipe = pipeline(store, "r1")
    store.stage("r1", ORIGINAL["id"])
    pipe.process_item(item(ORIGINAL))
    assert store.staged_runs() == ["r1"]  # in memory only, yet listed
    with closing(sqlite3.connect(tmp_path / "seen.sqlite3")) as db:  # nothing written yet
        assert db.execute("SELECT count(*) FROM synd_staged_story").fetchone()[0] == 0
    assert store.fingerprint_of("r1", ORIGINAL["id"]) is not None
    store.flush()
    with closing(sqlite3.connect(tmp_path / "seen.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM synd_staged_story").fetchone()[0] == 1
    store.close()


def test_lookups_inside_a_run_find_earlier_runs_fingerprints(tmp_path: Path) -> None:
    # Inside the write transaction (dedupe has staged the id) a store with no fingerprint
    # is not queried; one with fingerprints is, and finds them.
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    first = pipeline(store, "r1")
    store.stage("r1", ORIGINAL["id"])
    assert first.process_item(item(ORIGINAL))["duplicate_of"] is None
    store.flush()
    store.promote("r1")
    second = pipeline(store, "r2")
    store.stage("r2", COPY["id"])
    assert second.process_item(item(COPY))["duplicate_of"] == ORIGINAL["id"]
    store.stage("r2", ORIGINAL["id"])  # refresh=1: exported again, it keeps its group
    assert second.process_item(item(ORIGINAL))["duplicate_of"] is None
    assert store.fingerprint_of("r2", ORIGINAL["id"]).staged is False  # type: ignore[union-attr]
    store.close()


def test_the_runs_band_index_finds_the_same_candidates_once_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run's band keys move from a dict into sorted arrays every RECENT keys: with a
    # merge every few stories the labelled set gives the same decisions and candidates.
    whole = evaluate(LABELLED, tmp_path)
    monkeypatch.setattr(bandindex.BandIndex, "RECENT", 70)
    merged = evaluate(LABELLED, tmp_path)
    assert merged["decisions"] == whole["decisions"]
    assert merged["stats"] == whole["stats"]
    assert merged["stats"]["newscrawl/syndication/candidates"] > 40


#: What the path taken says, not the decisions: not compared between the two paths.
_PATH_STATS = (
    "newscrawl/syndication/fingerprinted_ahead",
    "newscrawl/syndication/fingerprinted_inline",
    "newscrawl/syndication/paired_ahead",
    "newscrawl/syndication/alone_ahead",
    "newscrawl/syndication/group_ms",
)


def _decisions(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if k not in _PATH_STATS}


@pytest.mark.parametrize("method", ["1", "2"])
@pytest.mark.parametrize("runs", [1, 3])
def test_the_workers_pairs_give_the_runs_candidates_as_the_stores_index_does(
    tmp_path: Path, method: str, runs: int
) -> None:
    """With the fingerprint worker, a story's candidates within its run come from the
    child's pairs (the texts sent in the labelled set's file order, released in date
    order), earlier runs' from the store: the same decisions, candidates and copies of an
    earlier run as the store's own index gives."""
    inline = evaluate(LABELLED, tmp_path, runs=runs, method=method)
    paired = evaluate(LABELLED, tmp_path, runs=runs, method=method, worker=True)
    assert paired["decisions"] == inline["decisions"]
    assert _decisions(paired["stats"]) == _decisions(inline["stats"])
    fingerprinted = inline["stats"]["newscrawl/syndication/fingerprinted_inline"]
    assert paired["stats"]["newscrawl/syndication/fingerprinted_ahead"] == fingerprinted
    assert paired["stats"]["newscrawl/syndication/paired_ahead"] == fingerprinted - inline[
        "stats"
    ].get("newscrawl/syndication/too_short", 0)
    assert inline["stats"]["newscrawl/syndication/copies"] >= 42
    if runs > 1:
        assert inline["stats"]["newscrawl/syndication/copies/of_earlier_run"] > 0


def _one_run(store: SQLiteSeenStore, *, worker: bool, changed: str | None = None, kill_at=None):
    """The labelled set through one run's pipeline in date order; with *worker*, the texts
    sent first, in the file's order (*changed*: that story's sent with another body than it
    is released with; *kill_at*: only the texts of the stories before it are sent, then the
    child is killed, and the rest are sent to it dead)."""
    ordered = sorted(LABELLED, key=lambda r: (r["published"] or "~", r["id"]))
    pipe = pipeline(store, "r1", worker=worker)
    later = {r["id"] for r in ordered[kill_at:]} if kill_at is not None else set()

    def text(r: dict) -> tuple:
        return (
            r["id"],
            r["title"],
            r["excerpt"],
            "other words" if r["id"] == changed else r["body"],
        )

    if pipe.worker is not None:
        pipe.worker.submit([text(r) for r in LABELLED if r["id"] not in later])
    got = {}
    try:
        for n, r in enumerate(ordered):
            if n == kill_at and pipe.worker is not None and pipe.worker._proc is not None:
                pipe.worker._proc.kill()
                pipe.worker._proc.wait()
                pipe.worker.submit([text(r) for r in LABELLED if r["id"] in later])
            got[r["id"]] = pipe.process_item(item(r))["duplicate_of"]
    finally:
        pipe.close_spider()
    return got, dict(pipe.stats.get_stats())


@pytest.mark.parametrize("how", ["changed", "killed"])
def test_a_story_the_worker_has_no_answer_for_puts_the_run_back_on_the_stores_index(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Half way through the run, a story whose text the child never saw (or a dead child):
    from it on the store's index is used, built from every fingerprint staged so far, and
    every decision is the one the store's index alone gives."""
    ordered = sorted(LABELLED, key=lambda r: (r["published"] or "~", r["id"]))
    half = len(ordered) // 2
    want, want_stats = _one_run(SQLiteSeenStore(tmp_path / "a.sqlite3"), worker=False)
    store = SQLiteSeenStore(tmp_path / "b.sqlite3")
    with caplog.at_level(logging.INFO, logger="newscrawl.pipelines.syndication"):
        if how == "changed":
            got, stats = _one_run(store, worker=True, changed=ordered[half]["id"])
        else:
            got, stats = _one_run(store, worker=True, kill_at=half)
    assert got == want
    assert _decisions(stats) == _decisions(want_stats)
    assert 0 < stats["newscrawl/syndication/paired_ahead"] <= half
    assert stats["newscrawl/syndication/fingerprinted_inline"] >= 1
    said = [r.getMessage() for r in caplog.records if "no answer for story" in r.getMessage()]
    assert len(said) == 1, said
    # Copies on both sides of the switch: later copies found earlier originals through the
    # index built at it.
    copies = [sid for sid, o in got.items() if o is not None]
    assert {ordered.index(BY_KEY[c]) < half for c in copies} == {True, False}
    store.close()


def test_the_switch_turns_it_off() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_SYNDICATION_ENABLED": False})
    with pytest.raises(NotConfigured):
        SyndicationPipeline.from_crawler(crawler)


def test_store_lookup_is_a_few_indexed_queries(tmp_path: Path) -> None:
    # The plan SQLite picks for a lookup: index searches only, never a scan of a table.
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    db = store._db  # the plan is the claim; there is no public way to ask for it
    keys = ",".join(["?"] * 32)
    plans = [
        db.execute(
            "EXPLAIN QUERY PLAN SELECT id, original, size, sig FROM synd_story WHERE sid IN"
            f" (SELECT DISTINCT sid FROM synd_band WHERE key IN ({keys}) LIMIT ?)",
            (*range(32), 50),
        ).fetchall(),
        db.execute(
            "EXPLAIN QUERY PLAN SELECT id, original, size, sig FROM synd_story WHERE id = ?",
            (b"x",),
        ).fetchall(),
        # With a hit in a segment not folded yet: the index's rows in order, then the stories.
        db.execute(
            "EXPLAIN QUERY PLAN SELECT key, sid FROM synd_band"
            f" WHERE key IN ({keys}) ORDER BY key, sid LIMIT ?",
            (*range(32), 50 * 32),
        ).fetchall(),
        db.execute(
            "EXPLAIN QUERY PLAN SELECT id, original, size, sig FROM synd_story"
            " WHERE sid IN (?, ?, ?) ORDER BY sid",
            (1, 2, 3),
        ).fetchall(),
    ]
    details = [row[-1] for plan in plans for row in plan]
    assert not [d for d in details if d.startswith("SCAN") and "synd_" in d], details
    assert not [d for d in details if "TEMP B-TREE FOR ORDER BY" in d], details
    store.stage_fingerprint("r", StoredFingerprint("c" * 32, None, 12, bytes(128)), [1, 2])
    assert [f.id for f in store.similar("r", [2, 99], 50)] == ["c" * 32]
    store.close()


# --- end to end -----------------------------------------------------------------------------

ORIG_ID, SAME_ID, EDIT_ID, CUT_ID = "1" * 32, "2" * 32, "3" * 32, "4" * 32
NEAR1_ID, NEAR2_ID, OTHER_ID = "5" * 32, "6" * 32, "7" * 32
LATE_ID, EARLY_ID = "8" * 32, "9" * 32
QUAKE_ID, QUAKE_COPY_ID, QUAKE_NEAR_ID = "a" * 32, "b" * 32, "c" * 32


def card(sid: str, r: dict, date: str, publisher: str) -> str:
    title, excerpt = html.escape(r["title"]), html.escape(r["excerpt"])
    return (
        f'<div><a href="/en/article/{sid}"><img src="/i/{sid}.jpg" alt="{title}">'
        f"<h2>{title}</h2></a>"
        f'<p><span>{publisher}</span><img alt="time" src="/t.svg">{date}</p>'
        f"<ul><li>Politics</li><li>{publisher}</li></ul>"
        f'<a href="/en/article/{sid}"><h3>{title}</h3><p>{excerpt}</p></a></div>'
    )


def listing(cards: list[str]) -> bytes:
    body = "".join(cards)
    return f"<html><body><h1>#Syndicated</h1><section>{body}</section></body></html>".encode()


def routes(page: bytes) -> dict:
    return {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
        "/en/hashtag/Syndicated": (200, {"Content-Type": "text/html; charset=utf-8"}, page),
    }


# Run 1: the wire story first (the earliest), its copies, and two near-misses.
FIRST_RUN = listing(
    [
        card(ORIG_ID, ORIGINAL, "16-04-2025", "Arab News"),
        card(SAME_ID, labelled("pk-uk-ct-dialogue", "copy", 1), "17-04-2025", "Yahoo"),
        card(EDIT_ID, COPY, "17-04-2025", "Dawn"),
        card(CUT_ID, labelled("pk-uk-ct-dialogue", "copy", 2), "18-04-2025", "Daily Record"),
        card(NEAR1_ID, NEAR, "18-04-2025", "Dawn"),
        card(NEAR2_ID, labelled("pk-uk-police-training", "near_miss"), "19-04-2025", "Arab News"),
        card(OTHER_ID, labelled("oil-opec-output", "original"), "19-04-2025", "Gulf News"),
    ]
)


def test_a_crawl_drops_copies_and_a_later_run_marks_new_ones_with_the_first_runs_id(
    tmp_path: Path,
) -> None:
    # Two real crawls (each ~5 s of process start, so two, not three). Run 1 drops copies
    # (NEWSCRAWL_SYNDICATION_DROP=1): exactly the three copies are missing, counted.
    data = tmp_path / "data"
    with StaticServer(routes(FIRST_RUN)) as server:
        first = run_crawl(
            server.base_url, data, "-a", "tags=Syndicated", env={"NEWSCRAWL_SYNDICATION_DROP": "1"}
        )
        assert first.returncode == 0, first.log[-3000:]
        assert sorted(first.by_id()) == sorted([ORIG_ID, NEAR1_ID, NEAR2_ID, OTHER_ID])
        assert all(r["duplicate_of"] is None for r in first.records)
        assert first.stats["newscrawl/drop/syndicated_copy"] == 3
        assert first.stats["newscrawl/syndication/copies"] == 3
        # Every story was fingerprinted by the worker during the crawl, none at the release.
        assert first.stats["newscrawl/syndication/fingerprinted_ahead"] == 7
        assert "newscrawl/syndication/fingerprinted_inline" not in first.stats
        # And their candidates within the run came from its answers (no band index here).
        assert first.stats["newscrawl/syndication/paired_ahead"] == 7
        assert first.stats["newscrawl/syndication/group_ms"] > 0

        # Run 2 marks (the default). A week later: a new copy of run 1's wire story, one whose
        # date is earlier than the exported original's (the exported original stays the
        # original), and a new wire story with a copy of its own in this run.
        wire = ORIGINAL
        late = {**wire, "title": "UK, Pakistan widen counter-terror cooperation"}
        early = {**wire, "excerpt": "LONDON (AFP) - " + wire["excerpt"]}
        quake = labelled("earthquake-afghanistan", "original")
        quake_copy = labelled("earthquake-afghanistan", "copy", 1)  # sentence dropped, words
        server.routes.update(
            routes(
                listing(
                    [
                        card(EARLY_ID, early, "15-04-2025", "Khaleej Times"),
                        card(ORIG_ID, ORIGINAL, "16-04-2025", "Arab News"),  # seen: skipped
                        card(QUAKE_ID, quake, "22-04-2025", "Dawn"),
                        card(QUAKE_COPY_ID, quake_copy, "23-04-2025", "Yahoo"),
                        card(LATE_ID, late, "24-04-2025", "The National"),
                        card(
                            QUAKE_NEAR_ID,
                            labelled("earthquake-toll-rises", "near_miss"),
                            "24-04-2025",
                            "Dawn",
                        ),
                    ]
                )
            )
        )
        # The worker off: the pipeline fingerprints, and the decisions are the same.
        second = run_crawl(
            server.base_url,
            data,
            "-a",
            "tags=Syndicated",
            env={"NEWSCRAWL_SYNDICATION_WORKER": "0"},
        )
    assert second.returncode == 0, second.log[-3000:]
    assert second.stats["newscrawl/syndication/fingerprinted_inline"] == 5
    assert "newscrawl/syndication/fingerprinted_ahead" not in second.stats
    assert {sid: r["duplicate_of"] for sid, r in second.by_id().items()} == {
        EARLY_ID: ORIG_ID,
        LATE_ID: ORIG_ID,
        QUAKE_ID: None,
        QUAKE_COPY_ID: QUAKE_ID,
        QUAKE_NEAR_ID: None,
    }
    assert second.stats["newscrawl/syndication/copies"] == 3
    assert second.stats["newscrawl/syndication/copies/of_earlier_run"] == 2
    assert "newscrawl/drop/syndicated_copy" not in second.stats
    exported = [json.loads(line) for line in second.exports[0].read_text().splitlines()]
    assert len(exported) == 5
