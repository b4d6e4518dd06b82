import datetime as dt

import pytest

from relations.editing.textdates import find_dates

PUBLISHED = dt.date(2023, 8, 18)  # a Friday


def only(sentence, published=PUBLISHED, precision="day"):
    found = find_dates(sentence, published, precision)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "date", "precision"),
    [
        ("Diplomatic relations were established on 20 January 1992.", dt.date(1992, 1, 20), "day"),
        ("They met on January 20, 1992 in Beijing.", dt.date(1992, 1, 20), "day"),
        ("The talks were held in August 2024.", dt.date(2024, 8, 1), "month"),
        ("In 2013, Belarus joined the BRI.", dt.date(2013, 1, 1), "year"),
        ("The statement is dated 2024-08-23.", dt.date(2024, 8, 23), "day"),
        ("Published August 23 2024 , 02:34 AM", dt.date(2024, 8, 23), "day"),
    ],
)
def test_absolute_dates_are_read_as_written(sentence, date, precision):
    found = only(sentence)
    assert (found.date, found.precision, found.inferred) == (date, precision, False)


def test_a_day_range_gives_both_ends():
    found = only("The minister visited Minsk on 16–18 August 2023.")
    assert (found.date, found.end_date) == (dt.date(2023, 8, 16), dt.date(2023, 8, 18))
    assert found.expression == "16–18 August 2023"


@pytest.mark.parametrize(
    ("sentence", "date", "precision"),
    [
        ("The visit commenced on Wednesday.", dt.date(2023, 8, 16), "day"),
        ("Officials met yesterday.", dt.date(2023, 8, 17), "day"),
        ("Trade grew last year.", dt.date(2022, 1, 1), "year"),
        ("Talks are planned next month.", dt.date(2023, 9, 1), "month"),
        ("The ministers met on 14 August.", dt.date(2023, 8, 14), "day"),
    ],
)
def test_relative_dates_resolve_against_the_publication_date_and_are_inferred(
    sentence, date, precision
):
    found = only(sentence)
    assert (found.date, found.precision, found.inferred) == (date, precision, True)


def test_a_weekday_in_a_text_known_only_to_the_month_resolves_to_that_month():
    found = only("The visit commenced on Wednesday.", dt.date(2023, 8, 1), "month")
    assert (found.date, found.precision, found.inferred) == (dt.date(2023, 8, 1), "month", True)


def test_relative_dates_without_a_publication_date_are_not_guessed():
    assert find_dates("The visit commenced on Wednesday.", None) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The partnership began in the early 1990s.",
        "Trade reached 3.4 billion dollars.",
        "A population of 9,200 people.",
    ],
)
def test_numbers_that_are_not_years_are_not_dates(sentence):
    assert find_dates(sentence, PUBLISHED) == []


def test_the_longest_expression_wins_and_both_dates_of_a_sentence_are_found():
    found = find_dates("Ties date back to 1992, shortly after independence in 1991.", PUBLISHED)
    assert [f.expression for f in found] == ["1992", "1991"]
    [found] = find_dates("On 20 January 1992 they signed.", PUBLISHED)
    assert found.expression == "20 January 1992"
