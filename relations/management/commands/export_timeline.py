"""Write the whole timeline as a Django fixture with natural keys.

Records come in a stable order (actors, sources, events, citations, each sorted
by natural key in code-point order), so exporting, loading into an empty
database and exporting again gives identical bytes, and diffs between exports
show only what changed.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from relations.exports.fixture import write_fixture


class Command(BaseCommand):
    help = "Export the timeline as a JSON fixture with natural keys, in a stable order."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="File to write (replaced only once complete); default stdout."
        )

    def handle(self, *args, output=None, **options):
        if not output:
            self.stdout.ending = ""
            write_fixture(self.stdout)
            return
        target = Path(output)
        # Write beside the target and rename, so a failed export never leaves half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                write_fixture(stream)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
        if options["verbosity"] >= 1:
            self.stderr.write(self.style.SUCCESS(f"Exported the timeline to {target}."))
