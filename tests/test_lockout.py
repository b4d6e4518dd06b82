"""Admin login lockout: per client address, which X-Forwarded-For gives only when the
request comes from a proxy the deployment names."""

import ipaddress
import json

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User

from tests.test_security import manage

PROXY = "10.0.0.2"


def trusted_proxies(**env):
    """The TRUSTED_PROXIES config/settings.py derives from the environment, as text."""
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([str(network) for network in settings.TRUSTED_PROXIES]))"
    )
    result = manage("shell", "--no-imports", "-c", code, DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def behind_the_proxy(settings):
    """The README's servers behind one proxy: DJANGO_TRUSTED_PROXIES names its address."""
    networks = trusted_proxies(DJANGO_BEHIND_TLS_PROXY="1", DJANGO_TRUSTED_PROXIES=PROXY)
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(network) for network in networks]


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password="the-right-password", is_staff=True)


def log_in(client, password, forwarded_for="", remote_addr=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        "/admin/login/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=remote_addr,
        **headers,
    )


def failed_addresses():
    return set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_without_trusted_proxies_forwarded_for_is_ignored(client, editor):
    for n in range(5):
        log_in(client, "wrong", forwarded_for=f"192.0.2.{n}", remote_addr="198.51.100.7")
    assert failed_addresses() == {"198.51.100.7"}
    forged = log_in(client, "the-right-password", "192.0.2.99", remote_addr="198.51.100.7")
    assert forged.status_code == 429
    # Nor can anyone lock another address out by writing it into the header.
    assert log_in(client, "the-right-password", remote_addr="192.0.2.1").status_code == 302


def test_reaching_the_app_port_directly_cannot_forge_the_client_address(
    client, editor, behind_the_proxy
):
    for n in range(5):
        log_in(client, "wrong", forwarded_for=f"192.0.2.{n}", remote_addr="198.51.100.7")
    assert failed_addresses() == {"198.51.100.7"}
    forged = log_in(client, "the-right-password", "192.0.2.99", remote_addr="198.51.100.7")
    assert forged.status_code == 429


def test_lockout_behind_the_proxy_is_per_client_address(client, editor, behind_the_proxy):
    for _ in range(5):
        log_in(client, "wrong", forwarded_for="198.51.100.7")
    assert failed_addresses() == {"198.51.100.7"}

    assert log_in(client, "the-right-password", "198.51.100.7").status_code == 429
    other = log_in(client, "the-right-password", "203.0.113.9")
    assert other.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_client_cannot_dodge_the_lockout_by_writing_its_own_forwarded_for(
    client, editor, behind_the_proxy
):
    for n in range(5):
        log_in(client, "wrong", forwarded_for=f"192.0.2.{n}, 198.51.100.7")
    assert failed_addresses() == {"198.51.100.7"}
    response = log_in(client, "the-right-password", "192.0.2.99, 198.51.100.7")
    assert response.status_code == 429


def test_two_proxies_take_the_address_the_first_one_saw(client, editor, settings):
    networks = trusted_proxies(DJANGO_TRUSTED_PROXIES="10.0.0.0/24")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(network) for network in networks]
    for _ in range(5):
        log_in(client, "wrong", forwarded_for="192.0.2.1, 198.51.100.7, 10.0.0.1")
    assert failed_addresses() == {"198.51.100.7"}
    assert log_in(client, "the-right-password", "198.51.100.7, 10.0.0.1").status_code == 429
    assert log_in(client, "the-right-password", "203.0.113.9, 10.0.0.1").status_code == 302


def test_trusted_proxies_are_addresses_or_networks_and_none_by_default():
    assert trusted_proxies() == []
    assert trusted_proxies(DJANGO_BEHIND_TLS_PROXY="1") == []
    assert trusted_proxies(DJANGO_TRUSTED_PROXIES="10.0.0.2, fd00::/8") == [
        "10.0.0.2/32",
        "fd00::/8",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_TRUSTED_PROXIES": "nginx.internal"}, "not an address or network"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "1"}, "DJANGO_TRUSTED_PROXIES"),
    ],
)
def test_a_proxy_setting_it_cannot_use_stops_the_server_from_starting(env, message):
    result = manage("check", DJANGO_DEBUG="1", **env)
    assert result.returncode != 0
    assert message in result.stderr
