"""Draft and review in the admin: new records are drafts, editors publish them."""

import pytest
from django.contrib.auth.models import Group, User

from relations.models import Event, Source
from tests.factories import CitationFactory, EventFactory, SourceFactory
from tests.test_admin import event_form

pytestmark = pytest.mark.django_db


def make_editor(name):
    user = User.objects.create_user(name, password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor(client):
    user = make_editor("first-editor")
    client.force_login(user)
    return user


def add_event_in_admin(client):
    source = SourceFactory(text="The ministers signed a protocol on customs in Minsk.")
    response = client.post(
        "/admin/relations/event/add/", event_form(source, "signed a protocol on customs")
    )
    assert response.status_code == 302
    return Event.objects.get(slug="ministers-meet-in-minsk")


def test_an_event_added_in_the_admin_is_a_draft_nobody_else_sees(client, editor):
    event = add_event_in_admin(client)
    assert event.is_draft
    assert client.get(event.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_a_source_added_in_the_admin_is_a_draft(client, editor):
    response = client.post(
        "/admin/relations/source/add/",
        {
            "title": "Customs protocol",
            "slug": "customs-protocol",
            "publisher": "Example Wire",
            "kind": "news",
            "language": "en",
            "published_precision": "day",
            "reliability": "reliable",
            "text": "Some text.",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Source.objects.get(slug="customs-protocol").is_draft


def test_publish_button_publishes_the_event_and_its_draft_sources(client, editor):
    event = add_event_in_admin(client)
    source = event.cited_sources().get()
    source.publication = Source.Publication.DRAFT
    source.save()

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}, follow=True
    )

    assert "Published" in response.content.decode()
    event.refresh_from_db()
    source.refresh_from_db()
    assert not event.is_draft and not source.is_draft
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 200
    assert "Ministers meet in Minsk" in client.get("/?q=protocol").content.decode()


def test_publication_view_refuses_get(client, editor):
    event = add_event_in_admin(client)
    assert client.get(f"/admin/relations/event/{event.pk}/publication/").status_code == 405


def test_return_to_draft_takes_an_event_off_the_timeline(client, editor):
    event = EventFactory(title="Visible event")
    assert "Visible event" in client.get("/").content.decode()
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "draft"})
    event.refresh_from_db()
    assert event.is_draft
    client.logout()
    assert "Visible event" not in client.get("/").content.decode()


def test_publish_action_on_the_list(client, editor):
    drafts = EventFactory.create_batch(2, publication=Event.Publication.DRAFT)
    response = client.post(
        "/admin/relations/event/",
        {"action": "publish_selected", "_selected_action": [e.pk for e in drafts]},
        follow=True,
    )
    assert response.status_code == 200
    assert Event.objects.drafts().count() == 0


def test_history_shows_who_drafted_and_who_published(client, editor):
    event = add_event_in_admin(client)
    second = make_editor("second-editor")
    client.force_login(second)
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"})

    records = list(event.history.order_by("history_date"))
    assert [(r.history_user, r.history_change_reason, r.publication) for r in records] == [
        (editor, "Drafted", "draft"),
        (second, "Published", "published"),
    ]
    html = client.get(f"/admin/relations/event/{event.pk}/history/").content.decode()
    assert "first-editor" in html and "second-editor" in html
    assert "Drafted" in html and "Published" in html


def test_second_editor_rule_refuses_the_author_and_lets_another_editor_publish(
    client, editor, settings
):
    settings.TIMELINE_REQUIRE_SECOND_EDITOR = True
    event = add_event_in_admin(client)

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}, follow=True
    )
    assert "needs a second editor" in response.content.decode()
    event.refresh_from_db()
    assert event.is_draft

    client.force_login(make_editor("reviewer"))
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"})
    event.refresh_from_db()
    assert not event.is_draft


def test_a_refused_source_keeps_the_event_from_being_published(client, editor, settings):
    """Publishing an event with its sources is all or nothing."""
    settings.TIMELINE_REQUIRE_SECOND_EDITOR = True
    reviewer = make_editor("reviewer")
    event = EventFactory(publication=Event.Publication.DRAFT)
    source = SourceFactory(publication=Source.Publication.DRAFT)
    source._history_user = reviewer
    source.save()
    Source.history.filter(id=source.pk).update(history_user=reviewer)
    CitationFactory(event=event, source=source)

    client.force_login(reviewer)
    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}, follow=True
    )
    assert "needs a second editor" in response.content.decode()
    event.refresh_from_db()
    assert event.is_draft


def test_staff_without_the_publish_permission_cannot_publish(client):
    contributor = User.objects.create_user("contributor", is_staff=True)
    contributor.user_permissions.add(
        *Group.objects.get(name="Editors").permissions.exclude(codename__startswith="publish_")
    )
    client.force_login(contributor)
    event = EventFactory(publication=Event.Publication.DRAFT)
    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}, follow=True
    )
    assert "do not have permission to publish" in response.content.decode()
    event.refresh_from_db()
    assert event.is_draft
    actions = client.get("/admin/relations/event/").content.decode()
    assert "publish_selected" not in actions


def test_event_list_filters_drafts(client, editor):
    EventFactory(title="A draft to review", publication=Event.Publication.DRAFT)
    EventFactory(title="Already public")
    html = client.get("/admin/relations/event/?publication__exact=draft").content.decode()
    assert "A draft to review" in html
    assert "Already public" not in html
