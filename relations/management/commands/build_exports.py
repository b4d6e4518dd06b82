"""Write the whole timeline's downloads for the current data version, ahead of readers.

The first unfiltered download of a data version writes its file
(relations/exports/files.py) and makes its reader wait for it; this command
writes them first. Without --origin it writes again what was downloaded
before (each format, order and host of which EXPORT_CACHE_DIR holds a file of
any version), which is what gunicorn starts when it starts
(config/gunicorn.conf.py): after a restart or a deployment the files are there
before anyone asks. A file that is already there is left as it is.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from relations.exports import files
from relations.exports.downloads import FORMATS, build_whole
from relations.models import TimelineVersion

DEFAULT_FORMATS = ["json", "csv", "csv-excel"]


class Command(BaseCommand):
    help = "Write the whole timeline's downloads for the current data version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="Scheme and host the files' links name, e.g. https://timeline.example.org "
            "(repeatable); by default those of the files already written.",
        )
        parser.add_argument(
            "--format",
            action="append",
            choices=list(FORMATS),
            help=f"With --origin: the formats to write (repeatable); default "
            f"{', '.join(DEFAULT_FORMATS)}.",
        )

    def handle(self, *args, origin, format, **options):
        if files.directory() is None:
            raise CommandError("EXPORT_CACHE_DIR is empty: downloads are not kept in files.")
        wanted = {(kept.fmt, kept.origin, kept.order) for kept in files.known()}
        wanted |= {
            (fmt, host.rstrip("/"), "oldest")
            for host in origin
            for fmt in format or DEFAULT_FORMATS
        }
        version = TimelineVersion.current()
        for fmt, host, order in sorted(wanted):
            started = time.monotonic()
            handle = build_whole(fmt, host, order, version)
            if handle is None:
                raise CommandError(f"Could not write to {files.directory()}.")
            handle.close()
            if options["verbosity"] >= 1:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{fmt} for {host} ({order} first), data version {version}: "
                        f"{time.monotonic() - started:.1f} s"
                    )
                )
