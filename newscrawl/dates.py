"""Normalise the dates printed on Daily8 story cards to ISO values with a precision.

Pure functions of (text, language, now, time zone): no Scrapy, no I/O, no logging.
The shapes Daily8 prints (``18-04-2025``, ``6 minutes ago``, ``منذ 10 ساعات``), and every
past-time wording the JavaScript date libraries print in English and Arabic (moment,
date-fns, dayjs, Intl's relative times and dates, Hijri ones included: tests/jsdates), are
read by precompiled regexes; texts that name no past instant (futures, "this week") fail
here too. Anything else goes to dateparser, which is imported only then because it costs
~130 ms to import and ~1-2 ms per call against a few µs here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DateNormaliser", "ParsedDate", "parse_now"]


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A normalised date: ISO value, its precision, and which path produced it."""

    value: str | None  # "YYYY-MM-DD" (day) or "YYYY-MM-DDTHH:MM:SSZ" (UTC, hour/minute)
    precision: str | None  # "day" | "hour" | "minute" | None
    method: str  # "fast" | "dateparser" | "empty" | "failed"


_EMPTY = ParsedDate(None, None, "empty")
_FAILED = ParsedDate(None, None, "failed")

# Only the end of a text is read (shapes are anchored there); the longest shape is far
# shorter than this, and it keeps a huge glued text from costing a scan of all of it.
_TAIL = 256
# dateparser hangs on some long inputs (dateparser issue #1185); a date is never this long.
_DATEPARSER_MAX_LEN = 64

# One str.translate pass: Arabic-Indic and Eastern Arabic digits to ASCII, and deletion of
# the invisible marks a right-to-left page scatters in its text (LRM/RLM, ALM, embeddings,
# isolates, zero-width characters, BOM, soft hyphen) and of Arabic harakat and tatweel,
# which are spelling variation only ("يوماً" = "يوما"). NBSP needs nothing: str.split()
# treats it, and the other Unicode spaces, as whitespace.
_CLEAN = {0x0660 + i: 0x30 + i for i in range(10)}
_CLEAN.update({0x06F0 + i: 0x30 + i for i in range(10)})
_CLEAN.update(
    dict.fromkeys(
        [0x00AD, 0x061C, 0x0640, 0xFEFF, *range(0x064B, 0x0653), *range(0x200B, 0x2010)],
    )
)
_CLEAN.update(dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_INVISIBLE = frozenset(code for code, to in _CLEAN.items() if to is None)
# Folding for matching Arabic words only (dateparser gets the unfolded text): the hamza
# forms of alef, taa marbuta and alef maqsura are written either way in the wild.
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})

# DD-MM-YYYY, day first, "-", "/" or "." between; not preceded by a digit, so a glued
# publisher name ("Arab News18-04-2025") is ignored but "118-04-2025" is not a date.
_DMY = re.compile(r"(?<!\d)([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})\Z")
# Year first (Intl's en-CA "2025-06-12", en-JP/en-ZA "2025/06/12"): never ambiguous.
_YMD = re.compile(r"(?<!\d)([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})\Z")
# Day first with a two-digit year (Intl's short style: en-GB "12/06/25", en-AU "12/6/25").
_DMY_SHORT = re.compile(r"(?<![\d/.-])([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{2})\Z")


def _alternation(words: Iterable[str]) -> str:
    # Longest first: a regex alternation takes the first branch that fits ("ساعتين" before "ساع").
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# Every spelling of a unit that moment, date-fns, dayjs and Intl.RelativeTimeFormat print,
# long and short ("3 hr. ago", "2 mos ago"); a final "." is read apart.
_EN_UNITS = {
    **dict.fromkeys(["second", "seconds", "sec", "secs"], "second"),
    **dict.fromkeys(["minute", "minutes", "min", "mins"], "minute"),
    **dict.fromkeys(["hour", "hours", "hr", "hrs"], "hour"),
    **dict.fromkeys(["day", "days"], "day"),
    **dict.fromkeys(["week", "weeks", "wk", "wks"], "week"),
    **dict.fromkeys(["month", "months", "mo", "mos", "mth", "mths"], "month"),
    **dict.fromkeys(["quarter", "quarters", "qtr", "qtrs"], "quarter"),
    **dict.fromkeys(["year", "years", "yr", "yrs"], "year"),
}
# Intl's narrow style glues a letter or two to the number ("3h ago", "2mo ago"): only
# after digits, where "m" cannot be a word.
_EN_NARROW = {
    "s": "second",
    "m": "minute",
    "h": "hour",
    "d": "day",
    "w": "week",
    "mo": "month",
    "q": "quarter",
    "y": "year",
}
# "[in] [about|over|almost|less than] N unit [ago]": the code wants exactly one of "in"
# (a future: no past instant) and "ago". Words before the amount must start a word;
# the amount itself may be glued ("time6 hours ago", "Yahoo2 days ago").
_EN_RELATIVE = re.compile(
    r"(?:(?<![a-z])(in) )?"
    r"(?:(?<![a-z])(about|over|almost|less than) )?"
    r"(?:(?<!\d)([0-9]+) ?(" + _alternation([*_EN_UNITS, *_EN_NARROW]) + r")"
    r"|(a few|half an?|an?|one) ?(" + _alternation(_EN_UNITS) + r"))\.?"
    r"(?: (ago))?\Z",
)

# Arabic unit words (after _FOLD) -> (unit, count when no number is written). None means
# the word needs a number ("ساعات" alone is "hours": no count); 0 is "a moment".
_AR_UNITS: dict[str, tuple[str, int | None]] = {
    "لحظه": ("second", 0),
    "لحظات": ("second", 0),
    "ثانيه": ("second", 1),
    "ثانيتين": ("second", 2),
    "ثانيتان": ("second", 2),
    "ثوان": ("second", 0),
    "ثواني": ("second", 0),
    "نصف دقيقه": ("second", 30),
    "نص دقيقه": ("second", 30),  # Egyptian
    "دقيقه": ("minute", 1),
    "دقيقتين": ("minute", 2),
    "دقيقتان": ("minute", 2),
    "دقائق": ("minute", None),
    "دقايق": ("minute", None),
    "ساعه": ("hour", 1),
    "ساعتين": ("hour", 2),
    "ساعتان": ("hour", 2),
    "ساعات": ("hour", None),
    "سوايع": ("hour", None),  # Tunisian
    "يوم": ("day", 1),
    "يوما": ("day", None),
    "يومين": ("day", 2),
    "يومان": ("day", 2),
    "ايام": ("day", None),
    "نهار": ("day", 1),  # Tunisian
    "نهارين": ("day", 2),
    "اسبوع": ("week", 1),
    "اسبوعا": ("week", None),
    "اسبوعين": ("week", 2),
    "اسبوعان": ("week", 2),
    "اسابيع": ("week", None),
    # moment's Arabic locales have no week words: with weeks switched on they print
    # English inside the Arabic ("منذ 2 weeks").
    "a week": ("week", 1),
    "weeks": ("week", None),
    "شهر": ("month", 1),
    "شهرا": ("month", None),
    "شهرين": ("month", 2),
    "شهران": ("month", 2),
    "اشهر": ("month", None),
    "اشهره": ("month", None),  # date-fns ar-TN
    "شهور": ("month", None),
    "ربع سنه": ("quarter", 1),
    "ربعي سنه": ("quarter", 2),
    "ارباع سنه": ("quarter", None),
    "سنه": ("year", 1),
    "سنتين": ("year", 2),
    "سنتان": ("year", 2),
    "سنوات": ("year", None),
    "سنين": ("year", None),
    "عام": ("year", 1),
    "عاما": ("year", None),
    "عامين": ("year", 2),
    "عامان": ("year", 2),
    "اعوام": ("year", None),
}
# "منذ/قبل" (and Tunisian "عندو") is a past; "بعد", "في", "خلال" a future.
_AR_FUTURE = frozenset({"في خلال", "خلال", "بعد", "في"})
# Arabic words must start a word: "الخامس" (the fifth) ends in "امس" (yesterday).
_NOT_AFTER_ARABIC_LETTER = r"(?<![\u0621-\u064A])"
_AR_RELATIVE = re.compile(
    _NOT_AFTER_ARABIC_LETTER
    + r"(منذ|قبل|عندو|في خلال|خلال|بعد|في) ?"
    # less than / over / almost / about: "منذ أكثر من سنة", "منذ حوالي 3 ساعات".
    + r"(اقل من |اكثر من |ما يقارب |حوالي )?(?:([0-9]+) ?)?("
    + _alternation(_AR_UNITS)
    # "واحدة" (one), and date-fns's "تقريباً" (about) after the unit.
    + r")(?: ?واحده?)?(?: ?تقريبا?)?\Z",
)

_DAYS_BACK = {
    "today": 0,
    "yesterday": 1,
    "اليوم": 0,
    "امس": 1,
    "البارحه": 1,
    "اول امس": 2,
    "اول من امس": 2,
}
_DAY_WORD = re.compile(
    r"(?<!\d)" + _NOT_AFTER_ARABIC_LETTER + r"(today|yesterday|اليوم|البارحه|اول (?:من )?امس|امس)\Z"
)

# Whole-word phrases (Intl's numeric: "auto") -> what they say: ("now", precision),
# (unit, count back), or None: a future or the current week/month/year, no past instant.
_NOW_MINUTE = ("now", "minute")
_NOW_HOUR = ("now", "hour")
_PHRASES: dict[str, tuple[str, Any] | None] = {
    "now": _NOW_MINUTE,
    "this minute": _NOW_MINUTE,
    "this hour": _NOW_HOUR,
    "tomorrow": None,
    "الان": _NOW_MINUTE,
    "هذه الدقيقه": _NOW_MINUTE,
    "الدقيقه الحاليه": _NOW_MINUTE,
    "هذه الساعه": _NOW_HOUR,
    "الساعه الحاليه": _NOW_HOUR,
    "غدا": None,
    "بعد غد": None,
    "بعد الغد": None,
}
for _unit, _spellings in {
    "week": ("week", "wk"),
    "month": ("month", "mo", "mth"),
    "quarter": ("quarter", "qtr"),
    "year": ("year", "yr"),
}.items():
    for _word in _spellings:
        _PHRASES[f"last {_word}"] = (_unit, 1)
        _PHRASES[f"this {_word}"] = None
        _PHRASES[f"next {_word}"] = None
for _unit, _word in (
    ("week", "الاسبوع"),
    ("month", "الشهر"),
    ("quarter", "الربع"),
    ("year", "السنه"),
    ("year", "العام"),
):
    for _adjective in ("الماضي", "الماضيه", "السابق", "السابقه", "الاخير", "الاخيره"):
        _PHRASES[f"{_word} {_adjective}"] = (_unit, 1)
    for _adjective in ("الحالي", "الحاليه", "القادم", "القادمه", "التالي", "التاليه"):
        _PHRASES[f"{_word} {_adjective}"] = None
    for _adjective in ("المقبل", "المقبله"):
        _PHRASES[f"{_word} {_adjective}"] = None
    _PHRASES[f"هذا {_word}"] = None
    _PHRASES[f"هذه {_word}"] = None

# Hijri (Umm al-Qura) dates as Intl prints them with "-u-ca-islamic-umalqura": always with
# the era ("هـ", "AH"), which is what tells them from a Gregorian date.
_HIJRI_MONTHS = {
    "محرم": 1,
    "صفر": 2,
    "ربيع الاول": 3,
    "ربيع الاخر": 4,
    "ربيع الثاني": 4,
    "جمادي الاولي": 5,
    "جمادي الاول": 5,
    "جمادي الاخره": 6,
    "جمادي الثانيه": 6,
    "رجب": 7,
    "شعبان": 8,
    "رمضان": 9,
    "شوال": 10,
    "ذو القعده": 11,
    "ذي القعده": 11,
    "ذو الحجه": 12,
    "ذي الحجه": 12,
}
for _number, _names in enumerate(
    (
        ("muharram", "muh."),
        ("safar", "saf."),
        ("rabiʻ i", "rab. i"),
        ("rabiʻ ii", "rab. ii"),
        ("jumada i", "jum. i"),
        ("jumada ii", "jum. ii"),
        ("rajab", "raj."),
        ("shaʻban", "sha."),
        ("ramadan", "ram."),
        ("shawwal", "shaw."),
        ("dhuʻl-qiʻdah", "dhuʻl-q."),
        ("dhuʻl-hijjah", "dhuʻl-h."),
    ),
    start=1,
):
    for _name in _names:
        # ICU writes the ʻayn as U+02BB; pages also use ' and ’, or nothing.
        for _ayn in ("ʻ", "'", "’", ""):
            _HIJRI_MONTHS[_name.replace("ʻ", _ayn)] = _number
_HIJRI_MONTH = "(" + _alternation(_HIJRI_MONTHS) + ")"
_HIJRI_ERA = re.compile(r"[0-9]/? ?(?:ه|ah)\Z")
_HIJRI = re.compile(
    r"(?<!\d)(?:"
    # 16/12/1446 (day first, as the Gregorian numbers), en-IN's "16/12/1446/ AH"
    + r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})/?"
    # 16 ذو الحجة 1446, 16 Dhuʻl-Hijjah, 1446, en-IN's 16-Dhuʻl-H.-1446
    + r"|([0-9]{1,2})[ -]?"
    + _HIJRI_MONTH
    + r"[ ,-]+([0-9]{4})"
    # Dhuʻl-Hijjah 16, 1446 (en-US)
    + r"|"
    + _HIJRI_MONTH
    + r" ([0-9]{1,2}),? ([0-9]{4})"
    + r") ?(?:ه|ah)\Z"
)

# Gregorian dates with the month's name, as Intl.DateTimeFormat prints them in every
# English and Arabic locale ("June 12, 2025", "12 Jun 2025", "12-Jun-2025", "الخميس، 12
# يونيو 2025"); a weekday before them is not read. Arabic has three sets of names: the
# Egyptian/Gulf ones, the Levantine and Iraqi (ar-SY, ar-LB, ar-IQ, ar-JO, ar-PS) and the
# Maghreb ones (ar-DZ, ar-TN, ar-MA, ar-MR), after _FOLD.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "يناير", "كانون الثاني", "جانفي"),
        ("february", "feb", "فبراير", "شباط", "فيفري"),
        ("march", "mar", "مارس", "اذار"),
        ("april", "apr", "ابريل", "نيسان", "افريل"),
        ("may", "مايو", "ايار", "ماي"),
        ("june", "jun", "يونيو", "يونيه", "حزيران", "جوان"),
        ("july", "jul", "يوليو", "يوليه", "تموز", "جويليه", "يوليوز"),
        ("august", "aug", "اغسطس", "اب", "اوت", "غشت", "اغشت"),
        ("september", "sep", "sept", "سبتمبر", "ايلول", "شتنبر", "شتمبر"),
        ("october", "oct", "اكتوبر", "تشرين الاول"),
        ("november", "nov", "نوفمبر", "تشرين الثاني", "نونبر"),
        ("december", "dec", "ديسمبر", "كانون الاول", "دجنبر", "دجمبر"),
    ),
    start=1,
):
    _MONTHS.update(dict.fromkeys(_names, _number))
del _unit, _spellings, _word, _adjective, _number, _names, _name, _ayn
_MONTH = "(" + _alternation(_MONTHS) + r")\.?"
_NAMED_DATE = re.compile(
    # 12 June 2025, 12-Jun-2025, 12 Jun,2025 (en-ZW), 12 يونيو 2025
    r"(?<!\d)([0-9]{1,2})[ -]"
    + _MONTH
    + r"[ ,-]+([0-9]{4})\Z"
    # June 12, 2025 (en-US)
    + r"|(?<![a-z])"
    + _MONTH
    + r" ([0-9]{1,2}),? ([0-9]{4})\Z"
)

_CLOCK_PRECISION = {"second": "minute", "minute": "minute", "hour": "hour"}
_CLOCK_SECONDS = {"second": 1, "minute": 60, "hour": 3600}
_DAYS_PER_UNIT = {"day": 1, "week": 7}
_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _months_back(day: date, months: int) -> date:
    """*day* that many calendar months earlier, clamped to the end of a shorter month.

    What dateutil's relativedelta gives, at a tenth of its cost (about 10 µs a call here).
    """
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = _MONTH_DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return date(year, month, min(day.day, last))  # ValueError off the calendar


@lru_cache(maxsize=4096)
def _hijri_to_gregorian(year: int, month: int, day: int) -> str | None:
    """The Gregorian ISO date of an Umm al-Qura date, or None if there is no such day."""
    # Imported here: only Hijri texts need it.
    from hijridate import Hijri

    try:
        return Hijri(year, month, day).to_gregorian().isoformat()
    except (ValueError, OverflowError):  # day 30 of a 29-day month; outside 1343-1500 AH
        return None


def parse_now(value: str | None) -> datetime:
    """Read an ISO 8601 instant (as in NEWSCRAWL_NOW) as an aware UTC datetime.

    "Z" is accepted and a value without an offset is taken as UTC; None or "" is the
    current time. Raises ValueError naming the value when it is not ISO 8601.
    """
    if value is None or not value.strip():
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(
            f"not an ISO 8601 instant: {value!r} (expected e.g. '2025-06-12T09:30:00Z')"
        ) from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    """The ZoneInfo for an IANA name; a clear error for anything else."""
    if isinstance(tz, ZoneInfo):
        if tz.key is None:
            # dateparser is told the zone by name.
            raise ValueError("tz must be a named IANA zone, got a ZoneInfo without a key")
        return tz
    if not isinstance(tz, str):
        raise TypeError(f"tz must be an IANA zone name or a ZoneInfo, got {type(tz).__name__}")
    try:
        return ZoneInfo(tz)
    except ZoneInfoNotFoundError as error:
        raise ZoneInfoNotFoundError(
            f"unknown time zone {tz!r}: expected an IANA name such as 'Asia/Dubai'"
        ) from error
    except ValueError as error:  # "", absolute or "../" paths
        raise ValueError(
            f"invalid time zone name {tz!r}: expected an IANA name such as 'Asia/Dubai'"
        ) from error


class DateNormaliser:
    """Turn card date texts into ParsedDate values for one crawl's `now` and time zone."""

    def __init__(self, now: datetime, tz: str | ZoneInfo, *, use_dateparser: bool = True) -> None:
        if not isinstance(now, datetime):
            raise TypeError(f"now must be a datetime, got {type(now).__name__}")
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
        self._zone = zone(tz)
        self._use_dateparser = use_dateparser
        # Whole seconds: values are printed to the second and relative texts are coarser.
        self._now_utc = now.astimezone(UTC).replace(microsecond=0, tzinfo=None)
        self._now_local = now.astimezone(self._zone)
        self._today = self._now_local.date()
        self._parsers: dict[str, Any] = {}
        # The answers for the last KEEP texts: a pure function of (text, lang) for this
        # normaliser, and a crawl's date texts repeat ("3 hours ago", a day's "18-04-2025").
        self._kept = lru_cache(maxsize=self.KEEP)(self.read)

    #: Distinct (text, language) answers kept by :meth:`normalise`.
    KEEP = 4096

    def normalise(self, text: str | None, lang: str) -> ParsedDate:
        """Read one date text; never raises: unreadable text gives method "failed".

        The same text in the same language gets the same answer (a ParsedDate is frozen),
        kept for the last :attr:`KEEP` texts: a crawl asks for each story's date at least
        twice (its release order, then the dates pipeline), and its texts repeat."""
        if type(text) is str:
            return self._kept(text, lang)
        return self.read(text, lang)

    def read(self, text: str | None, lang: str) -> ParsedDate:
        """:meth:`normalise`, read anew (no answer kept): what the date bench times."""
        if text is None:
            return _EMPTY
        if not isinstance(text, str):
            return _FAILED
        if len(text) > _TAIL:
            text = _tail(text)
        if not text.isascii():  # translate() is slow on ASCII text, where it changes nothing
            text = text.translate(_CLEAN)
        clean = " ".join(text.split())
        if not clean:
            return _EMPTY
        parsed = self._fast(clean)
        if parsed is not None:
            return parsed
        if not self._use_dateparser:
            return _FAILED
        return self._dateparser(clean, lang)

    def _fast(self, clean: str) -> ParsedDate | None:
        """The shapes read here (a ParsedDate, maybe failed), or None: one for dateparser."""
        last = clean[-1]
        if "0" <= last <= "9":
            match = _DMY.search(clean)
            if match is not None:
                day, month, year = match.groups()
                return self._day(int(year), int(month), int(day))
            match = _YMD.search(clean)
            if match is not None:
                year, _, month, day = match.groups()
                return self._day(int(year), int(month), int(day))
            match = _DMY_SHORT.search(clean)
            if match is not None:
                day, _, month, year = match.groups()
                return self._day(self._century(int(year)), int(month), int(day))
            match = _NAMED_DATE.search(_fold(clean))
            if match is not None:
                day, month, year, month2, day2, year2 = match.groups()
                if day is None:
                    day, month, year = day2, month2, year2
                return self._day(int(year), _MONTHS[month], int(day))
            return None
        folded = _fold(clean)
        if folded[-1] in "hه" and _HIJRI_ERA.search(folded, len(folded) - 8):
            return self._hijri(folded)
        return self._relative(folded)

    def _day(self, year: int, month: int, day: int) -> ParsedDate:
        try:
            value = date(year, month, day)
        except ValueError:
            # 31-02-2025, month 13, year 0. Not for dateparser: it could swap day and month.
            return _FAILED
        return ParsedDate(value.isoformat(), "day", "fast")

    def _century(self, year: int) -> int:
        """A two-digit year in the latest century that puts it at most a year after now."""
        full = self._today.year // 100 * 100 + year
        return full - 100 if full > self._today.year + 1 else full

    def _hijri(self, folded: str) -> ParsedDate:
        match = _HIJRI.search(folded)
        if match is None:
            return _FAILED  # an era, so not Gregorian, but no date we know
        d1, m1, y1, d2, month2, y2, month3, d3, y3 = match.groups()
        if d1 is not None:
            year, month, day = int(y1), int(m1), int(d1)
        elif d2 is not None:
            year, month, day = int(y2), _HIJRI_MONTHS[month2], int(d2)
        else:
            year, month, day = int(y3), _HIJRI_MONTHS[month3], int(d3)
        value = _hijri_to_gregorian(year, month, day)
        if value is None:
            return _FAILED
        return ParsedDate(value, "day", "fast")

    def _relative(self, folded: str) -> ParsedDate | None:
        """Read the relative shapes; None if the text is none of them."""
        if folded.isascii():
            if folded.endswith("ago") or "in " in folded:
                match = _EN_RELATIVE.search(folded)
                if match is not None:
                    parsed = self._en_relative(match)
                    if parsed is not None:
                        return parsed
        else:
            match = _AR_RELATIVE.search(folded)
            if match is not None:
                return self._ar_relative(match)
        phrase = self._phrase(folded)
        if phrase is not None:
            return phrase
        match = _DAY_WORD.search(folded)
        if match is not None:
            return self._back("day", _DAYS_BACK[match.group(1)])
        return None

    def _en_relative(self, match: re.Match[str]) -> ParsedDate | None:
        future, qualifier, number, short_unit, amount, word = match.group(1, 2, 3, 4, 5, 6)
        ago = match.group(7)
        if (future is None) == (ago is None):
            return None  # "3 hours": no side; "in 3 hours ago": no shape
        if number is not None:
            unit = _EN_UNITS.get(short_unit) or _EN_NARROW[short_unit]
            count = int(number)
        else:
            unit = _EN_UNITS[word]
            if amount == "a few":
                if unit != "second":
                    return None  # "a few days ago" is no number of days
                count = 0
            elif amount.startswith("half"):
                if unit != "minute":
                    return None
                unit, count = "second", 30
            else:
                count = 1
        if future:
            # "in 0 seconds" (Intl for a story this second) is now; any other future is
            # no past instant.
            return self._back(unit, 0) if count == 0 and number and not qualifier else _FAILED
        if qualifier == "less than":
            count = 0
        return self._back(unit, count)

    def _ar_relative(self, match: re.Match[str]) -> ParsedDate | None:
        prefix, qualifier, number, word = match.groups()
        unit, implied = _AR_UNITS[word]
        if prefix in _AR_FUTURE:
            # "خلال 0 ثانية" is now; any other future is no past instant.
            return self._back(unit, 0) if number == "0" and not qualifier else _FAILED
        if qualifier == "اقل من ":
            count: int | None = 0
        elif number is not None:
            count = int(number)
        else:
            count = implied
        if count is None:
            return None
        return self._back(unit, count)

    def _phrase(self, folded: str) -> ParsedDate | None:
        """ "last week", "الشهر الماضي", "now", "this month": the last one to three words."""
        words = folded.rstrip(".").rsplit(" ", 3)
        for n in (1, 2, 3):
            if n > len(words):
                break
            key = " ".join(words[-n:])
            if key in _PHRASES:
                meaning = _PHRASES[key]
                if meaning is None:
                    return _FAILED
                what, how = meaning
                if what == "now":
                    return ParsedDate(self._now_utc.isoformat() + "Z", how, "fast")
                return self._back(what, how)
        return None

    def _back(self, unit: str, count: int) -> ParsedDate:
        """`count` units before now: a UTC instant for clock units, a local date otherwise."""
        try:
            if unit in _CLOCK_SECONDS:
                instant = self._now_utc - timedelta(seconds=count * _CLOCK_SECONDS[unit])
                return ParsedDate(instant.isoformat() + "Z", _CLOCK_PRECISION[unit], "fast")
            if unit in _DAYS_PER_UNIT:
                day = self._today - timedelta(days=count * _DAYS_PER_UNIT[unit])
            else:
                day = _months_back(self._today, count * _MONTHS_PER_UNIT[unit])
        except (OverflowError, ValueError):
            # "99999999999 days ago" falls off the calendar.
            return _FAILED
        return ParsedDate(day.isoformat(), "day", "fast")

    def _dateparser(self, clean: str, lang: str) -> ParsedDate:
        if len(clean) > _DATEPARSER_MAX_LEN or not any(ch.isalnum() for ch in clean):
            return _FAILED
        parser = self._parser(lang)
        if parser is None:
            return _FAILED
        try:
            data = parser.get_date_data(clean)
        except Exception:
            # dateparser's error surface on odd text is wide and undocumented (ValueError,
            # OverflowError, TypeError, IndexError have all been reported); this method's
            # contract is to report unreadable text as "failed", never to raise.
            return _FAILED
        found = data.date_obj
        if found is None:
            return _FAILED
        if found.tzinfo is None:  # not expected with RETURN_AS_TIMEZONE_AWARE, but be exact
            found = found.replace(tzinfo=UTC)
        if data.period == "time":
            instant = found.astimezone(UTC).replace(microsecond=0, tzinfo=None)
            return ParsedDate(instant.isoformat() + "Z", "minute", "dateparser")
        if data.period == "day":
            return ParsedDate(found.astimezone(self._zone).date().isoformat(), "day", "dateparser")
        # "April 2025", "2025", "last week": no day to give.
        return _FAILED

    def _parser(self, lang: str) -> Any:
        """The cached DateDataParser for `lang`, or None if dateparser does not know it."""
        if not isinstance(lang, str):
            return None
        if lang in self._parsers:
            return self._parsers[lang]
        # Imported here, not at the top: 130 ms, and most texts never need it.
        from dateparser.date import DateDataParser

        settings = {
            "DATE_ORDER": "DMY",
            # Without this, dateparser 1.5 swaps day and month when the numbers do not
            # fit DMY ("04-13-2025" -> 13 April): Daily8 is day first, always.
            "STRICT_DATE_ORDER": "all",
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": self._now_local.replace(tzinfo=None),
            "TIMEZONE": self._zone.key,
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            # Gives period "time" when the text has a time of day (else it says "day").
            "RETURN_TIME_AS_PERIOD": True,
        }
        try:
            parser = DateDataParser(languages=[lang], settings=settings)
        except ValueError:  # unknown language
            parser = None
        self._parsers[lang] = parser
        return parser


def _fold(clean: str) -> str:
    """Lower case, and for Arabic the hamza, taa marbuta and alef maqsura spellings folded."""
    folded = clean.lower()
    return folded if folded.isascii() else folded.translate(_FOLD)


def _tail(text: str) -> str:
    """The last _TAIL characters, after the visible character just before them.

    That character keeps the "not preceded by a digit / an Arabic letter" checks exact:
    "...1104-05-2025" must not become "04-05-2025", nor "...الخامس" become "امس".
    """
    cut = len(text) - _TAIL
    before = cut - 1
    while before > 0 and ord(text[before]) in _INVISIBLE:
        before -= 1
    return text[before] + text[cut:]
