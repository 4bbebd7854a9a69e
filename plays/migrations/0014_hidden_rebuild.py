"""RollupState remembers which items were hidden when the rollups were built, so hiding or
showing an artist rebuilds only the rows of the items in the difference (`plays.rollups`)."""

from django.db import migrations, models


def nothing_hidden_is_known(apps, schema_editor):
    # A state built with nothing hidden (signature "") knows its hidden items: none. The others
    # rebuild every hidden-dependent row once, at their next change, and remember from then on.
    RollupState = apps.get_model("plays", "RollupState")
    RollupState.objects.filter(hidden_items="", min_play_ms__isnull=False).update(
        hidden_item_ids=[]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plays", "0013_merge_rollups_and_import_speed"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollupstate",
            name="hidden_item_ids",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(nothing_hidden_is_known, migrations.RunPython.noop),
    ]
