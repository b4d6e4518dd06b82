"""Dates written in a sentence, resolved to calendar dates.

Absolute dates ("20 January 1992", "January 20, 1992", "16-18 August 2023",
"August 2024", "in 2013", "2024-08-22") are read as written. Relative ones
("on Wednesday", "yesterday", "last year", "this month", "22 August" without a
year) are resolved against the publication date of the text and marked
inferred: the editor checks them before they become an event's date.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from relations.dates import DatePrecision

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}

MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR = r"(?P<year>1[89]\d\d|20\d\d|2100)"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
DASH = r"\s*[-–—]\s*"

PATTERNS = [
    # 2024-08-22
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)\b")),
    # 16-18 August 2023
    (
        "day_range",
        re.compile(rf"\b(?P<day1>[0-3]?\d){DASH}{DAY}\s+{MONTH}\s+{YEAR}\b", re.I),
    ),
    # 20 January 1992 / 20 January, 1992
    ("day_month_year", re.compile(rf"\b{DAY}\s+{MONTH},?\s+{YEAR}\b", re.I)),
    # January 20, 1992
    ("month_day_year", re.compile(rf"\b{MONTH}\s+{DAY},?\s+{YEAR}\b", re.I)),
    # August 2024
    ("month_year", re.compile(rf"\b{MONTH}\s+(?:of\s+)?{YEAR}\b", re.I)),
    # 22 August / August 22 (year inferred)
    ("day_month", re.compile(rf"\b{DAY}\s+{MONTH}\b(?!\s*,?\s*\d)", re.I)),
    ("month_day", re.compile(rf"\b{MONTH}\s+{DAY}\b(?!\s*,?\s*\d)", re.I)),
    # in 2013, since 1992, 1992
    ("year", re.compile(rf"(?<![\d.,/-]){YEAR}(?![\d/-]|,\d|s\b|'s\b)")),
    # relative
    (
        "weekday",
        re.compile(r"\b(?:on\s+|last\s+)?(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.I),
    ),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("today", re.compile(r"\btoday\b", re.I)),
    ("relative_year", re.compile(r"\b(?P<which>last|this|next|previous)\s+year\b", re.I)),
    ("relative_month", re.compile(r"\b(?P<which>last|this|next|previous)\s+month\b", re.I)),
]


@dataclass(frozen=True)
class FoundDate:
    start: int  # offsets of the expression in the sentence
    end: int
    expression: str
    date: dt.date
    end_date: dt.date | None
    precision: str
    inferred: bool

    @property
    def span(self):
        """(earliest, latest) day the expression can mean."""
        last = self.end_date or self.date
        if self.precision == DatePrecision.YEAR:
            return self.date, dt.date(last.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            return self.date, last.replace(day=calendar.monthrange(last.year, last.month)[1])
        return self.date, last


def find_dates(sentence, published_on=None, published_precision=DatePrecision.DAY):
    """Every date expression in `sentence`, longest first where they overlap, in text order.

    Relative days ("on Wednesday") need the day of publication: when only its
    month is known they resolve to that month.
    """
    found = []
    taken = []
    for name, pattern in PATTERNS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            resolved = _resolve(name, match, published_on, published_precision)
            if resolved is None:
                continue
            date, end_date, precision, inferred = resolved
            found.append(
                FoundDate(
                    match.start(), match.end(), match.group(0), date, end_date, precision, inferred
                )
            )
            taken.append((match.start(), match.end()))
    return sorted(found, key=lambda found_date: found_date.start)


def _month(value):
    if value.isdigit():
        return int(value)
    return MONTHS[value.lower().rstrip(".")]


def _day_date(year, month, day):
    try:
        return dt.date(int(year), _month(month), int(day))
    except (ValueError, KeyError):
        return None


def _resolve(name, match, published_on, published_precision):
    """(date, end_date, precision, inferred) or None when the match is not a real date."""
    groups = match.groupdict()
    day, month, year = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR
    if name in ("iso", "day_month_year", "month_day_year"):
        date = _day_date(groups["year"], groups["month"], groups["day"])
        return (date, None, day, False) if date else None
    if name == "day_range":
        first = _day_date(groups["year"], groups["month"], groups["day1"])
        last = _day_date(groups["year"], groups["month"], groups["day"])
        return (first, last, day, False) if first and last and first < last else None
    if name == "month_year":
        return dt.date(int(groups["year"]), _month(groups["month"]), 1), None, month, False
    if name == "year":
        return dt.date(int(groups["year"]), 1, 1), None, year, False
    if published_on is None:
        return None
    if published_precision == year and name not in ("relative_year",):
        return None
    if published_precision == month and name in ("weekday", "yesterday", "today"):
        return published_on.replace(day=1), None, month, True
    if name in ("day_month", "month_day"):
        date = _day_date(published_on.year, groups["month"], groups["day"])
        if date and date > published_on + dt.timedelta(days=31):
            date = _day_date(published_on.year - 1, groups["month"], groups["day"])
        return (date, None, day, True) if date else None
    if name == "weekday":
        # News reports the recent past: the last such weekday on or before publication.
        back = (published_on.weekday() - WEEKDAYS[groups["weekday"].lower()]) % 7
        return published_on - dt.timedelta(days=back), None, day, True
    if name == "yesterday":
        return published_on - dt.timedelta(days=1), None, day, True
    if name == "today":
        return published_on, None, day, True
    shift = {"last": -1, "previous": -1, "this": 0, "next": 1}[groups["which"].lower()]
    if name == "relative_year":
        return dt.date(published_on.year + shift, 1, 1), None, year, True
    months = published_on.year * 12 + published_on.month - 1 + shift
    return dt.date(months // 12, months % 12 + 1, 1), None, month, True
