// Prints, as JSON lines, the date texts JavaScript front ends show for a grid of instants
// around a fixed `now`: moment, date-fns, dayjs and node's Intl, in every English and Arabic
// locale each of them has. tests/test_jsdates.py reads every text through the normaliser.
//
//   node print.js --now 2025-06-12T09:30:00Z --tz Asia/Dubai
//
// Each line says what the library meant, found out from the library itself, not copied
// from its wording: a relative text carries the unit and count the library chose (asked
// again of the same function with a locale that prints its tokens), an absolute one the
// Gregorian calendar date in the zone (and, for a numeric one, its numbers in print order).
// kind is "past", "future", "same_both_ways" (a text some grid point prints for a past and
// another for a future, so it names no past instant) or "absolute". A count of 0 ("in 0
// hours", "0 hours ago", "this week") is the present, kind "past".
"use strict";

const fs = require("fs");
const path = require("path");
const moment = require("moment");
const dayjs = require("dayjs");
const relativeTime = require("dayjs/plugin/relativeTime");
const dateFns = require("date-fns");
const dateFnsLocales = require("date-fns/locale");

dayjs.extend(relativeTime);

function argument(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const NOW = new Date(argument("now", "2025-06-12T09:30:00Z"));
const TZ = argument("tz", "Asia/Dubai");
if (Number.isNaN(NOW.getTime())) throw new Error("--now is not an ISO instant");

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
// Seconds before (or after) now: every threshold of the three libraries and both sides of it.
const DURATIONS = [
  0, 1, 4, 5, 9, 10, 19, 20, 29, 30, 39, 40, 44, 45, 50, 59, 60, 89, 90, 91, 119, 120, 150,
  5 * MINUTE, 10 * MINUTE, 30 * MINUTE, 44 * MINUTE, 45 * MINUTE, 50 * MINUTE, 89 * MINUTE,
  90 * MINUTE, 2 * HOUR, 3 * HOUR, 5 * HOUR, 10 * HOUR, 11 * HOUR, 21 * HOUR, 22 * HOUR,
  23.9 * HOUR, 35 * HOUR, 36 * HOUR, 42 * HOUR, 2 * DAY, 3 * DAY, 5 * DAY, 6 * DAY, 7 * DAY,
  10 * DAY, 11 * DAY, 13 * DAY, 14 * DAY, 20 * DAY, 21 * DAY, 25 * DAY, 26 * DAY, 28 * DAY,
  30 * DAY, 45 * DAY, 60 * DAY, 75 * DAY, 90 * DAY, 100 * DAY, 150 * DAY, 200 * DAY,
  300 * DAY, 319 * DAY, 320 * DAY, 345 * DAY, 346 * DAY, 364 * DAY, 366 * DAY, 400 * DAY,
  460 * DAY, 500 * DAY, 547 * DAY, 600 * DAY, 700 * DAY, 730 * DAY, 800 * DAY, 1000 * DAY,
  1100 * DAY, 1200 * DAY, 1826 * DAY, 3653 * DAY, 4018 * DAY,
];
// For Intl.RelativeTimeFormat, which is given a unit and a count: the Arabic plural forms
// (0, 1, 2, 3-10, 11-99, 100-102) and English singular and plural.
const UNITS = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"];
const COUNTS = [0, 1, 2, 3, 5, 10, 11, 12, 21, 99, 100, 101, 102];

const out = new Map();

function emit(base, text, kind, meaning) {
  // One line per library and distinct (text, meaning), with the first grid point that printed it;
  // `seen` counts them all, `locales` lists every locale among them.
  const m = meaning || {};
  const key = [base.library, text, kind, m.unit, m.count, m.window, base.date].join("\u0000");
  const known = out.get(key);
  if (known) {
    known.seen += 1;
    known.locales.add(base.locale);
  } else {
    out.set(key, { ...base, text, kind, ...m, seen: 1, locales: new Set([base.locale]) });
  }
}

function emitPair(base, past, future, meaning) {
  if (base.duration_seconds === 0) {
    // Now itself: one instant, shown as the libraries show it (as a past).
    emit(base, past, "past", meaning);
    return;
  }
  const same = past === future;
  emit(base, past, same ? "same_both_ways" : "past", meaning);
  emit(base, future, same ? "same_both_ways" : "future", meaning);
}

// --- locales -----------------------------------------------------------------------------

function localeFiles(dir, suffix) {
  return fs
    .readdirSync(dir)
    .filter((f) => /^(en|ar)([-_].*)?$/i.test(path.basename(f, suffix)) && f.endsWith(suffix))
    .map((f) => path.basename(f, suffix));
}

const MOMENT_LOCALES = [
  "en",
  ...localeFiles(path.join(path.dirname(require.resolve("moment")), "locale"), ".js"),
];
const DAYJS_LOCALES = [
  "en",
  ...localeFiles(path.join(path.dirname(require.resolve("dayjs")), "locale"), ".js").filter(
    (l) => l !== "en",
  ),
];
const DATE_FNS_LOCALES = Object.keys(dateFnsLocales).filter((k) => /^(en|ar)([A-Z]|$)/.test(k));

function intlLocales() {
  // Every region ICU has data for in each language: the requested tag resolves to itself.
  const names = new Intl.DisplayNames("en", { type: "region", fallback: "none" });
  const found = ["en", "en-001", "en-150", "ar", "ar-001", "ar-u-nu-arab", "ar-SA-u-nu-latn"];
  for (const lang of ["en", "ar"]) {
    for (let a = 65; a <= 90; a++) {
      for (let b = 65; b <= 90; b++) {
        const region = String.fromCharCode(a, b);
        if (!names.of(region)) continue;
        const tag = `${lang}-${region}`;
        if (new Intl.DateTimeFormat(tag).resolvedOptions().locale === tag) found.push(tag);
      }
    }
  }
  return found;
}

const INTL_LOCALES = intlLocales();

// --- moment ------------------------------------------------------------------------------

// A locale that prints the key moment chose and the number, e.g. "hh:3"; thresholds are
// global, so the same instant in this locale shows what any locale's text means.
const MOMENT_KEYS = ["s", "ss", "m", "mm", "h", "hh", "d", "dd", "w", "ww", "M", "MM", "y", "yy"];
const MOMENT_UNIT = {
  s: "second",
  ss: "second",
  m: "minute",
  mm: "minute",
  h: "hour",
  hh: "hour",
  d: "day",
  dd: "day",
  w: "week",
  ww: "week",
  M: "month",
  MM: "month",
  y: "year",
  yy: "year",
};
const currentMoment = moment.locale();
moment.defineLocale("x-probe", {
  relativeTime: Object.fromEntries([
    ["future", "in %s"],
    ["past", "%s ago"],
    ...MOMENT_KEYS.map((k) => [k, `${k}:%d`]),
  ]),
});
moment.locale(currentMoment);

function tokenMeaning(token, unitOf) {
  // "hh:3" -> unit hour, count 3; "s:44" ("a few seconds") -> within the last 45 seconds.
  const [key, number] = token.split(":");
  if (key === "s") return { unit: "second", count: null, window: 45 };
  const count = /^[A-Za-z]$/.test(key) ? 1 : Number(number);
  return { unit: unitOf[key], count, window: null };
}

// Configurations a front end sets: moment's defaults, and weeks plus exact seconds on.
const MOMENT_THRESHOLDS = {
  default: { ss: 44, s: 45, m: 45, h: 22, d: 26, w: null, M: 11 },
  weeks: { ss: 1, s: 45, m: 45, h: 22, d: 7, w: 4, M: 11 },
};

function runMoment() {
  const saved = moment.now;
  moment.now = () => NOW.getTime();
  try {
    for (const [config, thresholds] of Object.entries(MOMENT_THRESHOLDS)) {
      for (const [k, v] of Object.entries(thresholds)) moment.relativeTimeThreshold(k, v);
      for (const seconds of DURATIONS) {
        const past = moment(NOW.getTime() - seconds * 1000);
        const future = moment(NOW.getTime() + seconds * 1000);
        const token = past.clone().locale("x-probe").fromNow(true);
        const meaning = tokenMeaning(token, MOMENT_UNIT);
        for (const locale of MOMENT_LOCALES) {
          for (const fn of ["from", "fromNow"]) {
            const show = (m) => {
              const local = m.clone().locale(locale);
              return fn === "from" ? local.from(NOW) : local.fromNow();
            };
            const base = {
              library: "moment",
              fn,
              locale,
              style: config,
              duration_seconds: seconds,
            };
            emitPair(base, show(past), show(future), meaning);
          }
        }
      }
    }
  } finally {
    for (const [k, v] of Object.entries(MOMENT_THRESHOLDS.default)) {
      moment.relativeTimeThreshold(k, v);
    }
    moment.now = saved;
  }
}

// --- dayjs -------------------------------------------------------------------------------

const DAYJS_KEYS = ["s", "m", "mm", "h", "hh", "d", "dd", "M", "MM", "y", "yy"];
dayjs.locale(
  {
    name: "x-probe",
    relativeTime: Object.fromEntries([
      ["future", "in %s"],
      ["past", "%s ago"],
      ...DAYJS_KEYS.map((k) => [k, `${k}:%d`]),
    ]),
  },
  null,
  true,
);

function runDayjs() {
  for (const locale of DAYJS_LOCALES) {
    if (locale !== "en") require(`dayjs/locale/${locale}`);
  }
  for (const seconds of DURATIONS) {
    const past = dayjs(NOW.getTime() - seconds * 1000);
    const future = dayjs(NOW.getTime() + seconds * 1000);
    const meaning = tokenMeaning(past.locale("x-probe").from(NOW, true), MOMENT_UNIT);
    for (const locale of DAYJS_LOCALES) {
      const base = { library: "dayjs", fn: "from", locale, duration_seconds: seconds };
      emitPair(base, past.locale(locale).from(NOW), future.locale(locale).from(NOW), meaning);
    }
  }
}

// --- date-fns ----------------------------------------------------------------------------

// date-fns hands a locale's formatDistance a token and a count: record them.
const DATE_FNS_MEANING = {
  lessThanXSeconds: (n) => ({ unit: "second", count: null, window: n }),
  xSeconds: (n) => ({ unit: "second", count: n, window: null }),
  halfAMinute: () => ({ unit: "second", count: 30, window: null }),
  lessThanXMinutes: (n) => ({ unit: "second", count: null, window: n * 60 }),
  xMinutes: (n) => ({ unit: "minute", count: n, window: null }),
  aboutXHours: (n) => ({ unit: "hour", count: n, window: null }),
  xHours: (n) => ({ unit: "hour", count: n, window: null }),
  xDays: (n) => ({ unit: "day", count: n, window: null }),
  aboutXWeeks: (n) => ({ unit: "week", count: n, window: null }),
  xWeeks: (n) => ({ unit: "week", count: n, window: null }),
  aboutXMonths: (n) => ({ unit: "month", count: n, window: null }),
  xMonths: (n) => ({ unit: "month", count: n, window: null }),
  aboutXYears: (n) => ({ unit: "year", count: n, window: null }),
  xYears: (n) => ({ unit: "year", count: n, window: null }),
  overXYears: (n) => ({ unit: "year", count: n, window: null }),
  almostXYears: (n) => ({ unit: "year", count: n, window: null }),
};

function dateFnsProbe(locale) {
  let seen = null;
  return {
    locale: {
      ...locale,
      formatDistance: (token, count, options) => {
        seen = { token, count };
        return locale.formatDistance(token, count, options);
      },
    },
    take() {
      const got = seen;
      seen = null;
      return got;
    },
  };
}

const DATE_FNS_FUNCTIONS = {
  formatDistance: (d, o) => dateFns.formatDistance(d, NOW, o),
  formatDistanceStrict: (d, o) => dateFns.formatDistanceStrict(d, NOW, o),
  formatDistanceToNow: (d, o) => dateFns.formatDistanceToNow(d, o),
  formatDistanceToNowStrict: (d, o) => dateFns.formatDistanceToNowStrict(d, o),
};

function runDateFns() {
  const savedNow = Date.now;
  Date.now = () => NOW.getTime();
  try {
    for (const name of DATE_FNS_LOCALES) {
      const probe = dateFnsProbe(dateFnsLocales[name]);
      for (const [fn, format] of Object.entries(DATE_FNS_FUNCTIONS)) {
        for (const includeSeconds of fn.endsWith("Strict") ? [false] : [false, true]) {
          for (const seconds of DURATIONS) {
            const options = { addSuffix: true, includeSeconds, locale: probe.locale };
            const past = format(new Date(NOW.getTime() - seconds * 1000), options);
            const { token, count } = probe.take();
            const future = format(new Date(NOW.getTime() + seconds * 1000), options);
            probe.take();
            const base = {
              library: "date-fns",
              fn,
              locale: name,
              style: includeSeconds ? "includeSeconds" : "default",
              duration_seconds: seconds,
            };
            emitPair(base, past, future, { token, ...DATE_FNS_MEANING[token](count) });
          }
        }
      }
    }
    // intlFormatDistance picks a unit and a rounded value and hands them to
    // Intl.RelativeTimeFormat: what it passes is what the text means.
    const original = Intl.RelativeTimeFormat.prototype.format;
    let asked = null;
    Intl.RelativeTimeFormat.prototype.format = function (value, unit) {
      asked = { value, unit };
      return original.call(this, value, unit);
    };
    try {
      // Its wordings are Intl's (all of them printed below): the locales date-fns ships.
      for (const locale of DATE_FNS_LOCALES.map((n) => dateFnsLocales[n].code)) {
        for (const style of ["long", "short", "narrow"]) {
          for (const numeric of ["always", "auto"]) {
            for (const seconds of DURATIONS) {
              const options = { locale, style, numeric };
              const past = dateFns.intlFormatDistance(
                new Date(NOW.getTime() - seconds * 1000),
                NOW,
                options,
              );
              const { value, unit } = asked;
              const future = dateFns.intlFormatDistance(
                new Date(NOW.getTime() + seconds * 1000),
                NOW,
                options,
              );
              const base = {
                library: "date-fns",
                fn: "intlFormatDistance",
                locale,
                style,
                numeric,
                duration_seconds: seconds,
              };
              emitPair(base, past, future, { unit, count: Math.abs(value), window: null });
            }
          }
        }
      }
    } finally {
      Intl.RelativeTimeFormat.prototype.format = original;
    }
  } finally {
    Date.now = savedNow;
  }
}

// --- Intl.RelativeTimeFormat -------------------------------------------------------------

function runIntlRelative() {
  for (const locale of INTL_LOCALES) {
    for (const style of ["long", "short", "narrow"]) {
      for (const numeric of ["always", "auto"]) {
        const format = new Intl.RelativeTimeFormat(locale, { style, numeric });
        for (const unit of UNITS) {
          // "auto" words only replace small counts (yesterday, أول أمس): past 3, "always".
          const counts = numeric === "auto" ? COUNTS.filter((c) => c <= 3) : COUNTS;
          for (const count of counts) {
            const base = { library: "Intl.RelativeTimeFormat", locale, style, numeric };
            // -0 is the past side of 0 ("0 hours ago"); +0 is printed as a future ("in 0 hours").
            const meaning = { unit, count, window: null };
            const past = format.format(-count || -0, unit);
            const future = format.format(count, unit);
            if (count === 0) {
              // "today", "this week", "0 hours ago", "in 0 hours": all name the present.
              emit(base, past, "past", meaning);
              emit(base, future, "past", meaning);
            } else {
              emitPair(base, past, future, meaning);
            }
          }
        }
      }
    }
  }
}

// --- Intl.DateTimeFormat -----------------------------------------------------------------

const DATE_OPTIONS = {
  numeric: {},
  full: { dateStyle: "full" },
  long: { dateStyle: "long" },
  medium: { dateStyle: "medium" },
  short: { dateStyle: "short" },
};
const CALENDARS = ["gregory", "islamic-umalqura"];
const TYPE = { y: "year", m: "month", d: "day" };

function digits(text) {
  return Number(text.replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660)));
}

const ISO_PARTS = new Intl.DateTimeFormat("en-US", {
  timeZone: TZ,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  calendar: "gregory",
  numberingSystem: "latn",
});

function isoDate(date) {
  // The Gregorian calendar date of `date` in the site's zone.
  const parts = Object.fromEntries(ISO_PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function absoluteInstants() {
  // Every 11 days over two years before now (each Gregorian and Hijri month, days on both
  // sides of 12), and now itself.
  const instants = [];
  for (let days = 0; days <= 760; days += 11) {
    instants.push(new Date(NOW.getTime() - days * DAY * 1000));
  }
  return instants;
}

function runIntlDates() {
  const instants = absoluteInstants().map((instant) => [instant, isoDate(instant)]);
  for (const locale of INTL_LOCALES) {
    for (const calendar of CALENDARS) {
      for (const [style, options] of Object.entries(DATE_OPTIONS)) {
        const format = new Intl.DateTimeFormat(locale, { ...options, timeZone: TZ, calendar });
        const order = format
          .formatToParts(NOW)
          .filter((p) => ["year", "month", "day"].includes(p.type))
          .map((p) => p.type[0])
          .join("");
        for (const [instant, date] of instants) {
          const parts = format.formatToParts(instant);
          const value = (type) => parts.find((p) => p.type === type).value;
          const numeric = /^[0-9\u0660-\u0669]+$/.test(value("month"));
          const base = {
            library: "Intl.DateTimeFormat",
            locale,
            calendar,
            style,
            order,
            era: parts.some((p) => p.type === "era"),
            // The numbers as printed, in print order, when the month is a number too.
            numbers: numeric ? order.split("").map((t) => digits(value(TYPE[t]))) : null,
            date,
          };
          emit(base, parts.map((p) => p.value).join(""), "absolute", null);
        }
      }
    }
  }
}

runMoment();
runDayjs();
runDateFns();
runIntlRelative();
runIntlDates();
// A relative text that some grid point prints for the future too (ICU's Arabic short
// months: "خلال 3 أشهر" either way) names no past instant, wherever it was printed.
const futureTexts = new Set(
  [...out.values()]
    .filter((r) => r.kind === "future" || r.kind === "same_both_ways")
    .map((r) => r.text),
);
for (const row of out.values()) {
  if (row.kind === "past" && futureTexts.has(row.text)) row.kind = "same_both_ways";
}
const lines = [...out.values()].map((row) =>
  JSON.stringify({ ...row, locales: [...row.locales].sort() }),
);
process.stdout.write(lines.join("\n") + "\n");
