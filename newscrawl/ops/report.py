"""Run reports (``<DATA_DIR>/runs/<run id>.json``) and the exports index ``latest.json``.

The report says what an operator asks after a run: did it work (``ok``, ``problems``),
what it fetched and exported, what it dropped and why, which monitors failed, and where
the export, its checksum and the log are. The full stats follow under ``stats``.

``<DATA_DIR>/exports/<spider>/latest.json`` is rebuilt from the disk after every run:
the newest complete export per language, and every complete export still kept, newest
first, so a consumer polls one file. Both are written through a temporary name and
renamed, like the exports, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_HASHTAG_PREFIX, _HASHTAG_SUFFIX = "newscrawl/hashtag/", "/stories"
_HTTP_STATUS = "downloader/response_status_count/"
_EXCEPTION = "downloader/exception_type_count/"
_DROP = "newscrawl/drop/"


def report_path(data_dir: str | Path, run_id: str) -> Path:
    return Path(data_dir) / "runs" / f"{run_id}.json"


def log_path(data_dir: str | Path, run_id: str) -> Path:
    return Path(data_dir) / "logs" / f"{run_id}.log"


def latest_path(data_dir: str | Path, spider: str) -> Path:
    return Path(data_dir) / "exports" / spider / "latest.json"


def iso(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def hashtag_counts(stats: Mapping[str, Any]) -> dict[str, int]:
    """Distinct stories each requested hashtag listed (0 for one that listed none)."""
    return {
        k[len(_HASHTAG_PREFIX) : -len(_HASHTAG_SUFFIX)]: v
        for k, v in stats.items()
        if k.startswith(_HASHTAG_PREFIX) and k.endswith(_HASHTAG_SUFFIX)
    }


def export_info(path: Path) -> dict[str, Any]:
    """Path, record count and sha256 of a complete export, read once."""
    digest, records = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for line in fh:
            digest.update(line)
            records += 1
    return {"path": str(path), "records": records, "sha256": digest.hexdigest()}


def build(
    stats: Mapping[str, Any],
    *,
    run_id: str,
    spider: str,
    data_dir: Path,
    monitors_enabled: bool = True,
) -> dict[str, Any]:
    """The report of a finished crawl, from its final stats."""
    export_file = stats.get("newscrawl/export/path")
    export = export_info(Path(export_file)) if export_file else None
    monitors = stats.get("newscrawl/monitors")
    problems = [f"{m['monitor']}: {m['reason']}" for m in (monitors or {}).get("failed", [])]
    if monitors is None:
        if monitors_enabled:
            problems.append("the monitors did not run (the log says why)")
        if stats.get("finish_reason") != "finished":
            problems.append(f"finished with {stats.get('finish_reason')!r}")
    if export is None:
        problems.append("no complete export was written")
    log = log_path(data_dir, run_id)
    return {
        "run_id": run_id,
        "spider": spider,
        "lang": stats.get("newscrawl/lang"),
        "ok": not problems,
        "problems": problems,
        "start": iso(stats.get("start_time")),
        "end": iso(stats.get("finish_time")),
        "finish_reason": stats.get("finish_reason"),
        "pages_fetched": stats.get("newscrawl/pages", 0),
        "story_pages_fetched": stats.get("newscrawl/article/fetched", 0),
        "stories_listed": stats.get("newscrawl/stories", 0),
        "stories_exported": export["records"] if export else 0,
        "hashtags": hashtag_counts(stats),
        "drops": {k[len(_DROP) :]: v for k, v in stats.items() if k.startswith(_DROP)},
        "date_parse_failures": stats.get("newscrawl/dates/failed", 0),
        "listing_failures": stats.get("newscrawl/listing/failed", 0),
        "blocked": stats.get("newscrawl/blocked", 0),
        "hashtags_not_found": stats.get("newscrawl/hashtag/not_found", 0),
        "incomplete": bool(stats.get("newscrawl/run/incomplete")),
        "http_errors": {
            code: v
            for k, v in stats.items()
            if k.startswith(_HTTP_STATUS)
            and (code := k[len(_HTTP_STATUS) :]).isdigit()
            and int(code) >= 400
        },
        "download_errors": {
            k[len(_EXCEPTION) :]: v for k, v in stats.items() if k.startswith(_EXCEPTION)
        },
        "errors_logged": stats.get("log_count/ERROR", 0),
        "export": export,
        "monitors": monitors,
        "log": str(log) if log.exists() else None,
        "stats": {k: iso(v) for k, v in sorted(stats.items())},
    }


def write_json(path: Path, data: Any) -> None:
    """Write *data* as JSON under a temporary name of this process, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("unreadable run report %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


def iter_reports(data_dir: Path) -> Iterator[dict[str, Any]]:
    """Run reports, newest first (run ids sort by their start)."""
    for path in sorted((data_dir / "runs").glob("*.json"), reverse=True):
        data = read_report(path)
        if data is not None:
            yield data


def last_good_report(
    data_dir: Path, *, spider: str, lang: str | None, before: str | None
) -> dict[str, Any] | None:
    """The newest report of *spider* in *lang*, older than run *before*, whose run was ok."""
    for data in iter_reports(data_dir):
        if before and data.get("run_id", "") >= before:
            continue
        if data.get("spider") == spider and data.get("lang") == lang and data.get("ok"):
            return data
    return None


def _first_lang(path: Path) -> str | None:
    with path.open(encoding="utf-8") as fh:
        line = fh.readline()
    if not line:
        return None
    try:
        return json.loads(line).get("lang")
    except ValueError:
        return None


def write_latest(data_dir: Path, spider: str) -> Path:
    """Rebuild ``latest.json`` from the complete exports on disk and their reports.

    Derived, not accumulated: an export a killed run completed (and the next run
    recovered) is listed too, and one pruned by retention disappears.
    """
    exports_dir = Path(data_dir) / "exports" / spider
    entries = []
    for path in sorted(exports_dir.glob("*.jsonl"), reverse=True):
        run_id = path.stem
        rep = read_report(report_path(data_dir, run_id)) or {}
        info = rep.get("export") or export_info(path)
        entries.append(
            {
                "run_id": run_id,
                "file": path.name,
                "path": str(path.resolve()),
                "lang": rep.get("lang") or _first_lang(path),
                "records": info["records"],
                "sha256": info["sha256"],
                "run_ok": rep.get("ok"),
                "report": str(report_path(data_dir, run_id).resolve()) if rep else None,
            }
        )
    latest: dict[str, str] = {}
    for e in entries:
        if e["lang"]:
            latest.setdefault(e["lang"], e["run_id"])
    target = latest_path(data_dir, spider)
    write_json(
        target,
        {
            "updated": iso(datetime.now(UTC)),
            "spider": spider,
            "latest": latest,
            "exports": entries,
        },
    )
    return target


class RunReport:
    """Extension: writes the run report and rebuilds ``latest.json`` once the engine stops.

    That is after the export is renamed into place and the monitors have run, so both
    are in the report.
    """

    def __init__(self, crawler: Crawler, data_dir: Path, run_id: str) -> None:
        self.crawler = crawler
        self.data_dir = data_dir
        self.run_id = run_id
        self.path = report_path(data_dir, run_id)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        s = crawler.settings
        if not s.getbool("NEWSCRAWL_EXPORT_ENABLED"):
            raise NotConfigured("exports are off, so are run reports")
        ext = cls(crawler, Path(s.get("NEWSCRAWL_DATA_DIR")), s.get("NEWSCRAWL_RUN_ID"))
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        spider = self.crawler.spider.name if self.crawler.spider else "tagpage"
        data = build(
            self.crawler.stats.get_stats(),
            run_id=self.run_id,
            spider=spider,
            data_dir=self.data_dir,
            monitors_enabled=self.crawler.settings.getbool("SPIDERMON_ENABLED"),
        )
        write_json(self.path, data)
        try:
            write_latest(self.data_dir, spider)
        except OSError as exc:  # the report and the export stand; the next run rebuilds it
            logger.error("could not rebuild latest.json: %s", exc)
        level = logging.INFO if data["ok"] else logging.ERROR
        logger.log(level, "run report: %s (%s)", self.path, "ok" if data["ok"] else "FAILED")
