"""Playwright's side of rendering: the page method that waits, and what is never loaded."""

from __future__ import annotations

import asyncio
from typing import Any


async def wait_until_rendered(page: Any, selector: str, timeout_ms: int) -> None:
    """Page method: wait until *selector* matches or the network is idle, at most *timeout_ms*.

    A listing whose script renders no card (an empty page) ends on network idle (Playwright's
    500 ms without requests); a page still busy at the limit is taken as it is.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    ready = asyncio.ensure_future(
        page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    )
    idle = asyncio.ensure_future(page.wait_for_load_state("networkidle", timeout=timeout_ms))
    done, pending = await asyncio.wait({ready, idle}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        exc = task.exception()
        if exc is not None and not isinstance(exc, PlaywrightTimeout):
            raise exc


def skip_heavy_resource(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are never needed for the text."""
    return request.resource_type in ("image", "media", "font")
