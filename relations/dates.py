"""Dates known to a day, a month or a year, and how to print them."""

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


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


class SpanDates:
    """Display forms for anything with start_date, end_date and precision."""

    @property
    def date_display(self):
        return format_date_range(self.start_date, self.end_date, self.precision)

    @property
    def start_iso(self):
        return iso_date(self.start_date, self.precision)

    @property
    def end_iso(self):
        return iso_date(self.end_date, self.precision) if self.end_date else ""
