"""What the data says a page should list, worked out from the events, for tests at every level."""

import datetime as dt

from relations import axis


def titles_in_month(events, year, month):
    """Titles of `events` whose dates reach into that month, in timeline order.

    An event known only to the year or month reaches to the last day it can mean,
    so trade "in 2023" touches August 2023.
    """
    first = dt.date(year, month, 1)
    last = dt.date(year, month, axis.month_days(year, month))
    return [
        event.title
        for event in events.order_by("start_date", "slug")
        if event.start_date <= last
        and axis.latest_day(event.end_date or event.start_date, event.precision) >= first
    ]
