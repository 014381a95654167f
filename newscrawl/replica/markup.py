"""HTML of the replica's pages: one renderer per markup variant of the hashtag listing.

Every variant keeps the stable signals the extractor relies on (story links to
`/en/article/<32 hex>` or `/article/<32 hex>` on the site's own host, the field order inside a
card, a clock icon labelled `time` right before the date, a next link that is `a[rel=next]` or
an `a` reading "Load more") and changes everything else: class names, wrappers, link shapes.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from newscrawl.replica import articles, texts
from newscrawl.replica.site import Site, Story

VARIANTS = ("modules", "rehashed", "utility", "bare", "mixed")
CONCRETE_VARIANTS = VARIANTS[:4]
# The client-rendered variant: a script shell whose cards come from the JSON API. Kept out of
# VARIANTS, whose pages all carry their cards in the HTML itself; a server serves any of these.
JS_VARIANT = "js"
SERVED_VARIANTS = (*VARIANTS, JS_VARIANT)
API_PATH = "/api/v1/hashtag"

AD_HOST = "https://ads.example.net"
APP_STORE = "https://apps.apple.com/app/daily8/id6443621234"
PLAY_STORE = "https://play.google.com/store/apps/details?id=com.daily8.app"

L10N = {
    "en": {
        "dir": "ltr",
        "home": "/en",
        "h1": "Latest news with ",
        "title": "Latest news | Daily8",
        "more": "Load more",
        "share": "Copy the Story Link",
        "related": "Related hashtags",
        "sponsored": "Sponsored",
        "ad_title": "Sponsored: sea-view villas in Dubai from AED 2m, book a viewing today",
        "ad_next": "Next page ›",
        "app": "DOWNLOAD THE APP",
        "app_text": "Ready to dive into the world of global news and events? Download our app "
        "today from your preferred app store and start exploring.",
        "other_lang": ("/", "العربية"),
        "hashtags": "Hashtags",
        "related_articles": "Related Articles",
        "not_found": "Page not found",
    },
    "ar": {
        "dir": "rtl",
        "home": "/",
        "h1": "آخر الأخبار مع ",
        "title": "آخر الأخبار | Daily8",
        "more": "تحميل المزيد",
        "share": "انسخ رابط الخبر",
        "related": "وسوم ذات صلة",
        "sponsored": "إعلان",
        "ad_title": "إعلان: فلل فاخرة مطلة على البحر في دبي، احجز موعدك اليوم",
        "ad_next": "الصفحة التالية ›",
        "app": "حمّل التطبيق",
        "app_text": "هل أنت مستعد لاستكشاف أخبار العالم؟ حمّل تطبيقنا اليوم من متجرك المفضل.",
        "other_lang": ("/en", "English"),
        "hashtags": "الوسوم",
        "related_articles": "مقالات ذات صلة",
        "not_found": "الصفحة غير موجودة",
    },
}

# The CSS-module classes of the reference pages (tests/files/daily8/hashtag-en.html).
MODULE_CLASSES = {
    "header": "Header_header__3kF9a",
    "hash": "Header_hash__Q2b1x",
    "main": "Hashtag_main__W8dc1",
    "title": "Hashtag_title__Zp0Lk",
    "list": "Hashtag_list__9sPqR",
    "card": "NewsCard_card__x7Fq2",
    "link": "NewsCard_link__Hk3pV",
    "image": "NewsCard_image__b1Xo8",
    "ctitle": "NewsCard_title__c0Mvd",
    "meta": "NewsCard_meta__r4T1s",
    "source": "NewsCard_source__Jq8mW",
    "time": "NewsCard_time__v5Nn2",
    "tags": "NewsCard_tags__L0aZe",
    "body": "NewsCard_body__Tq0Pz",
    "heading": "NewsCard_heading__p9Ydf",
    "excerpt": "NewsCard_excerpt__t2Wk4",
    "share": "NewsCard_share__Vb6tN",
    "pager": "Hashtag_pager__Kd71m",
    "related": "Hashtag_related__Rt5Ye",
    "promo": "Promo_card__Gx2Lm",
    "promo_title": "Promo_title__Ae4Kd",
    "promo_label": "Promo_label__Wq9Zs",
    "promo_more": "Promo_more__Bn3Jc",
    "footer": "Footer_footer__Nn1aQ",
}

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def rehashed_classes(seed: int) -> dict[str, str]:
    """The module classes after a deploy: same `Component_name__` prefixes, new hashes."""
    out = {}
    for key, value in MODULE_CLASSES.items():
        prefix, old = value.rsplit("__", 1)
        n = int(hashlib.md5(f"rehash:{seed}:{prefix}".encode()).hexdigest(), 16)
        while True:
            new = "".join(_B62[(n // 62**i) % 62] for i in range(5))
            if new != old:
                break
            n //= 62**5
        out[key] = f"{prefix}__{new}"
    return out


def hashtag_path(lang: str, tag: str) -> str:
    """The listing path of a tag, percent-encoded (`Prince&Knight` -> `Prince%26Knight`)."""
    prefix = "/en/hashtag/" if lang == "en" else "/hashtag/"
    return prefix + quote(tag, safe="")


def variant_for(site: Site, lang: str, tag: str, page: int, variant: str) -> str:
    """The concrete variant a page uses; "mixed" picks one per (tag, page) by a hash."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    if variant != "mixed":
        return variant
    digest = hashlib.md5(f"mixed:{site.seed}:{lang}:{tag}:{page}".encode()).digest()
    return CONCRETE_VARIANTS[digest[0] % len(CONCRETE_VARIANTS)]


def _e(text: str) -> str:
    return escape(text, quote=True)


@dataclass(frozen=True)
class _Page:
    """What every renderer needs to know about one listing page."""

    lang: str
    tag: str
    page: int
    stories: list[Story]
    base: str  # the served base URL, or "" to render links host-relative
    path: str  # this tag's listing path
    next_page: int | None
    related: list[str]
    ad_id: str
    seed: int

    @property
    def t(self) -> dict[str, str]:
        return L10N[self.lang]

    @property
    def url(self) -> str:
        return self.base + self.path + (f"?page={self.page}" if self.page > 1 else "")

    @property
    def ad_article(self) -> str:
        return f"{AD_HOST}{'/en' if self.lang == 'en' else ''}/article/{self.ad_id}"

    @property
    def ad_pager(self) -> str:
        return f"{AD_HOST}{self.path}?page={self.page + 1}"


def _page_context(site: Site, lang: str, tag: str, page: int, base_url: str | None) -> _Page:
    name = site.resolve(lang, tag)
    if name is None:
        raise KeyError(f"no hashtag {tag!r} in {lang!r}")
    ids = site.listing(lang, name, page)
    others = sorted(
        (t for t in site.tags(lang) if t != name),
        key=lambda t: hashlib.md5(f"{name}|{t}".encode()).digest(),
    )
    return _Page(
        lang=lang,
        tag=name,
        page=page,
        stories=[site.story(sid) for sid in ids],
        base=(base_url or "").rstrip("/"),
        path=hashtag_path(lang, name),
        next_page=page + 1 if page < site.pages(lang, name) else None,
        related=[*others[:3], texts.MISSING_TAG[lang]],
        ad_id=hashlib.md5(f"ad:{site.seed}:{lang}:{name}:{page}".encode()).hexdigest(),
        seed=site.seed,
    )


def render_listing(
    site: Site, lang: str, tag: str, page: int, variant: str, *, base_url: str | None = None
) -> bytes:
    """One hashtag listing page as UTF-8 HTML (KeyError for an unknown tag or page).

    `base_url` is the served origin (`http://127.0.0.1:40123`); variants that use absolute
    own-host links need it, and without it every link is host-relative.
    """
    ctx = _page_context(site, lang, tag, page, base_url)
    if variant == JS_VARIANT:
        return _js_shell(ctx).encode("utf-8")
    chosen = variant_for(site, lang, ctx.tag, page, variant)
    if chosen == "modules":
        html = _modules(ctx, MODULE_CLASSES)
    elif chosen == "rehashed":
        html = _modules(ctx, rehashed_classes(site.seed))
    elif chosen == "utility":
        html = _utility(ctx)
    else:
        html = _bare(ctx)
    return html.encode("utf-8")


def _head(ctx: _Page, extra: str = "") -> str:
    t = ctx.t
    return (
        f'<!DOCTYPE html>\n<html lang="{ctx.lang}" dir="{t["dir"]}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>#{_e(ctx.tag)} - {t['title']}</title>\n"
        f'<link rel="canonical" href="{_e(ctx.url)}">\n{extra}</head>\n'
    )


# --- variant 1 and 2: CSS modules, the reference tree ----------------------------------------


def _modules_card(ctx: _Page, s: Story, c: dict[str, str]) -> str:
    href = _e(s.path)
    title = _e(s.title)
    out = [f'    <div class="{c["card"]}">\n      <a class="{c["link"]}" href="{href}">\n']
    if s.image:
        out.append(f'        <img class="{c["image"]}" src="{_e(s.image)}" alt="{title}">\n')
    out.append(f'        <h2 class="{c["ctitle"]}">{title}</h2>\n      </a>\n')
    meta = []
    if s.publisher:
        if s.source_url:
            meta.append(
                f'<a class="{c["source"]}" href="{_e(s.source_url)}" rel="nofollow noopener" '
                f'target="_blank">{_e(s.publisher)}</a>'
            )
        else:
            meta.append(f'<span class="{c["source"]}">{_e(s.publisher)}</span>')
    if s.date_text:
        meta.append(
            f'<span class="{c["time"]}"><img src="/icons/time.svg" alt="time">'
            f"{_e(s.date_text)}</span>"
        )
    if meta:
        out.append(f'      <div class="{c["meta"]}">\n        ')
        out.append("\n        ".join(meta))
        out.append("\n      </div>\n")
    items = [*s.categories, *([s.publisher] if s.publisher else [])]
    if items:
        lis = "".join(f"<li>{_e(x)}</li>" for x in items)
        out.append(f'      <ul class="{c["tags"]}">{lis}</ul>\n')
    out.append(f'      <a class="{c["body"]}" href="{href}">\n')
    out.append(f'        <h3 class="{c["heading"]}">{title}</h3>\n')
    if s.excerpt:
        out.append(f'        <p class="{c["excerpt"]}">{_e(s.excerpt)}</p>\n')
    out.append("      </a>\n")
    if s.share:
        out.append(f'      <button class="{c["share"]}" type="button">{ctx.t["share"]}</button>\n')
    out.append("    </div>\n")
    return "".join(out)


def _modules_promo(ctx: _Page, c: dict[str, str]) -> str:
    t = ctx.t
    return (
        f'    <div class="{c["promo"]}">\n'
        f'      <a href="{ctx.ad_article}" rel="sponsored noopener" target="_blank">'
        f'<img src="{AD_HOST}/creative/{ctx.ad_id}.jpg" alt="{_e(t["ad_title"])}">'
        f'<h2 class="{c["promo_title"]}">{_e(t["ad_title"])}</h2></a>\n'
        f'      <span class="{c["promo_label"]}">{t["sponsored"]}</span>\n'
        f'      <a class="{c["promo_more"]}" href="{ctx.ad_pager}" rel="sponsored">'
        f"{t['ad_next']}</a>\n    </div>\n"
    )


def _modules(ctx: _Page, c: dict[str, str]) -> str:
    t = ctx.t
    cards = [_modules_card(ctx, s, c) for s in ctx.stories]
    cards.insert(min(3, len(cards)), _modules_promo(ctx, c))
    pager = ""
    if ctx.next_page:
        href = _e(f"{ctx.path}?page={ctx.next_page}")
        pager = f'  <nav class="{c["pager"]}"><a rel="next" href="{href}">{t["more"]}</a></nav>\n'
    related = "".join(
        f'<a href="{_e(hashtag_path(ctx.lang, r))}">#{_e(r)}</a>' for r in ctx.related
    )
    other_href, other_text = t["other_lang"]
    return (
        _head(ctx) + "<body>\n"
        f'<header class="{c["header"]}">\n'
        f'  <a href="{t["home"]}"><img src="/images/logo.svg" alt="logo" width="96" height="32">'
        "</a>\n"
        f'  <span class="{c["hash"]}">#</span>\n'
        f'  <a href="{other_href}">{other_text}</a>\n'
        "</header>\n"
        f'<main class="{c["main"]}">\n'
        f'  <h1 class="{c["title"]}">{t["h1"]}#{_e(ctx.tag)}</h1>\n'
        f'  <section class="{c["list"]}">\n\n' + "\n".join(cards) + "\n  </section>\n"
        f"{pager}"
        f'  <section class="{c["related"]}"><h4>{t["related"]}</h4>{related}</section>\n'
        "</main>\n"
        f'<footer class="{c["footer"]}">\n'
        f"  <h4>{t['app']}</h4>\n  <p>{_e(t['app_text'])}</p>\n"
        f'  <a href="{APP_STORE}"><img src="/images/app-store.svg" alt="app-store"></a>'
        f'<a href="{PLAY_STORE}"><img src="/images/play-store.svg" alt="play-store"></a>\n'
        "</footer>\n</body>\n</html>\n"
    )


# --- variant 3: a utility-class redesign -----------------------------------------------------

_CLOCK_SVG = (
    '<svg aria-label="time" role="img" class="h-3.5 w-3.5 shrink-0" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="10"/>'
    '<path d="M12 6v6l4 2"/></svg>'
)
_SHARE_SVG = (
    '<svg aria-hidden="true" class="h-4 w-4" viewBox="0 0 24 24" fill="none" '
    'stroke="currentColor" stroke-width="2"><path d="M10 13a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1"/>'
    '<path d="M14 11a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1"/></svg>'
)


def _utility_card(ctx: _Page, s: Story) -> str:
    rel = _e(s.path)
    absolute = _e(ctx.base + s.path)  # the title link is absolute on the own host
    title = _e(s.title)
    out = ['    <article class="flex flex-col overflow-hidden rounded-xl bg-white shadow-sm">\n']
    if s.image:
        out.append(
            f'      <a href="{rel}" class="block aspect-video overflow-hidden" tabindex="-1">'
            f'<img src="{_e(s.image)}" alt="{title}" loading="lazy" '
            'class="h-full w-full object-cover"></a>\n'
        )
    out.append('      <div class="flex flex-1 flex-col gap-2 p-4">\n')
    out.append(
        f'        <a href="{absolute}" class="hover:underline">'
        f'<h3 class="text-lg font-semibold leading-snug">{title}</h3></a>\n'
    )
    meta = ""
    if s.publisher:
        if s.source_url:
            meta += (
                f'<a href="{_e(s.source_url)}" class="font-medium text-gray-700 hover:underline" '
                f'rel="nofollow">{_e(s.publisher)}</a>'
            )
        else:
            meta += f'<span class="font-medium text-gray-700">{_e(s.publisher)}</span>'
    if s.date_text:
        meta += f"{_CLOCK_SVG}{_e(s.date_text)}"  # the date is glued to the icon
    if meta:
        out.append(
            f'        <p class="flex items-center gap-1.5 text-sm text-gray-500">{meta}</p>\n'
        )
    items = [*s.categories, *([s.publisher] if s.publisher else [])]
    if items:
        spans = " • ".join(f"<span>{_e(x)}</span>" for x in items)
        out.append(
            f'        <div class="flex flex-wrap items-center gap-1 text-xs text-emerald-700">'
            f"{spans}</div>\n"
        )
    out.append(f'        <a href="{rel}" class="mt-1 block text-sm text-gray-700">')
    out.append(f'<h4 class="sr-only">{title}</h4>')
    if s.excerpt:
        out.append(f'<p class="line-clamp-4">{_e(s.excerpt)}</p>')
    out.append("</a>\n")
    if s.share:
        out.append(
            '        <button type="button" class="mt-auto inline-flex items-center gap-1 '
            f'self-start text-xs text-gray-500">{_SHARE_SVG}{ctx.t["share"]}</button>\n'
        )
    out.append("      </div>\n    </article>\n")
    return "".join(out)


def _utility(ctx: _Page) -> str:
    t = ctx.t
    cards = [_utility_card(ctx, s) for s in ctx.stories]
    cards.insert(
        min(3, len(cards)),
        '    <article class="flex flex-col rounded-xl bg-amber-50 p-4 ring-1 ring-amber-300">\n'
        f'      <a href="{ctx.ad_article}" rel="sponsored noopener" target="_blank" '
        f'class="block"><img src="{AD_HOST}/creative/{ctx.ad_id}.jpg" alt="" class="rounded">'
        f'<h3 class="mt-2 font-semibold">{_e(t["ad_title"])}</h3></a>\n'
        f'      <p class="mt-auto flex justify-between text-xs text-amber-700">'
        f"<span>{t['sponsored']}</span>"
        f'<a href="{ctx.ad_pager}" rel="sponsored">{t["ad_next"]}</a></p>\n'
        "    </article>\n",
    )
    head_next = more = ""
    if ctx.next_page:
        head_next = f'<link rel="next" href="{_e(ctx.base + ctx.path)}?page={ctx.next_page}">\n'
        more = (
            '  <div class="my-8 flex justify-center">'
            f'<a href="?page={ctx.next_page}" class="rounded-full border border-gray-300 px-6 '
            f'py-2 text-sm font-medium hover:bg-gray-100">{t["more"]}</a></div>\n'
        )
    chips = "".join(
        f'<a href="{_e(hashtag_path(ctx.lang, r))}" class="rounded-full bg-gray-100 px-3 py-1 '
        f'text-sm">#{_e(r)}</a>'
        for r in ctx.related
    )
    other_href, other_text = t["other_lang"]
    store_links = (
        f'<a href="{APP_STORE}" class="text-xs">App Store</a>'
        f'<a href="{PLAY_STORE}" class="text-xs">Google Play</a>'
    )
    return (
        _head(ctx, head_next)
        + '<body class="bg-gray-50 text-gray-900 antialiased">\n<div id="__next">\n'
        '<nav class="sticky top-0 z-10 flex items-center justify-between bg-white px-4 py-2 '
        'shadow">\n'
        f'  <a href="{t["home"]}" class="flex items-center gap-2">'
        '<img src="/images/logo.svg" alt="Daily8" class="h-8 w-auto"></a>\n'
        f'  <div class="flex items-center gap-3"><a href="{other_href}" class="text-sm">'
        f"{other_text}</a>{store_links}</div>\n"
        "</nav>\n"
        '<main class="mx-auto max-w-6xl px-4">\n'
        f'  <h1 class="my-4 text-2xl font-bold">{t["h1"]}'
        f'<span class="text-emerald-600">#{_e(ctx.tag)}</span></h1>\n'
        f'  <div class="mb-6 flex flex-wrap gap-2" aria-label="{t["related"]}">{chips}</div>\n'
        '  <div class="grid grid-cols-1 gap-6 md:grid-cols-2 lg:grid-cols-3">\n'
        + "".join(cards)
        + "  </div>\n"
        + more
        + "</main>\n"
        '<footer class="mt-12 bg-gray-900 px-4 py-8 text-gray-300">'
        f'<p class="font-semibold">{t["app"]}</p><p class="text-sm">{_e(t["app_text"])}</p>'
        f'<div class="mt-3 flex gap-3">{store_links}</div></footer>\n'
        "</div>\n</body>\n</html>\n"
    )


# --- variant 4: no classes at all -----------------------------------------------------------


def _bare_card(ctx: _Page, s: Story) -> str:
    title = _e(s.title)
    out = [f'<li>\n<a href="{_e(s.path)}">\n']
    if s.image:
        out.append(f'<img src="{_e(s.image)}" alt="{title}">\n')
    out.append(f"<h2>{title}</h2>\n")
    meta = []
    if s.publisher:
        meta.append(f"<span>{_e(s.publisher)}</span>")
    if s.date_text:
        meta.append(
            f'<img src="/icons/clock.png" alt="time" width="12" height="12">{_e(s.date_text)}'
        )
    if meta:
        out.append(f"<div>{' '.join(meta)}</div>\n")
    items = [*s.categories, *([s.publisher] if s.publisher else [])]
    if items:
        out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>\n")
    out.append(f"<h3>{title}</h3>\n")
    if s.excerpt:
        # Hand-wrapped source text: extraction must collapse the whitespace.
        wrapped = textwrap.fill(
            _e(s.excerpt), width=90, break_long_words=False, break_on_hyphens=False
        )
        out.append(f"<p>\n{wrapped}\n</p>\n")
    out.append(f'</a>\n<button type="button">{ctx.t["share"]}</button>\n</li>\n')
    return "".join(out)


def _bare(ctx: _Page) -> str:
    t = ctx.t
    items = [_bare_card(ctx, s) for s in ctx.stories]
    items.insert(
        min(3, len(items)),
        f'<li>\n<a href="{ctx.ad_article}"><img src="{AD_HOST}/creative/{ctx.ad_id}.jpg" '
        f'alt="{t["sponsored"]}"><h2>{_e(t["ad_title"])}</h2></a>\n'
        f'<p>{t["sponsored"]} · <a href="{ctx.ad_pager}">{t["ad_next"]}</a></p>\n</li>\n',
    )
    more = ""
    if ctx.next_page:  # a full URL, and no rel
        more = f'<p><a href="{_e(ctx.base + ctx.path)}?page={ctx.next_page}">{t["more"]}</a></p>\n'
    related = " ".join(
        f'<a href="{_e(hashtag_path(ctx.lang, r))}">#{_e(r)}</a>' for r in ctx.related
    )
    other_href, other_text = t["other_lang"]
    return (
        _head(ctx) + "<body>\n<header>\n"
        f'<a href="{t["home"]}"><img src="/images/logo.svg" alt="logo"></a>\n'
        f'<a href="{other_href}">{other_text}</a>\n'
        "</header>\n<main>\n"
        f"<h1>{t['h1']}#{_e(ctx.tag)}</h1>\n<ol>\n" + "".join(items) + "</ol>\n" + more + "<nav>\n"
        f"<h2>{t['related']}</h2>\n<p>{related}</p>\n</nav>\n"
        "</main>\n<footer>\n"
        f"<p>{t['app']}</p>\n"
        f'<a href="{APP_STORE}">App Store</a> <a href="{PLAY_STORE}">Google Play</a>\n'
        "</footer>\n</body>\n</html>\n"
    )


# --- other pages ----------------------------------------------------------------------------


def render_article(site: Site, story_id: str, *, base_url: str | None = None) -> bytes:
    """A story page like the reference article-en.html (KeyError for an unknown id)."""
    s = site.story(story_id)
    t = L10N[s.lang]
    c = MODULE_CLASSES
    base = (base_url or "").rstrip("/")
    title = _e(s.title)
    paragraphs = "".join(f"    <p>{_e(p)}</p>\n" for p in articles.paragraphs(s))
    date_text = articles.page_date(site, s)[0] or ""
    if articles.meta_glued(s):  # the site's glued form: "Express Tribune21-03-2025"
        meta = f"<span>{_e((s.publisher or '') + date_text)}</span>"
    else:
        meta = f"<span>{_e(s.publisher or '')}</span><span>{_e(date_text)}</span>"
    tags = site.hashtags_of(story_id)
    tag_links = "".join(
        f'    <a href="{_e(hashtag_path(s.lang, tag))}">#{_e(tag)}</a>\n' for tag in tags
    )
    related = []
    if tags:
        for other in site.listing(s.lang, tags[0], 1):
            if other != story_id and len(related) < 2:
                o = site.story(other)
                related.append(
                    f'    <div class="{c["card"]}"><a class="{c["link"]}" href="{_e(o.path)}">'
                    f'<h2 class="{c["ctitle"]}">{_e(o.title)}</h2></a></div>\n'
                )
    image = f'  <img src="{_e(s.image)}" alt="{title}">\n' if s.image else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{s.lang}" dir="{t["dir"]}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{title} | Daily8</title>\n'
        f'<link rel="canonical" href="{_e(base + s.path)}">\n</head>\n<body>\n'
        f'<header class="{c["header"]}"><a href="{t["home"]}">'
        '<img src="/images/logo.svg" alt="logo"></a></header>\n'
        '<main class="Article_main__Qm2xT">\n'
        f"{image}"
        f'  <h1 class="Article_title__Hh8sB">{title}</h1>\n'
        f'  <div class="Article_meta__o0Rr4">{meta}</div>\n'
        f'  <div class="Article_body__Ue9aY">\n{paragraphs}  </div>\n'
        f'  <section class="Article_hashtags__b7YwN">\n    <h4>{t["hashtags"]}</h4>\n'
        f"{tag_links}  </section>\n"
        f'  <section class="Article_related__Gg4Hh">\n    <h4>{t["related_articles"]}</h4>\n'
        + "".join(related)
        + "  </section>\n</main>\n</body>\n</html>\n"
    ).encode("utf-8")


def render_not_found(lang: str = "en") -> bytes:
    """The short 404 page."""
    t = L10N.get(lang, L10N["en"])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{t["dir"]}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>404 | Daily8</title>\n</head>\n<body>\n<h1>404</h1>\n<p>{t['not_found']}</p>\n"
        "</body>\n</html>\n"
    ).encode()


# --- variant js: a script shell, the cards rendered client-side from the JSON API --------------
#
# Like the reference tests/files/daily8/hashtag-en-js.html: the served HTML has no card, only a
# script that fetches `/api/v1/hashtag?lang=..&tag=..&page=N` and builds the modules markup
# (cards, the sponsored card with its off-site links, the "Load more" link) in the browser.
# The API answers from the same model, so `Site.expected` is the oracle for this variant too.

_JS_L10N = {
    "en": {"loading": "Loading…", "error": "Could not load the stories."},
    "ar": {"loading": "جارٍ التحميل…", "error": "تعذّر تحميل الأخبار."},
}

# ES5 plus fetch and URLSearchParams, as the reference page uses; the DOM is built with
# createElement/textContent, so titles with quotes or angle brackets need no escaping.
_JS_APP = """
(function () {
  var cfg = JSON.parse(document.getElementById('__config').textContent);
  var C = cfg.classes, T = cfg.text;
  var root = document.getElementById('__root');
  var tag = decodeURIComponent(location.pathname.split('/hashtag/')[1] || '');
  var page = new URLSearchParams(location.search).get('page') || '1';
  function el(name, attrs, text) {
    var e = document.createElement(name);
    for (var k in attrs) { if (attrs[k] != null) e.setAttribute(k, attrs[k]); }
    if (text != null) e.textContent = text;
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) parent.appendChild(arguments[i]);
    return parent;
  }
  function card(s) {
    var href = cfg.articlePrefix + s.id;
    var out = el('div', {'class': C.card});
    var link = add(out, el('a', {'class': C.link, href: href}));
    if (s.image) add(link, el('img', {'class': C.image, src: s.image, alt: s.title}));
    add(link, el('h2', {'class': C.ctitle}, s.title));
    var meta = [];
    if (s.source) {
      var attrs = {'class': C.source};
      if (s.source_url) {
        attrs = {'class': C.source, href: s.source_url, rel: 'nofollow noopener', target: '_blank'};
      }
      meta.push(el(s.source_url ? 'a' : 'span', attrs, s.source));
    }
    if (s.date) {
      var time = el('span', {'class': C.time});
      add(time, el('img', {src: '/icons/time.svg', alt: 'time'}), document.createTextNode(s.date));
      meta.push(time);
    }
    if (meta.length) {
      var row = add(out, el('div', {'class': C.meta}));
      meta.forEach(function (m) { add(row, m); });
    }
    var items = s.categories.concat(s.source ? [s.source] : []);
    if (items.length) {
      var ul = add(out, el('ul', {'class': C.tags}));
      items.forEach(function (c) { add(ul, el('li', {}, c)); });
    }
    var body = add(out, el('a', {'class': C.body, href: href}));
    add(body, el('h3', {'class': C.heading}, s.title));
    if (s.excerpt) add(body, el('p', {'class': C.excerpt}, s.excerpt));
    if (s.share) add(out, el('button', {'class': C.share, type: 'button'}, T.share));
    return out;
  }
  function promo(p) {
    var out = el('div', {'class': C.promo});
    var a = add(out, el('a', {href: p.url, rel: 'sponsored noopener', target: '_blank'}));
    add(a, el('img', {src: p.image, alt: p.title}), el('h2', {'class': C.promo_title}, p.title));
    add(out, el('span', {'class': C.promo_label}, T.sponsored));
    add(out, el('a', {'class': C.promo_more, href: p.next, rel: 'sponsored'}, T.ad_next));
    return out;
  }
  var query = '?lang=' + cfg.lang + '&tag=' + encodeURIComponent(tag);
  fetch(cfg.api + query + '&page=' + encodeURIComponent(page))
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(function (data) {
      var frag = document.createDocumentFragment();
      add(frag, el('h1', {'class': C.title}, T.h1 + '#' + data.tag));
      var list = add(frag, el('section', {'class': C.list}));
      data.stories.forEach(function (s, i) {
        if (i === 3 && data.promo) add(list, promo(data.promo));
        add(list, card(s));
      });
      if (data.stories.length <= 3 && data.promo) add(list, promo(data.promo));
      if (data.next) {
        var nav = add(frag, el('nav', {'class': C.pager}));
        add(nav, el('a', {rel: 'next', href: '?page=' + data.next}, T.more));
      }
      root.textContent = '';
      root.appendChild(frag);
    })
    ['catch'](function () { root.textContent = T.error; });
})();
"""


def _js_shell(ctx: _Page) -> str:
    """The listing as a script shell: header, an empty root the script fills, related tags."""
    t = ctx.t
    c = MODULE_CLASSES
    config = {
        "lang": ctx.lang,
        "api": API_PATH,
        "articlePrefix": "/en/article/" if ctx.lang == "en" else "/article/",
        "classes": c,
        "text": {k: t[k] for k in ("h1", "more", "share", "sponsored", "ad_next")}
        | _JS_L10N[ctx.lang],
    }
    # JSON inside <script>: "</" must not end the element early.
    config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    related = "".join(
        f'<a href="{_e(hashtag_path(ctx.lang, r))}">#{_e(r)}</a>' for r in ctx.related
    )
    other_href, other_text = t["other_lang"]
    return (
        f'<!DOCTYPE html>\n<html lang="{ctx.lang}" dir="{t["dir"]}">\n<head>\n'
        '<meta charset="utf-8">\n<title>Daily8</title>\n</head>\n<body>\n'
        f'<header class="{c["header"]}"><a href="{t["home"]}"><img src="/images/logo.svg" '
        f'alt="logo"></a><span class="{c["hash"]}">#</span>'
        f'<a href="{other_href}">{other_text}</a></header>\n'
        f'<main class="{c["main"]}"><div id="__root">{_JS_L10N[ctx.lang]["loading"]}</div>\n'
        f'<section class="{c["related"]}"><h4>{t["related"]}</h4>{related}</section></main>\n'
        f'<script type="application/json" id="__config">{config_json}</script>\n'
        f"<script>{_JS_APP}</script>\n</body>\n</html>\n"
    )


def api_path(lang: str, tag: str, page: int) -> str:
    """The JSON API request the js variant's script makes for one listing page."""
    return f"{API_PATH}?lang={lang}&tag={quote(tag, safe='')}&page={page}"


def render_api(site: Site, lang: str, tag: str, page: int) -> bytes:
    """One listing page as the JSON API returns it (KeyError for an unknown tag or page).

    The shape of tests/files/daily8/api-hashtag-en.json, with missing fields as null, plus
    what the modules markup shows beyond it (the publisher's link, the share button, the ad).
    """
    ctx = _page_context(site, lang, tag, page, None)
    stories = [
        {
            "id": s.id,
            "title": s.title,
            "source": s.publisher,
            "date": s.date_text,
            "categories": list(s.categories),
            "image": s.image,
            "excerpt": s.excerpt,
            "source_url": s.source_url,
            "share": s.share,
        }
        for s in ctx.stories
    ]
    data = {
        "tag": ctx.tag,
        "lang": lang,
        "page": page,
        "next": ctx.next_page,
        "stories": stories,
        "promo": {
            "title": ctx.t["ad_title"],
            "url": ctx.ad_article,
            "image": f"{AD_HOST}/creative/{ctx.ad_id}.jpg",
            "next": ctx.ad_pager,
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
