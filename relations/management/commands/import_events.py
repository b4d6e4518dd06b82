"""Import events from a spreadsheet: the app's CSV export or the TimelineJS template,
as CSV or XLSX.

Every row is checked first and its outcome printed (new, update, duplicate,
error with the reason). Without --dry-run the new and updated rows are then
saved in one transaction, as drafts, or as pending revisions of published events;
if any row is an error nothing is saved.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relations.editing.spreadsheets import SpreadsheetError, apply, preview


class Command(BaseCommand):
    help = "Import events from a CSV or XLSX spreadsheet (preview, then an atomic apply)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show each row's outcome and save nothing."
        )

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            outcomes = preview(data, file.name)
        except SpreadsheetError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if options["verbosity"] >= 1:
            for outcome in outcomes:
                line = f"row {outcome.number}: {outcome.outcome} {outcome.slug}"
                if outcome.reason:
                    line += f" — {outcome.reason}"
                style = self.style.ERROR if outcome.outcome == "error" else (lambda text: text)
                self.stdout.write(style(line))
        if dry_run:
            return
        try:
            created, updated = apply(outcomes)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {created} new and {updated} updated events: changes to "
                    "published events are pending revisions, the rest are drafts."
                )
            )
