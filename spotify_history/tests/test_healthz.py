"""GET /healthz reports the database status: 200 when reachable, 503 when not."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_it_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}


def test_it_answers_503_when_the_database_is_unreachable(client, django_db_blocker, tmp_path):
    unreachable = (
        {"NAME": str(tmp_path / "missing-dir" / "db.sqlite3")}
        if connection.vendor == "sqlite"
        else {"HOST": "127.0.0.1", "PORT": "1"}
    )
    with django_db_blocker.unblock():
        connection.close()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update(unreachable)
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_it_is_not_redirected_to_https(client, settings, django_db_blocker):
    settings.SECURE_SSL_REDIRECT = True
    with django_db_blocker.unblock():
        response = client.get("/healthz")
    assert response.status_code == 200
