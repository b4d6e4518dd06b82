"""The TimelineJS export: a slide per event, in TimelineJS3's JSON format."""

import datetime as dt

from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from relations.dates import DatePrecision
from relations.exports.events import export_events
from relations.exports.json import stream_json_document


def timelinejs_point(point, display):
    return timelinejs_date(point.first, point.precision, display)


def timelinejs_date(value, precision, display):
    date = {"year": value.year, "display_date": display}
    if precision in (DatePrecision.MONTH, DatePrecision.DAY):
        date["month"] = value.month
    if precision == DatePrecision.DAY:
        date["day"] = value.day
    return date


def timelinejs_event(event, context):
    """A TimelineJS3 slide. The slide's display_date shows the range once ("16–18 August
    2023"); each end's own display_date is that end alone."""
    text = f"<p>{escape(event.summary)}</p>"
    if event.date_note:
        text += f"<p><small>{escape(event.date_note)}</small></p>"
    text += f'<p><a href="{escape(context.absolute_url(event.path))}">Sources and quotes</a></p>'
    entry = {
        "unique_id": event.slug,
        "start_date": timelinejs_point(event.when.known_points[0], event.start_display),
        "display_date": event.date_display,
        "text": {"headline": escape(event.title), "text": text},
        "group": event.category_label,
    }
    points = event.when.known_points
    if len(points) > 1:  # a range or a set; a year or month alone has no end of its own
        entry["end_date"] = timelinejs_point(points[-1], event.end_display)
    return entry


def timelinejs_placeholder(context):
    """The slide of a view without events: TimelineJS refuses a timeline with none.

    It stands in the first year the filters ask for, or this year.
    """
    years = context.filters.get("year_from") or context.filters.get("year_to")
    year = int(years[0]) if years else dt.date.today().year
    timeline = reverse("relations:timeline")
    if context.filters:
        timeline += "?" + urlencode(context.filters, doseq=True)
    link = escape(context.absolute_url(timeline))
    return {
        "unique_id": "no-events",
        "start_date": {"year": year, "display_date": ""},
        "display_date": "",
        "text": {
            "headline": "No events match these filters",
            "text": f'<p><a href="{link}">Change the filters on the timeline</a></p>',
        },
    }


def or_placeholder(entries, placeholder):
    empty = True
    for entry in entries:
        empty = False
        yield entry
    if empty:
        yield placeholder()


def stream_timelinejs(events, context):
    """TimelineJS3's JSON format: https://timeline.knightlab.com/docs/json-format.html"""
    heading = {"title": {"text": {"headline": escape(context.title), "text": ""}}}
    slides = (timelinejs_event(event, context) for event in export_events(events))
    return stream_json_document(
        heading, or_placeholder(slides, lambda: timelinejs_placeholder(context))
    )
