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
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relations.dates import DatePrecision
from relations.duplicates import probable_duplicates
from relations.models import Actor, Category, Event, Source
from relations.publication import DRAFTED, Revision

MAX_ROWS = 5000
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
    """(header, [row dicts]) from CSV or XLSX bytes."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("The CSV file is not UTF-8 text.")) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    return _as_dicts(rows)


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    rows = [
        ["" if cell is None else _cell_text(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
    return _as_dicts(rows)


def _cell_text(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_dicts(rows):
    rows = [row for row in rows if any(str(cell).strip() for cell in row)]
    if not rows:
        raise SpreadsheetError(_("The spreadsheet is empty."))
    header = [str(cell).strip() for cell in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise SpreadsheetError(_("More than %(count)d rows; split the file.") % {"count": MAX_ROWS})
    return header, [
        (
            number,
            {name.lower(): str(value).strip() for name, value in zip(header, row, strict=False)},
        )
        for number, row in enumerate(rows[1:], start=2)
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
    category = row.get("category", "")
    if category not in Category.values:
        raise RowError(_("Unknown category “%(value)s”.") % {"value": category})
    precision = row.get("precision") or DatePrecision.DAY
    if precision not in DatePrecision.values:
        raise RowError(_("Unknown precision “%(value)s”.") % {"value": precision})
    return {
        "slug": row.get("slug", ""),
        "title": _unquote_formula(row.get("title", "")),
        "summary": _unquote_formula(row.get("summary", "")),
        "start_date": _iso(row.get("start_date", ""), _("start date")),
        "end_date": _iso(row.get("end_date", ""), _("end date")) if row.get("end_date") else None,
        "precision": precision,
        "date_note": _unquote_formula(row.get("date_note", "")),
        "date_edtf": row.get("date_edtf", ""),
        "category": category,
        "actors": [name.strip() for name in row.get("actors", "").split(";") if name.strip()],
        "sources": [slug.strip() for slug in row.get("sources", "").split(";") if slug.strip()],
    }


def _unquote_formula(value):
    """Undo the export's guard against spreadsheet formulas ('=… written as '=…)."""
    if value[:2] in ("'=", "'+", "'-", "'@"):
        return value[1:]
    return value


def _iso(value, label):
    """A date as the export writes it: YYYY-MM-DD, or YYYY-MM / YYYY at coarser precision."""
    value = _unquote_formula(value)
    try:
        if len(value) == 4:
            return dt.date(int(value), 1, 1)
        if len(value) == 7:
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
    return {
        "slug": slug,
        "title": headline[:300],
        "summary": strip_tags(row.get("text", "")).strip() or headline,
        "start_date": start,
        "end_date": end,
        "precision": precision,
        "date_note": row.get("display date", ""),
        "category": category,
        "actors": [],
        "sources": [],
    }


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
            value = int(float(raw))
        except ValueError as exc:
            raise RowError(
                _("The %(label)s %(part)s “%(value)s” is not a number.")
                % {"label": label, "part": name, "value": raw}
            ) from exc
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
    resolved = actors.resolve(values["actors"])
    missing = sorted(
        set(values["sources"])
        - set(Source.objects.filter(slug__in=values["sources"]).values_list("slug", flat=True))
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
        if before_actors != {actor.pk for actor in resolved}:
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
    with transaction.atomic():
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
            if event.is_draft:
                event.save()
                event.actors.set(outcome.actors)
            else:
                # Like a new row, a change to a published event is not public until reviewed.
                Revision.propose(event, user, {"actors": outcome.actors})
    return created, updated
