"""Load a timeline fixture, validating every record as the admin would.

Unlike `loaddata`, each record goes through the model's `full_clean()`, so a
citation whose quote is not verbatim in its source, or an event that ends
before it starts, is refused. The whole file loads in one transaction: on the
first bad record nothing is saved and the error names that record.

Before anything is written, the whole file is checked (relations/editing/import_checks.py):
no "pk", each natural key once, every value of the right JSON type. No file,
however broken, ends in a traceback. On SQLite the site pauses writes while the
import runs (relations/maintenance.py), so that editors get a clear "saving is
paused" page rather than "database is locked".
"""

import json
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers import base, python
from django.db import DatabaseError
from django.db.models import UniqueConstraint

from relations.editing.import_checks import check_records, describe
from relations.maintenance import import_running
from relations.models import Event
from relations.readmodel.writes import writing

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
        check_records(records, IMPORTABLE_MODELS)
        reanchored = []
        with import_running(path), writing():
            for index, record in enumerate(records, start=1):
                label = describe(record, index)
                obj = load_record(record, label, reason=f"Imported from {path}")
                if getattr(obj, "reanchored", False):
                    reanchored.append(f"{label}: now at {obj.start}–{obj.end}")
        if reanchored:
            # Exact matches only; a quote that no longer anchors once has already failed the import.
            self.stderr.write(
                self.style.WARNING(
                    f"{len(reanchored)} quote(s) found at a new place, or in a changed text, "
                    "by exact match; their positions and text hashes were updated:"
                )
            )
            for line in reanchored:
                self.stderr.write(f"  {line}")
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
    except RecursionError:
        raise CommandError(f"{path} nests lists or objects too deeply to be a timeline.") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise CommandError(f"{path} holds a value that cannot be read: {exc}") from exc
    if not isinstance(records, list):
        raise CommandError(f"{path} must hold a JSON list of records.")
    return records


def load_record(record, label, reason):
    try:
        for deserialized in python.Deserializer([record]):
            obj = deserialized.object
            # A record whose natural key matches a stored row updates that row.
            obj._state.adding = not (
                obj.pk is not None and type(obj).objects.filter(pk=obj.pk).exists()
            )
            obj.full_clean(validate_constraints=False)
            validate_unique_constraints(obj)
            existed = not obj._state.adding
            obj._change_reason = reason
            m2m_data = deserialized.m2m_data
            deserialized.save(save_m2m=False)
            # Raw saves skip simple-history's signal; record the import explicitly.
            type(obj).history.bulk_history_create(
                [obj], update=existed, default_change_reason=reason
            )
            for name, values in m2m_data.items():
                getattr(obj, name).set(values)
    except RECORD_ERRORS as exc:
        raise CommandError(f"{label}: {explain(exc)}") from exc
    except Exception as exc:
        # Whatever else a hand-written file provokes, the editor gets the record, not a traceback.
        raise CommandError(f"{label}: cannot be loaded ({type(exc).__name__}: {exc}).") from exc
    return obj


def validate_unique_constraints(obj):
    """Check the record's UniqueConstraints as full_clean() does.

    Its CheckConstraints are left to the database: the fields' choices and the
    models' clean() refuse the same values with messages of their own, and
    full_clean() checked each one with a query in a savepoint, half of an
    import's queries.
    """
    errors = {}
    for constraint in obj._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            try:
                constraint.validate(type(obj), obj)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


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
