"""Story ids as the stores key them: 16 bytes, and back, by the site's own id shape.

Every store keys a story by 16 bytes (SQLite as two 64-bit halves, Redis as hash fields):
fixed-size keys keep lookups fast and the files small. A site profile says how its ids
become those 16 bytes (``SiteProfile.ids``); the stores take that codec and know no site.
A codec is exact both ways, so an id read back from a store (a syndicated copy's
``duplicate_of``) is the site's own id again.

Two shapes ship: :data:`HEX128` (32 hex digits, Daily8's: the bytes they spell, as the
stores always kept them) and :data:`DECIMAL` (a decimal number below 2**128, as numeric ids
are). A site with another shape writes its own codec: any object with ``key`` and
``story_id`` (:class:`IdCodec`).
"""

from __future__ import annotations

from typing import Protocol

#: Bytes per stored id.
KEY_SIZE = 16


class IdCodec(Protocol):
    """A site's story id <-> the stores' 16-byte key; each the other's inverse."""

    name: str

    def key(self, story_id: str) -> bytes:
        """The 16-byte key; ValueError for an id not of the site's shape (a caller bug:
        ids are validated against the profile's ``id_pattern`` before they are stored)."""

    def story_id(self, key: bytes) -> str: ...


class Hex128:
    """32 hex digits: the 16 bytes they spell."""

    name = "hex128"

    def key(self, story_id: str) -> bytes:
        try:
            raw = bytes.fromhex(story_id)
        except (TypeError, ValueError):
            raw = b""
        if len(raw) != KEY_SIZE:
            raise ValueError(f"story id must be 32 hex digits, not {story_id!r}")
        return raw

    def story_id(self, key: bytes) -> str:
        return key.hex()


class Decimal128:
    """A decimal number below 2**128, written without leading zeros: its 16 bytes,
    little-endian, so that the first bytes vary from id to id (the Redis store spreads its
    keys over hashes by their first two bytes; big-endian, small numbers would all share
    one)."""

    name = "decimal128"

    def key(self, story_id: str) -> bytes:
        # isascii: str.isdigit() is also true of other scripts' digits, which int() reads.
        if (
            not isinstance(story_id, str)
            or not story_id.isascii()
            or not story_id.isdigit()
            or (story_id[0] == "0" and len(story_id) > 1)
            or len(story_id) > 39
        ):
            raise ValueError(f"story id must be a decimal number, not {story_id!r}")
        n = int(story_id)
        if n >= 1 << (8 * KEY_SIZE):
            raise ValueError(f"story id must be below 2**128, not {story_id!r}")
        return n.to_bytes(KEY_SIZE, "little")

    def story_id(self, key: bytes) -> str:
        return str(int.from_bytes(key, "little"))


HEX128 = Hex128()
DECIMAL = Decimal128()
