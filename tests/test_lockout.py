"""Admin login lockout behind a TLS proxy: per client address, not per proxy."""

import json

import pytest
from django.contrib.auth.models import User

from tests.test_security import manage

PROXY = "10.0.0.2"
PROXY_SETTINGS = (
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "IPWARE_STRICT",
)


def production_settings(**env):
    """The ipware settings config/settings.py derives from the environment."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {PROXY_SETTINGS!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def behind_one_proxy(settings):
    for name, value in production_settings(DJANGO_BEHIND_TLS_PROXY="1").items():
        setattr(settings, name, value)


def log_in(client, client_address, password, spoofed=""):
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return client.post(
        "/admin/login/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_lockout_behind_the_proxy_is_per_client_address(client, behind_one_proxy):
    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for _ in range(5):
        log_in(client, "198.51.100.7", "wrong")

    assert log_in(client, "198.51.100.7", "the-right-password").status_code == 429
    other = log_in(client, "203.0.113.9", "the-right-password")
    assert other.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_client_cannot_dodge_the_lockout_by_writing_its_own_forwarded_for(
    client, behind_one_proxy
):
    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for n in range(5):
        log_in(client, "198.51.100.7", "wrong", spoofed=f"192.0.2.{n}")
    response = log_in(client, "198.51.100.7", "the-right-password", spoofed="192.0.2.99")
    assert response.status_code == 429


def test_trusted_proxy_count_is_a_setting():
    assert production_settings()["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    two = production_settings(DJANGO_BEHIND_TLS_PROXY="1", DJANGO_TRUSTED_PROXY_COUNT="2")
    assert two["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    assert two["AXES_IPWARE_PROXY_COUNT"] == 1


@pytest.mark.django_db
def test_two_proxies_take_the_address_the_first_one_saw(client, settings):
    for name, value in production_settings(
        DJANGO_BEHIND_TLS_PROXY="1", DJANGO_TRUSTED_PROXY_COUNT="2"
    ).items():
        setattr(settings, name, value)
    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for _ in range(5):
        log_in(client, "198.51.100.7, 10.0.0.1", "wrong")
    assert log_in(client, "198.51.100.7, 10.0.0.1", "the-right-password").status_code == 429
    assert log_in(client, "203.0.113.9, 10.0.0.1", "the-right-password").status_code == 302
