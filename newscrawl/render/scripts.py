"""The JavaScript and Lua that rendering sends to Splash, read from the package's own files.

``js/webkit_polyfill.js``: Splash's WebKit is old (Safari 10), with no ``fetch()`` and no
``URLSearchParams``; Daily8's shell uses both, so minimal versions are loaded before the
page's scripts when the browser lacks them. ``lua/splash.lua``: load the page, then poll
until the ready test passes, the network has been quiet for ``idle`` seconds, or ``wait_max``
is spent; return the DOM with the page's own URL and status (scrapy-splash's magic response
makes those the Scrapy response's url and status).
"""

from __future__ import annotations

from importlib.resources import files

_HERE = files(__package__)

WEBKIT_POLYFILL = (_HERE / "js" / "webkit_polyfill.js").read_text(encoding="utf-8")
SPLASH_LUA = (_HERE / "lua" / "splash.lua").read_text(encoding="utf-8")
