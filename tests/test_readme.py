"""Every command block of README.md runs as written, on a fresh clone, after `make demo`.

The ``sh`` and ``python`` blocks are run in order in a copy of the project (what a clone
has) after the demo; each must exit 0 and print something. A block that must not run here
(it crawls the real site, starts docker, serves until stopped) says so just above its fence:
``<!-- readme-test: skip: <why> -->``; the skipped ones are counted, so none is skipped
silently. The consumers' blocks (pandas, DuckDB) are also checked for the types they give.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import site
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.checkout import copy_checkout
from tests.conftest import ROOT

RUN = ("sh", "python")
NOT_COMMANDS = ("", "cron", "ini", "text", "xml")  # diagrams, crontab, config, file contents
SKIP = re.compile(r"<!-- readme-test: skip: (.+?) -->")
# The blocks that must not run in a test, by what the marker says: keep this count honest.
EXPECTED_SKIPS = 7


@dataclass
class Block:
    lang: str
    code: str
    line: int  # of the opening fence, 1-based
    skip: str | None

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang})"


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of *text*, each with the skip marker on the line above, if any."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.fullmatch(r"```(\S*)\s*", lines[i])
        if fence is None:
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        if i == len(lines):
            raise AssertionError(f"README.md:{start + 1}: a fence that is never closed")
        above = lines[start - 1] if start else ""
        marker = SKIP.fullmatch(above.strip())
        code = "\n".join(lines[start + 1 : i]) + "\n"
        blocks.append(Block(fence[1], code, start + 1, marker[1] if marker else None))
        i += 1
    return blocks


BLOCKS = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def test_every_block_is_run_or_skipped_by_name_and_the_skips_are_counted() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    unknown = [str(b) for b in BLOCKS if b.lang not in RUN + NOT_COMMANDS]
    assert unknown == [], "a block in a language this test neither runs nor knows"
    skipped = [b for b in BLOCKS if b.skip]
    assert [str(b) for b in skipped if b.lang not in RUN] == []  # a marker on a non-command
    assert len(SKIP.findall(text)) == len(skipped), "a skip marker not right above a fence"
    assert len(skipped) == EXPECTED_SKIPS, [f"{b}: {b.skip}" for b in skipped]
    assert sum(b.lang in RUN and not b.skip for b in BLOCKS) >= 3  # jq, pandas, DuckDB at least


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project after `make venv` and `make demo`, as the README starts."""
    clone = copy_checkout(tmp_path_factory.mktemp("readme") / "clone")
    _installed_venv(clone / ".venv")
    demo = subprocess.run(
        ["make", "demo"],
        cwd=clone,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    out = demo.stdout
    assert "==> running the demo" in out
    # It ends with what to do next: the real site, the cron line, the replica by hand.
    tail = out[out.rindex("next steps:") :]
    assert "scrapy crawl tagpage -a tags=" in tail
    assert "python -m newscrawl.cron --tags-file data/tags.txt" in tail
    assert "python -m newscrawl.replica --help" in tail
    assert len(list((clone / "data" / "demo" / "exports" / "tagpage").glob("*.jsonl"))) == 3
    return clone


def _installed_venv(venv: Path) -> None:
    """What `make venv` leaves, without the network: a venv of its own (so nothing run here
    can touch the one these tests run in) that sees this one's packages through a .pth
    file, and the stamp that tells make it is installed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [site_packages] = venv.glob("lib/python3*/site-packages")
    (site_packages / "_tested_packages.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    (venv / ".installed").touch()  # newer than requirements.txt: make installs nothing


def _env() -> dict[str, str]:
    """A user's shell: none of this process's newscrawl or Scrapy variables."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEWSCRAWL_", "SCRAPY_")) and k != "PYTHONPATH"
    }


def _run_python(code: str, cwd: Path) -> tuple[str, dict[str, Any]]:
    """*code* run as a consumer's script in *cwd*; warnings are errors (a snippet that warns
    is about to break). Returns what it printed and its variables."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            warnings.simplefilter("error")
            exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(previous)
    return out.getvalue(), namespace


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang in RUN and not b.skip], ids=str)
def test_block_runs_as_written_after_make_demo(block: Block, after_demo: Path) -> None:
    if block.lang == "sh":
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block.code],
            cwd=after_demo,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"{block}:\n{block.code}\n{proc.stderr[-3000:]}"
        printed = proc.stdout
    else:
        printed, _ = _run_python(block.code, after_demo)
    assert printed.strip(), f"{block} printed nothing on the demo's exports:\n{block.code}"


def _consumer_block(needle: str) -> Block:
    [block] = [b for b in BLOCKS if b.lang == "python" and needle in b.code]
    return block


def _exported(clone: Path) -> list[str]:
    lines: list[str] = []
    for path in sorted((clone / "data" / "demo" / "exports" / "tagpage").glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return lines


def test_pandas_mapping_gives_every_field_its_type(after_demo: Path) -> None:
    import pandas as pd

    _, ns = _run_python(_consumer_block("pd.read_json").code, after_demo)
    stories = ns["stories"]
    assert len(stories) == len(_exported(after_demo)) > 0
    assert list(stories.columns) == list(ns["DTYPES"])
    # schema_version stays the string "2", not the number 2.
    assert pd.api.types.is_string_dtype(stories["schema_version"])
    assert set(stories["schema_version"]) == {"2"}
    # Null in every record of the demo (no story pages fetched), still text, not float64.
    for name in ("body", "story_hashtags"):
        assert stories[name].isna().all()
    assert pd.api.types.is_string_dtype(stories["body"])
    assert stories["story_hashtags"].dtype == object
    assert str(stories["crawled_at"].dtype) == "datetime64[us, UTC]"
    # No export at all: typed and empty, not "No objects to concatenate".
    empty_dir = after_demo / "no-exports"
    (empty_dir / "data" / "demo" / "exports" / "tagpage").mkdir(parents=True)
    _, none = _run_python(_consumer_block("pd.read_json").code, empty_dir)
    assert len(none["stories"]) == 0
    assert list(none["stories"].dtypes) == list(stories.dtypes)


def test_duckdb_columns_give_every_field_its_type(
    after_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ns = _run_python(_consumer_block("duckdb.read_json").code, after_demo)
    monkeypatch.chdir(after_demo)  # the relation is lazy: its relative pattern is read below
    stories = ns["stories"]
    types = dict(zip(stories.columns, map(str, stories.types), strict=True))
    assert types["schema_version"] == "VARCHAR"
    assert types["body"] == "VARCHAR"  # null in every record, still not DuckDB's NULL type
    assert types["story_hashtags"] == types["hashtags"] == "VARCHAR[]"
    assert types["crawled_at"] == "TIMESTAMP WITH TIME ZONE"
    assert "NULL" not in types.values()
    assert stories.count("*").fetchall() == [(len(_exported(after_demo)),)]


def test_make_venv_says_what_it_does_and_lets_pip_show_its_progress(tmp_path: Path) -> None:
    """On a fresh clone (no .venv) the install is a line per step and pip's own output."""
    clone = copy_checkout(tmp_path / "clone")
    dry = subprocess.run(
        ["make", "-n", "demo"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout
    steps = [line for line in dry.splitlines() if line.startswith("echo")]
    assert len(steps) >= 3, dry
    assert "==> [1/3] creating the virtualenv" in dry
    assert "==> [2/3] installing the pinned packages" in dry
    [pip] = [line for line in dry.splitlines() if " -m pip install " in line]
    assert "--quiet" not in pip and " -q" not in pip
    assert dry.index("[2/3]") < dry.index(pip) < dry.index("[3/3]")
