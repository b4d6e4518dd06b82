import pytest
from django.contrib.auth.models import Group, User

from relations.models import Citation, Event, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def event_form(source, quote, **overrides):
    data = {
        "title": "Ministers meet in Minsk",
        "slug": "ministers-meet-in-minsk",
        "summary": "They meet.",
        "category": "diplomacy",
        "date_edtf": "2024-08-22",
        "status_override": "",
        "status_override_reason": "",
        "date_note": "",
        "notes": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-source": str(source.pk),
        "citations-0-quote": quote,
        "citations-0-stance": "supports",
        "citations-0-locator": "",
        "citations-0-prefix": "",
        "citations-0-suffix": "",
        "citations-0-claimed_date": "",
        "citations-0-rank": "normal",
        "citations-0-rank_reason": "",
        "citations-0-note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ["event", "source", "citation", "actor"])
def test_editor_sees_every_admin_page(client, editor, timeline, model):
    obj = {"event": Event, "source": Source, "citation": Citation}.get(model)
    assert client.get(f"/admin/relations/{model}/").status_code == 200
    assert client.get(f"/admin/relations/{model}/add/").status_code == 200
    if obj:
        pk = obj.objects.first().pk
        assert client.get(f"/admin/relations/{model}/{pk}/change/").status_code == 200
        assert client.get(f"/admin/relations/{model}/{pk}/history/").status_code == 200


def test_event_list_shows_date_category_status_and_citation_count(client, editor, timeline):
    html = client.get("/admin/relations/event/?q=Li+Shangfu").content.decode()
    assert "16–18 August 2023" in html
    assert "Security &amp; defence" in html
    assert "Reported" in html
    assert 'field-citation_count">3<' in html


def test_event_change_page_links_to_the_public_page(client, editor, timeline):
    event = Event.objects.get(slug="joint-statement-2024")
    html = client.get(f"/admin/relations/event/{event.pk}/change/").content.decode()
    assert "View on site" in html


def test_source_autocomplete_finds_sources_by_title(client, editor, timeline):
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "Bolster",
            "app_label": "relations",
            "model_name": "citation",
            "field_name": "source",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == [
        "China and Belarus Bolster Cooperation Across Multiple Sectors"
    ]


def test_adding_an_event_with_a_verbatim_citation(client, editor, timeline):
    source = Source.objects.get(slug="theworldnews-2024-08-23-china-belarus-cooperation")
    response = client.post(
        "/admin/relations/event/add/",
        event_form(source, "China and Belarus have agreed to strengthen ties in trade"),
    )
    assert response.status_code == 302
    event = Event.objects.get(slug="ministers-meet-in-minsk")
    assert event.citations.get().source == source
    assert event.history.first().history_user == editor


def test_citation_not_verbatim_is_refused_with_the_closest_passage(client, editor, timeline):
    source = Source.objects.get(slug="theworldnews-2024-08-23-china-belarus-cooperation")
    response = client.post(
        "/admin/relations/event/add/",
        event_form(source, "China and Belarus agreed to strengthen ties in trade"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "not found verbatim" in html
    assert "Closest passage: “China and Belarus have agreed to strengthen ties in trade" in html
    assert not Event.objects.filter(slug="ministers-meet-in-minsk").exists()


def test_event_ending_before_it_starts_is_refused(client, editor, timeline):
    source = Source.objects.first()
    response = client.post(
        "/admin/relations/event/add/",
        event_form(source, source.text[:20], date_edtf="2024-08-22/2024-08-01"),
    )
    assert "The range ends (1 August 2024) before it starts (22 August 2024)." in (
        response.content.decode()
    )


def test_source_text_edit_that_would_break_citations_is_refused(client, editor, timeline):
    source = Source.objects.get(slug="idn-2023-08-china-defence-minister-in-belarus")
    change_url = f"/admin/relations/source/{source.pk}/change/"
    form = client.get(change_url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["text"] = source.text.replace("commenced on Wednesday", "began on Wednesday")
    data.update(_inline_management(client.get(change_url).context))

    response = client.post(change_url, data)

    assert response.status_code == 200
    assert "would break 1 citation(s)" in response.content.decode()
    source.refresh_from_db()
    assert "commenced on Wednesday" in source.text


def _inline_management(context):
    data = {}
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                data[f"{form.prefix}-{name}"] = "" if value is None else value
    return data


def test_change_history_records_who_and_what(client, editor, timeline):
    event = Event.objects.get(slug="joint-statement-2024")
    event.title = "A better title"
    event._history_user = editor
    event.save()
    html = client.get(f"/admin/relations/event/{event.pk}/history/").content.decode()
    assert "editor" in html
    assert "A better title" in html


def test_editors_group_cannot_manage_users(client, editor):
    assert client.get("/admin/auth/user/").status_code == 403


def test_editors_group_has_the_timeline_permissions(db):
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    for model in ("event", "source", "citation", "actor"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert not any("user" in codename for codename in codenames)


def test_public_site_needs_no_login(client, timeline):
    assert client.get("/").status_code == 200
    assert client.get("/events/joint-statement-2024/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_event_change_form_saves_unchanged_citations_back(client, editor, timeline):
    event = Event.objects.get(slug="li-shangfu-visits-belarus")
    change_url = f"/admin/relations/event/{event.pk}/change/"
    context = client.get(change_url).context
    form = context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["actors"] = [actor.pk for actor in event.actors.all()]
    data.update(_inline_management(context))
    for inline in context["inline_admin_formsets"]:
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[inline_form.add_prefix(name)] = "" if value is None else value
    data["title"] = "Li Shangfu's visit, edited"

    response = client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title == "Li Shangfu's visit, edited"
    assert event.date_edtf == "2023-08-16/2023-08-18"
