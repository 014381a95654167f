"""``scrapy check`` for this project: tagpage's contracts (``newscrawl.contracts``) run
against the configured site (``NEWSCRAWL_BASE_URL``), and nothing is written.

The spider needs hashtags to start; when the command line gives none, it gets the ones
its ``@listing`` contracts name. A check is no run: no export, no seen-store, no report,
no lock, no monitors (Scrapy's ``check`` already turns the item pipelines and feeds off).
"""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheck

from newscrawl.commands.parse import WRITES_NOTHING
from newscrawl.contracts import listing_tags


class Command(ScrapyCheck):
    """Scrapy's ``check``, with tagpage's hashtags from its contracts and no writes."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in WRITES_NOTHING.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not {"tags", "tags_file"} & set(opts.spargs):
            assert self.crawler_process
            loader = self.crawler_process.spider_loader
            for name in args or loader.list():
                lang, tags = listing_tags(loader.load(name))
                if tags:
                    opts.spargs["tags"] = ",".join(tags)
                if lang:
                    opts.spargs.setdefault("lang", lang)
        super().run(args, opts)
