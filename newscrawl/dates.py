"""Normalise the dates printed on Daily8 story cards to ISO values with a precision.

Pure functions of (text, language, now, time zone): no Scrapy, no I/O, no logging.
The shapes Daily8 prints (``18-04-2025``, ``6 minutes ago``, ``منذ 10 ساعات``) are read by
precompiled regexes; anything else goes to dateparser, which is imported only then because
it costs ~130 ms to import and ~1-2 ms per call against a few µs here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

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

_EN_UNITS = {
    "second": "second",
    "sec": "second",
    "minute": "minute",
    "min": "minute",
    "hour": "hour",
    "hr": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
}
_EN_RELATIVE = re.compile(
    r"(?<!\d)(a few|an?|one|[0-9]+) ?(" + "|".join(_EN_UNITS) + r")s? ago\Z",
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
    "دقيقه": ("minute", 1),
    "دقيقتين": ("minute", 2),
    "دقيقتان": ("minute", 2),
    "دقائق": ("minute", None),
    "دقايق": ("minute", None),
    "ساعه": ("hour", 1),
    "ساعتين": ("hour", 2),
    "ساعتان": ("hour", 2),
    "ساعات": ("hour", None),
    "يوم": ("day", 1),
    "يوما": ("day", None),
    "يومين": ("day", 2),
    "يومان": ("day", 2),
    "ايام": ("day", None),
    "اسبوع": ("week", 1),
    "اسبوعا": ("week", None),
    "اسبوعين": ("week", 2),
    "اسبوعان": ("week", 2),
    "اسابيع": ("week", None),
    "شهر": ("month", 1),
    "شهرا": ("month", None),
    "شهرين": ("month", 2),
    "شهران": ("month", 2),
    "اشهر": ("month", None),
    "شهور": ("month", None),
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
# Arabic words must start a word: "الخامس" (the fifth) ends in "امس" (yesterday).
_NOT_AFTER_ARABIC_LETTER = r"(?<![\u0621-\u064A])"
_AR_RELATIVE = re.compile(
    _NOT_AFTER_ARABIC_LETTER
    + r"(?:منذ|قبل) ?(اقل من )?(?:([0-9]+) ?)?("
    # Longest first, so "ساعتين" is not read as "ساع" + leftovers.
    + "|".join(sorted(_AR_UNITS, key=len, reverse=True))
    + r")(?: ?واحده?)?\Z",
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

_CLOCK_PRECISION = {"second": "minute", "minute": "minute", "hour": "hour"}
_CLOCK_SECONDS = {"second": 1, "minute": 60, "hour": 3600}
_CALENDAR_UNIT = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


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

    def normalise(self, text: str | None, lang: str) -> ParsedDate:
        """Read one date text; never raises: unreadable text gives method "failed"."""
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
        last = clean[-1]
        if "0" <= last <= "9":
            match = _DMY.search(clean)
            if match is not None:
                return self._absolute(match)
        else:
            folded = clean.lower()
            if not folded.isascii():
                folded = folded.translate(_FOLD)
            parsed = self._relative(folded)
            if parsed is not None:
                return parsed
        if not self._use_dateparser:
            return _FAILED
        return self._dateparser(clean, lang)

    def _absolute(self, match: re.Match[str]) -> ParsedDate:
        day, month, year = match.groups()
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            # 31-02-2025, month 13, year 0. Not for dateparser: it could swap day and month.
            return _FAILED
        return ParsedDate(value.isoformat(), "day", "fast")

    def _relative(self, folded: str) -> ParsedDate | None:
        """Read the relative shapes; None if the text is none of them."""
        match = _EN_RELATIVE.search(folded) if folded.endswith("ago") else None
        if match is not None:
            amount, word = match.groups()
            unit = _EN_UNITS[word]
            if amount == "a few":
                if unit != "second":
                    return None  # "a few days ago" is no number of days
                count = 0
            elif amount in ("a", "an", "one"):
                count = 1
            else:
                count = int(amount)
            return self._back(unit, count)
        match = _AR_RELATIVE.search(folded)
        if match is not None:
            less_than, amount, word = match.groups()
            unit, implied = _AR_UNITS[word]
            if less_than:
                count: int | None = 0
            elif amount is not None:
                count = int(amount)
            else:
                count = implied
            if count is None:
                return None
            return self._back(unit, count)
        match = _DAY_WORD.search(folded)
        if match is not None:
            return self._back("day", _DAYS_BACK[match.group(1)])
        return None

    def _back(self, unit: str, count: int) -> ParsedDate:
        """`count` units before now: a UTC instant for clock units, a local date otherwise."""
        try:
            if unit in _CLOCK_SECONDS:
                instant = self._now_utc - timedelta(seconds=count * _CLOCK_SECONDS[unit])
                return ParsedDate(instant.isoformat() + "Z", _CLOCK_PRECISION[unit], "fast")
            if unit == "day":
                day = self._today - timedelta(days=count)
            else:
                day = self._today - relativedelta(**{_CALENDAR_UNIT[unit]: count})
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
