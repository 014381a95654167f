"""Deterministic model of the Daily8 replica: hashtags, stories, listings and the crawl oracle.

The model is built once per seed and holds only the cheap structure (which story ids each page
of each hashtag lists, and when each story was published). A story's text fields are generated
on first use from its own seeded RNG, so a benchmark-sized site builds quickly and pages are
rendered on request.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from newscrawl.replica import texts

LANGS = ("en", "ar")
CDN = "https://cdn.daily8.com/images/"

_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Relative ages are drawn as (unit, n) first, then a true age inside the interval that moment.js
# would round to n; that keeps the shown text and the true instant consistent.
_MINUTES = (2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 44)
_HOURS = (2, 2, 3, 5, 6, 8, 10, 11, 14, 18, 21)
_DAYS = (2, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Story:
    """One story as every listing shows it, with the values a correct crawler must output."""

    id: str
    lang: str
    title: str
    publisher: str | None
    categories: tuple[str, ...]
    excerpt: str | None
    image: str | None
    published_at: datetime  # the true instant (UTC); the site only ever shows date_text
    date_text: str | None  # as shown on cards (None: the card has no date)
    published: str | None  # what a correct normaliser derives from date_text
    published_precision: str | None
    source_url: str | None  # the publisher's own page: a distractor link on some cards
    share: bool  # whether cards of the reference-like variants show the share button

    @property
    def path(self) -> str:
        return f"/en/article/{self.id}" if self.lang == "en" else f"/article/{self.id}"


@dataclass(frozen=True)
class _Seed:
    """The part of a story fixed at build time (ordering needs the age)."""

    index: int
    age: float  # seconds before now
    rel: tuple[str, int] | None  # shown relative as (unit, n), or None: shown as a date


# The stories of the reference pages in tests/files/daily8, pinned on the first tag of each
# language so that the replica's first page looks like the evidence.
_REFERENCE = {
    "en": (
        {
            "id": "662064ce497bbf3a7bb749167085eb73",
            "local": (2025, 4, 18, 14, 5),
            "title": "Pakistan, UK discuss counterterrorism, security cooperation to tackle "
            "cross-border crime",
            "publisher": "Arab News",
            "categories": ("Politics",),
            "excerpt": "ISLAMABAD: Pakistan and the United Kingdom (UK) have held talks on "
            "counterterrorism and security cooperation as both countries seek to promote "
            "bilateral cooperation to combat cross-border crimes, state media reported on "
            "Friday. The second round of the Pakistan-UK Counter Terrorism Dialogue took place "
            "in London in February 2025, reviewing global and regional threats and exchanging "
            "best practices. 'During the meeting discussions were held on Pakistan-UK "
            "relations, including enhancing cooperation in counterterrorism, security and "
            "preventing cross-border crimes,' Radio Pakistan said in a report.",
            "source_url": "https://www.arabnews.com/node/2597342",
            "share": True,
        },
        {
            "id": "0b7e3f5c9a1d4e2f8a6b5c4d3e2f1a0b",
            "rel": ("h", 14),
            "title": "Naqvi, UK envoy review progress on returns agreement",
            "publisher": "Dawn",
            "categories": (),
            "excerpt": "ISLAMABAD: Interior Minister Mohsin Naqvi met the British High "
            "Commissioner on Mon 19 May 2025 at 10:28pm to review the 2022 returns arrangement. "
            "Jun. 10— officials said a third round of the dialogue would be held later in the "
            "year.",
            "source_url": None,
            "share": False,
        },
        {"local": (2025, 5, 4, 9, 15)},  # a day-first-ambiguous date: 04-05-2025 is 4 May
    ),
    "ar": (
        {
            "id": "beb8ca352a3bd6e72a508d85223fb643",
            "local": (2025, 3, 4, 11, 40),
            "title": "باكستان والمملكة المتحدة تبحثان التعاون في مكافحة الإرهاب",
            "publisher": "عرب نيوز",
            "categories": ("سياسة",),
            "excerpt": "إسلام آباد: عقدت باكستان والمملكة المتحدة محادثات حول مكافحة الإرهاب "
            "والتعاون الأمني.",
            "source_url": None,
            "share": True,
        },
        {
            "id": "5d41402abc4b2a76b9719d911017c592",
            "rel": ("h", 10),
            "title": "وزير الداخلية يلتقي المفوض السامي البريطاني",
            "publisher": "الشرق الأوسط",
            "categories": (),
            "excerpt": "التقى وزير الداخلية المفوض السامي البريطاني لبحث التعاون الأمني.",
            "source_url": None,
            "share": False,
        },
        {"local": (2025, 5, 4, 16, 20)},
    ),
}


def parse_now(now: str | datetime) -> datetime:
    """An aware UTC datetime from an ISO 8601 string (a naive value is taken as UTC)."""
    value = now if isinstance(now, datetime) else datetime.fromisoformat(now)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex_id(*parts: object) -> str:
    return hashlib.md5(":".join(str(p) for p in parts).encode()).hexdigest()


def relative_text(lang: str, unit: str, n: int) -> str:
    """moment.js-style wording of an age: ("m", 6) -> "6 minutes ago" / "منذ 6 دقائق"."""
    if lang == "en":
        if unit == "s":
            return "a few seconds ago"
        word = {"m": "minute", "h": "hour", "d": "day"}[unit]
        if n == 1:
            return f"{'an' if unit == 'h' else 'a'} {word} ago"
        return f"{n} {word}s ago"
    one, two, few, many = {
        "m": ("دقيقة", "دقيقتين", "دقائق", "دقيقة"),
        "h": ("ساعة", "ساعتين", "ساعات", "ساعة"),
        "d": ("يوم", "يومين", "أيام", "يوماً"),
    }[unit]
    if n == 1:
        return f"منذ {one}"
    if n == 2:
        return f"منذ {two}"
    # Arabic counts 3-10 with a plural noun and 11+ with a singular one ("منذ 14 ساعة").
    return f"منذ {n} {few if n <= 10 else many}"


# The first stories drawn in each language take these, so every wording appears on any site
# with a few dozen stories; the rest are drawn at random.
_FORCED = {
    "en": (("s", 0), ("m", 1), ("m", 6), ("h", 1), ("h", 2), ("d", 1), ("d", 3), ("m", 44)),
    "ar": (
        ("m", 1), ("m", 2), ("m", 5), ("m", 15), ("h", 1), ("h", 2), ("h", 10), ("h", 14),
        ("d", 1), ("d", 2), ("d", 3),
    ),
}  # fmt: skip
_STEP = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _age_of(rng: random.Random, unit: str, n: int) -> float:
    """A true age that moment.js would show as (unit, n)."""
    if unit == "s":
        return rng.uniform(0, 44)
    if n == 1:  # "a minute/an hour/a day ago" cover 45-89 s, 45-89 min, 22-35 h
        low, high = {"m": (45, 89), "h": (45 * 60, 89 * 60), "d": (22 * 3600, 35 * 3600)}[unit]
        return rng.uniform(low, high)
    step = _STEP[unit]
    return n * step + rng.uniform(-0.49, 0.49) * step


def _draw_age(rng: random.Random, lang: str) -> tuple[float, tuple[str, int] | None]:
    r = rng.random()
    if r < 0.43:
        if r < 0.03:
            # The brief lists no Arabic "seconds ago" wording, so Arabic stories are >= 45 s old.
            rel = ("s", 0) if lang == "en" else ("m", 1)
        elif r < 0.06:
            rel = ("m", 1)
        elif r < 0.14:
            rel = ("m", rng.choice(_MINUTES))
        elif r < 0.17:
            rel = ("h", 1)
        elif r < 0.27:
            rel = ("h", rng.choice(_HOURS))
        elif r < 0.31:
            rel = ("d", 1)
        else:
            rel = ("d", rng.choice(_DAYS))
        return _age_of(rng, *rel), rel
    return rng.uniform(7.2 * 86400, 400 * 86400), None


def _cap(text: str) -> str:
    """Upper-case the first letter (after any opening quote)."""
    first = next((i for i, ch in enumerate(text) if ch.isalpha()), 0)
    return text[:first] + text[first : first + 1].upper() + text[first + 1 :]


# A slot of a title or lead ({C1}, {Weekday}): the title's values go in first, the filler's next.
_FIELD = re.compile(r"\{(\w+)\}")
# A filler slot: a list name and an optional digit asking for another value of that list.
_SLOT = re.compile(r"\{([A-Za-z]+?)(\d?)\}")
_AGREE = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")  # Arabic "[masculine|feminine]"
_DATED_SHARE = 0.4  # stories with one sentence dated some way before the story
_INDIC_SHARE = 0.3  # Arabic stories whose filler writes Arabic-Indic digits
_FEMALE_SHARE = 0.35  # Arabic people drawn by the filler who are women
_AP_MONTHS = (
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
)  # fmt: skip


class _Titles:
    """Maps a story index to a distinct title (a bijection while the space lasts) and its leads."""

    def __init__(self, lang: str, seed: int) -> None:
        self.templates = texts.TEMPLATES_EN if lang == "en" else texts.TEMPLATES_AR
        self.slots = texts.SLOTS_EN if lang == "en" else texts.SLOTS_AR
        self.plans = []
        for i, (title, _) in enumerate(self.templates):
            names = sorted({f for _, f, _, _ in string.Formatter().parse(title) if f})
            radices = [self._radix(name) for name in names]
            space = math.prod(radices)
            # An affine map k -> k*mult+off (mod space) with gcd(mult, space) == 1 is a bijection
            # that scatters consecutive indices over the whole space.
            mult = int(_hex_id("mult", seed, lang, i), 16) % space or 1
            while math.gcd(mult, space) != 1:
                mult += 1
            off = int(_hex_id("off", seed, lang, i), 16) % space
            self.plans.append((names, radices, space, mult, off))

    def _radix(self, name: str) -> int:
        if name == "C2":
            return len(self.slots["C1"]) - 1
        if name == "Q":
            return len(self.slots["P"]) - 1
        return len(self.slots[name])

    def get(self, index: int) -> tuple[dict[str, str], int]:
        t = index % len(self.templates)
        names, radices, space, mult, off = self.plans[t]
        lap, k = divmod(index // len(self.templates), space)
        k = (k * mult + off) % space
        picks: dict[str, int] = {}
        for name, radix in zip(names, radices, strict=True):
            k, picks[name] = divmod(k, radix)
        values = {}
        for name, pick in picks.items():
            if name == "C2":
                c = self.slots["C1"]
                values[name] = c[(picks["C1"] + 1 + pick) % len(c)]
            elif name == "Q":
                p = self.slots["P"]
                values[name] = p[(picks["P"] + 1 + pick) % len(p)]
            else:
                values[name] = self.slots[name][pick]
        return values, lap

    def render(self, index: int, dateline: str) -> tuple[str, tuple[str, ...], bool]:
        """The title; its leads with the title's values in (other slots are the filler's);
        whether the title's person is a woman (Arabic verbs agree)."""
        values, lap = self.get(index)
        values["CITY"] = values.get("City", dateline)
        title, leads = self.templates[index % len(self.templates)]
        title = title.format(**values)
        if lap:  # beyond the distinct space: keep titles distinct anyway
            title += f" ({lap + 1})"
        female = values.get("P", "").split(" ")[0] in texts.FIRST_NAMES_AR_F
        leads = tuple(_FIELD.sub(lambda m: values.get(m[1], m[0]), lead) for lead in leads)
        return _cap(title), leads, female


class _Filler:
    """Draws the sentences after a story's lead from the frames of texts.py.

    Every value comes from the story's own RNG, so two unrelated stories rarely share a
    3-word run (which would make them look syndicated to ``newscrawl.syndication``).
    """

    def __init__(self, lang: str) -> None:
        en = lang == "en"
        self.lang = lang
        self.frames = texts.FRAMES_EN if en else texts.FRAMES_AR
        self.dated = texts.DATED_FRAMES_EN if en else texts.DATED_FRAMES_AR
        self.lists = texts.FILLER_SLOTS_EN if en else texts.FILLER_SLOTS_AR
        self.months = self.lists["Month"]
        self.weekdays = self.lists["Weekday"]
        if not en:  # the lists start on Sunday; date.weekday() counts from Monday
            self.weekdays = self.weekdays[1:] + self.weekdays[:1]

    def sentences(self, rng: random.Random, n: int, day: date) -> list[str]:
        """`n` sentences (each frame at most once); at most one dated before `day`."""
        frames = rng.sample(self.frames, min(n, len(self.frames)))
        if rng.random() < _DATED_SHARE:
            frames[rng.randrange(len(frames))] = rng.choice(self.dated)
        indic = self.lang == "ar" and rng.random() < _INDIC_SHARE
        out = []
        for frame in frames:
            text = self.fill(rng, frame, day)
            out.append(text.translate(_AR_DIGITS) if indic else text)
        return out

    def fill(self, rng: random.Random, frame: str, day: date, female: bool | None = None) -> str:
        """`frame` with its slots filled; `female`: the gender of its {P} (else drawn)."""
        if female is None:
            female = self.lang == "ar" and rng.random() < _FEMALE_SHARE
        drawn: dict[str, set[str]] = {}
        when: list[datetime] = []  # the sentence's date, drawn on first use

        def value(m: re.Match[str]) -> str:
            name, again = m[1], m[2]
            if name.startswith("Dt"):
                if not when:
                    when.append(self._past(rng, day))
                return self._date_part(name, when[0])
            seen = drawn.setdefault(name, set())
            while True:
                v = self._draw(rng, name, female if not again else rng.random() < _FEMALE_SHARE)
                if not again or v not in seen:
                    seen.add(v)
                    return v

        text = _SLOT.sub(value, frame)
        text = _AGREE.sub(lambda m: m[2] if female else m[1], text)
        text = text.replace("لـال", "لل")  # "لـ" + "التلفزيون" is written "للتلفزيون"
        return text[:1].upper() + text[1:]

    def _draw(self, rng: random.Random, name: str, female: bool) -> str:
        en = self.lang == "en"
        if name == "N":
            return str(rng.randint(2, 60))
        if name == "Cnt":
            return str(rng.randint(11, 99))
        if name == "K":
            k = rng.randint(12, 480) * 100
            return f"{k:,}" if en else str(k)
        if name == "X":
            return f"{rng.randint(1, 19)}.{rng.randint(1, 9)}"
        if name == "Yp":
            return str(rng.randint(2012, 2024))
        if name == "Yf":
            return str(rng.randint(2026, 2032))
        if name == "Ago":
            return rng.choice(texts.AGO_EN if en else texts.AGO_AR)
        if name == "P":
            if en:
                return f"{rng.choice(texts.FIRST_NAMES_EN)} {rng.choice(texts.FAMILY_NAMES_EN)}"
            first = texts.FIRST_NAMES_AR_F if female else texts.FIRST_NAMES_AR_M
            return f"{rng.choice(first)} {rng.choice(texts.FAMILY_NAMES_AR)}"
        if name == "Co":
            if en:
                return f"{rng.choice(texts.COMPANY_NAMES_EN)} {rng.choice(texts.COMPANY_KINDS_EN)}"
            return f"{rng.choice(texts.COMPANY_NAMES_AR)} {rng.choice(texts.COMPANY_KINDS_AR)}"
        if name == "Role" and not en:
            return rng.choice(texts.ROLES_AR)[female]
        return rng.choice(self.lists[name])

    @staticmethod
    def _past(rng: random.Random, day: date) -> datetime:
        """A moment 3 to 500 days before `day`: an earlier event, never the story's own date."""
        past = day - timedelta(days=rng.randint(3, 500))
        return datetime(past.year, past.month, past.day, rng.randint(7, 22), rng.randint(0, 59))

    def _date_part(self, name: str, when: datetime) -> str:
        en = self.lang == "en"
        weekday, month = self.weekdays[when.weekday()], self.months[when.month - 1]
        if name == "DtWdmy":  # "Mon 19 May 2025"
            wd = weekday[:3] if en else weekday
            return f"{wd} {when.day} {month[:3] if en else month} {when.year}"
        if name == "DtTime":  # "10:28pm", "العاشرة مساء"
            if not en:
                return texts.HOURS_AR[when.hour - 7]
            return f"{(when.hour - 1) % 12 + 1}:{when.minute:02d}{'am' if when.hour < 12 else 'pm'}"
        if name == "DtMonDay":  # "June 10", "Aug. 3" (wire style)
            return f"{_AP_MONTHS[when.month - 1]} {when.day}"
        if name == "DtMonthDay":
            return f"{month} {when.day}"
        if name == "DtDayMonth":
            return f"{when.day} {month}"
        if name == "DtWeekday":
            return weekday
        if name == "DtYear":
            return str(when.year)
        if name == "DtDmy":  # "03-02-2024"; Arabic copy writes it in Arabic-Indic digits
            text = when.strftime("%d-%m-%Y")
            return text if en else text.translate(_AR_DIGITS)
        raise KeyError(name)


class Site:
    """The replica's content: tags per language, their paginated listings and their stories."""

    def __init__(
        self,
        seed: int,
        now: datetime,
        tz: ZoneInfo,
        tags: dict[str, list[str]],
        listings: dict[tuple[str, str], list[list[str]]],
        seeds: dict[str, tuple[str, _Seed]],
        tags_of: dict[str, list[str]],
    ) -> None:
        self.seed = seed
        self.now = now
        self.tz = tz
        self._tags = tags
        self._listings = listings
        self._seeds = seeds
        self._tags_of = tags_of
        self._folded = {lang: {t.casefold(): t for t in names} for lang, names in tags.items()}
        self._stories: dict[str, Story] = {}
        self._titles = {lang: _Titles(lang, seed) for lang in LANGS}
        self._filler = {lang: _Filler(lang) for lang in LANGS}

    # --- structure -----------------------------------------------------------------------------

    def tags(self, lang: str) -> list[str]:
        """The site's hashtags in `lang`, canonical spelling, in a stable order."""
        return list(self._tags[lang])

    def resolve(self, lang: str, tag: str) -> str | None:
        """The canonical spelling of `tag` (exact first, then case-insensitive), or None."""
        if (lang, tag) in self._listings:
            return tag
        return self._folded.get(lang, {}).get(tag.casefold())

    def _canonical(self, lang: str, tag: str) -> str:
        name = self.resolve(lang, tag)
        if name is None:
            raise KeyError(f"no hashtag {tag!r} in {lang!r}")
        return name

    def pages(self, lang: str, tag: str) -> int:
        """How many listing pages `tag` has (KeyError for an unknown tag)."""
        return len(self._listings[lang, self._canonical(lang, tag)])

    def listing(self, lang: str, tag: str, page: int) -> list[str]:
        """Story ids on page `page` (1-based) of `tag`, in page order."""
        pages = self._listings[lang, self._canonical(lang, tag)]
        if not 1 <= page <= len(pages):
            raise KeyError(f"{tag!r} has no page {page}")
        return list(pages[page - 1])

    def story_ids(self, lang: str) -> list[str]:
        """Every story id of `lang`, in creation order."""
        return [sid for sid, (lg, _) in self._seeds.items() if lg == lang]

    def hashtags_of(self, story_id: str) -> list[str]:
        """Canonical tags whose listings show the story (for the story page's Hashtags box)."""
        return list(self._tags_of.get(story_id, ()))

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._seeds

    # --- stories -------------------------------------------------------------------------------

    def story(self, story_id: str) -> Story:
        """The story with this id, generated on first use (KeyError if unknown)."""
        story = self._stories.get(story_id)
        if story is None:
            lang, seed = self._seeds[story_id]
            story = self._make_story(story_id, lang, seed)
            self._stories[story_id] = story
        return story

    def _make_story(self, sid: str, lang: str, seed: _Seed) -> Story:
        rng = random.Random(f"{self.seed}:{sid}")
        publishers = texts.PUBLISHERS[lang]
        publisher: str | None = rng.choice(sorted(publishers))
        cities = texts.CITIES_EN if lang == "en" else texts.CITIES_AR
        city = rng.choice(cities)
        title, leads, female = self._titles[lang].render(seed.index, city)
        # The lead restates the title; it and the sentences after it draw their other values
        # from this story's RNG, so unrelated stories share no run of words (see texts.py).
        filler = self._filler[lang]
        day = (self.now - timedelta(seconds=seed.age)).astimezone(self.tz).date()
        head, _, body = filler.fill(rng, rng.choice(leads), day, female).partition(": ")
        lead = f"{head.upper() if lang == 'en' else head}: {_cap(body)}"
        # Mostly a few sentences, sometimes the whole body on one line.
        n_more = rng.choice((1, 2, 2, 3, 3, 4, 5, 8, 12))
        excerpt: str | None = " ".join([lead, *filler.sentences(rng, n_more, day)])
        n_cat = rng.choices((0, 1, 2), weights=(22, 58, 20))[0]
        categories = tuple(rng.sample(texts.CATEGORIES[lang], n_cat))
        has_date = rng.random() >= 0.03
        has_image = rng.random() >= 0.05
        if rng.random() < 0.03:
            excerpt = None
        if rng.random() < 0.02:
            publisher = None
        source_url = None
        if publisher is not None and rng.random() < 0.3:
            source_url = publishers[publisher].format(n=rng.randint(1_000_000, 9_999_999))
        story = Story(
            id=sid,
            lang=lang,
            title=title,
            publisher=publisher,
            categories=categories,
            excerpt=excerpt,
            image=f"{CDN}{sid}.jpg" if has_image else None,
            published_at=self.now - timedelta(seconds=seed.age),
            date_text=None,
            published=None,
            published_precision=None,
            source_url=source_url,
            share=rng.random() < 0.5,
        )
        for ref in _REFERENCE[lang]:
            if ref.get("id") == sid:
                fields = {k: v for k, v in ref.items() if k not in ("id", "local", "rel")}
                story = replace(story, image=f"{CDN}{sid}.jpg", **fields)
                has_date = True
        if has_date:
            text, published, precision = self._shown_date(lang, seed, story.published_at)
            story = replace(
                story, date_text=text, published=published, published_precision=precision
            )
        return story

    def _shown_date(self, lang: str, seed: _Seed, instant: datetime) -> tuple[str, str, str]:
        """The date text a card shows, and the value and precision it means."""
        if seed.rel is None:
            local = instant.astimezone(self.tz).date()
            text = local.strftime("%d-%m-%Y")
            return (text.translate(_AR_DIGITS) if lang == "ar" else text), local.isoformat(), "day"
        unit, n = seed.rel
        text = relative_text(lang, unit, n)
        if unit == "s":
            return text, _iso(self.now), "minute"
        if unit == "m":
            return text, _iso(self.now - timedelta(minutes=n)), "minute"
        if unit == "h":
            return text, _iso(self.now - timedelta(hours=n)), "hour"
        day = self.now.astimezone(self.tz).date() - timedelta(days=n)
        return text, day.isoformat(), "day"

    # --- oracle --------------------------------------------------------------------------------

    def crawl_plan(self, lang: str, tags: Iterable[str], max_pages: int) -> dict[str, list[int]]:
        """Which pages a correct crawler fetches per given tag spelling.

        It fetches pages in order up to `max_pages` (or the last page) and stops a tag after a
        page that brings no story it has not already seen on that tag; unknown tags get one
        request (a 404) and no pages.
        """
        plan: dict[str, list[int]] = {}
        for tag in tags:
            fetched: list[int] = []
            if self.resolve(lang, tag) is not None:
                seen: set[str] = set()
                for page in range(1, min(max_pages, self.pages(lang, tag)) + 1):
                    ids = self.listing(lang, tag, page)
                    fetched.append(page)
                    new = set(ids) - seen
                    seen |= new
                    if not new:
                        break
            plan[tag] = fetched
        return plan

    def expected(self, lang: str, tags: list[str], max_pages: int) -> dict[str, dict]:
        """The records a correct crawler outputs for these tags, keyed by story id."""
        hashtags: dict[str, set[str]] = {}
        for tag, pages in self.crawl_plan(lang, tags, max_pages).items():
            for page in pages:
                for sid in self.listing(lang, tag, page):
                    hashtags.setdefault(sid, set()).add(tag)
        return {sid: self.record(sid, sorted(names)) for sid, names in hashtags.items()}

    def record(self, story_id: str, hashtags: list[str]) -> dict:
        """The output record of one story, with the given hashtag spellings."""
        s = self.story(story_id)
        return {
            "id": s.id,
            "url": s.path,
            "title": s.title,
            "publisher": s.publisher,
            "published": s.published,
            "published_raw": s.date_text.strip() if s.date_text else None,
            "published_precision": s.published_precision,
            "categories": list(s.categories),
            "hashtags": list(hashtags),
            "excerpt": " ".join(s.excerpt.split()) if s.excerpt else None,
            "image": s.image,
            "lang": s.lang,
        }


# --- building ----------------------------------------------------------------------------------


def _tag_names(lang: str, n: int) -> list[str]:
    fixed = texts.FIXED_TAGS_EN if lang == "en" else texts.FIXED_TAGS_AR
    names = list(fixed[:n])
    if lang == "en":
        a, b, suffixes, sep = (
            texts.TAG_WORDS_EN_A,
            texts.TAG_WORDS_EN_B,
            texts.TAG_SUFFIXES_EN,
            "",
        )
    else:
        a, b, suffixes, sep = (
            texts.TAG_WORDS_AR_A,
            texts.TAG_WORDS_AR_B,
            texts.TAG_SUFFIXES_AR,
            "_",
        )
    seen = set(names)
    k = 0
    while len(names) < n:
        i, j, s = k % len(a), (k // len(a)) % len(b), k // (len(a) * len(b))
        k += 1
        suffix = f"{sep or '-'}{s}" if s >= len(suffixes) else suffixes[s]
        # Some English tags are hyphenated like the seed's own tag.
        joiner = "-" if lang == "en" and k % 3 == 0 else sep
        name = f"{a[i]}{joiner}{b[j]}{suffix}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _page_counts(n_tags: int, pages_per_tag: int) -> list[int]:
    """Pages per tag: most have them all, the second tag only one, every fourth fewer."""
    counts = []
    for i in range(n_tags):
        if i == 1:
            counts.append(1)
        elif i % 4 == 3 and pages_per_tag > 1:
            counts.append(pages_per_tag - 1 - (i // 4) % (pages_per_tag - 1))
        else:
            counts.append(pages_per_tag)
    return counts


def _pinned_age(now: datetime, tz: ZoneInfo, ref: dict) -> tuple[float, tuple[str, int] | None]:
    if "rel" in ref:
        unit, n = ref["rel"]
        return n * _STEP[unit] + _STEP[unit] * 0.05, (unit, n)
    y, mo, d, h, mi = ref["local"]
    age = (now - datetime(y, mo, d, h, mi, tzinfo=tz)).total_seconds()
    if age < 7.2 * 86400:  # the pinned date is not in the past for this `now`: move it back
        age += 365 * 86400 * math.ceil((7.2 * 86400 - age) / (365 * 86400))
    return age, None


class _LangBuilder:
    """Lays out one language's tags and stories (the structure only, not the text)."""

    def __init__(self, seed: int, lang: str, now: datetime, tz: ZoneInfo, cards: int) -> None:
        self.seed, self.lang, self.now, self.tz, self.cards = seed, lang, now, tz, cards
        self.rng = random.Random(f"daily8-replica:{seed}:{lang}")
        self.seeds: dict[str, _Seed] = {}
        self.pool: list[str] = []  # stories already listed on some tag, for overlap
        self.tags_of: dict[str, list[str]] = {}
        self.drawn = 0

    def _draw(self) -> tuple[float, tuple[str, int] | None]:
        forced = _FORCED[self.lang]
        self.drawn += 1
        if self.drawn <= len(forced):
            unit, n = forced[self.drawn - 1]
            return _age_of(self.rng, unit, n), (unit, n)
        return _draw_age(self.rng, self.lang)

    def _new(self, age: float, rel: tuple[str, int] | None, sid: str | None = None) -> str:
        index = len(self.seeds)
        sid = sid or _hex_id("daily8", self.seed, self.lang, index)
        self.seeds[sid] = _Seed(index, age, rel)
        return sid

    def tag(self, name: str, n_pages: int, first: bool) -> list[list[str]]:
        rng, c = self.rng, self.cards
        # Full pages, then a partly filled last one. A page may start with the previous page's
        # last story: the listing shifted by one while the crawler paged.
        sizes = [c] * (n_pages - 1) + [rng.randint(max(1, c // 2), c)]
        repeats = [False] + [sizes[p] >= 2 and rng.random() < 0.25 for p in range(1, n_pages)]
        unique = sum(sizes) - sum(repeats)
        chosen: list[str] = []
        refs = _REFERENCE[self.lang] if first else ()
        for ref in refs[:unique]:
            chosen.append(self._new(*_pinned_age(self.now, self.tz, ref), ref.get("id")))
        in_tag = set(chosen)
        while len(chosen) < unique:
            sid = None
            if self.pool and rng.random() < 0.2:
                pick = self.pool[rng.randrange(len(self.pool))]
                if pick not in in_tag:
                    sid = pick
            if sid is None:
                sid = self._new(*self._draw())
            chosen.append(sid)
            in_tag.add(sid)
        for sid in chosen:
            if sid not in self.tags_of:
                self.pool.append(sid)
                self.tags_of[sid] = []
            self.tags_of[sid].append(name)
        chosen.sort(key=lambda s: (self.seeds[s].age, s))  # newest first
        pages: list[list[str]] = []
        pos = 0
        for size, repeat in zip(sizes, repeats, strict=True):
            page = [pages[-1][-1]] if repeat else []
            take = size - len(page)
            page.extend(chosen[pos : pos + take])
            pos += take
            pages.append(page)
        return pages


def build_site(
    seed: int = 8,
    n_tags_en: int = 8,
    n_tags_ar: int = 4,
    pages_per_tag: int = 3,
    cards_per_page: int = 10,
    now: str = "2025-06-12T09:30:00Z",
    tz: str = "Asia/Dubai",
) -> Site:
    """Build the replica's model; the same arguments always give the same site."""
    if pages_per_tag < 1 or cards_per_page < 1:
        raise ValueError("pages_per_tag and cards_per_page must be >= 1")
    now_dt = parse_now(now)
    zone = ZoneInfo(tz)
    tags: dict[str, list[str]] = {}
    listings: dict[tuple[str, str], list[list[str]]] = {}
    seeds: dict[str, tuple[str, _Seed]] = {}
    tags_of: dict[str, list[str]] = {}
    for lang, n_tags in (("en", n_tags_en), ("ar", n_tags_ar)):
        builder = _LangBuilder(seed, lang, now_dt, zone, cards_per_page)
        names = _tag_names(lang, n_tags)
        counts = _page_counts(n_tags, pages_per_tag)
        for i, (name, n_pages) in enumerate(zip(names, counts, strict=True)):
            listings[lang, name] = builder.tag(name, n_pages, first=i == 0)
        tags[lang] = names
        seeds.update((sid, (lang, s)) for sid, s in builder.seeds.items())
        tags_of.update(builder.tags_of)
    return Site(seed, now_dt, zone, tags, listings, seeds, tags_of)
