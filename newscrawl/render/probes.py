"""Start-up probes: a renderer asked for must answer before anything is fetched."""

from __future__ import annotations

import base64
import os
import subprocess
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from newscrawl.render.modes import RendererUnavailable

if TYPE_CHECKING:
    from scrapy.settings import Settings


def check_splash(url: str, user: str = "", password: str = "", timeout: float = 10) -> None:
    """Raise RendererUnavailable unless the Splash server at *url* answers ``/_ping``."""
    if not url:
        raise RendererUnavailable(
            "Splash rendering needs SPLASH_URL (setting or environment variable), e.g."
            " SPLASH_URL=http://127.0.0.1:8050; see docs/JS.md"
        )
    ping = url.rstrip("/") + "/_ping"
    request = urllib.request.Request(ping)
    if user or password:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RendererUnavailable(f"Splash at {url} does not answer {ping}: {exc}") from exc


def check_playwright(settings: Settings) -> None:
    """Raise RendererUnavailable unless scrapy-playwright and its browser are there."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise RendererUnavailable(
            "Playwright rendering needs scrapy-playwright (pip install -r requirements.txt)"
        ) from exc
    cdp_url = settings.get("PLAYWRIGHT_CDP_URL")
    if cdp_url:
        version = cdp_url.rstrip("/") + "/json/version"
        try:
            with urllib.request.urlopen(version, timeout=10) as answer:
                answer.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RendererUnavailable(
                f"PLAYWRIGHT_CDP_URL={cdp_url}: no browser answers {version}: {exc}"
            ) from exc
        return
    executable = (settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {}).get("executable_path")
    if not executable:
        raise RendererUnavailable(
            "Playwright rendering needs PLAYWRIGHT_LAUNCH_OPTIONS['executable_path'] (newscrawl"
            " never downloads a browser): set NEWSCRAWL_CHROMIUM, e.g. /usr/bin/chromium"
        )
    if not os.access(executable, os.X_OK):
        raise RendererUnavailable(
            f"no chromium at {executable} (apt-get install chromium, or set NEWSCRAWL_CHROMIUM)"
        )
    try:
        probe = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RendererUnavailable(f"{executable} --version failed: {exc}") from exc
    if probe.returncode != 0:
        raise RendererUnavailable(
            f"{executable} --version exited {probe.returncode}: {probe.stderr.strip()[-300:]}"
        )
