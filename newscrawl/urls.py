"""URL origins: the one comparison of "same site" used by the extractor and the guard."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, default ports filled in; None otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def same_origin(url: str, base_url: str) -> bool:
    """True for an http(s) URL on exactly *base_url*'s scheme, host and port."""
    o = origin(url)
    return o is not None and o == origin(base_url)
