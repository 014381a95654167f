"""Prepares one run's feed update in a second process while the run finishes.

A run's feed update (``FeedWriter.apply``: read the export, merge it into the windows,
render and write every feed it touches) took 2.1-2.6 s after a first crawl of the bench's
English site (16k stories, 250 feeds), and about 21 s at ten times that, all of it in the
crawl's process after the export was published. None of it but the last step needs the
export to be published: :class:`FeedsWorker` starts a child process
(``python -m newscrawl.feeds.worker``) when the spider opens, and the child

1. once the export's hidden ``.part`` file has its first story (the release has begun) or
   is said whole, marks the run *pending* in the feeds' state (committed: the mark is
   durable before the export can be renamed, as ``HashtagFeeds`` needs it); until then it
   writes nothing;
2. follows the part file as the feed exporter writes it (the release sends the run's
   stories through the pipelines on the crawl's core; the child reads them on the other),
   merging each complete line into the windows in one open transaction;
3. once told the file is whole (``export_written``), reads the rest, renders the feeds the
   run touched and writes the changed ones to the staging folder (``FeedWriter.prepare``),
   while the crawl's process promotes the run's stories in the seen-store;
4. once told the export is published, commits and renames the staged files into place
   (``FeedWriter.finish``), clears the mark and answers with what it did.

What reaches the feeds is what ``FeedWriter.apply`` would have written from the same
export (``tests/test_feeds.py`` compares the files byte for byte). Nothing is published
before step 4: the child's transaction is open and its files are in the staging folder, so
a run killed at any earlier point (the child sees its input end and rolls back) leaves
every feed and every committed window as it was, and its mark is handled at the next start
as before. If the child fails or goes, the extension stops it (its transaction rolls back)
and updates the feeds itself, as without the worker.

The protocol: the parent writes ``complete`` and then ``go`` (one line each) to the child's
input; the child answers one JSON object a line: ``{"marked": true}``,
``{"ready": true}``, ``{"done": {Applied's fields}}``, or ``{"error": "why"}``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import queue
import select
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from newscrawl.childproc import exit_reason, reap, spawn
from newscrawl.exports import part_path
from newscrawl.feeds.store import FeedStore
from newscrawl.feeds.writer import Applied, FeedConfig, FeedWriter
from newscrawl.sites import load_profile

logger = logging.getLogger(__name__)

#: Seconds between two looks at a part file that has not grown.
POLL_S = 0.05
#: Bytes read from the part file at once.
CHUNK = 1 << 20


class Aborted(Exception):
    """The parent is gone, or told the child to stop, before the export was published."""


class FeedsWorker:
    """The parent's side: starts the child, tells it how far the export is, takes its answer.

    Every wait is bounded (``WAIT_S``); a child that answers wrongly, late or not at all is
    stopped and the caller does the update itself (:meth:`failed` says why).
    """

    #: How long the parent waits for an answer, seconds (the child's whole update of a 160k
    #: story export took about 20 s).
    WAIT_S = 300.0

    def __init__(self, config: FeedConfig, site: str, run_id: str, export: Path) -> None:
        self.config = config
        self.site = site
        self.run_id = run_id
        self.export = export
        self.failed: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._answers: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._marked = False
        self._told_go = False
        # A child that has published and been told to end, reaped by stop(): it closes its
        # state (SQLite's checkpoint) and exits, about 0.2 s, while the run finishes.
        self._ended: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        c = self.config
        args = {
            "data_dir": str(c.data_dir),
            "site_base_url": c.site_base_url,
            "feed_base_url": c.feed_base_url,
            "entries": c.entries,
            "timezone": c.timezone,
            "site": self.site,
        }
        self._proc = proc = spawn(__name__, json.dumps(args), self.run_id, str(self.export))
        threading.Thread(
            target=self._read, args=(proc.stdout,), name="feeds-worker", daemon=True
        ).start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self.failed is None

    def marked(self) -> bool:
        """Whether the child has marked the run pending (waits for it to say so: it does at
        the export's first story, or once told the export is whole)."""
        if not self._marked and self.running:
            self._marked = self._expect("marked") is not None
        return self._marked

    def complete(self) -> None:
        """The export's part file is whole: the child reads its end and prepares the feeds."""
        self._tell("complete")

    def go(self) -> None:
        """The export is complete under its final name: the child publishes the feeds
        while this process goes on (the seen-store's promote); :meth:`finish` takes its
        answer."""
        if not self._told_go:
            self._told_go = True
            self._tell("go")

    def finish(self) -> Applied | None:
        """The export is published: the child publishes the feeds (told now, unless
        :meth:`go` told it). What it did, or None (it failed: :attr:`failed` says why, and
        the child is stopped)."""
        self.go()
        done = self._expect("done")
        if done is None:
            return None
        try:
            applied = Applied(**done)
        except TypeError as exc:
            self._fail(f"its answer {done!r} does not say what it did ({exc})")
            return None
        # Done: its input closed, it exits on its own; stop() reaps it, later.
        self._ended, self._proc = self._proc, None
        self._close_input(self._ended)
        return applied

    def stop(self) -> None:
        """End the child: its input closed (an update not published is rolled back), then
        its PID if it does not go; and reap one that :meth:`finish` ended."""
        for proc in (self._proc, self._ended):
            if proc is not None:
                self._close_input(proc)
        for proc in (self._proc, self._ended):
            if proc is not None:
                reap(proc, 10)
        self._proc = self._ended = None

    @staticmethod
    def _close_input(proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]

    # -- internals ---------------------------------------------------------------------

    def _tell(self, word: str) -> None:
        if not self.running:
            return
        try:
            self._proc.stdin.write(word.encode() + b"\n")  # type: ignore[union-attr]
            self._proc.stdin.flush()  # type: ignore[union-attr]
        except OSError as exc:
            self._fail(f"could not be told {word!r}: {exc}")

    def _expect(self, key: str) -> Any:
        """The value of the child's next answer that has *key*; None if it failed first."""
        deadline = time.monotonic() + self.WAIT_S
        while self.running:
            try:
                answer = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._fail(f"no {key!r} in {self.WAIT_S:.0f} s")
                break
            if answer is None:
                why = exit_reason(self._proc) if self._proc is not None else None
                self._fail(f"{why or 'it closed its output'} before {key!r}")
            elif "error" in answer:
                self._fail(str(answer["error"]))
            elif key in answer:
                return answer[key]
        return None

    def _read(self, out: IO[bytes]) -> None:
        for line in out:
            try:
                answer = json.loads(line)
            except ValueError:
                answer = {"error": f"an answer that is not JSON: {line[:200]!r}"}
            if not isinstance(answer, dict):
                answer = {"error": f"an answer that is not an object: {answer!r}"}
            if "log" in answer:  # the child's own log record, into the crawl's log
                level, message = answer["log"]
                logger.log(int(level), "%s", message)
                continue
            self._answers.put(answer)
        self._answers.put(None)

    def _fail(self, why: str) -> None:
        if self.failed is None:
            self.failed = why
        self.stop()


class _Control:
    """The child's input: the parent's words, read without blocking the file's reading
    (from the descriptor itself: a buffered reader could hold a word that select misses)."""

    def __init__(self, inp: IO[bytes]) -> None:
        self._fd = inp.fileno()
        self._buf = b""
        self.complete = False

    def wait(self, timeout: float | None) -> str | None:
        """The parent's next word, if one comes within *timeout*; Aborted at its end."""
        if b"\n" not in self._buf:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                return None
            data = os.read(self._fd, 4096)
            if not data:
                raise Aborted("the parent closed its end")
            self._buf += data
            if b"\n" not in self._buf:
                return None
        line, self._buf = self._buf.split(b"\n", 1)
        word = line.strip().decode()
        if word == "complete":
            self.complete = True
        return word


class _ToParent(logging.Handler):
    """The child's log records (a record left out of every feed, say), sent to the parent,
    which logs them in the crawl's log."""

    def __init__(self, say: Callable[..., None]) -> None:
        super().__init__(logging.INFO)
        self._say = say

    def emit(self, record: logging.LogRecord) -> None:
        self._say(log=[record.levelno, record.getMessage()])


def follow(fh: IO[bytes], control: _Control) -> Iterator[bytes]:
    """The complete lines of the run's export as it is written, until the parent says it
    is whole."""
    with fh:
        rest = b""
        while True:
            chunk = fh.read(CHUNK)
            if chunk:
                *lines, rest = (rest + chunk).split(b"\n")
                for line in lines:
                    yield line + b"\n"
            elif control.complete:  # whole before this read: nothing more will come
                if rest:
                    yield rest
                return
            else:
                control.wait(POLL_S)


def open_export(export: Path, control: _Control) -> IO[bytes]:
    """The run's export, open, once it has a first byte or is whole: its ``.part`` file, or
    *export* once renamed (the same bytes; a short run, a slow start here)."""
    part = part_path(export)
    while True:  # the feed exporter creates the part file when the spider opens
        try:
            fh = part.open("rb")
        except FileNotFoundError:
            if control.complete:
                return export.open("rb")
        else:
            if control.complete or os.fstat(fh.fileno()).st_size:
                return fh
            fh.close()
        control.wait(POLL_S)


def serve(config: FeedConfig, run_id: str, export: Path, inp: IO[bytes], out: IO[bytes]) -> int:
    """The child's update of the feeds from *export* (see the module)."""

    def say(**answer: Any) -> None:
        out.write(json.dumps(answer).encode() + b"\n")
        out.flush()

    control = _Control(inp)
    parent_log = logging.getLogger("newscrawl")
    parent_log.setLevel(logging.INFO)
    parent_log.addHandler(_ToParent(say))
    store = FeedStore(config.state_path, config.window)
    try:
        # Nothing is written until the release brings the export's first story (or the
        # run says its export is whole): a run still crawling changes no file here.
        try:
            fh = open_export(export, control)
        except Aborted:
            return 0
        store.mark_pending(run_id, export)
        say(marked=True)
        started = time.perf_counter()
        writer = FeedWriter(config, store)
        applied = Applied(run_id)
        try:
            entries = writer.entries_in(follow(fh, control), str(export), run_id, applied)
            staged = writer.prepare(entries, applied)
        except Aborted:
            # prepare rolled back and removed what it had staged. Before ``complete`` the
            # export is not whole, so it cannot have been published: the mark goes too.
            if not control.complete:
                store.clear_pending(run_id)
            return 0
        say(ready=True)
        try:
            word = _next_word(control.wait)
        except Aborted:
            word = None
        if word != "go":
            writer.abandon(staged)
            return 0
        writer.finish(staged, applied, started)
        # What the update cost, not how long the child waited for the run: its CPU time.
        applied.ms = time.process_time() * 1000
        store.clear_pending(run_id)
        say(done=dataclasses.asdict(applied))
        return 0
    except (OSError, sqlite3.Error, ValueError) as exc:
        say(error=f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        store.close()


def _next_word(wait: Callable[[float | None], str | None]) -> str | None:
    """The parent's next word other than ``complete`` (said once the file was whole)."""
    while True:
        word = wait(None)
        if word != "complete":
            return word


def main(argv: list[str]) -> int:
    """``python -m newscrawl.feeds.worker CONFIG_JSON RUN_ID EXPORT``."""
    raw, run_id, export = argv
    args = json.loads(raw)
    config = FeedConfig(
        data_dir=Path(args["data_dir"]),
        site_base_url=args["site_base_url"],
        feed_base_url=args["feed_base_url"],
        entries=int(args["entries"]),
        timezone=args["timezone"],
        site=load_profile(args["site"]),
    )
    return serve(config, run_id, Path(export), sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
