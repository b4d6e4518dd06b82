"""Rules on values that every way in (admin, import, loaddata with full_clean) shares."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError


def year_range():
    return settings.TIMELINE_YEAR_MIN, settings.TIMELINE_YEAR_MAX


def validate_timeline_date(value):
    """A date inside the years this timeline covers (settings TIMELINE_YEAR_MIN/MAX).

    A typo such as year 24 or 9999 would otherwise stretch every chart and
    axis across thousands of empty years.
    """
    first, last = year_range()
    # Anything but a date is the date field's own error to report.
    if isinstance(value, datetime.date) and not first <= value.year <= last:
        raise ValidationError(
            "The year %(year)s is outside the years this timeline covers "
            "(%(first)s to %(last)s); check it for a typo.",
            code="year_out_of_range",
            params={"year": value.year, "first": first, "last": last},
        )
