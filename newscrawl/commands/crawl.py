"""``scrapy crawl``, a refused spider argument in one line (``newscrawl.commands``)."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.commands import report_bad_arguments


class Command(ScrapyCrawl):
    """Scrapy's ``crawl``; its ``run`` with the start's failure reported in one line."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        report_bad_arguments(self.crawler_process.crawl(crawler, **opts.spargs), crawler)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
