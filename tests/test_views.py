import pytest

pytestmark = pytest.mark.django_db


def test_timeline_lists_fixture_events_in_date_order(client, timeline):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("establish diplomatic relations") < html.index("Eagle Assault-2024")
    assert '<time datetime="1992-01-20">20 January 1992</time>' in html


def test_event_page_shows_its_citations(client, timeline):
    response = client.get("/events/joint-statement-2024/")
    assert response.status_code == 200
    assert "The joint statement, released on August 23, 2024" in response.content.decode()


def test_unknown_event_is_404(client, db):
    assert client.get("/events/no-such-event/").status_code == 404
