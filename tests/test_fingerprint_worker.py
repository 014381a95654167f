"""The fingerprint worker: a real child process, its answers, and what happens without it."""

from __future__ import annotations

import logging
import os
import signal

import pytest

from newscrawl.bench.syndication import load_labelled
from newscrawl.fingerprint_worker import FingerprintWorker, Text
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
        for story_id, title, excerpt, body in sent:
            taken, fp = worker.take(story_id, title, excerpt, body)
            assert taken
            assert fp == fingerprinter.fingerprint(title, excerpt, body)
    finally:
        worker.close()


def test_a_text_with_no_words_has_no_fingerprint_and_says_so(worker: FingerprintWorker) -> None:
    worker.submit([("a" * 32, "", None, " ... ")])
    assert worker.take("a" * 32, "", None, " ... ") == (True, None)


def test_a_changed_or_unsent_text_is_left_to_the_pipeline(worker: FingerprintWorker) -> None:
    (sid, title, excerpt, body), other = texts(2)
    worker.submit([(sid, title, excerpt, body)])
    # A story page read later gave it a body: the child's answer is for the old text.
    assert worker.take(sid, title, excerpt, "a body the child never saw") == (False, None)
    assert worker.take(other[0], *other[1:]) == (False, None)  # never sent
    # Sent again with the new text: the latest answer wins.
    worker.submit([(sid, title, excerpt, "a body the child never saw")])
    taken, fp = worker.take(sid, title, excerpt, "a body the child never saw")
    assert taken and fp == Fingerprinter().fingerprint(title, excerpt, "a body the child never saw")


def test_a_dead_child_is_logged_and_nothing_is_taken_from_it(
    worker: FingerprintWorker, caplog: pytest.LogCaptureFixture
) -> None:
    first = texts(5)
    worker.submit(first)
    assert worker.take(*first[0])[0]  # answered, so the child ran
    assert worker._proc is not None
    with caplog.at_level(logging.ERROR, logger="newscrawl.fingerprint_worker"):
        os.kill(worker._proc.pid, signal.SIGKILL)
        later = texts(5, start=5)
        worker.submit(later)  # sent into a dead pipe, or never sent: either way no answer
        assert worker.take(*later[0]) == (False, None)
    assert worker.failed is not None
    assert "exit" in worker.failed or "send" in worker.failed
    assert any("fingerprint worker" in r.getMessage() for r in caplog.records)
    # What it answered before it died is still good.
    assert worker.take(*first[1])[0]


def test_a_child_of_another_version_refuses_to_start() -> None:
    """The parent and child are the same code; a child whose method would make other
    fingerprints exits with a message rather than answering with them."""
    from newscrawl.fingerprint_worker import main

    assert main(["v2 something-else", "128", "32", "3", "1"]) == 2
    assert main([Fingerprinter().params.replace("v2", "v9"), "128", "32", "3", "1"]) == 2
    # Its own params, but other settings than they name: refused as well.
    assert main([Fingerprinter().params, "64", "16", "3", "1"]) == 2
