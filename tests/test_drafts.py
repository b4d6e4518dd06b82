"""Guard: a draft never reaches a reader.

Adds a draft event and a draft source (cited by a published event) to the
China–Belarus timeline, and crawls every public URL as an anonymous reader:
pages, htmx fragments, searches, filters, every export format and the feed.
Nothing of the drafts may show, and every public response must be the same
as before the drafts existed (counts included). An editor visits first, so a
cache filled by an editor's preview would be caught too.

Whoever adds a public URL adds it to PUBLIC_URL_NAMES and to the crawl.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.urls import get_resolver

from relations.models import Citation, Event, Source
from tests.factories import CitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

SECRET = "quxdraftmarker"
DRAFT_EVENT_SLUG = "zz-draft-summit"
DRAFT_SOURCE_SLUG = "zz-draft-source"

# Every named URL of the public site, and how the crawl reaches it.
PUBLIC_URL_NAMES = {
    "timeline", "event", "sources", "source", "export", "export-schema", "feed", "healthz",
    "readyz", "about", "embed", "favicon",  # favicon: a fixed icon, no data to crawl
    "data", "sitemap", "robots",
}  # fmt: skip

SEARCHES = [SECRET, "summit", "Belarus", "Minsk", "1992", "Quxdraft"]
EXPORT_FORMATS = ["json", "csv", "csv-excel", "ics", "timelinejs", "annotations"]
MAX_PAGES = 400


def add_drafts():
    published_source = Source.objects.get(slug="theworldnews-2024-08-23-china-belarus-cooperation")
    draft_source = SourceFactory(
        slug=DRAFT_SOURCE_SLUG,
        title=f"Draft source {SECRET}",
        publisher=f"Draft publisher {SECRET}",
        text=f"In Minsk the {SECRET} summit of 1992 took place. Belarus and China met.",
        publication=Source.Publication.DRAFT,
    )
    draft_event = EventFactory(
        slug=DRAFT_EVENT_SLUG,
        title=f"Draft summit in Minsk {SECRET}",
        summary=f"Belarus {SECRET}",
        start_date="2024-08-22",
        publication=Event.Publication.DRAFT,
    )
    # A quote that occurs once: the article's title, at its start, occurs twice.
    CitationFactory(
        event=draft_event,
        source=published_source,
        quote="China and Belarus have agreed to strengthen ties",
    )
    CitationFactory(event=draft_event, source=draft_source, quote=draft_source.text[:30])
    # A published event citing the draft source: the quote must stay hidden.
    published_event = Event.objects.get(slug="joint-statement-2024")
    CitationFactory(event=published_event, source=draft_source, quote=f"the {SECRET} summit")
    return draft_event, draft_source


def fixed_urls():
    urls = ["/", "/sources/", "/feed/", "/healthz", "/schemas/export-1.json", "/readyz", "/about/"]
    urls += ["/sources/?kind=text", "/sources/?kind=reference", "/sources/?q=draft"]
    urls += ["/data/", f"/data/?q={SECRET}", "/sitemap.xml", "/robots.txt"]
    urls += [
        "/embed/",
        f"/embed/?source={DRAFT_SOURCE_SLUG}",
        "/embed/?year_from=2024&year_to=2024",
    ]
    for query in SEARCHES:
        urls += [f"/?q={query}", f"/feed/?q={query}"]
        urls += [f"/export/{fmt}/?q={query}" for fmt in EXPORT_FORMATS]
    urls += [f"/export/{fmt}/" for fmt in EXPORT_FORMATS]
    urls += [f"/?source={DRAFT_SOURCE_SLUG}", f"/export/csv/?source={DRAFT_SOURCE_SLUG}"]
    urls += ["/?year_from=2024&year_to=2024", "/?category=diplomacy", "/?order=-date"]
    urls += [f"/events/{DRAFT_EVENT_SLUG}/", f"/sources/{DRAFT_SOURCE_SLUG}/"]
    return urls


def crawl(client, first=()):
    """{url: (status, normalised body)} for `first`, the fixed URLs and every site link found
    from them."""
    seen, queue = {}, [*first, *fixed_urls()]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = re.sub(r'nonce="[^"]*"', "", body.decode())
            if "<feed" in text and "<entry>" not in text:
                # An empty feed says it was updated now.
                text = re.sub(r"<updated>[^<]*</updated>", "", text)
            seen[url if not headers else f"htmx:{url}"] = (response.status_code, text)
        for link in re.findall(r'href="([^"]+)"', seen[url][1]):
            link = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc or parts.path.startswith(("/admin", "/static")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.fixture
def editor_client(client, django_user_model):
    from django.test import Client

    editor = django_user_model.objects.create_user("previewer", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    editor_client = Client()
    editor_client.force_login(editor)
    return editor_client


def test_every_public_url_name_is_crawled():
    names = {
        pattern.name
        for pattern in get_resolver("relations.urls").url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == PUBLIC_URL_NAMES, "a new public URL: add it to the drafts crawl"


def test_drafts_never_reach_an_anonymous_reader(client, timeline, editor_client):
    before = crawl(client)

    add_drafts()
    # An editor previews the drafts and browses the site first.
    assert SECRET in editor_client.get(f"/events/{DRAFT_EVENT_SLUG}/").content.decode()
    assert SECRET in editor_client.get(f"/sources/{DRAFT_SOURCE_SLUG}/").content.decode()
    crawl(editor_client)
    after = crawl(client)

    assert len(after) > 50
    for url, (_status, text) in after.items():
        # A page echoes its own query (the search box, links); the comparison with
        # `before` below covers those URLs.
        if SECRET in url.lower() or DRAFT_SOURCE_SLUG in url:
            continue
        assert SECRET not in text.lower(), url
        assert DRAFT_EVENT_SLUG not in text, url
        assert DRAFT_SOURCE_SLUG not in text, url
    assert "There is no source" in after[f"/?source={DRAFT_SOURCE_SLUG}"][1]
    assert after[f"/events/{DRAFT_EVENT_SLUG}/"][0] == 404
    assert after[f"/sources/{DRAFT_SOURCE_SLUG}/"][0] == 404
    changed = [url for url in before if before[url] != after.get(url)]
    assert changed == []


def test_a_logged_in_reader_who_is_not_an_editor_gets_404_for_drafts(client, timeline):
    add_drafts()
    client.force_login(User.objects.create_user("reader", password="x-long-password"))
    assert client.get(f"/events/{DRAFT_EVENT_SLUG}/").status_code == 404
    assert client.get(f"/sources/{DRAFT_SOURCE_SLUG}/").status_code == 404


def test_editor_previews_a_draft_with_a_banner_and_no_shared_caching(timeline, editor_client):
    add_drafts()
    response = editor_client.get(f"/events/{DRAFT_EVENT_SLUG}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="draft-banner"' in html
    assert "Review and publish in the admin" in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    source_page = editor_client.get(f"/sources/{DRAFT_SOURCE_SLUG}/").content.decode()
    assert 'class="draft-banner"' in source_page


def test_published_event_page_hides_quotes_from_a_draft_source(client, timeline, editor_client):
    add_drafts()
    url = "/events/joint-statement-2024/"
    assert SECRET not in client.get(url).content.decode()
    editor_page = editor_client.get(url).content.decode()
    assert SECRET in editor_page
    assert 'class="draft-tag"' in editor_page


def test_search_ignores_quotes_from_draft_sources_until_they_are_published(client, timeline):
    add_drafts()
    assert Event.objects.public().search(SECRET).count() == 0
    draft_source = Source.objects.get(slug=DRAFT_SOURCE_SLUG)
    draft_source.publication = Source.Publication.PUBLISHED
    draft_source.save()
    assert list(Event.objects.public().search(SECRET).values_list("slug", flat=True)) == [
        "joint-statement-2024"
    ]


def test_independent_source_counts_leave_draft_sources_out(timeline):
    event = Event.objects.get(slug="joint-statement-2024")
    (shown,) = Event.objects.filter(pk=event.pk).for_display()
    add_drafts()
    (after,) = Event.objects.filter(pk=event.pk).for_display()
    assert after.independent_sources == shown.independent_sources
    assert Citation.objects.public().filter(source__slug=DRAFT_SOURCE_SLUG).count() == 0
