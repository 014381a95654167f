"""``python -m newscrawl.cron``: the entry point existing crontabs call (``newscrawl.ops.cron``).

Kept so that a crontab written for an earlier layout keeps working; the runner itself lives
in ``newscrawl/ops/cron.py``.
"""

from __future__ import annotations

import sys

from newscrawl.ops.cron import main

if __name__ == "__main__":
    sys.exit(main())
