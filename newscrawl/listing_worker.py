"""Parses listing pages in a second process while the crawl goes on.

A listing page's parse (its HTML into a tree, then the site profile's ``parse_listing``)
cost about 1.8 ms of the crawl's one core a page (0.7 ms the tree, 1.1 ms the cards; the
bench's English site, 1,093 pages), most of what ``tagpage`` does with a page. None of it
needs the crawl's process: the spider hands each listing response's body to
:class:`ListingWorker` and awaits the :class:`~newscrawl.sites.cards.Listing`, which a child
process (``python -m newscrawl.listing_worker``) makes on the machine's other core, while
the crawl's process downloads the next pages.

It also takes the tree out of the crawl's process: a page's tree made there lived in a
reference cycle (the response and its selector) until the garbage collector's next full
pass, some 50 MiB at a time on the bench's site; with the worker a first crawl's peak
resident memory fell from 222 to 168 MiB (medians of two alternated runs).

The child builds the page's tree as Scrapy's ``response.selector`` does (the body decoded
by the response's encoding, parsel's HTML parser, the page's base URL), and runs the same
``parse_listing``: what it answers is what the spider would have parsed itself
(``tests/test_listing_worker.py`` compares them). A page the child cannot parse (its parse
raised), and every page once the child is gone, is answered ``None``: the spider parses it
itself, as without the worker, so a page is never lost and a parse error shows in the
crawl's log as before.

Pages wait for the child in the crawl's scraper, whose size Scrapy bounds
(``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, 5 MB of responses by default: past it the downloader
waits), so a child slower than the downloads slows the crawl, it never fills memory.

The protocol: pickled ``(url, encoding, body)`` in, one pickled answer out per page, in
order: ``("ok", Listing)`` or ``("error", why)``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import parsel
from twisted.internet.defer import Deferred, succeed
from w3lib.encoding import html_to_unicode
from w3lib.html import get_base_url

from newscrawl.childproc import exit_reason, reap, spawn

if TYPE_CHECKING:
    from newscrawl.sites import SiteProfile
    from newscrawl.sites.cards import Listing

logger = logging.getLogger(__name__)

#: (page URL, the response's encoding, its body): what a listing is parsed from.
Page = tuple[str, str, bytes]


def page_tree(url: str, encoding: str, body: bytes) -> Any:
    """The page's lxml tree, made as Scrapy's ``HtmlResponse.selector.root`` is made."""
    text = html_to_unicode(f"charset={encoding}", body)[1]
    # Scrapy's get_base_url(response): the <base href> in the first 4 KiB, else the URL.
    base = get_base_url(text[:4096], url, encoding)
    return parsel.Selector(text=text, type="html", base_url=base).root


class ListingWorker:
    """The parent's side: sends listing pages to the child, hands back what it parsed.

    :meth:`parse` returns a Deferred fired in the reactor's thread; two threads talk to the
    child, so that the crawl never waits on a pipe, and a third watches that every page is
    answered in time: a child that stops answering for ``WAIT_S`` is killed and its pages
    are left to the spider. The spider counts ``newscrawl/listing_worker/parsed_ahead``
    (parsed by the child) and ``…/parsed_inline`` (left to it: the child could not parse
    the page, or is gone).
    """

    #: Seconds a page may wait for its answer (a parse takes milliseconds; a child that
    #: takes this long is stuck, and the crawl must not wait on it).
    WAIT_S = 60.0

    def __init__(
        self, site: str, base_url: str, *, deliver: Callable[..., Any] | None = None
    ) -> None:
        self.site = site
        self.base_url = base_url
        # How an answer reaches the Deferred its page waits on: in the reactor's thread
        # (``reactor.callFromThread``); a test with no reactor running passes its own.
        self._deliver = deliver or _in_reactor
        self.failed: str | None = None  # why the child is gone, if it went before close()
        self._proc: subprocess.Popen[bytes] | None = None
        self._outbox: queue.SimpleQueue[Page | None] = queue.SimpleQueue()
        # The pages sent and not answered, in order: their Deferreds and when they were sent.
        self._waiting: collections.deque[tuple[Deferred[Listing | None], float]] = (
            collections.deque()
        )
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._ending = False  # end(): no more pages; the child exits once it has answered
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the child (it imports the site profile and parsel: about 0.1 s)."""
        self._proc = proc = spawn(__name__, self.site, self.base_url)
        for target, args, name in (
            (self._send, (proc.stdin,), "listing-pages"),
            (self._read, (proc.stdout,), "listing-answers"),
            (self._watch, (), "listing-watch"),
        ):
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def parse(self, url: str, encoding: str, body: bytes) -> Deferred[Listing | None]:
        """The listing the child parses from this page, or None (the caller parses it)."""
        with self._lock:
            if self._proc is None or self.failed is not None or self._ending:
                return succeed(None)
            d: Deferred[Listing | None] = Deferred()
            self._waiting.append((d, time.monotonic()))
        self._outbox.put((url, encoding, body))
        return d

    def end(self) -> None:
        """No more pages (the run's listings are all parsed): the child's input is ended
        after the pages sent, and it exits once it has answered them, while the run goes
        on; :meth:`close` then finds it gone (it waited 65 ms for it at the bench's close).
        A page asked for after this is the spider's to parse."""
        with self._lock:
            if self._proc is None or self._ending:
                return
            self._ending = True
        self._outbox.put(None)

    def close(self) -> None:
        """Stop the child (the end of its input, then its PID if it does not go); a page
        still waiting is answered None."""
        self.end()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._closing.set()
        reap(proc, 5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._answer_all(None)

    # -- internals ---------------------------------------------------------------------

    def _send(self, inp: IO[bytes]) -> None:
        try:
            while (page := self._outbox.get()) is not None:
                pickle.dump(page, inp, protocol=pickle.HIGHEST_PROTOCOL)
                inp.flush()
        except OSError as exc:  # BrokenPipeError: the child is gone
            self._fail(self._gone() or f"could not send it a page: {exc}")
        finally:
            with contextlib.suppress(OSError):
                inp.close()

    def _read(self, out: IO[bytes]) -> None:
        try:
            while True:
                kind, value = pickle.load(out)
                if kind != "ok":  # the spider parses the page (counted as parsed_inline)
                    logger.warning("listing worker: %s; the spider parses the page", value)
                    value = None
                self._answer(value)
        except EOFError:
            with self._lock:  # ended by us with every page answered: it exited as told
                told = self._ending and not self._waiting
            if self._proc is not None and not told:  # not closed by us: the child died
                self._fail(self._gone() or "it closed its output")
        except (OSError, ValueError, TypeError, pickle.UnpicklingError) as exc:
            self._fail(f"its answers could not be read: {exc}")

    def _watch(self) -> None:
        """The watch thread: a child that leaves a page unanswered for WAIT_S is stopped."""
        while not self._closing.wait(min(1.0, self.WAIT_S / 4)):
            with self._lock:
                oldest = self._waiting[0][1] if self._waiting else None
            if oldest is not None and time.monotonic() - oldest > self.WAIT_S:
                self._fail(f"no answer in {self.WAIT_S:g} s, stopped")
                proc = self._proc
                if proc is not None:
                    proc.kill()
                return

    def _gone(self) -> str | None:
        """Why the child is gone, once it has exited; else None."""
        proc = self._proc
        return None if proc is None else exit_reason(proc)

    def _answer(self, listing: Listing | None) -> None:
        with self._lock:
            d = self._waiting.popleft()[0] if self._waiting else None
        if d is not None:
            self._deliver(d.callback, listing)

    def _answer_all(self, listing: Listing | None) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, collections.deque()
        for d, _ in waiting:
            self._deliver(d.callback, listing)

    def _fail(self, why: str) -> None:
        with self._lock:
            first = self.failed is None
            if first:
                self.failed = why
        if first:
            logger.error("listing worker: %s; the spider parses the remaining pages", why)
        self._answer_all(None)


def _in_reactor(fn: Callable[..., Any], *args: Any) -> None:
    from twisted.internet import reactor

    if threading.current_thread() is threading.main_thread():  # close(), in the reactor
        fn(*args)
    else:
        reactor.callFromThread(fn, *args)  # type: ignore[attr-defined]


def serve(profile: SiteProfile, base_url: str, inp: IO[bytes], out: IO[bytes]) -> int:
    """The child's loop: a page in, its listing (or why not) out, until its input ends."""
    while True:
        try:
            url, encoding, body = pickle.load(inp)
        except EOFError:
            return 0
        try:
            answer: tuple[str, Any] = (
                "ok",
                profile.parse_listing(None, url, base_url, root=page_tree(url, encoding, body)),
            )
        except Exception as exc:  # any parse error: the spider parses the page, and shows it
            answer = ("error", f"{url} not parsed ({type(exc).__name__}: {exc})")
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def main(argv: list[str]) -> int:
    """``python -m newscrawl.listing_worker SITE BASE_URL``."""
    from newscrawl.sites import load_profile

    site, base_url = argv
    return serve(load_profile(site), base_url, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
