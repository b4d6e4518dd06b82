import datetime as dt
import re

import pytest

from relations.dates import (
    EventDate,
    InvalidDate,
    format_date,
    format_date_range,
    is_canonical,
    iso_date,
)


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (dt.date(1992, 1, 1), "year", "1992"),
        (dt.date(2024, 8, 1), "month", "August 2024"),
        (dt.date(2024, 8, 22), "day", "22 August 2024"),
    ],
)
def test_format_date_shows_only_the_known_precision(value, precision, expected):
    assert format_date(value, precision) == expected


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (dt.date(2023, 8, 16), dt.date(2023, 8, 18), "day", "16–18 August 2023"),
        (dt.date(2024, 7, 8), dt.date(2024, 8, 19), "day", "8 July – 19 August 2024"),
        (dt.date(2023, 12, 30), dt.date(2024, 1, 2), "day", "30 December 2023 – 2 January 2024"),
        (dt.date(2024, 7, 1), dt.date(2024, 8, 1), "month", "July–August 2024"),
        (dt.date(2023, 12, 1), dt.date(2024, 1, 1), "month", "December 2023 – January 2024"),
        (dt.date(2013, 1, 1), dt.date(2015, 1, 1), "year", "2013–2015"),
        (dt.date(2013, 1, 1), None, "year", "2013"),
    ],
)
def test_format_date_range_does_not_repeat_shared_parts(start, end, precision, expected):
    assert format_date_range(start, end, precision) == expected


def test_iso_date_truncates_to_precision():
    value = dt.date(2024, 8, 1)
    assert iso_date(value, "month") == "2024-08"
    assert iso_date(value, "year") == "2024"
    assert iso_date(value, "day") == "2024-08-01"


def test_month_and_year_precision_require_the_first_day():
    assert is_canonical(dt.date(2024, 8, 1), "month")
    assert not is_canonical(dt.date(2024, 8, 2), "month")
    assert not is_canonical(dt.date(2024, 8, 1), "year")
    assert is_canonical(dt.date(2024, 8, 2), "day")


# EDTF ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "edtf", "earliest", "latest", "display"),
    [
        ("2013-09-07", "2013-09-07", "2013-09-07", "2013-09-07", "7 September 2013"),
        ("2013-09", "2013-09", "2013-09-01", "2013-09-30", "September 2013"),
        ("2024-02", "2024-02", "2024-02-01", "2024-02-29", "February 2024"),
        ("2013", "2013", "2013-01-01", "2013-12-31", "2013"),
        ("2013~", "2013~", "2013-01-01", "2013-12-31", "c. 2013"),
        ("2013?", "2013?", "2013-01-01", "2013-12-31", "2013 (uncertain)"),
        (
            "2013-09-07%",
            "2013-09-07%",
            "2013-09-07",
            "2013-09-07",
            "c. 7 September 2013 (uncertain)",
        ),
        (
            "2024-07-08/2024-07-19",
            "2024-07-08/2024-07-19",
            "2024-07-08",
            "2024-07-19",
            "8–19 July 2024",
        ),
        ("2013/2015", "2013/2015", "2013-01-01", "2015-12-31", "2013–2015"),
        ("[2013, 2015]", "[2013,2015]", "2013-01-01", "2015-12-31", "2013 or 2015"),
        ("[2015,2013]", "[2013,2015]", "2013-01-01", "2015-12-31", "2013 or 2015"),
        ("[..2015-03]", "[..2015-03]", "2015-03-01", "2015-03-31", "in or before March 2015"),
        ("[2013-09-07..]", "[2013-09-07..]", "2013-09-07", None, "on or after 7 September 2013"),
        ("2015-03/..", "2015-03/..", "2015-03-01", None, "March 2015 onwards"),
        ("../2015-03", "../2015-03", "2015-03-01", "2015-03-31", "until March 2015"),
        ("2015-03/", "2015-03/", "2015-03-01", None, "March 2015 – unknown end"),
        ("2013-09~/2014", "2013-09~/2014", "2013-09-01", "2014-12-31", "c. September 2013 – 2014"),
    ],
)
def test_edtf_parses_to_canonical_text_bounds_and_display(text, edtf, earliest, latest, display):
    when = EventDate.parse(text)
    assert when.edtf == edtf
    assert when.earliest.isoformat() == earliest
    assert (when.latest.isoformat() if when.latest else None) == latest
    assert when.display == display


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give a date in EDTF"),
        ("banana", "is not a valid EDTF date"),
        ("2013-13", "is not a valid EDTF date"),
        ("2013-02-30", "is not a valid EDTF date"),
        ("201X", "not a form this timeline stores"),
        ("2013-21", "season"),
        ("2013-09-07/2013-09-01", "The range ends (1 September 2013) before it starts"),
        ("../..", "A range needs at least one known end."),
    ],
)
def test_invalid_or_unsupported_edtf_is_refused_with_a_reason(text, message):
    with pytest.raises(InvalidDate, match=re.escape(message)):
        EventDate.parse(text)


def test_edtf_orders_by_earliest_day_so_a_year_sorts_before_its_dated_events():
    dates = ["2013-09-07", "2013", "2013-07-16", "2013-09", "[..2013-08]", "2012~"]
    ordered = sorted(dates, key=lambda text: EventDate.parse(text).earliest)
    assert ordered == ["2012~", "2013", "2013-07-16", "[..2013-08]", "2013-09", "2013-09-07"]


def test_iso_forms_keep_the_precision_of_each_end():
    assert EventDate.parse("2013").start_iso == "2013"
    assert EventDate.parse("2013").end_iso == ""
    assert EventDate.parse("2013-09/2014").end_iso == "2014"
    assert EventDate.parse("[2013,2015]").end_iso == "2015"


def test_overlap_decides_whether_two_dates_can_both_be_true():
    assert EventDate.parse("1992").overlaps(EventDate.parse("1992-01-20"))
    assert not EventDate.parse("1992-01-20").overlaps(EventDate.parse("1992-01-27"))
    assert EventDate.parse("[..2015-03]").overlaps(EventDate.parse("1990"))
    assert EventDate.parse("2015-03/..").overlaps(EventDate.parse("2030"))


def test_the_old_start_end_precision_fields_become_edtf():
    assert EventDate.from_span(dt.date(2013, 1, 1), None, "year").edtf == "2013"
    span = EventDate.from_span(dt.date(2024, 7, 8), dt.date(2024, 7, 19), "day")
    assert span.edtf == "2024-07-08/2024-07-19"
