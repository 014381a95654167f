"""Starts one of newscrawl's helper processes (``python -m newscrawl.…``), talking on pipes.

The crawl's helpers (the fingerprint, listing and feeds workers) each run a module of this
package in a child process, with the parent's interpreter and the parent's import path:
under scrapyd the project is an egg, on ``sys.path`` only once the job has started, so the
child imports the same code as the parent from wherever the parent did.
"""

from __future__ import annotations

import os
import subprocess
import sys


def spawn(module: str, *args: str) -> subprocess.Popen[bytes]:
    """``python -m MODULE ARGS…`` with its input and output on pipes (its errors go where
    the parent's go)."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )


def reap(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """Wait for a child told to end (its input closed) to exit; killed by its PID if it has
    not within *timeout* seconds. Its exit code."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def exit_reason(proc: subprocess.Popen[bytes], timeout: float = 5) -> str | None:
    """Why a child that closed its end of a pipe is gone: "it exited (exit code N)", once
    it has exited within *timeout* seconds; else None (it closed the pipe and lives on)."""
    try:
        return f"it exited (exit code {proc.wait(timeout=timeout)})"
    except subprocess.TimeoutExpired:
        return None
