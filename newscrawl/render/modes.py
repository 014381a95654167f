"""Render modes: which renderer a run uses, decided once from ``-a render=`` and the settings."""

from __future__ import annotations

MODES = ("auto", "splash", "playwright")
RENDERERS = ("splash", "playwright")
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Request.meta key: False keeps a request plain whatever the mode; set internally to the
# renderer on the second request for a script shell in auto mode.
META_KEY = "newscrawl_render"


class RendererUnavailable(RuntimeError):
    """A renderer was asked for but is not configured or does not answer: the run stops."""


def resolve_mode(requested: str | None, auto_renderer: str, splash_url: str) -> tuple[str, str]:
    """(mode, renderer) from ``-a render=`` and the settings; renderer "" means none."""
    mode = (requested or "auto").strip().lower()
    if mode not in MODES:
        raise RendererUnavailable(
            f"unknown render mode {requested!r}: use one of {', '.join(MODES)}"
        )
    if mode != "auto":
        return mode, mode
    auto_renderer = (auto_renderer or "").strip().lower()
    if auto_renderer and auto_renderer not in RENDERERS:
        raise RendererUnavailable(
            f"NEWSCRAWL_RENDER_AUTO={auto_renderer!r}: use one of {', '.join(RENDERERS)} or leave"
            " it empty (Splash when SPLASH_URL is set, else no renderer)"
        )
    if auto_renderer:
        return mode, auto_renderer
    return mode, "splash" if splash_url else ""
