"""Loopback servers the tests crawl: saved pages as they are, and pages that misbehave."""
