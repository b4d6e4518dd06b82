import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from relations.models import Actor
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def test_alias_list_is_one_alias_a_line_without_blanks():
    actor = ActorFactory.build(name="Alexander Lukashenko", aliases="Лукашенко\n\n  卢卡申科  \n")
    assert actor.alias_list == ["Лукашенко", "卢卡申科"]
    assert actor.names == ["Alexander Lukashenko", "Лукашенко", "卢卡申科"]


def test_an_actor_without_aliases_is_known_by_its_name_alone():
    assert ActorFactory.build(name="Belarus").names == ["Belarus"]


def test_clean_drops_repeated_aliases_and_the_name_itself():
    actor = ActorFactory.build(name="Xi Jinping", aliases="Си Цзиньпин\nXi Jinping\nСи Цзиньпин ")
    actor.full_clean()
    assert actor.aliases == "Си Цзиньпин"


def test_aliases_survive_export_and_import(tmp_path):
    ActorFactory(slug="li-qiang", name="Li Qiang", aliases="Ли Цян\n李强")
    out = io.StringIO()
    call_command("export_timeline", stdout=out)
    [record] = [r for r in json.loads(out.getvalue()) if r["model"] == "relations.actor"]
    assert record["fields"]["aliases"] == "Ли Цян\n李强"

    path = tmp_path / "actors.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    Actor.objects.all().delete()
    call_command("import_timeline", str(path), verbosity=0)
    assert Actor.objects.get(slug="li-qiang").alias_list == ["Ли Цян", "李强"]


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(User.objects.create_superuser("admin", password="a-long-admin-password"))
    return client


def test_admin_finds_an_actor_by_its_russian_alias(admin_client_logged_in):
    ActorFactory(name="Alexander Lukashenko", aliases="Лукашенко")
    ActorFactory(name="Xi Jinping", aliases="习近平")
    html = admin_client_logged_in.get("/admin/relations/actor/", {"q": "Лукашенко"}).content
    assert b"Alexander Lukashenko" in html
    assert b"Xi Jinping" not in html


def test_admin_saves_aliases_from_the_actor_form(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/relations/actor/add/",
        {"name": "Li Qiang", "slug": "li-qiang", "kind": "person", "aliases": "Ли Цян\r\n李强\r\n"},
    )
    assert response.status_code == 302
    assert Actor.objects.get(slug="li-qiang").alias_list == ["Ли Цян", "李强"]
