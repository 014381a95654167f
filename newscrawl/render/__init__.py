"""JavaScript listing pages: rendered through Splash or Playwright, only where they need it.

``-a render=`` (or ``NEWSCRAWL_RENDER``) picks the mode:

* ``splash``: every listing page is rendered by a Splash server (``SPLASH_URL``) through
  scrapy-splash (``newscrawl.compat.splash``);
* ``playwright``: every listing page is rendered by chromium driven by scrapy-playwright;
* ``auto`` (the default): listing pages are fetched as plain HTML; one that is a script
  shell with no story card (the cards come from a script) is fetched again, rendered by the
  configured renderer: ``NEWSCRAWL_RENDER_AUTO``, else Splash when ``SPLASH_URL`` is set.
  With none, shells are counted and logged, and the run is marked incomplete.

The package, one module a part: ``modes`` (which renderer), ``probes`` (is it there),
``addon`` (the ``Rendering`` add-on that wires it in), ``middleware`` (``RenderMiddleware``,
which routes the listing requests), ``playwright`` (its page method), ``scripts`` (the
JavaScript and Lua sent to Splash, kept as files in ``js/`` and ``lua/``). The spider is
unchanged: a rendered response keeps the listing's URL as ``response.url``, so links and the
next page resolve as on a plain page.

Stats: ``newscrawl/render/shell_pages`` (plain listings that were script shells),
``newscrawl/render/rendered`` (listing pages rendered), ``newscrawl/render/shells_not_rendered``
(auto mode without a renderer), ``newscrawl/render/no_cards`` (rendered, still no story card).
"""
