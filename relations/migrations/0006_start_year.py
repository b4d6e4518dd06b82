from django.db import migrations, models
from django.db.models.functions import ExtractYear


def fill_start_year(apps, schema_editor):
    apps.get_model("relations", "Event").objects.update(start_year=ExtractYear("start_date"))


class Migration(migrations.Migration):
    # The column is nullable so that SQLite adds it with ALTER TABLE instead of
    # rebuilding relations_event, which would drop the search triggers of 0004.
    dependencies = [
        ("relations", "0005_timeline_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="start_year",
            field=models.IntegerField(editable=False, null=True, serialize=False),
        ),
        migrations.RunPython(fill_start_year, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["start_year"], name="relations_e_start_y_4832c9_idx"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["category", "start_year"], name="relations_e_categor_fb2a28_idx"),
        ),
    ]
