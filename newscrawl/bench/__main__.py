"""``python -m newscrawl.bench``: see ``newscrawl.bench.runner``."""

import sys

from newscrawl.bench.runner import main

sys.exit(main())
