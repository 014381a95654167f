"""Scrapy contracts for tagpage (``SPIDER_CONTRACTS``), so ``scrapy check`` tests the spider.

A contract needs a URL, and the spider's site is a setting (``NEWSCRAWL_BASE_URL``): the
real site by default, the loopback replica in the tests. So the URL is not written in the
docstring; ``@listing LANG TAG`` builds it from the spider's site profile and base URL,
the way the spider builds its own requests, and gives the callback its ``tag`` and
``page``. ``parse`` returns no item (it holds each story until every listing is crawled),
so ``@holds`` checks what the page put in the spider's collector instead of Scrapy's
``@returns items``/``@scrapes``.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.contracts import Contract


class ListingContract(Contract):
    """``@listing LANG TAG``: the request is page 1 of TAG's listing on the spider's site."""

    name = "listing"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        lang, tag = self.args
        args["url"] = self.spider.site.listing_url(self.spider.base_url, lang, tag)
        args["cb_kwargs"] = {"tag": tag, "page": 1}
        return args


class HoldsContract(Contract):
    """``@holds N FIELD...``: after the callback, the spider holds at least N stories of the
    page's hashtag, each with an id, a URL on the site and every FIELD filled."""

    name = "holds"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__

    def post_process(self, output: list[Any]) -> None:
        minimum, *fields = self.args
        held = self.spider.collector.held()
        if len(held) < int(minimum):
            raise AssertionError(f"the page left {len(held)} stories held, not {minimum} or more")
        site, base = self.spider.site, self.spider.base_url
        for story in held:
            if not re.match(site.id_pattern, story.id) or not site.story_link(
                story.url, story.url, base
            ):
                raise AssertionError(f"not a story of the site: {story.id} {story.url}")
            empty = [name for name in fields if getattr(story, name) in (None, "", [])]
            if empty:
                raise AssertionError(f"story {story.url} has no {', '.join(empty)}")


def listing_tags(spidercls: type) -> tuple[str | None, list[str]]:
    """The language and hashtags the ``@listing`` contracts of *spidercls* name: the spider
    arguments ``scrapy check`` gives it when the command line gives none."""
    lang, tags = None, []
    for name in dir(spidercls):
        doc = getattr(getattr(spidercls, name, None), "__doc__", None) or ""
        for found in re.finditer(r"^\s*@listing\s+(\S+)\s+(\S+)\s*$", doc, re.MULTILINE):
            lang = lang or found[1]
            tags.append(found[2])
    return lang, list(dict.fromkeys(tags))
