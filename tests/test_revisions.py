"""Publishing needs the right: no path changes what readers see without the publish
permission, and with the second-editor rule nobody publishes their own changes."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations.editing.spreadsheets import apply, preview
from relations.models import Event
from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory
from tests.test_publication import make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(client):
    """Staff who may change everything but publish nothing."""
    user = User.objects.create_user("contributor", is_staff=True)
    user.user_permissions.add(
        *Group.objects.get(name="Editors").permissions.exclude(codename__startswith="publish_")
    )
    client.force_login(user)
    return user


@pytest.fixture
def editor(client):
    user = make_editor("first-editor")
    client.force_login(user)
    return user


@pytest.fixture
def second_editor_rule(settings):
    settings.TIMELINE_REQUIRE_SECOND_EDITOR = True


def form_data(client, url):
    """What the admin page at `url` would post back unchanged, inlines included."""
    response = client.get(url)
    assert response.status_code == 200
    context = response.context
    form = context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in inline.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[inline_form.add_prefix(name)] = "" if value is None else value
    return data


def edit(client, event, **changes):
    url = f"/admin/relations/event/{event.pk}/change/"
    return client.post(url, {**form_data(client, url), **changes}, follow=True)


def save_as(user, record, reason="", **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._history_user = user
    record._change_reason = reason
    record.save()


def test_reverting_to_an_older_published_version_does_not_publish(client, contributor):
    publisher = make_editor("publisher")
    event = EventFactory(title="Talks in Minsk")
    save_as(publisher, event, "Published")
    save_as(publisher, event, "Returned to draft", publication=Event.Publication.DRAFT)
    published_version = event.history.filter(publication="published").latest("history_date")

    url = f"/admin/relations/event/{event.pk}/history/{published_version.history_id}/"
    response = client.post(url, form_data(client, url), follow=True)

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.is_draft
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_reverting_a_published_event_without_the_right_waits_for_review(client, contributor):
    event = EventFactory(title="The right title")
    save_as(contributor, event, title="A wrong title")
    Event.objects.filter(pk=event.pk).update(title="The right title")
    wrong = event.history.get(title="A wrong title")

    url = f"/admin/relations/event/{event.pk}/history/{wrong.history_id}/"
    response = client.post(url, form_data(client, url), follow=True)

    assert "pending revision" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "The right title" and not event.is_draft
    assert event.revisions.get().values["title"] == "A wrong title"


def test_a_deleted_published_event_reverted_comes_back_as_a_draft(client, editor):
    event = EventFactory(title="Deleted then restored")
    save_as(editor, event)
    version = event.history.latest("history_date")
    pk = event.pk
    event.delete()

    url = f"/admin/relations/event/{pk}/history/{version.history_id}/"
    client.post(url, form_data(client, url))

    assert Event.objects.get(pk=pk).is_draft


def test_without_the_publish_permission_an_edit_of_a_published_event_is_a_revision(
    client, contributor
):
    event = EventFactory(title="Live title")

    response = edit(client, event, title="Contributor's title")

    assert "pending revision" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Live title"
    revision = event.revisions.get()
    assert (revision.author, revision.state) == (contributor, "pending")
    assert client.get(event.get_absolute_url()).content.decode().count("Contributor's title") == 0
    log = LogEntry.objects.get(object_id=str(event.pk))
    assert log.get_change_message() == "Proposed a revision."


def test_an_editor_without_the_rule_edits_a_published_event_live(client, editor):
    event = EventFactory(title="Live title")
    edit(client, event, title="Corrected title")
    event.refresh_from_db()
    assert event.title == "Corrected title"
    assert not event.revisions.exists()


def test_with_the_rule_the_same_editor_cannot_edit_a_published_event_live(
    client, editor, second_editor_rule
):
    event = EventFactory(title="Live title")

    response = edit(client, event, title="My own title")

    assert "pending revision" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Live title"
    revision = event.revisions.get()
    change_page = client.get(f"/admin/relations/event/{event.pk}/change/").content.decode()
    assert "My own title" in change_page and "Pending revision" in change_page

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/",
        {"publication": "publish-revision", "revision": revision.pk},
        follow=True,
    )
    assert "needs a second editor" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Live title"


def test_a_second_editor_publishes_the_revision(client, editor, second_editor_rule):
    event = EventFactory(title="Live title")
    edit(client, event, title="Reviewed title")
    revision = event.revisions.get()

    reviewer = make_editor("reviewer")
    client.force_login(reviewer)
    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/",
        {"publication": "publish-revision", "revision": revision.pk},
        follow=True,
    )

    assert response.status_code == 200
    event.refresh_from_db()
    revision.refresh_from_db()
    assert event.title == "Reviewed title" and not event.is_draft
    assert (revision.state, revision.decided_by) == ("published", reviewer)
    latest = event.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        reviewer,
        "Published revision by first-editor",
    )


def test_return_to_draft_edit_and_publish_by_the_same_editor_is_refused(
    client, editor, second_editor_rule
):
    event = EventFactory(title="Live title")
    save_as(make_editor("original-author"), event, "Published")
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "draft"})
    edit(client, event, title="Changed while a draft")

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"}, follow=True
    )

    assert "needs a second editor" in response.content.decode()
    event.refresh_from_db()
    assert event.is_draft


def test_returning_to_draft_alone_does_not_count_as_a_change(client, editor, second_editor_rule):
    event = EventFactory()
    save_as(make_editor("original-author"), event, "Published")
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "draft"})
    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"})
    event.refresh_from_db()
    assert not event.is_draft


def test_a_citation_added_to_a_draft_counts_as_a_change_to_it(client, editor, second_editor_rule):
    event = EventFactory(publication=Event.Publication.DRAFT)
    save_as(make_editor("original-author"), event, "Drafted")
    citation = CitationFactory.build(event=event, source=SourceFactory())
    citation._history_user = editor
    citation.save()

    client.post(f"/admin/relations/event/{event.pk}/publication/", {"publication": "publish"})

    event.refresh_from_db()
    assert event.is_draft


def test_without_the_right_the_citations_of_a_published_event_are_read_only(client, contributor):
    citation = CitationFactory(note="The live note")
    event = citation.event

    response = edit(client, event, **{"citations-0-note": "A note that skips review"})

    assert response.status_code == 200
    citation.refresh_from_db()
    assert citation.note == "The live note"
    url = f"/admin/relations/citation/{citation.pk}/change/"
    client.post(url, {"event": event.pk, "source": citation.source.pk, "note": "Skips review"})
    citation.refresh_from_db()
    assert citation.note == "The live note"


def test_the_cite_view_refuses_a_published_event_without_the_right(client, contributor):
    source = SourceFactory(text="The ministers signed a protocol on customs in Minsk.")
    event = EventFactory()

    response = client.post(
        "/admin/relations/source/cite/",
        {"event": event.slug, "source": source.pk, "start": 14, "end": 31},
        follow=True,
    )

    assert response.status_code == 200
    assert not event.citations.exists()


def test_a_contributor_withdraws_their_own_revision(client, contributor):
    event = EventFactory(title="Live title")
    edit(client, event, title="Second thoughts")
    revision = event.revisions.get()

    client.post(
        f"/admin/relations/event/{event.pk}/publication/",
        {"publication": "withdraw-revision", "revision": revision.pk},
    )

    revision.refresh_from_db()
    assert revision.state == "withdrawn"
    event.refresh_from_db()
    assert event.title == "Live title"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"publication": "nonsense"},
        {"publication": "publish-revision"},
        {"publication": "publish-revision", "revision": "x"},
        {"publication": "publish-revision", "revision": "999999"},
        {"publication": "withdraw-revision", "revision": "-1"},
        {"publication": "withdraw-revision", "revision": "²"},
        {"publication": "publish-revision", "revision": "9" * 30},
    ],
)
def test_bad_publication_posts_get_a_4xx_or_a_message(client, editor, data):
    event = EventFactory()
    response = client.post(f"/admin/relations/event/{event.pk}/publication/", data, follow=True)
    assert response.status_code < 500
    event.refresh_from_db()
    assert not event.is_draft


def test_a_revision_that_no_longer_validates_is_refused_with_the_reason(client, contributor):
    event = EventFactory(title="Live title")
    edit(client, event, slug="taken-slug")
    EventFactory(slug="taken-slug")
    client.force_login(make_editor("reviewer"))

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/",
        {"publication": "publish-revision", "revision": event.revisions.get().pk},
        follow=True,
    )

    assert "already exists" in response.content.decode()
    event.refresh_from_db()
    assert event.slug != "taken-slug"
    assert event.revisions.get().state == "pending"


def test_a_source_edit_without_the_right_is_a_revision(client, contributor):
    source = SourceFactory(title="Live source title")
    url = f"/admin/relations/source/{source.pk}/change/"

    client.post(url, {**form_data(client, url), "title": "Proposed title"})

    source.refresh_from_db()
    assert source.title == "Live source title"
    assert source.revisions.get().values == {"title": "Proposed title"}


def test_a_spreadsheet_update_of_a_published_event_is_a_pending_revision(timeline):
    importer = make_editor("importer")
    event = Event.objects.public().get(slug="joint-statement-2024")
    header = "slug,title,start_date,category,summary\n"
    row = f"{event.slug},A corrected title,{event.start_date},{event.category},{event.summary}\n"

    outcomes = preview((header + row).encode(), "update.csv")
    assert [outcome.outcome for outcome in outcomes] == ["update"]
    apply(outcomes, importer)

    live = Event.objects.get(pk=event.pk)
    assert (live.title, live.is_draft) == (event.title, False)
    revision = live.revisions.get()
    assert (revision.author, revision.values["title"]) == (importer, "A corrected title")


def test_a_spreadsheet_update_of_a_draft_updates_the_draft(db):
    event = EventFactory(title="Draft title", publication=Event.Publication.DRAFT)
    header = "slug,title,start_date,category,summary\n"
    row = f"{event.slug},Updated draft,{event.start_date},{event.category},{event.summary}\n"

    apply(preview((header + row).encode(), "update.csv"))

    event.refresh_from_db()
    assert (event.title, event.is_draft) == ("Updated draft", True)
    assert not event.revisions.exists()


def test_without_the_right_a_published_event_cannot_be_deleted(client, contributor):
    event = EventFactory()
    draft = EventFactory(publication=Event.Publication.DRAFT)

    client.post(f"/admin/relations/event/{event.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/relations/event/{draft.pk}/delete/", {"post": "yes"})

    assert Event.objects.filter(pk=event.pk).exists()
    assert not Event.objects.filter(pk=draft.pk).exists()


def test_admin_pages_render_with_a_pending_revision(client, contributor):
    event = EventFactory(title="Live title")
    edit(client, event, title="Proposed title", actors=[])
    version = event.history.latest("history_date")

    for url in (
        "/admin/relations/event/",
        f"/admin/relations/event/{event.pk}/change/",
        f"/admin/relations/event/{event.pk}/history/",
        f"/admin/relations/event/{event.pk}/history/{version.history_id}/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_revision_naming_a_deleted_actor_is_refused_with_the_reason(client, contributor):
    actor = ActorFactory()
    event = EventFactory()
    edit(client, event, actors=[actor.pk])
    actor.delete()
    client.force_login(make_editor("reviewer"))

    response = client.post(
        f"/admin/relations/event/{event.pk}/publication/",
        {"publication": "publish-revision", "revision": event.revisions.get().pk},
        follow=True,
    )

    assert "no longer exist" in response.content.decode()
    assert event.revisions.get().state == "pending"


def test_the_change_page_reads_pending_revisions_in_a_fixed_number_of_queries(client, contributor):
    event = EventFactory(title="Live title")
    url = f"/admin/relations/event/{event.pk}/change/"
    counts = []
    for revisions in (1, 5):
        while event.revisions.count() < revisions:
            edit(client, event, title=f"Proposal {event.revisions.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
