"""Draft and review: a publication state on events and sources.

New records start as drafts; everything that existed before was public, so it is
published here (and so is its history). Adding a NOT NULL column makes SQLite
rebuild relations_event, which drops the search triggers of 0004: they are
recreated at the end. The Editors group gets the new publish permissions.
"""

from importlib import import_module

from django.db import migrations, models

from relations.editing.editors import ensure_editors_group

search = import_module("relations.migrations.0004_search")


def publish_existing(apps, schema_editor):
    for name in ("Event", "Source", "HistoricalEvent", "HistoricalSource"):
        apps.get_model("relations", name).objects.update(publication="published")


def update_editors_group(apps, schema_editor):
    ensure_editors_group(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('relations', '0008_actor_aliases'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='event',
            options={'ordering': ['start_date', 'slug'], 'permissions': [('publish_event', 'Can publish events')]},
        ),
        migrations.AlterModelOptions(
            name='source',
            options={'ordering': ['slug'], 'permissions': [('publish_source', 'Can publish sources')]},
        ),
        migrations.AddField(
            model_name='event',
            name='publication',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', help_text='Drafts are seen by editors only; an editor publishes them.', max_length=10),
        ),
        migrations.AddField(
            model_name='historicalevent',
            name='publication',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', help_text='Drafts are seen by editors only; an editor publishes them.', max_length=10),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='publication',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', help_text='Drafts are seen by editors only; an editor publishes them.', max_length=10),
        ),
        migrations.AddField(
            model_name='source',
            name='publication',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', help_text='Drafts are seen by editors only; an editor publishes them.', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.CheckConstraint(condition=models.Q(('publication__in', ['draft', 'published'])), name='event_publication_valid'),
        ),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.CheckConstraint(condition=models.Q(('publication__in', ['draft', 'published'])), name='source_publication_valid'),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.RunPython(
            search.run_for_vendor({"sqlite": search.SQLITE_DROP + search.SQLITE_CREATE}),
            migrations.RunPython.noop,
        ),
        migrations.RunPython(update_editors_group, migrations.RunPython.noop),
    ]
