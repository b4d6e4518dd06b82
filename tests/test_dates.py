import datetime as dt

import pytest

from relations.dates import format_date, format_date_range, is_canonical, iso_date


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
