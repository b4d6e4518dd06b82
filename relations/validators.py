"""Rules on values that every way in (admin, import, loaddata with full_clean) shares."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


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


# Characters no text here may hold: C0 controls but tab, line feed and carriage
# return, DEL, C1 controls, lone surrogates (from a JSON "\ud800") and the
# noncharacters U+FFFE/U+FFFF. None can be shown; XML (feeds) cannot carry
# them, PostgreSQL refuses NUL, and a surrogate cannot even be encoded.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# One-line fields (titles, names, slugs, URLs) refuse tabs and line breaks too.
CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character_error(value, multiline):
    """A ValidationError for the first control character in `value`, or None."""
    match = (CONTROL if multiline else CONTROL_OR_BREAK).search(value)
    if match is None:
        return None
    if not multiline and match.group() in "\t\n\r":
        return ValidationError(
            "This one-line field contains a tab or line break (at character %(position)s); "
            "put it on one line.",
            code="line_break",
            params={"position": match.start() + 1},
        )
    return ValidationError(
        "This text contains the invisible control character U+%(code)04X (at character "
        "%(position)s), which cannot be shown or exported; remove it.",
        code="control_character",
        params={"code": ord(match.group()), "position": match.start() + 1},
    )


def control_character_errors(instance, exclude=()):
    """{field name: error} for the text fields of `instance` holding a control character."""
    errors = {}
    for field in instance._meta.concrete_fields:
        text = isinstance(field, models.CharField | models.TextField)
        if not text or not field.editable or field.name in (exclude or ()):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            error = control_character_error(value, isinstance(field, models.TextField))
            if error is not None:
                errors[field.name] = error
    return errors


class RefusesControlCharacters:
    """Model mixin: validation refuses control characters in every text field.

    Through full_clean it reaches the admin and import_timeline alike; the
    pre_save check in relations/signals.py stops saves that skip validation (loaddata).
    """

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, error in control_character_errors(self, exclude).items():
            errors.setdefault(name, []).append(error)
        if errors:
            raise ValidationError(errors)
