"""Load a timeline fixture, validating every record as the admin would.

Unlike `loaddata`, each record goes through the model's `full_clean()`, so a
citation whose quote is not verbatim in its source, or an event that ends
before it starts, is refused. The whole file loads in one transaction: on the
first bad record nothing is saved and the error names that record.
"""

import json
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers import base, python
from django.db import DatabaseError, transaction

from relations.models import Event

IMPORTABLE_MODELS = {"relations.actor", "relations.source", "relations.event", "relations.citation"}

RECORD_ERRORS = (
    base.DeserializationError,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
    DatabaseError,
    TypeError,
    ValueError,
)


class Command(BaseCommand):
    help = "Validate and load a timeline fixture (JSON with natural keys) in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fixture file written by export_timeline or by hand.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already holds events (keeps editors' changes).",
        )

    def handle(self, *args, path, if_empty, **options):
        if if_empty and Event.objects.exists():
            if options["verbosity"] >= 1:
                self.stdout.write("The database already holds events; nothing imported.")
            return
        records = read_records(Path(path))
        with transaction.atomic():
            for index, record in enumerate(records, start=1):
                load_record(record, describe(record, index), reason=f"Imported from {path}")
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Imported {len(records)} records from {path}."))


def read_records(path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    if not isinstance(records, list):
        raise CommandError(f"{path} must hold a JSON list of records.")
    return records


def describe(record, index):
    """'record 12 (relations.citation event=x source=y)': enough to find it in the file."""
    if not isinstance(record, dict):
        return f"record {index}"
    model = record.get("model", "?")
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    keys = [f"{name}={fields[name]!r}" for name in ("slug", "event", "source") if name in fields]
    return f"record {index} ({' '.join([str(model), *keys])})"


def load_record(record, label, reason):
    if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
        raise CommandError(f'{label}: each record needs a "model" and a "fields" object.')
    if record.get("model") not in IMPORTABLE_MODELS:
        raise CommandError(
            f"{label}: unknown model {record.get('model')!r}; expected one of "
            f"{', '.join(sorted(IMPORTABLE_MODELS))}."
        )
    try:
        for deserialized in python.Deserializer([record]):
            obj = deserialized.object
            # A record whose natural key matches a stored row updates that row.
            obj._state.adding = not (
                obj.pk is not None and type(obj).objects.filter(pk=obj.pk).exists()
            )
            obj.full_clean()
            existed = not obj._state.adding
            obj._change_reason = reason
            m2m_data = deserialized.m2m_data
            with transaction.atomic():
                deserialized.save(save_m2m=False)
                # Raw saves skip simple-history's signal; record the import explicitly.
                type(obj).history.bulk_history_create(
                    [obj], update=existed, default_change_reason=reason
                )
                for name, values in m2m_data.items():
                    getattr(obj, name).set(values)
    except RECORD_ERRORS as exc:
        raise CommandError(f"{label}: {explain(exc)}") from exc


def explain(exc):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    if isinstance(exc, FieldDoesNotExist):
        return f"unknown field ({exc})."
    return str(exc)
