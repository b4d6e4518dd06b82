import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management.utils import get_random_secret_key

from tests.factories import ActorFactory, CitationFactory, EventFactory, SourceFactory

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = '<script>alert("owned")</script>'


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_production_settings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=get_random_secret_key(), ALLOWED_HOSTS="example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_public_pages_send_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/events/joint-statement-2024/", "/sources/chinese-troops-in-belarus-explainer/"]
)
def test_every_script_carries_this_responses_nonce_and_nothing_is_inline(client, timeline, url):
    response = client.get(url)
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)
    assert " style=" not in html
    assert "hx-on" not in html


def test_nonce_changes_with_every_response(client, db):
    first = client.get("/")["Content-Security-Policy"]
    assert first != client.get("/")["Content-Security-Policy"]


@pytest.fixture
def hostile(db):
    actor = ActorFactory(name=f"Actor {SCRIPT}")
    source = SourceFactory(
        slug="hostile-source",
        title=f"Source {SCRIPT}",
        publisher=SCRIPT,
        reliability="mixed",
        reliability_note=SCRIPT,
        text=f"Before. The quote {SCRIPT} is here. After.",
        notes=SCRIPT,
    )
    event = EventFactory(
        slug="hostile-event",
        title=f"Event {SCRIPT}",
        summary=SCRIPT,
        date_note=SCRIPT,
        notes=SCRIPT,
        actors=[actor],
    )
    CitationFactory(event=event, source=source, quote=f"The quote {SCRIPT} is here.", note=SCRIPT)


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/", {}),
        ("/?q=quote", {"HX-Request": "true"}),
        ("/events/hostile-event/", {}),
        ("/sources/hostile-source/", {}),
        ("/sources/", {}),
        ("/feed/", {}),
        ("/export/timelinejs/", {}),
    ],
)
def test_text_from_sources_and_editors_is_escaped(client, hostile, url, headers):
    response = client.get(url, headers=headers)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "alert" in body  # the text is there, escaped


class Tags(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("source=hostile-source&order=-date", f"Source {SCRIPT}"),
        ("q=%3Cscript%3Ealert%28%22owned%22%29&order=-date", '<script>alert("owned")'),
    ],
    ids=["source-title", "search"],
)
def test_embed_snippet_copies_text_from_sources_and_readers_as_text(
    client, hostile, query, text, settings
):
    settings.EMBED_FRAME_ANCESTORS = ["https://news.example.org"]
    page = client.get(f"/?{query}").content.decode()
    (textarea,) = re.findall(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S)
    copied = html.unescape(textarea)  # what the browser shows, and the reader pastes

    ((tag, attributes),) = Tags(copied).tags
    assert tag == "iframe"
    assert text in attributes["title"]
    assert attributes["src"] == f"http://testserver/embed/?{query}"


def test_admin_pages_escape_editor_text(client, hostile):
    client.force_login(User.objects.create_superuser("boss", password="a-long-password-1"))
    for url in [
        "/admin/relations/event/",
        "/admin/relations/source/",
        "/admin/relations/citation/",
    ]:
        assert "<script>alert" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_admin_login_is_locked_after_five_failures(client):
    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})

    response = client.post(
        "/admin/login/", {"username": "editor", "password": "the-right-password"}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_failures_below_the_limit_do_not_lock(client):
    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for _ in range(4):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "the-right-password"}
    )
    assert response.status_code == 302
