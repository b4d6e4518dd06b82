"""The time axis above the timeline: its window, bins, marks and lanes, in plain Python.

`build(result, ...)` is the one entry point: from what the read model found
for the filters (relations/readmodel: the matches, their counts per year,
month and day, and their extent whatever the window) and the zoom parameters
to an `Axis` the template `relations/_axis.html` draws as SVG. It asks the
database only for the dates and titles of the marks, when few enough events
fall in the window.

Zoom levels: the whole span (or any range of years) → a single year → a month.
A range of years is cut into at most MAX_BINS bins of 1, 2, 5, 10, 20, 50, …
years, so one event dated in year 24 and another in 9999 still make a dozen
bins. Every bin with events links to itself (the next zoom level); the window
pans by its own width.

Horizontal positions are fractions of the window (percentages in the SVG), so
the axis stretches to any width; vertical positions and the 24 px tap targets
are pixels. Marks are packed into rows so that no two targets overlap at the
narrowest width the axis is drawn at (NARROWEST_PX); wider, they only move apart.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from relations import axis_svg
from relations.dates import MONTHS, DatePrecision, SpanDates
from relations.models import Category

MAX_BINS = 12
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
MARK_LIMIT = 120
ROWS_PER_LANE = 5
NARROWEST_PX = 236
TARGET_PX = 24
GAP_PX = 2
YEAR_MIN, YEAR_MAX = 1, 9999
WINDOW_FILTERS = ("year_from", "year_to", "month")

BINS_TOP = 0
BINS_HEIGHT = 44
DENSITY_HEIGHT = 96
TICKS_HEIGHT = 20
LANE_LABEL_HEIGHT = 18
ROW_HEIGHT = 28


@dataclass
class Window:
    """The span of time the axis shows: a range of whole years, a year, or a month."""

    level: str  # "years", "year" or "month"
    first_year: int
    last_year: int
    month: int | None = None

    @property
    def start(self):
        return dt.date(self.first_year, self.month or 1, 1)

    @property
    def end(self):
        """The last day inside the window."""
        if self.level == "month":
            return dt.date(self.first_year, self.month, month_days(self.first_year, self.month))
        return dt.date(self.last_year, 12, 31)

    @property
    def label(self):
        if self.level == "month":
            return f"{MONTHS[self.month - 1]} {self.first_year}"
        if self.first_year == self.last_year:
            return str(self.first_year)
        if self.first_year % 10 == 0 and self.last_year == self.first_year + 9:
            return f"{self.first_year}s"
        return f"{self.first_year}–{self.last_year}"

    def params(self):
        """The filter values that select this window."""
        return {
            "year_from": self.first_year,
            "year_to": self.last_year,
            "month": self.month if self.level == "month" else None,
        }


@dataclass
class MarkDates(SpanDates):
    """An event's dates as the list shows them (the EDTF value type of relations.dates)."""

    date_edtf: str
    start_date: dt.date
    end_date: dt.date | None
    precision: str


@dataclass
class Bin:
    index: int
    label: str  # accessible name's date part: "2020–2024", "March 2023", "16 August 2023"
    tick: str  # the short label under the axis: "2020", "Mar", "16"
    count: int = 0
    href: str = ""
    x: float = 0.0  # percent
    width: float = 0.0  # percent
    bar_height: float = 0.0  # px
    bar_y: float = 0.0  # px
    minor: bool = False  # a tick label hidden on narrow screens

    @property
    def name(self):
        noun = "event" if self.count == 1 else "events"
        return f"{self.label}: {self.count:,} {noun}"


@dataclass
class Mark:
    slug: str
    title: str
    name: str  # "16–18 August 2023: Li Shangfu visits Belarus"
    category: str
    status: str
    x: float  # percent, where the event starts (clipped to the window)
    width: float  # percent, to where it ends; 0 for a single day
    uncertain: bool  # known only to the month or year: drawn as a pale, dashed span
    row: int = 0
    y: int = 0

    @property
    def has_bar(self):
        return self.width > 0

    @property
    def bar_y(self):
        return self.y + 7


@dataclass
class Lane:
    category: str
    label: str
    y: int
    rows: int
    marks: list = field(default_factory=list)

    @property
    def height(self):
        return LANE_LABEL_HEIGHT + self.rows * ROW_HEIGHT

    @property
    def label_y(self):
        return self.y + LANE_LABEL_HEIGHT - 5

    @property
    def marks_svg(self):
        return axis_svg.marks(self)


@dataclass
class Axis:
    window: Window | None
    bins: list
    total: int
    marks_drawn: bool
    lanes: list
    zoom_path: list  # [(label, href or "")], from the whole span to this window
    zoom_out: tuple | None  # (label, href)
    earlier: tuple | None  # (label, href)
    later: tuple | None
    height: int
    bins_height: int
    ticks_y: int
    bin_step_years: int | None = None

    @property
    def empty(self):
        return self.window is None

    @property
    def unit(self):
        """What one bin holds, for the caption: "5 years", "month", "day"."""
        if self.window.level == "years":
            return "year" if self.bin_step_years == 1 else f"{self.bin_step_years} years"
        return "month" if self.window.level == "year" else "day"

    @property
    def wide(self):
        """Too many bin links to fit a phone's width at 24 px each: the axis scrolls in its box."""
        return sum(1 for bin in self.bins if bin.href) > NARROWEST_PX // TARGET_PX

    @property
    def categories(self):
        return [(lane.category, lane.label) for lane in self.lanes]

    @property
    def bins_svg(self):
        return axis_svg.bins(self)

    @property
    def ticks_svg(self):
        return axis_svg.ticks(self)


def month_days(year, month):
    return calendar.monthrange(year, month)[1]


def resolve_window(extent, year_from=None, year_to=None, month=None):
    """The window the filters ask for; the data's own extent fills an open end."""
    if month and year_from is not None and year_from == year_to:
        return Window("month", year_from, year_to, month)
    if year_from is not None and year_from == year_to:
        return Window("year", year_from, year_to)
    if extent is None:
        if year_from is None or year_to is None:
            return None
        first, last = year_from, year_to
    else:
        first = year_from if year_from is not None else extent[0].year
        last = year_to if year_to is not None else extent[1].year
    first, last = max(YEAR_MIN, min(first, last)), min(YEAR_MAX, max(first, last))
    if first == last:
        return Window("year", first, last)
    return Window("years", first, last)


def year_step(first, last):
    """The smallest step in YEAR_STEPS that cuts first..last into at most MAX_BINS bins."""
    for step in YEAR_STEPS:
        origin = first // step * step
        if (last - origin) // step + 1 <= MAX_BINS:
            return step
    return YEAR_STEPS[-1]


def domain_of(window, step):
    """The first and last day the horizontal scale covers: the bins, end to end."""
    if window.level == "years":
        origin = window.first_year // step * step
        last = origin + ((window.last_year - origin) // step + 1) * step - 1
        return dt.date(max(YEAR_MIN, origin), 1, 1), dt.date(min(YEAR_MAX, last), 12, 31)
    return window.start, window.end


def make_bins(window, step):
    if window.level == "years":
        origin = window.first_year // step * step
        count = (window.last_year - origin) // step + 1
        bins = []
        for index in range(count):
            first = origin + index * step
            last = min(YEAR_MAX, first + step - 1)
            first = max(YEAR_MIN, first)
            label = str(first) if step == 1 else f"{first}–{last}"
            bins.append(Bin(index, label, str(first)))
        return bins
    if window.level == "year":
        return [
            Bin(index, f"{MONTHS[index]} {window.first_year}", MONTHS[index][:3])
            for index in range(12)
        ]
    days = month_days(window.first_year, window.month)
    month = MONTHS[window.month - 1]
    return [
        Bin(index, f"{index + 1} {month} {window.first_year}", str(index + 1))
        for index in range(days)
    ]


def count_bins(result, window, step, bins):
    """Fill each bin's count from the read model's counts of the matches: per start year
    folded into bins of `step` years, per month of a year, per day of a month (those begun
    before the window count in its first bin)."""
    if window.level == "years":
        origin = window.first_year // step * step
        rows = [((year - origin) // step, n) for year, n in result.year_counts()]
    elif window.level == "year":
        rows = result.month_counts(window.first_year)
    else:
        rows = result.day_counts(window.first_year, window.month)
    last = len(bins) - 1
    for index, n in rows:
        bins[max(0, min(last, int(index)))].count += n
    return sum(bin.count for bin in bins)


def latest_day(end, precision):
    """The last day a date at `precision` may mean: August 2023 runs to the 31st."""
    if precision == DatePrecision.YEAR:
        return dt.date(end.year, 12, 31)
    if precision == DatePrecision.MONTH:
        return dt.date(end.year, end.month, month_days(end.year, end.month))
    return end


def make_marks(result, window, domain):
    """The window's events as marks, or None when there are too many to draw."""
    from relations.models import Event

    if len(result) > MARK_LIMIT:
        return None
    rows = list(
        Event.objects.filter(pk__in=list(result.ids))
        .order_by("start_date", "slug")
        .values_list(
            "slug",
            "title",
            "date_edtf",
            "start_date",
            "end_date",
            "precision",
            "category",
            "status",
        )[: MARK_LIMIT + 1]
    )
    if len(rows) > MARK_LIMIT:
        return None
    first, last = domain
    days = (last - first).days + 1
    marks = []
    for slug, title, edtf, start, end, precision, category, status in rows:
        until = latest_day(end or start, precision)
        left = max(start, first)
        right = min(until, last)
        x = 100 * (left - first).days / days
        width = 100 * ((right - left).days + 1) / days if right > left else 0.0
        when = MarkDates(edtf, start, end, precision).when
        name = f"{when.display}: {title}"
        uncertain = precision != DatePrecision.DAY or when.form not in ("point", "interval")
        marks.append(
            Mark(slug, title, name, category, status, round(x, 3), round(width, 3), uncertain)
        )
    return marks


def pack(marks):
    """Put each mark in the first row of its lane where its target overlaps none.

    Returns the number of rows used. A target reaches 12 px either side of the
    mark's start and, for a span, to its end, measured at NARROWEST_PX.
    """
    ends = []
    for mark in marks:
        start_px = mark.x * NARROWEST_PX / 100
        left = start_px - TARGET_PX / 2
        right = max(start_px + TARGET_PX / 2, (mark.x + mark.width) * NARROWEST_PX / 100)
        for row, end in enumerate(ends):
            if left >= end + GAP_PX:
                mark.row, ends[row] = row, right
                break
        else:
            mark.row = len(ends)
            ends.append(right)
    return len(ends)


def make_lanes(marks, top):
    """One lane per category present, in the order of Category; None if a lane overflows."""
    labels = dict(Category.choices)
    lanes = []
    y = top
    for category in Category.values:
        in_lane = [mark for mark in marks if mark.category == category]
        if not in_lane:
            continue
        rows = pack(in_lane)
        if rows > ROWS_PER_LANE:
            return None
        for mark in in_lane:
            mark.y = y + LANE_LABEL_HEIGHT + mark.row * ROW_HEIGHT
        lanes.append(Lane(category, labels[category], y, rows, in_lane))
        y += LANE_LABEL_HEIGHT + rows * ROW_HEIGHT + 6
    return lanes


class Links:
    """hrefs for the axis: the current validated filters with the window changed.

    The filters other than the window's are encoded once, not for each of up to a
    hundred links (copying the QueryDict for each cost 2 ms a result list).
    """

    def __init__(self, base, query):
        self.base = base
        self.kept = urlencode(
            [
                (name, value)
                for name, values in query.lists()
                if name not in (*WINDOW_FILTERS, "page")
                for value in values
            ]
        )

    def to(self, year_from=None, year_to=None, month=None):
        window = "&".join(
            f"{name}={int(value)}"
            for name, value in (("year_from", year_from), ("year_to", year_to), ("month", month))
            if value is not None
        )
        encoded = "&".join(part for part in (self.kept, window) if part)
        return f"{self.base}?{encoded}" if encoded else self.base

    def window(self, window):
        return self.to(**window.params())


def zoom_path(window, whole, links):
    """Breadcrumb from the whole span down to `window`."""
    path = [("All years", links.to() if window != whole else "")]
    if window.level in ("year", "month"):
        decade = Window("years", window.first_year // 10 * 10, window.first_year // 10 * 10 + 9)
        if not covers(decade, whole):
            path.append((decade.label, links.window(decade)))
        year = Window("year", window.first_year, window.first_year)
        path.append((year.label, links.window(year) if window.level == "month" else ""))
        if window.level == "month":
            path.append((window.label, ""))
    elif window != whole:
        path.append((window.label, ""))
    return path


def covers(window, whole):
    return whole is None or (
        window.first_year <= whole.first_year and window.last_year >= whole.last_year
    )


def wider(window, whole):
    """The window one zoom level out, or None for the whole span."""
    if window.level == "month":
        return Window("year", window.first_year, window.first_year)
    width = window.last_year - window.first_year + 1
    size = 10
    while size <= width or (window.first_year // size != window.last_year // size):
        size *= 10
    first = window.first_year // size * size
    last = first + size - 1
    if whole is not None:
        first, last = max(first, whole.first_year), min(last, whole.last_year)
    first, last = max(YEAR_MIN, first), min(YEAR_MAX, last)
    out = Window("year" if first == last else "years", first, last)
    return None if covers(out, whole) else out


def neighbours(window, extent):
    """The windows of the same size just before and after, where there are events."""
    if extent is None:
        return None, None
    first, last = extent
    if window.level == "month":
        before = dt.date(window.first_year, window.month, 1) - dt.timedelta(days=1)
        after = window.end + dt.timedelta(days=1)
        earlier = Window("month", before.year, before.year, before.month)
        later = Window("month", after.year, after.year, after.month)
    else:
        width = window.last_year - window.first_year + 1
        earlier = Window(window.level, window.first_year - width, window.last_year - width)
        later = Window(window.level, window.first_year + width, window.last_year + width)
    earlier = earlier if first < window.start and earlier.first_year >= YEAR_MIN else None
    later = later if last > window.end and later.last_year <= YEAR_MAX else None
    return earlier, later


def build(result, *, year_from=None, year_to=None, month=None, query=None, base="/"):
    """The axis of `result` (a read model Result) in the window the parameters choose.

    `query` is a QueryDict of the validated filters, from which the links are
    made; `base` is the path they lead to. The result's extent (its matches
    whatever the window) says where the whole span starts and ends and whether
    there is anything to pan to.
    """
    from django.http import QueryDict

    links = Links(base, query if query is not None else QueryDict(mutable=True))
    extent = result.extent()
    whole = resolve_window(extent)
    window = resolve_window(extent, year_from, year_to, month)
    if window is None:
        return Axis(None, [], 0, False, [], [], None, None, None, 0, 0, 0)

    step = year_step(window.first_year, window.last_year) if window.level == "years" else None
    domain = domain_of(window, step)
    bins = make_bins(window, step)
    total = count_bins(result, window, step, bins)

    marks = make_marks(result, window, domain) if 0 < total <= MARK_LIMIT else None
    bins_height = BINS_HEIGHT if marks is not None else DENSITY_HEIGHT
    ticks_y = bins_height + 14
    lanes = make_lanes(marks, bins_height + TICKS_HEIGHT + 6) if marks else None
    marks_drawn = lanes is not None
    height = bins_height + TICKS_HEIGHT
    if marks_drawn:
        height = (
            (lanes[-1].y + LANE_LABEL_HEIGHT + lanes[-1].rows * ROW_HEIGHT) if lanes else height
        )

    tallest = max((bin.count for bin in bins), default=0) or 1
    width = 100 / len(bins)
    label_every = max(1, -(-len(bins) // 6))
    for bin in bins:
        bin.x, bin.width = round(bin.index * width, 3), round(width, 3)
        bin.bar_height = round((bins_height - 4) * bin.count / tallest, 1) if bin.count else 0
        bin.bar_y = round(bins_height - bin.bar_height, 1)
        bin.minor = bin.index % label_every != 0
        if bin.count and window.level != "month":
            bin.href = links.window(bin_window(window, step, bin))

    out = wider(window, whole)
    if window != whole:
        zoom_out = (out.label, links.window(out)) if out else ("All years", links.to())
    else:
        zoom_out = None
    earlier, later = neighbours(window, extent)
    return Axis(
        window=window,
        bins=bins,
        total=total,
        marks_drawn=marks_drawn,
        lanes=lanes or [],
        zoom_path=zoom_path(window, whole, links),
        zoom_out=zoom_out,
        earlier=(earlier.label, links.window(earlier)) if earlier else None,
        later=(later.label, links.window(later)) if later else None,
        height=height,
        bins_height=bins_height,
        ticks_y=ticks_y,
        bin_step_years=step,
    )


def bin_window(window, step, bin):
    if window.level == "years":
        first = max(YEAR_MIN, window.first_year // step * step + bin.index * step)
        last = min(YEAR_MAX, first + step - 1) if step > 1 else first
        return Window("year" if first == last else "years", first, last)
    return Window("month", window.first_year, window.first_year, bin.index + 1)
