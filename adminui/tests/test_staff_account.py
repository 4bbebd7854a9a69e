"""ADMIN_USERNAME / ADMIN_PASSWORD create or update a staff account, on migrate and by command."""

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from adminui.staff_account import sync_staff_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings):
    settings.ADMIN_USERNAME = "ops"
    settings.ADMIN_PASSWORD = "correct horse battery staple"
    return settings


def test_it_creates_a_staff_superuser_with_the_configured_password(configured):
    assert sync_staff_account() == "created"
    user = get_user_model().objects.get(username="ops")
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, True, True)
    assert user.check_password("correct horse battery staple")


def test_it_updates_an_existing_account_to_staff_and_the_new_password(configured):
    get_user_model().objects.create_user("ops", password="old-password-1", is_active=False)
    assert sync_staff_account() == "updated"
    user = get_user_model().objects.get(username="ops")
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, True, True)
    assert user.check_password("correct horse battery staple")


def test_it_changes_nothing_when_the_account_already_matches(configured):
    sync_staff_account()
    hashed = get_user_model().objects.get(username="ops").password
    assert sync_staff_account() == "unchanged"
    assert get_user_model().objects.get(username="ops").password == hashed


@pytest.mark.parametrize(("username", "password"), [("", "secret-pass"), ("ops", ""), ("", "")])
def test_nothing_happens_unless_both_are_set(settings, username, password):
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = username, password
    assert sync_staff_account() == "not configured"
    assert not get_user_model().objects.exists()


def test_the_synced_account_logs_in_to_the_pages(configured, client):
    sync_staff_account()
    response = client.post(
        "/login", {"username": "ops", "password": "correct horse battery staple"}
    )
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_command_says_what_it_did_and_refuses_without_settings(configured, settings, capsys):
    call_command("sync_admin_user")
    assert "Staff account: created." in capsys.readouterr().out
    settings.ADMIN_PASSWORD = ""
    with pytest.raises(CommandError, match="ADMIN_USERNAME and ADMIN_PASSWORD"):
        call_command("sync_admin_user")


def test_migrate_creates_the_account_in_a_fresh_database(run_manage):
    env = {
        "DEBUG": "true",
        "ADMIN_AUTH_MODE": "basic",  # the guide's mode that uses the pair
        "ADMIN_USERNAME": "ops",
        "ADMIN_PASSWORD": "migrate-made-password-9",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    migrate = run_manage("migrate", "--no-input", env=env)
    assert migrate.returncode == 0, migrate.stderr
    check = run_manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "u = get_user_model().objects.get(username='ops'); "
        "print(u.is_staff, u.is_superuser, u.check_password('migrate-made-password-9'))",
        env=env,
    )
    assert check.stdout.strip().endswith("True True True"), check.stderr
