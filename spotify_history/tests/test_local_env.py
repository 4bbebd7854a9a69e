"""`make run` writes missing local secrets to .env and never changes existing values."""

from cryptography.fernet import Fernet

from spotify_history.local_env import defined_names, ensure_local_env


def read_env(path):
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if line and line[0] != "#"
    )


def test_it_creates_a_private_env_file_with_fresh_secrets(tmp_path):
    path = tmp_path / ".env"
    added = ensure_local_env(path)
    values = read_env(path)
    assert set(added) == {
        "SECRET_KEY",
        "TOKEN_ENCRYPTION_KEY",
        "ADMIN_TOKEN",
        "ADMIN_USERNAME",
        "ADMIN_PASSWORD",
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "STATIC_FROM_SOURCE",
    }
    assert len(values["SECRET_KEY"]) >= 50
    assert values["ADMIN_USERNAME"] == "admin"
    assert len(values["ADMIN_PASSWORD"]) >= 20
    Fernet(values["TOKEN_ENCRYPTION_KEY"])  # a valid key
    assert path.stat().st_mode & 0o077 == 0


def test_a_local_run_has_debug_off_over_plain_http(tmp_path):
    path = tmp_path / ".env"
    ensure_local_env(path)
    values = read_env(path)
    assert values["DEBUG"] == "false"  # the service's own error pages, not Django's debug pages
    assert (values["SECURE_SSL_REDIRECT"], values["SECURE_HSTS_SECONDS"]) == ("false", "0")
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == "false"
    assert values["STATIC_FROM_SOURCE"] == "true"


def test_it_generates_different_secrets_each_time(tmp_path):
    ensure_local_env(tmp_path / "a")
    ensure_local_env(tmp_path / "b")
    first, second = read_env(tmp_path / "a"), read_env(tmp_path / "b")
    assert first["SECRET_KEY"] != second["SECRET_KEY"]
    assert first["ADMIN_PASSWORD"] != second["ADMIN_PASSWORD"]


def test_it_keeps_existing_values_and_adds_only_what_is_missing(tmp_path):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=mine\nDEBUG=false\nADMIN_USERNAME=alice\n")
    added = ensure_local_env(path)
    values = read_env(path)
    assert set(added) == {"TOKEN_ENCRYPTION_KEY", "ADMIN_TOKEN", "ADMIN_PASSWORD"}
    assert values["ADMIN_USERNAME"] == "alice"
    assert values["SECRET_KEY"] == "mine"
    assert values["DEBUG"] == "false"


def test_it_changes_nothing_the_second_time(tmp_path):
    path = tmp_path / ".env"
    ensure_local_env(path)
    before = path.read_text()
    assert ensure_local_env(path) == []
    assert path.read_text() == before


def test_it_reads_exported_and_commented_lines_correctly():
    assert defined_names("export A=1\n# B=2\nC = 3\n\n") == {"A", "C"}
