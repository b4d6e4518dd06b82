"""Dates as the evidence gives them: EDTF strings in, bounds and display strings out.

An event's date is stored as an EDTF string (the Library of Congress Extended
Date/Time Format, https://www.loc.gov/standards/datetime/), validated with the
`edtf` library. `EventDate` reads one and says what the timeline needs:

- `earliest` and `latest`: the first and last day the date can mean
  ("2013" → 1 January to 31 December 2013). Events store them as `start_date`
  and `end_date`, so ordering and year filters use indexed columns;
- `display`: "7 September 2013", "c. 2013", "in or before March 2015",
  "2013 or 2015", "8–19 July 2024";
- `start_iso` / `end_iso` for <time datetime> and exports.

The supported forms (everything else is refused with a message saying so):
a day, month or year (`2013-09-07`, `2013-09`, `2013`), each optionally
approximate `~`, uncertain `?` or both `%`; an interval `A/B`, either end open
(`..`) or unknown (empty); one of a set `[A,B]`; on or before `[..A]`; on or
after `[A..]`.

The `edtf` library validates what people type; reading a stored string uses the
small reader below, because the library's parser takes milliseconds per string,
too slow for a page of events or an export of 100k.
"""

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DatePrecision(models.TextChoices):
    DAY = "day", gettext_lazy("Day")
    MONTH = "month", gettext_lazy("Month")
    YEAR = "year", gettext_lazy("Year")


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

APPROXIMATE, UNCERTAIN, BOTH = "~", "?", "%"
OPEN, UNKNOWN = "..", ""
SUPPORTED_FORMS = (
    "2013-09-07, 2013-09 or 2013, optionally followed by ~ (approximate), ? (uncertain) or % "
    "(both); a range 2024-07-08/2024-07-19, with .. for an open end or nothing for an unknown "
    "one; one of a set [2013,2015]; on or before [..2015-03]; on or after [2013-09..]"
)
POINT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")


class InvalidDate(ValueError):
    """Not an EDTF date this timeline can store; the message says why."""


def is_canonical(value, precision):
    """A month is stored as its first day, a year as 1 January."""
    if precision == DatePrecision.MONTH:
        return value.day == 1
    if precision == DatePrecision.YEAR:
        return value.day == 1 and value.month == 1
    return True


def format_date(value, precision):
    """'22 August 2024', 'August 2024' or '1992'."""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_date_range(start, end, precision):
    """A range printed without repeating what both ends share.

    '16–18 August 2023', '8 July – 19 August 2024', 'July–August 2024',
    '2013–2015'.
    """
    if end is None or end == start:
        return format_date(start, precision)
    if precision == DatePrecision.YEAR:
        return f"{start.year}–{end.year}"
    if precision == DatePrecision.MONTH:
        if start.year == end.year:
            return f"{MONTHS[start.month - 1]}–{format_date(end, precision)}"
        return f"{format_date(start, precision)} – {format_date(end, precision)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, precision)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {format_date(end, precision)}"
    return f"{format_date(start, precision)} – {format_date(end, precision)}"


def iso_date(value, precision):
    """The ISO 8601 form at the precision, for <time datetime> and exports."""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@dataclass(frozen=True)
class DatePoint:
    """One day, month or year, perhaps approximate or uncertain."""

    first: dt.date
    precision: str
    qualifier: str = ""

    @property
    def last(self):
        if self.precision == DatePrecision.YEAR:
            return self.first.replace(month=12, day=31)
        if self.precision == DatePrecision.MONTH:
            days = calendar.monthrange(self.first.year, self.first.month)[1]
            return self.first.replace(day=days)
        return self.first

    @property
    def plain(self):
        return format_date(self.first, self.precision)

    @property
    def display(self):
        if self.qualifier == APPROXIMATE:
            return _("c. %(date)s") % {"date": self.plain}
        if self.qualifier == UNCERTAIN:
            return _("%(date)s (uncertain)") % {"date": self.plain}
        if self.qualifier == BOTH:
            return _("c. %(date)s (uncertain)") % {"date": self.plain}
        return self.plain

    @property
    def iso(self):
        return iso_date(self.first, self.precision)

    @property
    def edtf(self):
        return self.iso + self.qualifier


@functools.lru_cache(maxsize=4096)
def _check_edtf(text):
    """Raise if `text` is not EDTF. Remembered for valid dates: the edtf library's parser
    takes tens of milliseconds a date, and a save or an import checks each date twice
    (clean, then pre_save)."""
    from edtf import parse_edtf

    parse_edtf(text)


@dataclass(frozen=True)
class EventDate:
    """An EDTF date read for the timeline. Build it with `parse` (validates) or `read`."""

    form: str  # "point", "interval", "one-of", "on-or-before", "on-or-after"
    points: tuple  # DatePoints; an interval's open or unknown end is the string ".." or ""
    edtf: str

    @classmethod
    def parse(cls, text):
        """Validate what someone typed with the `edtf` library; InvalidDate says what is wrong."""
        from edtf.parser.edtf_exceptions import EDTFParseException

        text = (text or "").strip().replace(" ", "")
        if not text:
            raise InvalidDate(_("Give a date in EDTF, e.g. 2013-09-07, 2013-09 or 2013."))
        try:
            _check_edtf(text)
        except (EDTFParseException, ValueError, TypeError) as exc:
            raise InvalidDate(
                _("“%(text)s” is not a valid EDTF date (%(detail)s). Use one of: %(forms)s.")
                % {"text": text, "detail": _edtf_detail(exc), "forms": SUPPORTED_FORMS}
            ) from exc
        return cls.read(text)

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def read(cls, text):
        """Read a stored (already valid) EDTF string in the supported forms."""
        if text.startswith("[") and text.endswith("]"):
            inner = text[1:-1]
            if inner.startswith(OPEN):
                return cls("on-or-before", (_point(inner[2:]),), text)
            if inner.endswith(OPEN):
                return cls("on-or-after", (_point(inner[:-2]),), text)
            points = tuple(sorted({_point(item) for item in inner.split(",")}, key=_order))
            if len(points) < 2:
                raise InvalidDate(_("A set needs two or more dates, e.g. [2013,2015]."))
            return cls("one-of", points, "[" + ",".join(p.edtf for p in points) + "]")
        if "/" in text:
            lower, upper = text.split("/", 1)
            ends = tuple(end if end in (OPEN, UNKNOWN) else _point(end) for end in (lower, upper))
            if all(isinstance(end, str) for end in ends):
                raise InvalidDate(_("A range needs at least one known end."))
            if all(isinstance(end, DatePoint) for end in ends) and ends[1].last < ends[0].first:
                raise InvalidDate(
                    _("The range ends (%(end)s) before it starts (%(start)s).")
                    % {"end": ends[1].plain, "start": ends[0].plain}
                )
            edtf = "/".join(end if isinstance(end, str) else end.edtf for end in ends)
            return cls("interval", ends, edtf)
        point = _point(text)
        return cls("point", (point,), point.edtf)

    @classmethod
    def from_span(cls, start, end, precision):
        """The EDTF for a start date, optional end date and one precision (the old fields)."""
        text = iso_date(start, precision)
        if end and end != start:
            text += "/" + iso_date(end, precision)
        return cls.read(text)

    # What the timeline stores and shows --------------------------------------

    @property
    def known_points(self):
        return [p for p in self.points if isinstance(p, DatePoint)]

    @property
    def open_start(self):
        """No earliest date is known: 'in or before March 2015', '../2015'."""
        return self.form == "on-or-before" or (
            self.form == "interval" and not isinstance(self.points[0], DatePoint)
        )

    @property
    def open_end(self):
        return self.form == "on-or-after" or (
            self.form == "interval" and not isinstance(self.points[1], DatePoint)
        )

    @property
    def earliest(self):
        """The first day the date can mean; with an open start, the first day that is known."""
        return min(p.first for p in self.known_points)

    @property
    def latest(self):
        """The last day the date can mean, or None when it is open-ended."""
        if self.open_end:
            return None
        return max(p.last for p in self.known_points)

    @property
    def precision(self):
        """The precision of the earliest known point (day, month or year)."""
        return min(self.known_points, key=_order).precision

    @property
    def is_approximate_or_uncertain(self):
        return any(p.qualifier for p in self.known_points)

    @property
    def display(self):
        first = self.known_points[0]
        if self.form == "point":
            return first.display
        if self.form == "on-or-before":
            if first.precision == DatePrecision.DAY:
                return _("on or before %(date)s") % {"date": first.display}
            return _("in or before %(date)s") % {"date": first.display}
        if self.form == "on-or-after":
            if first.precision == DatePrecision.DAY:
                return _("on or after %(date)s") % {"date": first.display}
            return _("in or after %(date)s") % {"date": first.display}
        if self.form == "one-of":
            *others, last = [p.display for p in self.points]
            return _("%(dates)s or %(last)s") % {"dates": ", ".join(others), "last": last}
        lower, upper = self.points
        if lower == OPEN:
            return _("until %(date)s") % {"date": upper.display}
        if lower == UNKNOWN:
            return _("unknown start – %(date)s") % {"date": upper.display}
        if upper == OPEN:
            return _("%(date)s onwards") % {"date": lower.display}
        if upper == UNKNOWN:
            return _("%(date)s – unknown end") % {"date": lower.display}
        if lower.precision == upper.precision and not lower.qualifier and not upper.qualifier:
            return format_date_range(lower.first, upper.first, lower.precision)
        return f"{lower.display} – {upper.display}"

    @property
    def start_iso(self):
        """ISO 8601 of the earliest known point, at its precision ('2013', '2013-09')."""
        return min(self.known_points, key=_order).iso

    @property
    def end_iso(self):
        """ISO 8601 of the other end of a range or set; '' for a single date or an open end."""
        points = self.known_points
        if len(points) < 2:
            return ""
        return max(points, key=_order).iso

    @property
    def is_range(self):
        return self.form != "point"

    @property
    def is_single_day(self):
        return self.form == "point" and self.known_points[0].precision == DatePrecision.DAY

    def overlaps(self, other):
        """Whether the two dates could mean the same day (for conflicting claims)."""
        latest = self.latest or dt.date.max
        other_latest = other.latest or dt.date.max
        earliest = dt.date.min if self.open_start else self.earliest
        other_earliest = dt.date.min if other.open_start else other.earliest
        return earliest <= other_latest and other_earliest <= latest

    def __str__(self):
        return self.display


def _order(point):
    return (point.first, point.last)


def _point(text):
    match = POINT.fullmatch(text)
    if not match:
        raise InvalidDate(
            _(
                "“%(text)s” is valid EDTF but not a form this timeline stores. "
                "Use one of: %(forms)s."
            )
            % {"text": text, "forms": SUPPORTED_FORMS}
        )
    year, month, day, qualifier = match.groups()
    if month and int(month) > 12 and not day:
        raise InvalidDate(
            _(
                "“%(text)s” is an EDTF season, which this timeline does not store. "
                "Use one of: %(forms)s."
            )
            % {"text": text, "forms": SUPPORTED_FORMS}
        )
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise InvalidDate(_("“%(text)s” is not a calendar date.") % {"text": text}) from exc
    return DatePoint(first, precision, qualifier)


def _edtf_detail(exc):
    message = str(exc).split(":", 1)[-1].strip()
    return message.split(". Please")[0].rstrip(".") or type(exc).__name__


class SpanDates:
    """Display forms for anything with `date_edtf` (or the old start_date, end_date, precision)."""

    @property
    def when(self):
        edtf = getattr(self, "date_edtf", "")
        if edtf:
            try:
                return EventDate.read(edtf)
            except InvalidDate:
                pass
        return EventDate.from_span(self.start_date, self.end_date, self.precision)

    @property
    def date_display(self):
        return self.when.display

    @property
    def start_iso(self):
        return self.when.start_iso

    @property
    def end_iso(self):
        return self.when.end_iso
