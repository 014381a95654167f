"""The fingerprint worker: a real child process, its answers, and what happens without it."""

from __future__ import annotations

import logging
import os
import signal

import numpy as np
import pytest

from newscrawl import fingerprint_worker
from newscrawl.bench.syndication import load_labelled
from newscrawl.fingerprint_worker import FingerprintWorker, Taken, Text
from newscrawl.syndication import Fingerprinter, FingerprinterV1

LABELLED = load_labelled()


def texts(n: int, start: int = 0) -> list[Text]:
    rows = LABELLED[start : start + n]
    return [(r["id"], r["title"], r["excerpt"], r["body"]) for r in rows]


@pytest.fixture
def worker():
    w = FingerprintWorker(Fingerprinter())
    w.start()
    yield w
    w.close()


@pytest.mark.parametrize("method", [Fingerprinter, FingerprinterV1])
def test_the_childs_fingerprints_are_the_pipelines(method: type[Fingerprinter]) -> None:
    fingerprinter = method(num_perm=64, bands=16)  # other settings than the defaults, too
    worker = FingerprintWorker(fingerprinter)
    worker.start()
    try:
        sent = texts(40)
        worker.submit(sent[:25])
        worker.submit(sent[25:])
        for slot, (story_id, title, excerpt, body) in enumerate(sent):
            taken = worker.take(story_id, title, excerpt, body)
            assert taken is not None and taken.slot == slot
            assert taken.fingerprint == fingerprinter.fingerprint(title, excerpt, body)
            assert taken.packed_keys == np.array(taken.fingerprint.keys, "<u8").tobytes()
    finally:
        worker.close()


def test_a_text_with_no_words_has_no_fingerprint_and_says_so(worker: FingerprintWorker) -> None:
    worker.submit([("a" * 32, "", None, " ... ")])
    assert worker.take("a" * 32, "", None, " ... ") == Taken(None, 0, b"")


def test_a_changed_or_unsent_text_is_left_to_the_pipeline(worker: FingerprintWorker) -> None:
    (sid, title, excerpt, body), other = texts(2)
    worker.submit([(sid, title, excerpt, body)])
    # A story page read later gave it a body: the child's answer is for the old text.
    assert worker.take(sid, title, excerpt, "a body the child never saw") is None
    assert worker.take(other[0], *other[1:]) is None  # never sent
    # Sent again with the new text: the latest answer wins.
    worker.submit([(sid, title, excerpt, "a body the child never saw")])
    taken = worker.take(sid, title, excerpt, "a body the child never saw")
    assert taken is not None and taken.slot == 1
    assert taken.fingerprint == Fingerprinter().fingerprint(
        title, excerpt, "a body the child never saw"
    )
    assert worker.take(sid, title, excerpt, body) is None  # the old text's answer is gone


def test_a_dead_child_is_logged_and_nothing_is_taken_from_it(
    worker: FingerprintWorker, caplog: pytest.LogCaptureFixture
) -> None:
    first = texts(5)
    worker.submit(first)
    assert worker.take(*first[0]) is not None  # answered, so the child ran
    assert worker._proc is not None
    with caplog.at_level(logging.ERROR, logger="newscrawl.fingerprint_worker"):
        os.kill(worker._proc.pid, signal.SIGKILL)
        later = texts(5, start=5)
        worker.submit(later)  # sent into a dead pipe, or never sent: either way no answer
        assert worker.take(*later[0]) is None
    assert worker.failed is not None
    assert "exit" in worker.failed or "send" in worker.failed
    assert any("fingerprint worker" in r.getMessage() for r in caplog.records)
    # What it answered before it died is still good.
    assert worker.take(*first[1]) is not None


def test_a_child_of_another_version_refuses_to_start() -> None:
    """The parent and child are the same code; a child whose method would make other
    fingerprints exits with a message rather than answering with them."""
    from newscrawl.fingerprint_worker import main

    assert main(["v2 something-else", "128", "32", "3", "1"]) == 2
    assert main([Fingerprinter().params.replace("v2", "v9"), "128", "32", "3", "1"]) == 2
    # Its own params, but other settings than they name: refused as well.
    assert main([Fingerprinter().params, "64", "16", "3", "1"]) == 2


@pytest.mark.parametrize(("pass_keys", "read_records"), [(1 << 20, 8192), (500, 7)])
def test_the_answers_say_which_texts_share_a_band_key(
    monkeypatch: pytest.MonkeyPatch, pass_keys: int, read_records: int
) -> None:
    """Every story whose latest text shares a band key with another's, found whatever
    order they came in; none that share none. The labelled set's copies and near-misses,
    sent shuffled in batches, one text sent again with new words (only its latest counts)
    and one with no words; in one sort, and a range of keys and a few records at a time."""
    import random

    monkeypatch.setattr(fingerprint_worker, "_GROUP_PASS_KEYS", pass_keys)
    monkeypatch.setattr(fingerprint_worker, "_GROUP_READ_RECORDS", read_records)
    fingerprinter = Fingerprinter()
    sent = texts(len(LABELLED))
    random.Random(3).shuffle(sent)
    first = sent[0]
    sent.append((first[0], first[1], first[2], "and a body read later, " * 5))
    sent.append(("f" * 32, None, "", " -- "))
    worker = FingerprintWorker(fingerprinter)
    worker.start()
    try:
        for at in range(0, len(sent), 37):
            worker.submit(sent[at : at + 37])
        assert worker.take(*sent[-1]) == Taken(None, len(sent) - 1, b"")
        fps = [fingerprinter.fingerprint(*t[1:]) for t in sent]
        fps[0] = None  # replaced by its story's later text
        truth = {
            i: {j for j, b in enumerate(fps) if j != i and b and set(a.keys) & set(b.keys)}
            for i, a in enumerate(fps)
            if a
        }
        assert sum(map(len, truth.values())) > 80  # the set's groups: many pairs
        assert truth[len(sent) - 2]  # the text sent again shares bands with others' too
        for slot in range(len(sent)):
            assert worker.neighbours(slot) == truth.get(slot, set()), slot
            assert worker.story_at(slot) == sent[slot][0]
            if fps[slot] is not None:
                assert worker.signature_at(slot) == fps[slot].signature
    finally:
        worker.close()


def test_the_child_runs_below_the_crawls_priority(worker: FingerprintWorker) -> None:
    """The child yields its core to the crawl and the listing worker (they compete for
    the machine's other core during the crawl), and still answers."""
    assert worker._proc is not None
    worker.submit(texts(3))
    assert worker.take(*texts(1)[0]) is not None

    def nice(pid: int | str) -> int:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[16])

    assert nice(worker._proc.pid) == min(19, nice("self") + fingerprint_worker.NICENESS)


def test_an_ended_worker_answers_what_it_was_sent_and_its_child_exits_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """end() (the release has begun): every batch queued before it is still answered, the
    child exits without close() and without a failure, and a text sent after it is left
    to the pipeline."""
    worker = FingerprintWorker(Fingerprinter())
    worker.start()
    proc = worker._proc
    assert proc is not None
    try:
        sent = texts(30)
        with caplog.at_level(logging.ERROR, logger="newscrawl.fingerprint_worker"):
            worker.submit(sent[:10])
            worker.submit(sent[10:])
            worker.end()
            worker.end()  # once is enough; a second says nothing more
            proc.wait(timeout=30)  # it exits on its own, close() not called
            late = texts(2, start=30)
            worker.submit(late)
            for slot, text in enumerate(sent):
                taken = worker.take(*text)
                assert taken is not None and taken.slot == slot
            assert worker.take(*late[0]) is None  # never sent: the pipeline's
        assert worker.failed is None
        assert not caplog.records
    finally:
        worker.close()
    assert proc.returncode == 0


def _record_one_by_one(fingerprinter: Fingerprinter, text: Text) -> bytes:
    """A text's answer record made from the pipeline's own fingerprint of it."""
    _, title, excerpt, body = text
    head = fingerprint_worker.text_digest(title, excerpt, body)
    fp = fingerprinter.fingerprint(title, excerpt, body)
    if fp is None:
        size = fingerprint_worker.record_size(fingerprinter) - len(head) - 4
        return head + (0xFFFFFFFF).to_bytes(4, "little") + bytes(size)
    keys = np.array(fp.keys, dtype="<u8").tobytes()
    return head + fp.size.to_bytes(4, "little") + fp.signature + keys


@pytest.mark.parametrize("chunk", [None, 50])
@pytest.mark.parametrize("method", [Fingerprinter, FingerprinterV1])
def test_a_batch_is_answered_as_each_of_its_texts_is_fingerprinted(
    method: type[Fingerprinter], chunk: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """answers() fingerprints a batch at once: each record is what the pipeline's own
    fingerprint of that text gives, for every labelled text, a text with no words, one
    shorter than a shingle, one with repeated shingles, and one longer than a chunk of
    the batch's shingles (MANY_SHINGLES, also made small so that every chunk boundary
    and a text of its own are met)."""
    from newscrawl import syndication

    if chunk is not None:
        monkeypatch.setattr(syndication, "MANY_SHINGLES", chunk)
    fingerprinter = method()
    long_text = " ".join(f"word{i % 9000}" for i in range(9500))  # > 8192 shingles
    batch = [
        ("0" * 32, "", None, " ... "),
        *texts(len(LABELLED)),
        ("1" * 32, "Two words", None, None),
        ("2" * 32, "same same same same same same", None, None),
        ("3" * 32, "A headline", long_text, None),
        ("4" * 32, None, None, None),
    ]
    got = fingerprint_worker.answers(fingerprinter, batch)
    size = fingerprint_worker.record_size(fingerprinter)
    assert len(got) == size * len(batch)
    for i, text in enumerate(batch):
        assert got[i * size : (i + 1) * size] == _record_one_by_one(fingerprinter, text), text[0]
