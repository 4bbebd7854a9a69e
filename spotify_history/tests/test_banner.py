"""The start-up banner names where to go and where each credential is kept, never a secret."""

from spotify_history.banner import startup_banner


def test_it_points_at_the_env_file_that_holds_the_credentials(settings, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("ADMIN_USERNAME=admin\nADMIN_PASSWORD=hunter2-long\nADMIN_TOKEN=tok-42\n")
    settings.ENV_FILE = str(env_file)
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = "admin", "hunter2-long"
    settings.ADMIN_TOKEN = "tok-42"
    text = "\n".join(startup_banner("127.0.0.1", 8000))
    assert f"log in as admin; the password is ADMIN_PASSWORD in {env_file}" in text
    assert f"ADMIN_TOKEN in {env_file}" in text
    assert "hunter2-long" not in text and "tok-42" not in text
    assert "http://127.0.0.1:8000/auth/login" in text  # the test settings have a Spotify app


def test_credentials_from_the_environment_are_said_to_be_there(settings):
    settings.ENV_FILE = ""
    settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD = "ops", "from-env-secret"
    text = "\n".join(startup_banner("0.0.0.0", 9000))  # noqa: S104
    assert (
        "http://127.0.0.1:9000/login  (log in as ops; the password is ADMIN_PASSWORD from the "
        in text
    )
    assert "from-env-secret" not in text


def test_without_an_operator_account_or_spotify_app_it_says_what_to_set(settings):
    settings.ENV_FILE = ""
    settings.ADMIN_USERNAME = settings.ADMIN_PASSWORD = ""
    settings.SPOTIFY_CLIENT_ID = ""
    settings.DEBUG = True
    text = "\n".join(startup_banner("127.0.0.1", 8000))
    assert "set ADMIN_USERNAME and ADMIN_PASSWORD (or run manage.py createsuperuser)" in text
    assert "not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET" in text
    assert "DEBUG is on" in text
