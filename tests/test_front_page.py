"""The front page as a publication, embedding and sharing, and the event page's reading aids."""

import datetime as dt
import re
from html import escape

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relations.models import Category, Event, FrontPage, Source, Status
from relations.passages import excerpts
from relations.templatetags.relations_tags import linked_notes
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_front_page_shows_the_introduction_editors_wrote(client, timeline):
    FrontPage.objects.update_or_create(pk=1, defaults={"introduction": "First.\n\nSecond."})
    html = client.get("/").content.decode()
    assert '<div class="lede"><p>First.</p>\n\n<p>Second.</p></div>' in html
    assert '<meta name="description" content="First.">' in html


def test_editing_the_introduction_shows_at_once(client, timeline):
    client.get("/")
    page = FrontPage.objects.get()
    page.introduction = "A changed introduction."
    page.save()
    assert "A changed introduction." in client.get("/").content.decode()


def test_front_page_shows_key_numbers_and_when_the_data_last_changed(client, timeline):
    html = client.get("/").content.decode()
    events = Event.objects.public()
    assert f"<dt>Events</dt><dd>{events.count():,}</dd>" in html
    sources = Source.objects.public().count()
    assert f'<dt>Sources</dt><dd><a href="/sources/">{sources:,}</a></dd>' in html
    row = events.aggregate(
        first=Min("start_date"),
        last=Max("start_date"),
        last_end=Max("end_date"),
        updated=Max("updated_at"),
    )
    last = max(row["last"], row["last_end"])
    assert f"<dt>Years covered</dt><dd>{row['first'].year}–{last.year}</dd>" in html
    updated = timezone.localtime(row["updated"]).date()
    assert f'<time datetime="{updated:%Y-%m-%d}">' in html


def test_filter_options_show_counts_and_hide_empty_categories(client, timeline):
    html = client.get("/").content.decode()
    public = Event.objects.public()
    for value, label in Category.choices:
        n = public.filter(category=value).count()
        if n:
            assert f'value="{value}"' in html
            assert (
                f'{escape(label)} <span class="count" id="count-category-{value}">{n:,}</span>'
                in html
            )
        else:
            assert f'value="{value}"' not in html  # a category without events is hidden
    for value, label in Status.choices:
        n = public.filter(status=value).count()
        disabled = "" if n else " disabled"
        assert f'<option value="{value}"{disabled}>{label} ({n:,})</option>' in html


def test_a_status_without_events_is_offered_but_disabled(client, timeline):
    Event.objects.filter(status=Status.DISPUTED).delete()
    html = client.get("/").content.decode()
    assert '<option value="disputed" disabled>Disputed (0)</option>' in html


def test_an_empty_category_stays_visible_while_it_is_chosen(client, timeline):
    html = client.get("/?category=energy").content.decode()
    assert 'value="energy"' in html


def test_pages_carry_a_description_and_share_previews(client, timeline):
    event = Event.objects.public().get(slug="li-shangfu-visits-belarus")
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in html
    title = escape(f"{event.when.display}: {event.title}")
    assert f'<meta property="og:title" content="{title}' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    summary = escape(" ".join(event.summary.split())[:60])
    assert f'<meta name="description" content="{summary}' in html


def test_favicon_ico_is_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


def test_embed_may_not_be_framed_by_default(client, timeline):
    response = client.get("/embed/?category=security")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'class="site-header"' not in html and 'id="filters"' not in html
    shown = Event.objects.public().filter(category="security").count()
    total = Event.objects.public().count()
    assert 'class="axis"' in html and f"Showing {shown} of {total} events." in html


def test_embed_may_be_framed_by_the_origins_in_the_setting(client, timeline, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.org"]
    response = client.get("/embed/")
    assert "X-Frame-Options" not in response
    assert "frame-ancestors https://news.example.org" in response["Content-Security-Policy"]


def test_embed_links_stay_in_the_embed(client, timeline):
    html = client.get("/embed/?category=security").content.decode()
    years = Event.objects.public().filter(category="security").values_list("start_year", flat=True)
    links = re.findall(r'href="(/[^"]*\?category=security&amp;year_from=\d+[^"]*)"', html)
    assert links and all(link.startswith("/embed/?") for link in links)
    assert any(f"year_from={year}" in link for link in links for year in years)


def test_timeline_offers_the_snippet_that_embeds_this_view(client, timeline, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.org"]
    html = client.get("/?category=security").content.decode()
    assert "Embed this view" in html
    assert "&lt;iframe src=&quot;http://testserver/embed/?category=security&quot;" in html


def test_no_snippet_is_offered_when_no_site_may_frame_the_embed(client, timeline, settings):
    settings.EMBED_FRAME_ANCESTORS = []
    html = client.get("/?category=security").content.decode()
    assert "Embed this view" not in html


def test_overlapping_excerpts_from_one_source_become_one():
    source = SourceFactory.build(text="One two three four five. Six seven eight nine ten.")
    first = CitationFactory.build(source=source, quote="two three")
    second = CitationFactory.build(source=source, quote="four five")
    (excerpt,) = excerpts(source.text, [first, second], context=10)
    assert [text for text, marked in excerpt.segments if marked] == ["two three", "four five"]
    assert excerpt.citations == [first, second]


def test_distant_quotes_stay_separate_excerpts():
    text = "Alpha beta. " + "x " * 400 + "Gamma delta."
    source = SourceFactory.build(text=text)
    quotes = [
        CitationFactory.build(source=source, quote=q) for q in ("Alpha beta.", "Gamma delta.")
    ]
    assert len(excerpts(text, quotes, context=20)) == 2


def test_notes_link_titles_not_raw_addresses(db):
    html = linked_notes(
        "Reprinted: https://www.brecorder.com/news/40318952/china-belarus-agree-to-cooperate "
        "and javascript:alert(1)"
    )
    assert (
        '<a href="https://www.brecorder.com/news/40318952/china-belarus-agree-to-cooperate" '
        'rel="nofollow noopener">brecorder.com: China belarus agree to cooperate</a>'
    ) in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


def test_notes_link_a_known_source_by_its_title(db):
    SourceFactory(url="https://example.org/report", title="The report")
    assert ">The report</a>" in linked_notes("See https://example.org/report.")


def test_event_page_lists_related_events_nearest_in_time(client, db):
    event = EventFactory(category="trade", start_date=dt.date(2020, 5, 1), slug="subject")
    EventFactory(category="trade", start_date=dt.date(2020, 6, 1), title="Near")
    EventFactory(category="energy", start_date=dt.date(2020, 5, 2), title="Other category")
    far = [EventFactory(category="trade", start_date=dt.date(2000 + n, 1, 1)) for n in range(5)]
    html = client.get(event.get_absolute_url()).content.decode()
    related = html[html.index('id="related-heading"') :].split("</section>")[0]
    assert "Near" in related
    assert "Other category" not in related
    assert far[0].title not in related  # only the four nearest
    assert far[-1].title in related


def test_warm_fills_what_every_full_page_shares(client, timeline):
    """After warm() (each gunicorn worker calls it at start) a full page of a query nobody
    asked before counts neither the key numbers, the option counts nor the options."""
    from relations.frontpage import warm

    warm()
    with CaptureQueriesContext(connection) as queries:
        client.get("/?category=trade&year_from=2001")
    for alias in ('AS "actors__slug"', 'AS "citations__source__slug"'):  # the options' counts
        assert not [q for q in queries if alias in q["sql"]]
    assert not [q for q in queries if 'MAX("relations_event"."updated_at")' in q["sql"]]


def test_key_numbers_and_option_counts_come_from_the_read_model_not_the_events(client, timeline):
    """Counting the events per category and status, or their first and last dates, scans
    the table: 40-180 ms at 100,000 events on SQLite."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert f"<dt>Events</dt><dd>{Event.objects.public().count():,}</dd>" in html
    from_events = [
        q["sql"]
        for q in queries
        if 'MIN("relations_event"."start_date")' in q["sql"]
        or (
            "GROUP BY" in q["sql"]
            and any(
                column in q["sql"].split(" FROM ")[0]
                for column in ('"relations_event"."category"', '"relations_event"."status"')
            )
        )
    ]
    assert from_events == []


def test_parts_kept_per_data_version_are_computed_again_for_a_new_one(db):
    from relations import held

    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert held.kept("test-part", 1, 60, compute) == 1
    assert held.kept("test-part", 1, 60, compute) == 1
    assert held.kept("test-part", 2, 60, compute) == 2
    held.forget_all()
    assert held.kept("test-part", 2, 60, compute) == 2  # from the cache
    assert held.kept("test-part", 3, 0, compute) == 3
    assert held.kept("test-part", 3, 0, compute) == 4  # kept for no time
