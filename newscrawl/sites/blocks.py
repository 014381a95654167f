"""Recognising a page that is not the site's answer: a bot challenge or a consent wall.

Such pages are served with 200 as often as with 403/429/503 and hold no story cards;
mistaking one for "no news" would be a silent empty result, so they are named instead.
"""

from __future__ import annotations

import re

# Lower-cased markers seen on challenge and consent interstitials (Cloudflare, Akamai,
# DataDome, PerimeterX, reCAPTCHA/hCaptcha/Turnstile, IAB consent walls).
_MARKERS = re.compile(
    r"cf-challenge|challenge-platform|cf_chl_|just a moment\.\.\.|attention required"
    r"|checking your browser|verify you are (?:a )?human|are you a robot|unusual traffic"
    r"|g-recaptcha|h-captcha|hcaptcha\.com|cf-turnstile|captcha-delivery|datadome"
    r"|px-captcha|_incapsula_|access denied|request unsuccessful"
    r"|consent-wall|cookie-wall|before you continue|we value your privacy|accept all cookies"
)
_SCAN_BYTES = 200_000


def block_marker(text: str) -> str | None:
    """The first challenge/consent marker in *text* (its start only is scanned), else None."""
    m = _MARKERS.search(text[:_SCAN_BYTES].lower())
    return m.group(0) if m else None
