"""DayHourTotal: per listener and UTC day, the day's sums and its 24 hours' counted plays and
milliseconds, for the heatmap, the summary and the timelines. Existing listeners' rollups are
marked for a full rebuild (their `min_play_ms` forgotten), so their first question, or the worker,
builds the new rows."""

import django.db.models.deletion
from django.db import migrations, models


def rebuild_rollups(apps, schema_editor):
    apps.get_model("plays", "RollupState").objects.update(min_play_ms=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_metric_counters_and_open_alerts'),
        ('plays', '0013_merge_rollups_and_import_speed'),
    ]

    operations = [
        migrations.CreateModel(
            name='DayHourTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.IntegerField()),
                ('plays', models.PositiveIntegerField()),
                ('ms', models.BigIntegerField()),
                ('track_plays', models.PositiveIntegerField()),
                ('stored', models.PositiveIntegerField()),
                ('short_or_skipped', models.PositiveIntegerField()),
                ('p0', models.PositiveIntegerField(default=0)),
                ('m0', models.BigIntegerField(default=0)),
                ('p1', models.PositiveIntegerField(default=0)),
                ('m1', models.BigIntegerField(default=0)),
                ('p2', models.PositiveIntegerField(default=0)),
                ('m2', models.BigIntegerField(default=0)),
                ('p3', models.PositiveIntegerField(default=0)),
                ('m3', models.BigIntegerField(default=0)),
                ('p4', models.PositiveIntegerField(default=0)),
                ('m4', models.BigIntegerField(default=0)),
                ('p5', models.PositiveIntegerField(default=0)),
                ('m5', models.BigIntegerField(default=0)),
                ('p6', models.PositiveIntegerField(default=0)),
                ('m6', models.BigIntegerField(default=0)),
                ('p7', models.PositiveIntegerField(default=0)),
                ('m7', models.BigIntegerField(default=0)),
                ('p8', models.PositiveIntegerField(default=0)),
                ('m8', models.BigIntegerField(default=0)),
                ('p9', models.PositiveIntegerField(default=0)),
                ('m9', models.BigIntegerField(default=0)),
                ('p10', models.PositiveIntegerField(default=0)),
                ('m10', models.BigIntegerField(default=0)),
                ('p11', models.PositiveIntegerField(default=0)),
                ('m11', models.BigIntegerField(default=0)),
                ('p12', models.PositiveIntegerField(default=0)),
                ('m12', models.BigIntegerField(default=0)),
                ('p13', models.PositiveIntegerField(default=0)),
                ('m13', models.BigIntegerField(default=0)),
                ('p14', models.PositiveIntegerField(default=0)),
                ('m14', models.BigIntegerField(default=0)),
                ('p15', models.PositiveIntegerField(default=0)),
                ('m15', models.BigIntegerField(default=0)),
                ('p16', models.PositiveIntegerField(default=0)),
                ('m16', models.BigIntegerField(default=0)),
                ('p17', models.PositiveIntegerField(default=0)),
                ('m17', models.BigIntegerField(default=0)),
                ('p18', models.PositiveIntegerField(default=0)),
                ('m18', models.BigIntegerField(default=0)),
                ('p19', models.PositiveIntegerField(default=0)),
                ('m19', models.BigIntegerField(default=0)),
                ('p20', models.PositiveIntegerField(default=0)),
                ('m20', models.BigIntegerField(default=0)),
                ('p21', models.PositiveIntegerField(default=0)),
                ('m21', models.BigIntegerField(default=0)),
                ('p22', models.PositiveIntegerField(default=0)),
                ('m22', models.BigIntegerField(default=0)),
                ('p23', models.PositiveIntegerField(default=0)),
                ('m23', models.BigIntegerField(default=0)),
                ('listener', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.listener')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('listener', 'day'), name='dayhourtotal_unique')],
            },
        ),
        migrations.RunPython(rebuild_rollups, migrations.RunPython.noop),
    ]
