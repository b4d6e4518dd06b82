"""The time axis's repeated SVG elements (bars, ticks, marks) as markup.

relations/_axis.html lays the axis out; the elements it repeats, up to a
hundred bars with their ticks and 120 marks, are written here with
`str.format` and `html.escape` (what Django's escape calls). Through the
template engine they were a sixth of a result list's time at 100,000 events,
most of it formatting each number for the locale, which for these plain
floats gives what `str()` gives.
"""

from html import escape
from urllib.parse import quote

from django.utils.safestring import mark_safe

from relations import items

LINKED_BIN = (
    '<a href="{href}" data-hx-get="{href}" data-hx-push-url="true" aria-label="{name}">'
    "<title>{name}</title>"
    '<rect class="bin-hit" x="{x}%" y="0" width="{width}%" height="{bins_height}"/>'
    '<rect class="bin-bar" x="{x}%" y="{bar_y}" width="{width}%" height="{bar_height}"/></a>\n'
)
BAR = (
    '<rect class="bin-bar" x="{x}%" y="{bar_y}" width="{width}%" height="{bar_height}">'
    "<title>{name}</title></rect>\n"
)
TICK = (
    '<line class="tick-line" x1="{x}%" x2="{x}%" y1="{bins_height}" y2="{tick_top}"/>'
    '<text class="tick{minor}" x="{x}%" dx="3" y="{ticks_y}">{tick}</text>'
)
MARK = (
    '<a href="{href}" class="mark status-{status}{uncertain}" aria-label="{name}">'
    "<title>{name}</title>{bar}"
    '<svg x="{x}%" y="{y}" width="1" height="24" overflow="visible">'
    '<rect class="mark-hit" x="-12" y="0" width="24" height="24" rx="4"/>{shape}</svg></a>\n'
)
MARK_BAR = '<rect class="mark-bar" x="{x}%" y="{bar_y}" width="{width}%" height="10" rx="3"/>'
SHAPES = {
    "disputed": '<path class="shape" d="M-5 7 L5 17 M5 7 L-5 17"/>',
    "reported": '<circle class="shape hollow" cx="0" cy="12" r="5"/>',
}
CONFIRMED = '<circle class="shape" cx="0" cy="12" r="6"/>'


def bins(axis):
    """The bars: a link to zoom into each bin that has events, a plain bar otherwise."""
    parts = []
    for bin in axis.bins:
        if bin.href:
            template = LINKED_BIN
        elif bin.count:
            template = BAR
        else:
            continue
        parts.append(
            template.format(
                href=escape(bin.href),
                name=escape(bin.name),
                x=bin.x,
                width=bin.width,
                bar_y=bin.bar_y,
                bar_height=bin.bar_height,
                bins_height=axis.bins_height,
            )
        )
    return mark_safe("".join(parts))  # escaped above; the rest are numbers


def ticks(axis):
    return mark_safe(  # escaped below; the rest are numbers
        "".join(
            TICK.format(
                x=bin.x,
                bins_height=axis.bins_height,
                tick_top=axis.ticks_y - 9,
                minor=" minor" if bin.minor else "",
                ticks_y=axis.ticks_y,
                tick=escape(bin.tick),
            )
            for bin in axis.bins
        )
    )


def marks(lane):
    """A lane's events, each a link to its page."""
    before, after = items.around_slug()
    return mark_safe(  # escaped below; the rest are numbers
        "".join(
            MARK.format(
                href=escape(f"{before}{quote(mark.slug)}{after}"),
                status=escape(mark.status),
                uncertain=" uncertain" if mark.uncertain else "",
                name=escape(mark.name),
                bar=MARK_BAR.format(x=mark.x, bar_y=mark.bar_y, width=mark.width)
                if mark.has_bar
                else "",
                x=mark.x,
                y=mark.y,
                shape=SHAPES.get(mark.status, CONFIRMED),
            )
            for mark in lane.marks
        )
    )
