"""Import events from a spreadsheet (CSV or XLSX): first a preview of each row's
outcome, then an atomic apply.

Two layouts are read, told apart by their header row:
- the app's own CSV export (slug, title, start_date, end_date, precision, category,
  actors, sources, summary, date_note, …), so an export imports back;
- the TimelineJS spreadsheet template (Year, Month, Day, Time, End Year, End Month,
  End Day, End Time, Display Date, Headline, Text, Media…, Group, Background, Type).

Each row is new, an update (its slug exists and something differs), a duplicate
(its slug exists unchanged, or it probably repeats another event) or an error
with the reason; TimelineJS title and era rows are skipped. Apply saves the new
rows as drafts, the updates of drafts as drafts and those of published events as
pending revisions, in one transaction, and refuses to run while any row is an
error: a bad row changes nothing.
"""

import csv
import datetime as dt
import io
import itertools
import math
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relations import maintenance
from relations.dates import DatePrecision
from relations.editing.duplicates import probable_duplicates
from relations.models import DRAFTED, Actor, Category, Event, Revision, Source

MAX_ROWS = 5000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
# XML elements of the XLSX sheet read at most, empty cells and rows included.
MAX_SHEET_ELEMENTS = 500_000
# Unpacked size of the XLSX parts read whole (shared strings, styles): the
# sheet itself is read one row at a time.
MAX_XLSX_PARTS_BYTES = 20 * 1024 * 1024
MAX_CELL_CHILDREN = 1000
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
APP_COLUMNS = {"slug", "title", "start_date", "category"}
TIMELINEJS_COLUMNS = {"year", "headline"}
IMPORTED = "Imported from a spreadsheet"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RowOutcome:
    number: int  # the row's line in the spreadsheet, header = 1
    outcome: str  # new, update, duplicate, error
    reason: str = ""
    slug: str = ""
    title: str = ""
    values: dict = field(default_factory=dict)
    actors: list = field(default_factory=list)
    changes: list = field(default_factory=list)


def read_rows(data, filename):
    """(header, [(number, row dict)]) from CSV or XLSX bytes.

    Rows are read one at a time and reading stops at the first row past the
    limits, so neither the file's size nor the size an XLSX sheet declares
    decides how much is held in memory.
    """
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        rows = _xlsx_rows(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(_("The CSV file is not UTF-8 text.")) from exc
        rows = _csv_rows(text)
    try:
        return _as_dicts(rows)
    finally:
        rows.close()


def _csv_rows(text):
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield _bounded(dict(enumerate(row, start=1)), reader.line_num)
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file cannot be read at line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _bounded(cells, number):
    """A row's cells as a list, refusing data beyond the column limit and overlong cells."""
    for column, text in cells.items():
        if column > MAX_COLUMNS and text.strip():
            raise SpreadsheetError(
                _(
                    "Row %(row)d has data in column %(column)d; only the first %(limit)d "
                    "columns are read."
                )
                % {"row": number, "column": column, "limit": MAX_COLUMNS}
            )
        if len(text) > MAX_CELL_CHARS:
            raise SpreadsheetError(
                _("Row %(row)d, column %(column)d holds more than %(limit)d characters.")
                % {"row": number, "column": column, "limit": MAX_CELL_CHARS}
            )
    width = min(max(cells, default=0), MAX_COLUMNS)
    return [cells.get(column, "") for column in range(1, width + 1)]


def _xlsx_rows(data):
    from openpyxl import load_workbook

    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    try:
        yield from _sheet_rows(workbook, sheet)
    except SpreadsheetError:
        raise
    except Exception as exc:  # a damaged sheet fails mid-way in as many ways
        raise SpreadsheetError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    finally:
        workbook.close()


def _check_unpacked_size(data):
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise SpreadsheetError(_("The XLSX file is not a readable ZIP archive.")) from exc
    unpacked = sum(p.file_size for p in parts if not p.filename.startswith("xl/worksheets/"))
    if unpacked > MAX_XLSX_PARTS_BYTES:
        raise SpreadsheetError(
            _("The XLSX file unpacks to more than %(limit)d MB besides its sheets; split it.")
            % {"limit": MAX_XLSX_PARTS_BYTES // (1024 * 1024)}
        )


def _sheet_rows(workbook, sheet):
    """Each row of the first sheet as it is in the file, never the padding up to the
    dimension the sheet declares (openpyxl's own rows are padded to it, which a
    declared A1:XFD1048576 makes endless).

    openpyxl's parser turns each cell into its value (shared strings, dates from
    the cell's style); this loop decides what is read and frees every element
    once read.
    """
    from lxml.etree import iterparse
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    number, cells, elements, in_cell = 0, {}, 0, 0
    with sheet._get_source() as source:
        for event, element in iterparse(
            source, events=("start", "end"), resolve_entities=False, no_network=True
        ):
            if event == "start":
                if element.tag == ROW_TAG:
                    number = _row_number(element.get("r"), number)
                    parser.row_counter, parser.col_counter, cells = number, 0, {}
                elif element.tag == CELL_TAG:
                    _check_reference(element.get("r"), number)
                    in_cell = 1
                elif in_cell:
                    in_cell += 1
                    if in_cell > MAX_CELL_CHILDREN:
                        raise SpreadsheetError(
                            _("Row %(row)d has a cell of more than %(limit)d XML elements.")
                            % {"row": number, "limit": MAX_CELL_CHILDREN}
                        )
                continue
            elements += 1
            if elements > MAX_SHEET_ELEMENTS:
                raise SpreadsheetError(
                    _(
                        "The sheet has more than %(limit)d cells and rows, empty ones "
                        "included; split the file."
                    )
                    % {"limit": MAX_SHEET_ELEMENTS}
                )
            if element.tag == CELL_TAG:
                in_cell = 0
                cell = parser.parse_cell(element)
                if cell["value"] is not None:
                    cells[cell["column"]] = _cell_text(cell["value"])
            elif element.tag == ROW_TAG:
                yield _bounded(cells, number)
            if not in_cell and element.getparent() is not None:
                element.clear()
                element.getparent().remove(element)


def _row_number(reference, previous):
    if reference is None:
        number = previous + 1
    elif reference.isascii() and reference.isdigit() and len(reference) <= 7:
        number = int(reference)
    else:
        number = 0
    if not 1 <= number <= EXCEL_ROWS:
        raise SpreadsheetError(
            _("After row %(row)d the sheet has a row “%(reference)s”, not a valid row number.")
            % {"row": previous, "reference": reference if reference is not None else number}
        )
    return number


def _check_reference(reference, row):
    from openpyxl.utils import column_index_from_string

    if reference is None:
        return
    match = CELL_REFERENCE.fullmatch(reference)
    if (
        match is None
        or column_index_from_string(match[1]) > EXCEL_COLUMNS
        or not 1 <= int(match[2]) <= EXCEL_ROWS
    ):
        raise SpreadsheetError(
            _("Row %(row)d has a cell at “%(reference)s”, which is not a valid cell reference.")
            % {"row": row, "reference": reference}
        )


def _cell_text(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_dicts(rows):
    rows = (row for row in rows if any(cell.strip() for cell in row))
    header = next(rows, None)
    if header is None:
        raise SpreadsheetError(_("The spreadsheet is empty."))
    header = [cell.strip() for cell in header]
    body = list(itertools.islice(rows, MAX_ROWS + 1))
    if len(body) > MAX_ROWS:
        raise SpreadsheetError(_("More than %(count)d rows; split the file.") % {"count": MAX_ROWS})
    return header, [
        (number, {name.lower(): value.strip() for name, value in zip(header, row, strict=False)})
        for number, row in enumerate(body, start=2)
    ]


def layout(header):
    names = {name.lower() for name in header}
    if names >= APP_COLUMNS:
        return "app"
    if names >= TIMELINEJS_COLUMNS:
        return "timelinejs"
    raise SpreadsheetError(
        _(
            "The header row matches neither layout: the app's CSV export needs %(app)s; "
            "the TimelineJS template needs Year and Headline."
        )
        % {"app": ", ".join(sorted(APP_COLUMNS))}
    )


def preview(data, filename):
    """[RowOutcome] for every row; nothing is saved."""
    header, rows = read_rows(data, filename)
    kind = layout(header)
    actors = ActorNames()
    seen_slugs = set()
    outcomes = []
    for number, row in rows:
        if kind == "timelinejs" and row.get("type", "").lower() in ("title", "era"):
            outcomes.append(
                RowOutcome(
                    number,
                    "skip",
                    _("A TimelineJS title or era row, not an event."),
                    title=_title(row),
                )
            )
            continue
        try:
            values = app_values(row) if kind == "app" else timelinejs_values(row)
            outcome = assess(number, values, actors, seen_slugs)
        except RowError as exc:
            outcome = RowOutcome(number, "error", str(exc), row.get("slug", ""), _title(row))
        outcomes.append(outcome)
    return outcomes


def _title(row):
    return row.get("title") or row.get("headline") or ""


class RowError(Exception):
    pass


def app_values(row):
    """The row's values by field; a column the file does not have is left out, so an
    update leaves that field as it is (an empty cell still empties it)."""
    category = row.get("category", "")
    if category not in Category.values:
        raise RowError(_("Unknown category “%(value)s”.") % {"value": category})
    values = {
        "slug": row.get("slug", ""),
        "title": _unquote_formula(row.get("title", "")),
        "start_date": _iso(row.get("start_date", ""), _("start date")),
        "category": category,
    }
    if "precision" in row:
        values["precision"] = row["precision"] or DatePrecision.DAY
        if values["precision"] not in DatePrecision.values:
            raise RowError(_("Unknown precision “%(value)s”.") % {"value": row["precision"]})
    if "end_date" in row:
        values["end_date"] = _iso(row["end_date"], _("end date")) if row["end_date"] else None
    for name in ("summary", "date_note"):
        if name in row:
            values[name] = _unquote_formula(row[name])
    if "date_edtf" in row:
        values["date_edtf"] = row["date_edtf"]
    for name in ("actors", "sources"):
        if name in row:
            values[name] = [item.strip() for item in row[name].split(";") if item.strip()]
    return values


def _unquote_formula(value):
    """Undo the export's guard against spreadsheet formulas ('=… written as '=…)."""
    if value[:2] in ("'=", "'+", "'-", "'@"):
        return value[1:]
    return value


ISO_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
ISO_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)


def _iso(value, label):
    """A date as the export writes it: YYYY-MM-DD, or YYYY-MM / YYYY at coarser precision."""
    value = _unquote_formula(value)
    try:
        if ISO_YEAR.fullmatch(value):
            return dt.date(int(value), 1, 1)
        if ISO_MONTH.fullmatch(value):
            return dt.date(int(value[:4]), int(value[5:]), 1)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise RowError(
            _("The %(label)s “%(value)s” is not a date (YYYY-MM-DD, YYYY-MM or YYYY).")
            % {"label": label, "value": value}
        ) from exc


def timelinejs_values(row):
    start, precision = _tljs_date(row, "", _("start"))
    end, end_precision = (None, precision)
    if row.get("end year"):
        end, end_precision = _tljs_date(row, "end ", _("end"))
    if end is not None and end_precision != precision:
        # One precision for both ends: the coarser of the two.
        order = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]
        precision = max(precision, end_precision, key=order.index)
        start, end = _coarsen(start, precision), _coarsen(end, precision)
    headline = strip_tags(row.get("headline", "")).strip()
    if not headline:
        raise RowError(_("The Headline is empty."))
    group = row.get("group", "").strip()
    category = _category(group) if group else Category.DIPLOMACY
    slug = slugify(f"{headline} {start.year}")[:100].strip("-")
    # The template has no actors or sources: an update leaves them as they are.
    values = {
        "slug": slug,
        "title": headline[:300],
        "start_date": start,
        "end_date": end,
        "precision": precision,
        "category": category,
    }
    if "text" in row:
        values["summary"] = strip_tags(row["text"]).strip() or headline
    if "display date" in row:
        values["date_note"] = row["display date"]
    return values


def _category(group):
    for value, label in Category.choices:
        if group.lower() in (value, label.lower()):
            return value
    raise RowError(
        _("Group “%(group)s” is not a category; use one of: %(choices)s.")
        % {"group": group, "choices": ", ".join(label for _value, label in Category.choices)}
    )


def _tljs_date(row, prefix, label):
    def number(name, low, high):
        raw = row.get(prefix + name, "")
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not value.is_integer():  # also inf and nan
            raise RowError(
                _("The %(label)s %(part)s “%(value)s” is not a whole number.")
                % {"label": label, "part": name, "value": raw}
            )
        value = int(value)
        if not low <= value <= high:
            raise RowError(
                _("The %(label)s %(part)s %(value)d is out of range.")
                % {"label": label, "part": name, "value": value}
            )
        return value

    year = number("year", 1, 9999)
    if year is None:
        raise RowError(_("The %(label)s Year is empty.") % {"label": label})
    month, day = number("month", 1, 12), number("day", 1, 31)
    if day is not None and month is None:
        raise RowError(_("The %(label)s has a Day but no Month.") % {"label": label})
    try:
        if day is not None:
            return dt.date(year, month, day), DatePrecision.DAY
        if month is not None:
            return dt.date(year, month, 1), DatePrecision.MONTH
        return dt.date(year, 1, 1), DatePrecision.YEAR
    except ValueError as exc:
        raise RowError(_("The %(label)s date does not exist.") % {"label": label}) from exc


def _coarsen(date, precision):
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


class ActorNames:
    """Actors by name or alias, case-insensitively."""

    def __init__(self):
        self.by_name = {}
        for actor in Actor.objects.all():
            names = actor.names if hasattr(actor, "names") else [actor.name]
            for name in [*names, actor.slug]:
                self.by_name.setdefault(name.lower(), actor)

    def resolve(self, names):
        unknown = [name for name in names if name.lower() not in self.by_name]
        if unknown:
            raise RowError(_("Unknown actor: %(names)s.") % {"names": ", ".join(unknown)})
        return [self.by_name[name.lower()] for name in names]


COMPARED = [
    "title", "summary", "date_edtf", "start_date", "end_date", "precision", "date_note",
    "category",
]  # fmt: skip
SPAN_FIELDS = ("start_date", "end_date", "precision")


def set_values(event, values):
    """Copy a row's values onto `event`; an EDTF date, when given, decides the bounds."""
    for name in COMPARED:
        if name in values and not (values.get("date_edtf") and name in SPAN_FIELDS):
            setattr(event, name, values[name])


def assess(number, values, actors, seen_slugs):
    slug = values["slug"]
    if not slug:
        raise RowError(_("The slug is empty."))
    if slug in seen_slugs:
        raise RowError(_("The slug “%(slug)s” is on an earlier row too.") % {"slug": slug})
    seen_slugs.add(slug)
    resolved = actors.resolve(values.get("actors", []))
    sources = values.get("sources", [])
    missing = sorted(
        set(sources) - set(Source.objects.filter(slug__in=sources).values_list("slug", flat=True))
    )
    if missing:
        raise RowError(_("Unknown source: %(slugs)s.") % {"slugs": ", ".join(missing)})
    existing = Event.objects.filter(slug=slug).prefetch_related("actors").first()
    event = existing or Event()
    before = {name: getattr(event, name) for name in COMPARED}
    before_actors = {actor.pk for actor in event.actors.all()} if existing else set()
    set_values(event, values)
    event.slug = slug
    try:
        event.full_clean(exclude=["status"], validate_unique=False)
    except ValidationError as exc:
        raise RowError(
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
        ) from exc
    outcome = RowOutcome(
        number, "new", slug=slug, title=event.title, values=values, actors=resolved
    )
    if existing:
        changes = [name for name in COMPARED if before[name] != getattr(event, name)]
        if "actors" in values and before_actors != {actor.pk for actor in resolved}:
            changes.append("actors")
        outcome.changes = changes
        if changes:
            outcome.outcome = "update"
            outcome.reason = _("Changes: %(fields)s.") % {"fields": ", ".join(changes)}
        else:
            outcome.outcome = "duplicate"
            outcome.reason = _("Already on the timeline, unchanged.")
        return outcome
    duplicates = probable_duplicates(event, [actor.pk for actor in resolved])
    if duplicates:
        other, why = duplicates[0]
        outcome.outcome = "duplicate"
        outcome.reason = _("Probably “%(title)s” (%(slug)s): same dates and %(why)s.") % {
            "title": other.title,
            "slug": other.slug,
            "why": why,
        }
    return outcome


def apply(outcomes, user=None):
    """Save the new and updated rows in one transaction; refuse if any row is an error.

    Returns (created, updated) counts.
    """
    errors = [outcome for outcome in outcomes if outcome.outcome == "error"]
    if errors:
        raise SpreadsheetError(
            _("%(count)d row(s) have errors; nothing was imported. First: row %(row)d, %(reason)s")
            % {"count": len(errors), "row": errors[0].number, "reason": errors[0].reason}
        )
    created = updated = 0
    # On SQLite the transaction holds the only write lock for as long as the rows
    # take to save: other editors' saves get the maintenance page meanwhile.
    with maintenance.import_running(_("a spreadsheet")), transaction.atomic():
        for outcome in outcomes:
            if outcome.outcome not in ("new", "update"):
                continue
            event = Event.objects.filter(slug=outcome.slug).first()
            if event is None:
                event = Event(slug=outcome.slug, publication=Event.Publication.DRAFT)
                event._change_reason = DRAFTED
                created += 1
            else:
                event._change_reason = IMPORTED
                updated += 1
            set_values(event, outcome.values)
            event._history_user = user
            event.full_clean(exclude=["status"])
            # A missing actors column leaves the actors as they are.
            actors = {"actors": outcome.actors} if "actors" in outcome.values else {}
            if event.is_draft:
                event.save()
                if actors:
                    event.actors.set(outcome.actors)
            else:
                # Like a new row, a change to a published event is not public until reviewed.
                Revision.propose(event, user, actors)
    return created, updated
