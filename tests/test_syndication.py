"""Syndicated copies: one story republished by several publishers is grouped, others are not."""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.bench.syndication import evaluate, load_labelled
from newscrawl.pipelines.syndication import SyndicationPipeline
from newscrawl.stores import StoredFingerprint
from newscrawl.stores.sqlite import SQLiteSeenStore
from newscrawl.syndication import (
    Fingerprinter,
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

    fp = Fingerprinter()
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)] + ["إسلام", "آباد", "café", "٢٠٢٥"]
    for n in (1, 2, 3, 10, 57, 400):
        grams = shingles(rng.choices(words, k=n + 2), 3)
        ref = MinHash(num_perm=128, seed=1, scheme="affine32")
        ref.update_batch(list(grams))
        assert fp.minhash(grams).tolist() == [int(v) for v in ref.hashvalues], n


# --- the labelled set -----------------------------------------------------------------------


def test_precision_and_recall_on_the_labelled_set(tmp_path: Path) -> None:
    """The figures docs/SYNDICATION.md reports (`python -m newscrawl.bench.syndication
    labelled`). Floors: dev and test hold 41 copies and 21 near-misses; one mistake more
    than today's none would still pass 0.95, two would not. The hard split was written to
    find misses; its figures are checked so the doc's list of them stays true."""
    result = evaluate(LABELLED, tmp_path)
    splits = result["splits"]
    for name in ("dev", "test"):
        s = splits[name]
        print(f"{name}: precision {s.precision:.3f} recall {s.recall:.3f} {s.errors}")
        assert s.precision >= 0.95 and s.recall >= 0.95, (name, s.errors)
    hard = splits["hard"]
    print(f"hard: precision {hard.precision:.3f} recall {hard.recall:.3f}")
    assert sorted(hard.errors) == sorted(
        [
            "missed: hard-teaser (excerpt cut to 1 sentences)",
            "missed: hard-rewrite (headline rewritten, every sentence rewritten)",
            "missed: hard-body (body fetched)",
            f"wrongly a copy: original hard-rewrite -> {labelled('hard-property-q2', 'near_miss')['id']}",
            f"wrongly a copy: near_miss hard-boilerplate-other -> "
            f"{labelled('hard-boilerplate', 'original')['id']}",
        ]
    )
    # Same names and places, different news: none of dev's or test's near-misses is grouped.
    near = [r for r in LABELLED if r["label"] == "near_miss" and r["split"] != "hard"]
    assert len(near) == 21
    assert all(
        result["decisions"][r["id"]] is None for r in near if r["expected_duplicate_of"] is None
    )


def test_groups_hold_across_runs(tmp_path: Path) -> None:
    # Each story in a run of its own, each run promoted before the next starts: the same
    # answers as one run, so every copy found points to an original from an earlier run.
    one = evaluate(LABELLED, tmp_path)
    many = evaluate(LABELLED, tmp_path, runs=len(LABELLED))
    assert many["decisions"] == one["decisions"]
    copies = sum(v is not None for v in one["decisions"].values())
    assert copies == one["stats"]["newscrawl/syndication/copies"] == 44
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
    ]
    details = [row[-1] for plan in plans for row in plan]
    assert not [d for d in details if d.startswith("SCAN") and "synd_" in d], details
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
        second = run_crawl(server.base_url, data, "-a", "tags=Syndicated")
    assert second.returncode == 0, second.log[-3000:]
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
