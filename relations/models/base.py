"""What several models share: natural keys by slug and the checks of their dates."""

from django.core.exceptions import ValidationError
from django.db import models

from relations.dates import DatePrecision
from relations.validators import validate_timeline_date

QUOTE_MAX_LENGTH = 1000


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


def date_range_errors(instance, names):
    """{field name: error} for the date fields of `instance` outside the timeline's years."""
    errors = {}
    for name in names:
        try:
            validate_timeline_date(getattr(instance, name))
        except ValidationError as error:
            errors[name] = error
    return errors


def precision_message(precision):
    if precision == DatePrecision.YEAR:
        return "With year precision, give 1 January of the year."
    return "With month precision, give the first day of the month."
