"""The filter panel's counts follow the other filters (relations/facets.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations.facets import Options
from relations.models import Actor, Category, Event, Source, Status

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
YEAR = "year_from=2023&year_to=2023"


def shown(client, query):
    """How many events the timeline shows for `query` ("Showing 2 of 43 events")."""
    html = client.get(f"/?{query}").content.decode()
    return int(re.search(r"Showing (\d+) of", html).group(1))


def category_counts(html):
    return {
        value: int(n.replace(",", ""))
        for value, n in re.findall(r'id="count-category-([a-z-]+)"[^>]*>([\d,]+)</span>', html)
    }


def option_counts(html, name):
    """{value: n} of the options of select `name` in the page or fragment."""
    select = re.search(rf'<select[^>]* id="id_{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {
        value: int(n.replace(",", ""))
        for value, n in re.findall(
            r'<option[^>]* value="([^"]+)"[^>]*>.*? \(([\d,]+)\)</option>', select
        )
    }


def test_each_category_count_is_what_ticking_it_shows_within_the_chosen_year(client, timeline):
    counts = category_counts(client.get(f"/?{YEAR}").content.decode())

    assert counts["diplomacy"] < Event.objects.public().filter(category="diplomacy").count()
    for value, n in counts.items():
        assert n == shown(client, f"{YEAR}&category={value}"), value


@pytest.mark.parametrize("name", ["status", "actor", "source"])
def test_each_select_option_counts_what_choosing_it_shows_with_the_other_filters(
    client, timeline, name
):
    query = f"{YEAR}&category=diplomacy"
    counts = option_counts(client.get(f"/?{query}").content.decode(), name)

    assert sum(counts.values())  # some option has events in 2023's diplomacy
    nonzero = [value for value, n in counts.items() if n][:5]
    some_zero = [value for value, n in counts.items() if not n][:2]
    for value in nonzero + some_zero:
        assert counts[value] == shown(client, f"{query}&{name}={value}"), value


def test_a_chosen_filter_counts_as_if_it_were_not_chosen(client, timeline):
    """Its own options say what choosing another would give, not how many of them it has."""
    html = client.get(f"/?{YEAR}&category=diplomacy").content.decode()
    assert category_counts(html)["trade"] == shown(client, f"{YEAR}&category=trade")


def test_the_htmx_fragment_swaps_every_count_out_of_band(client, timeline):
    query = f"/?{YEAR}&actor=li-shangfu"
    fragment = client.get(query, headers=HTMX).content.decode()
    page = client.get(query).content.decode()

    spans = re.findall(
        r'<span class="count" id="count-category-[a-z-]+" data-hx-swap-oob="true">', fragment
    )
    assert len(spans) == len(category_counts(page))
    assert category_counts(fragment) == category_counts(page)
    oob = r'<div id="option-counts" hidden data-hx-swap-oob="true"[^>]*>'
    (numbers,) = re.findall(oob, fragment)
    options = re.search(r'<form id="filters"[^>]* data-options="(\w+)"', page).group(1)
    assert f'data-options="{options}"' in numbers
    for name in ("status", "actor", "source"):
        # The numbers in the order of the page's options, for timeline.js to write in.
        sent = re.search(rf'data-{name}="([^"]*)"', numbers).group(1).split(" ")
        assert [int(n.replace(",", "")) for n in sent] == list(option_counts(page, name).values())
    assert "<select" not in fragment  # hundreds of options, not sent again


def test_the_embed_fragment_has_no_filter_panel_to_swap(client, timeline):
    fragment = client.get(f"/embed/?{YEAR}", headers=HTMX).content.decode()
    assert "data-hx-swap-oob" in fragment  # its status line
    assert "count-category-" not in fragment
    assert "<select" not in fragment


def test_an_option_with_no_event_under_the_other_filters_stays_offered_at_zero(client, timeline):
    html = client.get(f"/?{YEAR}").content.decode()
    actor = Actor.objects.get(slug="yang-shangkun")  # in 1992 only
    assert f'<option value="{actor.slug}">{actor.name} (0)</option>' in html
    assert re.search(r'id="count-category-[a-z-]+">0</span>', html)


def test_counts_are_those_of_the_whole_timeline_when_the_filters_are_refused(client, timeline):
    html = client.get("/?year_from=abc&category=diplomacy").content.decode()
    diplomacy = Event.objects.public().filter(category="diplomacy").count()
    assert category_counts(html)["diplomacy"] == diplomacy
    fragment = client.get("/?year_from=abc&category=diplomacy", headers=HTMX).content.decode()
    assert "count-category-" not in fragment  # the panel stays as the reader set it


def test_a_refused_year_stays_in_its_field_with_its_error_beside_it(client, timeline):
    """A reader who mistyped sees what they typed, not an empty box."""
    response = client.get("/?year_from=abc&year_to=2023")
    html = response.content.decode()

    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S).group(0)
    assert re.search(
        r'<input type="text" name="year_from" value="abc"[^>]*aria-invalid="true"', field
    )
    assert '<p class="field-error" id="id_year_from_error">Enter a whole number.</p>' in field
    assert re.search(r'<input type="text" name="year_to" value="2023"', html)


def test_options_escape_labels_once_and_never_disable_the_chosen_one():
    options = Options(
        "Any source",
        [("a-b", 'Say "<hi>" & go', 1, 3), ("dead", "No events", 2, 0), ("x", "X", 3, 9)],
    )

    html = options.html([1234, 0, 0], "")
    assert html == (
        '<option selected value="">Any source</option>'
        '<option value="a-b">Say &quot;&lt;hi&gt;&quot; &amp; go (1,234)</option>'
        '<option value="dead" disabled>No events (0)</option>'
        '<option value="x">X (0)</option>'
    )
    chosen = options.html([0, 0, 0], "dead")
    assert '<option selected value="dead">No events (0)</option>' in chosen
    assert '<option value="">Any source</option>' in chosen
    assert options.html([2, 0, 0], "x").count("selected") == 1


def test_options_of_a_select_without_choices_are_its_empty_choice():
    assert Options("Any actor", []).html([], "") == '<option selected value="">Any actor</option>'


def test_the_fragment_reads_no_actor_or_source_rows_for_its_options(client, timeline):
    client.get("/")  # the panel for this data version
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/?{YEAR}&category=trade", headers=HTMX)
    tables = ("relations_actor", "relations_source")
    assert not [
        q for q in queries if any(t in q["sql"] for t in tables) and "LIMIT" not in q["sql"]
    ]


def test_every_status_and_category_with_events_is_offered(client, timeline):
    html = client.get("/?year_from=1992&year_to=1992").content.decode()
    public = Event.objects.public()
    for value in Category.values:
        if public.filter(category=value).exists():
            assert f'id="count-category-{value}"' in html
    assert set(option_counts(html, "status")) == set(Status.values)
    assert len(option_counts(html, "source")) == Source.objects.public().count()
