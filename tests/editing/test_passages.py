"""From a proposed sentence to a citation or a new draft event."""

import pytest

from relations.models import Citation, Event, Source
from tests.test_admin import event_form

pytestmark = pytest.mark.django_db

SOURCE = "theworldnews-2024-08-23-china-belarus-cooperation"


def passage(source, text):
    start = source.text.index(text)
    return {"source": source.pk, "start": start, "end": start + len(text)}


def test_the_proposals_page_lists_dated_sentences_with_their_match(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    html = client.get(f"/admin/relations/source/{source.pk}/proposals/").content.decode()
    assert "This enduring partnership dates back to 1992" in html
    assert "Li Qiang and Golovchenko hold talks in Minsk" in html or "Golovchenko" in html
    assert "Create a new event from this" in html


def test_the_proposals_page_shows_which_sentences_are_already_cited(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    response = client.get(f"/admin/relations/source/{source.pk}/proposals/")
    cited = [p for p in response.context["proposals"] if p.cited_for]
    assert cited
    for proposal in cited:
        for event in proposal.cited_for:
            assert any(c.quote in proposal.sentence for c in event.citations.filter(source=source))


def test_citing_a_selected_part_of_a_sentence_for_an_existing_event(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    event = Event.objects.get(slug="joint-statement-2024")
    quote = "outlines plans to strengthen collaboration"
    response = client.post(
        "/admin/relations/source/cite/", {**passage(source, quote), "event": event.slug}
    )
    assert response.status_code == 302
    citation = Citation.objects.get(event=event, quote=quote)
    assert citation.source == source


def test_a_selection_with_surrounding_spaces_quotes_the_words_only(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    quote = " outlines plans "
    client.post(
        "/admin/relations/source/cite/",
        {**passage(source, quote), "event": "joint-statement-2024", "other_event": ""},
    )
    assert Citation.objects.filter(quote="outlines plans").exists()


def test_citing_for_another_event_by_its_slug(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    client.post(
        "/admin/relations/source/cite/",
        {
            **passage(source, "holds the position"),
            "event": "",
            "other_event": "trade-2023-above-8-4-billion",
        },
    )
    assert Citation.objects.filter(
        event__slug="trade-2023-above-8-4-billion", quote="holds the position"
    ).exists()


def test_offsets_outside_the_text_are_refused_and_nothing_saved(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    before = Citation.objects.count()
    response = client.post(
        "/admin/relations/source/cite/",
        {
            "source": source.pk,
            "start": 10,
            "end": len(source.text) + 5,
            "event": "joint-statement-2024",
        },
        follow=True,
    )
    assert "not within the source text" in response.content.decode()
    assert Citation.objects.count() == before


def test_a_new_event_form_is_prefilled_from_the_passage(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    sentence = (
        "This enduring partnership dates back to 1992, shortly after Belarus gained "
        "independence from the Soviet Union in 1991."
    )
    response = client.get("/admin/relations/event/from-passage/", passage(source, sentence))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.initial["date_edtf"] == "1992"
    assert form.initial["summary"] == sentence


def test_an_inferred_date_is_noted_on_the_new_event(client, editor, timeline):
    source = Source.objects.get(slug="idn-2023-08-china-defence-minister-in-belarus")
    response = client.get(
        "/admin/relations/event/from-passage/",
        passage(source, "The visit, which commenced on Wednesday"),
    )
    assert "Inferred from “on Wednesday”" in response.context["form"].initial["date_note"]


def new_event_data(source, quote, **overrides):
    data = {
        **passage(source, quote),
        "title": "Customs protocol signed in Minsk",
        "slug": "customs-protocol-minsk",
        "summary": "A customs protocol.",
        "category": "trade",
        "date_edtf": "2025-03-05",
        "date_note": "",
    }
    data.update(overrides)
    return data


def test_creating_the_event_saves_a_draft_with_its_verbatim_quote(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    quote = "China currently holds the position"
    response = client.post("/admin/relations/event/from-passage/", new_event_data(source, quote))
    event = Event.objects.get(slug="customs-protocol-minsk")
    assert response.status_code == 302
    assert event.is_draft
    assert event.citations.get().quote == quote
    assert event.history.get().history_change_reason == "Drafted"


def test_a_probable_duplicate_asks_before_saving(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    existing = Event.objects.get(slug="li-qiang-golovchenko-talks-minsk")
    data = new_event_data(
        source,
        "Li Qiang",
        title=existing.title,
        slug="talks-again",
        category=existing.category,
        date_edtf=existing.date_edtf,
    )
    response = client.post("/admin/relations/event/from-passage/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "looks like an event already on the timeline" in html
    assert f"/admin/relations/event/{existing.pk}/change/" in html
    assert not Event.objects.filter(slug="talks-again").exists()

    response = client.post(
        "/admin/relations/event/from-passage/", {**data, "not_a_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Event.objects.filter(slug="talks-again").exists()


def test_the_admin_event_form_warns_of_a_duplicate_until_confirmed(client, editor, timeline):
    source = Source.objects.get(slug=SOURCE)
    existing = Event.objects.get(slug="li-qiang-golovchenko-talks-minsk")
    data = event_form(
        source,
        "Li Qiang noted that the relationship",
        title=existing.title + " (again)",
        start_date=existing.start_date.isoformat(),
        precision=existing.precision,
        category=existing.category,
    )
    response = client.post("/admin/relations/event/add/", data)
    html = response.content.decode()
    assert "looks like an event already on the timeline" in html
    assert "This is a different event" in html
    assert not Event.objects.filter(slug="ministers-meet-in-minsk").exists()

    response = client.post("/admin/relations/event/add/", {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302


def test_same_actors_and_category_on_overlapping_dates_is_a_duplicate(timeline):
    from relations.editing.duplicates import probable_duplicates

    existing = Event.objects.get(slug="li-qiang-golovchenko-talks-minsk")
    candidate = Event(
        title="Prime ministers confer",
        start_date=existing.start_date,
        precision="day",
        category=existing.category,
    )
    actors = [actor.pk for actor in existing.actors.all()]
    assert [event for event, _why in probable_duplicates(candidate, actors)] == [existing]
    candidate.category = "energy"
    assert probable_duplicates(candidate, actors) == []


def test_editing_an_event_does_not_call_it_a_duplicate_of_itself(client, editor, timeline):
    event = Event.objects.get(slug="joint-statement-2024")
    change_url = f"/admin/relations/event/{event.pk}/change/"
    form = client.get(change_url).context["adminform"].form
    assert not form.duplicates


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        (
            "Li Qiang and Golovchenko hold talks in Minsk",
            "Premier Li Qiang holds talks with Prime Minister Roman Golovchenko in Minsk",
            True,
        ),
        ("Joint statement on cooperation", "Joint statement on cooperation signed", True),
        ("Joint military exercise near Brest", "Trade exceeds 8.4 billion dollars", False),
        ("Talks in Minsk", "Railway opens", False),
    ],
)
def test_similar_titles(first, second, alike):
    from relations.editing.duplicates import similar_titles

    assert similar_titles(first, second) is alike


def test_a_repeated_phrase_is_anchored_where_the_editor_selected_it(client, editor, timeline):
    from tests.factories import EventFactory, SourceFactory

    source = SourceFactory(
        text="The ministers met in Minsk on Monday. The ministers met in Beijing in May."
    )
    event = EventFactory()
    second = source.text.index("The ministers met", 5)
    response = client.post(
        "/admin/relations/source/cite/",
        {"source": source.pk, "start": second, "end": second + 17, "event": event.slug},
    )
    assert response.status_code == 302
    citation = Citation.objects.get(event=event, source=source)
    assert (citation.quote, citation.start) == ("The ministers met", second)
