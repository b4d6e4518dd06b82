"""Each event's row of the CSV download, rendered when the event changes and stored, so
that a filtered CSV reads its rows in one query per thousand instead of building each
(relations/readmodel/stored.py; BENCHMARKS.md has what it saves).

A row's link is absolute: it is stored with ORIGIN in place of the scheme, host and
script prefix, filled in per download. ORIGIN is a control character, which the
exports strip from every value (relations/exports/events.py), so it stands nowhere
else in a row.
"""

import csv

from django.urls import get_script_prefix
from django.utils.encoding import iri_to_uri

from relations.exports.csv import CSV_COLUMNS, Echo, csv_record
from relations.exports.events import ExportContext, export_events
from relations.http import rendering_state
from relations.readmodel.stored import PerEvent

ORIGIN = "\x1f"


class CsvRows(PerEvent):
    model_name = "EventRow"
    columns = ("csv",)
    label = "CSV row"

    def form(self):
        """The rendering code's digest: a row depends on the export modules, the date and
        evidence rules, and the settings they read."""
        return rendering_state()[0]

    def render(self, ids):
        prefix = get_script_prefix()
        context = ExportContext(
            title="",
            absolute_url=lambda path: ORIGIN + path.removeprefix(prefix),
            filters={},
            uid_domain="",
        )
        writer = csv.writer(Echo())
        return {
            event.pk: (writer.writerow(csv_record(event, context)),) for event in export_events(ids)
        }


CSV_ROWS = CsvRows()


def csv_lines(ids, origin):
    """The CSV rows of the events with `ids`, in that order, their links on `origin`
    ("https://example.org") under the script prefix, a thousand at a time."""
    base = iri_to_uri(origin + get_script_prefix())
    for start in range(0, len(ids), 1000):
        chunk = list(ids[start : start + 1000])
        found = CSV_ROWS.found(chunk)
        for pk in chunk:
            if pk in found:
                yield found[pk][0].replace(ORIGIN, base, 1)


def stream_csv(events, context, *, excel=False):
    """RFC 4180 CSV of the events with ids `events`; for Excel, a byte order mark first, or
    it reads the UTF-8 as ANSI. Each event's row is the one the read model stored."""
    writer = csv.writer(Echo())
    if excel:
        yield "\ufeff"
    yield writer.writerow(CSV_COLUMNS)
    yield from csv_lines(events, context.origin)


def stream_excel_csv(events, context):
    return stream_csv(events, context, excel=True)
