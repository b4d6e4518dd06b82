"""The "Editors" group: may add, change, delete, view and publish all timeline data."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

GROUP = "Editors"
MODELS = ["actor", "source", "event", "citation"]
ACTIONS = ["add", "change", "delete", "view"]


def ensure_editors_group(apps=global_apps):
    """Create or update the group; `apps` is the migration state when run from a migration."""
    # Permissions are normally created after all migrations have run; create
    # them now so that a fresh database gets a complete group.
    relations = apps.get_app_config("relations")
    relations.models_module = True
    create_permissions(relations, verbosity=0, apps=apps)
    relations.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    # The historical models' view permissions let editors read the change history.
    codenames += [f"view_historical{model}" for model in MODELS]
    codenames += ["publish_event", "publish_source"]
    codenames += ["change_frontpage", "view_frontpage"]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="relations", codename__in=codenames)
    )
    return group
