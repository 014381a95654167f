"""Scrapy extensions that are not about one page or one item (garbage collector, seen-store)."""
