"""ItemDay and DayTotal: per listener and UTC day, the UTC hours holding plays (overall, per
primary artist, per item) and the stored plays per source, for streaks and coverage. Existing
listeners' rollups are marked for a full rebuild (their `min_play_ms` forgotten), so their first
question, or the worker, builds the new rows."""

import django.db.models.deletion
from django.db import migrations, models


def rebuild_rollups(apps, schema_editor):
    apps.get_model("plays", "RollupState").objects.update(min_play_ms=None)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_metric_counters_and_open_alerts'),
        ('plays', '0011_hidden_hour_totals'),
    ]

    operations = [
        migrations.CreateModel(
            name='DayTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.IntegerField()),
                ('source', models.CharField(choices=[('api', 'Spotify API (polling)'), ('extended', 'Extended streaming history export'), ('account_data', 'Account data export'), ('lastfm', 'Last.fm scrobbles'), ('listenbrainz', 'ListenBrainz listens'), ('maloja', 'Maloja scrobbles')], max_length=16)),
                ('stored', models.PositiveIntegerField()),
                ('listener', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.listener')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('listener', 'day', 'source'), name='daytotal_unique')],
            },
        ),
        migrations.CreateModel(
            name='ItemDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('all', 'All plays'), ('artist', 'One primary artist'), ('item', 'One item')], max_length=6)),
                ('key', models.BigIntegerField()),
                ('day', models.IntegerField()),
                ('hours', models.IntegerField()),
                ('stored_hours', models.IntegerField(default=0)),
                ('listener', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.listener')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('listener', 'scope', 'key', 'day'), name='itemday_unique')],
            },
        ),
        migrations.RunPython(rebuild_rollups, migrations.RunPython.noop),
    ]
