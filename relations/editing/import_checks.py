"""Checks on a whole import file before anything is written (import_timeline).

Model validation (full_clean) judges each record's values; these catch what it
cannot see or would silently accept: a record naming a database row by "pk"
(it would overwrite an unrelated row), one natural key twice in one file (the
second would merge into the first), and a value of the wrong JSON type (a
list given as a title would be stored as its Python repr).
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.db import models

from relations.validators import control_character_error

JSON_TYPES = {
    str: "text",
    bool: "true or false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def describe(record, index):
    """'record 12 (relations.citation event=['x'] source=['y'])': enough to find it in the file."""
    if not isinstance(record, dict):
        return f"record {index}"
    model = record.get("model", "?")
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    keys = [
        f"{name}={short(fields[name])}" for name in ("slug", "event", "source") if name in fields
    ]
    return f"record {index} ({' '.join([short(model, quote=False), *keys])})"


def short(value, quote=True):
    """A value for a message: text and flat lists of text as they are (cut), else its type."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:59] + "…"
        return repr(text) if quote else text
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "[" + ", ".join(short(item) for item in value[:3]) + "]"
    return f"<{JSON_TYPES.get(type(value), type(value).__name__)}>"


def check_records(records, importable):
    """Raise CommandError naming the first record that must not be loaded."""
    seen = {}
    for index, record in enumerate(records, start=1):
        label = describe(record, index)
        if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
            raise CommandError(f'{label}: each record needs a "model" and a "fields" object.')
        if not isinstance(record.get("model"), str) or record["model"] not in importable:
            raise CommandError(
                f"{label}: unknown model {short(record.get('model'))}; expected one of "
                f"{', '.join(sorted(importable))}."
            )
        if "pk" in record:
            raise CommandError(
                f'{label}: has a "pk". Records are matched by natural key (slug), never by '
                'database id, which differs between databases; remove the "pk".'
            )
        model = apps.get_model(record["model"])
        for name, value in record["fields"].items():
            check_value(model, name, value, label)
        key = natural_key(model, record["fields"])
        if key is not None:
            if key in seen:
                raise CommandError(
                    f"{label}: the same {model._meta.verbose_name} as record {seen[key]}; "
                    "a file may hold each record once."
                )
            seen[key] = index


def natural_key(model, fields):
    if "slug" in fields:
        return (model._meta.label_lower, repr(fields["slug"]))
    if model._meta.model_name == "citation":
        return (
            model._meta.label_lower,
            *(repr(fields.get(name, "")) for name in ("event", "source", "quote", "locator")),
        )
    return None


def check_value(model, name, value, label):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise CommandError(
            f"{label}: unknown field {short(name)} for {model._meta.verbose_name}."
        ) from None
    expected = _as_tuple(expected_type(field))
    if value is None and (field.null or field.many_to_many):
        return
    if not has_type(value, expected):
        names = " or ".join(sorted({JSON_TYPES[t] for t in expected}))
        raise CommandError(
            f"{label}: field {name!r} must be {names}, not {JSON_TYPES.get(type(value), 'that')}."
        )
    if field.is_relation:
        check_key(value, name, label, depth=0)
    elif isinstance(field, models.DateField) and value is not None:
        try:
            field.to_python(value)
        except ValidationError as error:
            raise CommandError(f"{label}: field {name!r}: {' '.join(error.messages)}") from None


def expected_type(field):
    if field.many_to_many:
        return list
    if field.is_relation:
        return (list, str, int)
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return (int, float)
    if isinstance(field, models.CharField | models.TextField | models.DateField):
        return str
    return None


def _as_tuple(expected):
    if expected is None:
        return ()
    return expected if isinstance(expected, tuple) else (expected,)


def has_type(value, expected):
    """Whether a JSON value is one of the `expected` types; true is not a number here."""
    if not expected:
        return True
    if isinstance(value, bool):
        return bool in expected
    return isinstance(value, expected)


def check_key(value, name, label, depth):
    """A natural key (or list of them): text and numbers, one level of lists per M2M."""
    if isinstance(value, str):
        error = control_character_error(value, multiline=True)
        if error is not None:
            raise CommandError(f"{label}: field {name!r}: {' '.join(error.messages)}")
    elif isinstance(value, list) and depth < 2:
        for item in value:
            check_key(item, name, label, depth + 1)
    elif not isinstance(value, int) or isinstance(value, bool):
        raise CommandError(f"{label}: field {name!r} must be a natural key (a list of text).")
