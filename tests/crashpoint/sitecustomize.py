"""Test-only: park a crawl at the rename that publishes its export, so a test can kill it there.

Put this directory on ``PYTHONPATH`` and set ``CRASHPOINT_RENAME`` to ``before`` (the
``.part`` is complete and fsynced, the staged ids committed, the rename not done) or
``after`` (renamed, the stories not yet promoted to seen). On reaching the point, the
process writes ``<export>.crashpoint`` next to the export and waits to be killed. The
window is microseconds in a real run; this only makes it long enough to hit. Nothing
else changes: the rename itself is the real ``os.replace``.
"""

import os
import time

_POINT = os.environ.get("CRASHPOINT_RENAME")

if _POINT in ("before", "after"):
    _replace = os.replace

    def _park(final: str) -> None:
        with open(f"{final}.crashpoint", "w") as fh:
            fh.write(str(os.getpid()))
        while True:  # until the test's SIGKILL
            time.sleep(3600)

    def replace(src, dst, *args, **kwargs):
        is_export = str(src).endswith(".jsonl.part")
        if is_export and _POINT == "before":
            _park(str(dst))
        _replace(src, dst, *args, **kwargs)
        if is_export and _POINT == "after":
            _park(str(dst))

    os.replace = replace
