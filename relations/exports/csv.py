"""The CSV export's row of an event (RFC 4180, UTF-8), safe for spreadsheets; the download
reads the rows the read model stored (relations/exports/rows.py)."""

import unicodedata

from relations.exports.json import event_fields

CSV_COLUMNS = [
    "slug", "title", "start_date", "end_date", "precision", "date", "date_edtf", "category",
    "status", "status_reason", "actors", "sources", "summary", "date_note", "url",
]  # fmt: skip


class Echo:
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
