"""The runner cron calls: one lock, one crawl per language, a verdict in the exit code.

``python -m newscrawl.cron [--tags A,B | --tags-file F] [--lang LANG] [--set NAME=VALUE]
[--arg NAME=VALUE]`` (the languages are the site's, ``NEWSCRAWL_SITE``: en and ar for daily8)

Exit codes: 0 every crawl finished and every monitor passed; 1 something failed (stderr
says what, and where the log and the report are); 75 another run holds the data dir
(nothing was changed). docs/OPERATIONS.md is the operator's guide.

Each crawl is a real ``scrapy crawl`` child process, so a crawl that dies (killed, out
of memory) is still reported by the runner, and one language's crash does not take the
other's run with it. The runner holds the data dir's lock and hands the descriptor to
each child (``newscrawl.ops.lock``), so no other run can start until the last child is gone.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from scrapy.utils.project import get_project_settings

from newscrawl.exports import export_path, new_run_id
from newscrawl.ops import report
from newscrawl.ops.lock import INHERITED_FD_ENV, DataDirLock
from newscrawl.ops.retention import prune
from newscrawl.sites import SiteProfile, site_of
from newscrawl.tags import parse_tag_list, tag_lines, validate_tag

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BUSY = 75  # EX_TEMPFAIL (sysexits.h): try again later
SPIDER = "tagpage"
PROG = "newscrawl-cron"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_RUNNER_ARGS = {"lang", "tags", "tags_file"}  # the runner sets these per crawl


class UsageError(Exception):
    """A bad command line or tags file: reported on stderr, exit code 1."""


@dataclass
class Job:
    """One crawl: the hashtags of one language."""

    lang: str
    tags: list[str]
    run_id: str = ""
    problems: list[str] = field(default_factory=list)
    report: dict[str, Any] | None = None


def read_tags_file(path: Path, default_lang: str, langs: tuple[str, ...]) -> dict[str, list[str]]:
    """Hashtags by language from a tags file: ``TAG`` or ``TAG LANG`` per line.

    The spider's format (one hashtag per line, ``# `` comments) plus an optional
    language after the hashtag (one of the site's *langs*); a line without one is in
    *default_lang*. Hashtags hold no spaces, so the split is unambiguous.
    """
    by_lang: dict[str, list[str]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read the tags file: {exc}") from None
    for n, content in tag_lines(text):  # the spider's format: comments as it skips them
        tag, *rest = content.split()
        lang = rest[0] if rest else default_lang
        try:
            if len(rest) > 1:
                raise ValueError(f"expected 'HASHTAG [LANG]', got {content!r}")
            if lang not in langs:
                raise ValueError(f"unknown language {lang!r}: use one of {', '.join(langs)}")
            by_lang.setdefault(lang, []).append(validate_tag(tag))
        except ValueError as exc:
            raise UsageError(f"{path}:{n}: {exc}") from None
    return by_lang


def plan(args: argparse.Namespace, site: SiteProfile) -> list[Job]:
    """The crawls to run, one per language, languages in the order they first appear.

    The languages are the *site*'s (``NEWSCRAWL_SITE``); ``--lang`` defaults to its first.
    """
    default_lang = args.lang or site.default_lang
    if default_lang not in site.langs:
        choices = ", ".join(map(repr, site.langs))
        raise UsageError(
            f"argument --lang: invalid choice: {default_lang!r} (choose from {choices})"
        )
    by_lang: dict[str, list[str]] = {}
    if args.tags:
        try:
            by_lang.setdefault(default_lang, []).extend(parse_tag_list(args.tags))
        except ValueError as exc:
            raise UsageError(f"--tags: {exc}") from None
    if args.tags_file:
        found = read_tags_file(Path(args.tags_file), default_lang, site.langs)
        for lang, tags in found.items():
            by_lang.setdefault(lang, []).extend(tags)
    jobs = [Job(lang, list(dict.fromkeys(tags))) for lang, tags in by_lang.items() if tags]
    if not jobs:
        raise UsageError("no hashtags given: use --tags A,B or --tags-file FILE")
    return jobs


def parse_pairs(option: str, pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def load_settings(overrides: dict[str, str]) -> Any:
    """The project's settings as the children will see them (environment, then --set)."""
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


class Runner:
    """Runs the jobs under the lock, one child at a time, and forwards SIGTERM/SIGINT."""

    def __init__(
        self,
        settings: Any,
        overrides: dict[str, str],
        spider_args: dict[str, str],
        verbose: bool,
    ) -> None:
        self.data_dir = Path(settings.get("NEWSCRAWL_DATA_DIR")).resolve()
        self.retention_days = settings.getfloat("NEWSCRAWL_RETENTION_DAYS")
        # The children get the resolved data dir: cron's cwd is not the operator's.
        self.overrides = {**overrides, "NEWSCRAWL_DATA_DIR": str(self.data_dir)}
        self.spider_args = spider_args
        self.verbose = verbose
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping: int | None = None  # the signal that asked us to stop

    def run(self, jobs: list[Job]) -> int:
        lock = DataDirLock(self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not lock.acquire(f"{PROG} ({len(jobs)} crawls)"):
            print(
                f"{PROG}: another run is still going on {self.data_dir} ({lock.holder()}); "
                "this run changed nothing",
                file=sys.stderr,
            )
            return EXIT_BUSY
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for job in jobs:
                if self.stopping is not None:
                    job.problems.append(f"not run: stopped by signal {self.stopping}")
                    continue
                self._crawl(job, lock)
            removed = prune(self.data_dir, SPIDER, self.retention_days)
            if removed:
                report.write_latest(self.data_dir, SPIDER)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            lock.release()
        return self._verdict(jobs)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Once to the crawl: Scrapy shuts down cleanly (export kept, report written);
        # a second signal to it would force an unclean stop.
        if self.stopping is None and self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)
        self.stopping = signum

    def _crawl(self, job: Job, lock: DataDirLock) -> None:
        job.run_id = new_run_id()
        log = report.log_path(self.data_dir, job.run_id)
        log.parent.mkdir(parents=True, exist_ok=True)
        start = datetime.now(UTC)
        with tempfile.TemporaryDirectory(prefix="newscrawl-cron-") as tmp, log.open("ab") as out:
            tags_file = Path(tmp) / f"tags-{job.lang}.txt"
            tags_file.write_text("\n".join(job.tags) + "\n", encoding="utf-8")
            cmd = [sys.executable, "-m", "scrapy", "crawl", SPIDER]
            cmd += ["-a", f"lang={job.lang}", "-a", f"tags_file={tags_file}"]
            for name, value in self.spider_args.items():
                cmd += ["-a", f"{name}={value}"]
            for name, value in {**self.overrides, "NEWSCRAWL_RUN_ID": job.run_id}.items():
                cmd += ["-s", f"{name}={value}"]
            env = {**os.environ, INHERITED_FD_ENV: str(lock.fd)}
            env.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
            )
            _note(out, f"run {job.run_id}: lang {job.lang}, {len(job.tags)} hashtags")
            # Its own session: a signal to cron's process group reaches the crawl once,
            # through _on_signal, not twice (Scrapy's second signal is a forced stop).
            self.child = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                pass_fds=(lock.fd,),
                start_new_session=True,
            )
            if self.stopping is not None:  # the signal came while the child was starting
                self.child.send_signal(self.stopping)
            _note(out, f"crawl started, pid {self.child.pid}")
            returncode = self.child.wait()
            self.child = None
            if returncode != 0:
                job.problems.append(_describe_exit(returncode))
            job.report = report.read_report(report.report_path(self.data_dir, job.run_id))
            if job.report is None:
                job.problems.append("the crawl wrote no run report")
                job.report = self._stub_report(job, start)
            elif job.problems:
                job.report["problems"] = job.problems + job.report["problems"]
                job.report["ok"] = False
                report.write_json(report.report_path(self.data_dir, job.run_id), job.report)
            job.problems = job.report["problems"]
            verdict = "ok" if not job.problems else "FAILED: " + "; ".join(job.problems)
            _note(out, f"run {job.run_id}: {verdict}")

    def _stub_report(self, job: Job, start: datetime) -> dict[str, Any]:
        """The report of a crawl that died before writing one: what the disk still says."""
        final = export_path(self.data_dir, SPIDER, job.run_id)
        data = {
            "run_id": job.run_id,
            "spider": SPIDER,
            "lang": job.lang,
            "ok": False,
            "problems": job.problems,
            "start": report.iso(start),
            "end": report.iso(datetime.now(UTC)),
            "finish_reason": None,
            "tags": job.tags,
            "export": report.export_info(final) if final.exists() else None,
            "log": str(report.log_path(self.data_dir, job.run_id)),
        }
        report.write_json(report.report_path(self.data_dir, job.run_id), data)
        if final.exists():
            report.write_latest(self.data_dir, SPIDER)
        return data

    def _verdict(self, jobs: list[Job]) -> int:
        failed = [j for j in jobs if j.problems]
        for job in jobs:
            if job in failed:
                print(f"{PROG}: run {job.run_id or '-'} ({job.lang}) FAILED", file=sys.stderr)
                for problem in job.problems:
                    print(f"  - {problem}", file=sys.stderr)
                if job.run_id:
                    print(
                        f"  log:    {report.log_path(self.data_dir, job.run_id)}", file=sys.stderr
                    )
                    print(
                        f"  report: {report.report_path(self.data_dir, job.run_id)}",
                        file=sys.stderr,
                    )
            elif self.verbose and job.report:
                print(
                    f"{PROG}: run {job.run_id} ({job.lang}) ok: "
                    f"{job.report.get('pages_fetched')} pages, "
                    f"{job.report.get('stories_exported')} new stories -> "
                    f"{(job.report.get('export') or {}).get('path')}"
                )
        return EXIT_FAILED if failed else EXIT_OK


def _note(out: Any, message: str) -> None:
    """A runner line in the run's log, in the log's own format."""
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    out.write(f"{stamp} [{PROG}] INFO: {message}\n".encode())
    out.flush()


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the crawl process was killed by {name}"
    return f"the crawl process exited with code {returncode}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        # A bad command line is a failed run for cron, not a third kind of exit code.
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"{PROG}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m newscrawl.cron",
        description="Crawl hashtag listings once, for cron: lock, crawl, report, exit code.",
        epilog="Exit codes: 0 ok; 1 failed (stderr says why); 75 another run is going. "
        "See docs/OPERATIONS.md.",
    )
    parser.add_argument("--tags", help="comma-separated hashtags (in --lang)")
    parser.add_argument(
        "--tags-file",
        help="one hashtag per line, optionally followed by its language: 'Saco en'",
    )
    parser.add_argument(
        "--lang",
        help="language of --tags, and of tags-file lines that name none (one of the site's;"
        " default: its first, en for daily8)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for every crawl (like scrapy crawl -s); repeatable",
    )
    parser.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a spider argument for every crawl (like scrapy crawl -a): articles=1, "
        "discover=N, max_pages=N, ...; repeatable",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per good run too")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        overrides = parse_pairs("--set", args.set)
        spider_args = parse_pairs("--arg", args.arg)
        taken = sorted(_RUNNER_ARGS & spider_args.keys())
        if taken:
            raise UsageError(f"--arg {taken[0]}: use --tags, --tags-file and --lang instead")
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
        settings = load_settings(overrides)
        try:
            site = site_of(settings)  # NEWSCRAWL_SITE: its languages check --lang and the file
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        jobs = plan(args, site)
        if not settings.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise UsageError("NEWSCRAWL_EXPORT_ENABLED is off: the runner exists to export")
    except UsageError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return Runner(settings, overrides, spider_args, args.verbose).run(jobs)


if __name__ == "__main__":
    sys.exit(main())
