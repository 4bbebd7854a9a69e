"""`manage.py benchmark_export`: fills a scratch listener and times each export in a child."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import Listener


@pytest.mark.django_db(transaction=True)
def test_it_times_every_format_on_postgresql_and_says_why_not_on_sqlite(
    subprocess_env, monkeypatch, capsys
):
    for key, value in subprocess_env.items():  # the child exports from this test's database
        monkeypatch.setenv(key, value)
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="server-side cursor: run this on PostgreSQL"):
            call_command("benchmark_export", "--plays", "300")
        return
    call_command("benchmark_export", "--plays", "300")
    out = capsys.readouterr().out
    for format in ("json", "csv", "listenbrainz"):
        assert f"{format}: 300 plays in " in out
    assert "peak RSS" in out and "Machine: " in out
    assert not Listener.objects.exists()  # the scratch listener is gone


@pytest.mark.django_db
def test_it_refuses_a_database_with_real_listeners():
    Listener.objects.create(spotify_user_id="someone-real")
    with pytest.raises(CommandError, match="This database has real listeners"):
        call_command("benchmark_export", "--plays", "10")
