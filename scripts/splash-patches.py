"""Patch an installed Splash 3.5 for Python 3.11 (run by scripts/splash-server).

Each patch is an exact text replacement, checked: already applied is fine, the original
text found the expected number of times is replaced, anything else stops with an error
(a different Splash release needs this list reviewed, not a silent half-patched server).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# (file, original, patched, occurrences)
PATCHES = [
    # json.loads() lost its `encoding` argument in Python 3.9: every JSON POST (how
    # scrapy-splash talks to Splash) fails with a TypeError without this.
    (
        "render_options.py",
        "json.loads(content, encoding='utf8')",
        "json.loads(content)",
        1,
    ),
    # PyQt5 on Python 3.10+ no longer accepts a float for QTimer.start(msec): splash:wait(),
    # timeouts and call_later in /execute scripts fail without these five int()s.
    ("browser_tab.py", "timer.start(time_ms)", "timer.start(int(time_ms))", 1),
    (
        "browser_tab.py",
        "self._timer.start(timeout * 1000)",
        "self._timer.start(int(timeout * 1000))",
        1,
    ),
    ("qtrender_lua.py", "qtimer.start(timeout)", "qtimer.start(int(timeout))", 1),
    ("qtrender_lua.py", "qtimer.start(delay)", "qtimer.start(int(delay))", 1),
    ("network_manager.py", "timer.start(timeout_ms)", "timer.start(int(timeout_ms))", 1),
]


def main() -> int:
    spec = importlib.util.find_spec("splash")
    if spec is None or not spec.submodule_search_locations:
        print("splash-patches: splash is not installed in this Python", file=sys.stderr)
        return 1
    root = Path(next(iter(spec.submodule_search_locations)))
    for name, original, patched, count in PATCHES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        found = text.count(original)
        if found == 0 and patched in text:
            continue  # applied before
        if found != count:
            print(
                f"splash-patches: expected {count}x {original!r} in {path}, found {found}:"
                " is this Splash 3.5? Review scripts/splash-patches.py.",
                file=sys.stderr,
            )
            return 1
        path.write_text(text.replace(original, patched), encoding="utf-8")
        print(f"splash-patches: {name}: {original} -> {patched}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
