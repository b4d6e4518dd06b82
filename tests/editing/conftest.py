import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def editor(client, db):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user
