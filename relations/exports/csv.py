"""The CSV export: one row per event (RFC 4180, UTF-8), and the same rows for Excel."""

import csv
import unicodedata

from relations.exports.json import event_fields

CSV_COLUMNS = [
    "slug", "title", "start_date", "end_date", "precision", "date", "date_edtf", "category",
    "status", "status_reason", "actors", "sources", "summary", "date_note", "url",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


# What a spreadsheet may take for the start of a formula (OWASP's list), after any
# leading blanks, and in any compatibility form: NFKC turns the full-width ＝ or
# the small ﹢ into = and +.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# First characters that settle it at once: printable ASCII other than a space and the
# formula starts, which neither stripping nor NFKC changes. Most values start so.
SAFE_STARTS = frozenset(map(chr, range(0x21, 0x7F))) - FORMULA_STARTS


def spreadsheet_safe(value):
    """Stop a spreadsheet from running a cell as a formula (OWASP CSV injection)."""
    if not isinstance(value, str) or not value or value[0] in SAFE_STARTS:
        return value
    first = value.lstrip().lstrip(INVISIBLE).lstrip()[:1]
    if value[0] in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_record(event, context):
    record = event_fields(event, context)
    record["actors"] = "; ".join(record["actors"])
    record["sources"] = "; ".join(sorted({c["source__slug"] for c in event.citations}))
    return [spreadsheet_safe(record[column] or "") for column in CSV_COLUMNS]


def stream_csv(events, context, *, excel=False):
    """RFC 4180 CSV of the events with ids `events`; for Excel, a byte order mark first, or
    it reads the UTF-8 as ANSI. Each event's row is the one the read model stored."""
    from relations.exports.rows import csv_lines

    writer = csv.writer(_Echo())
    if excel:
        yield "\ufeff"
    yield writer.writerow(CSV_COLUMNS)
    yield from csv_lines(events, context.origin)


def stream_excel_csv(events, context):
    return stream_csv(events, context, excel=True)
