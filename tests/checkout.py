"""A copy of the project as a fresh clone has it, for tests that must not lean on this tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def copy_checkout(dest: Path) -> Path:
    """The project's files as a clone has them: tracked ones, plus new ones git does not
    ignore (so uncommitted work is tested too); nothing ignored (no data/, no .venv)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not in a clone
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest
