"""Every variable the settings read is documented in the README and in .env.example."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GUIDE_VARIABLES = {
    "POSTGRES_PASSWORD",
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "SPOTIFY_REDIRECT_URI",
    "TOKEN_ENCRYPTION_KEY",
    "ADMIN_AUTH_MODE",
    "ADMIN_TOKEN",
    "ADMIN_USERNAME",
    "ADMIN_PASSWORD",
    "COLLECTOR_INTERVAL_SECONDS",
    "INITIAL_SYNC_ENABLED",
    "INITIAL_SYNC_MAX_DAYS",
    "INITIAL_SYNC_MAX_REQUESTS",
    "INITIAL_SYNC_CONCURRENCY",
    "IMPORT_MAX_ZIP_SIZE_MB",
    "IMPORT_MAX_RECORDS",
    "LOG_RETENTION_DAYS",
    "API_BASE_URL",
    "FRONTEND_AUTH_MODE",
}
INTERNAL = {"ENV_FILE"}  # how the settings find .env; documented in prose, not a setting


def variables_read_by_settings():
    source = (REPO / "spotify_history" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", source)) - INTERNAL


def test_settings_read_every_variable_of_the_deployment_guide():
    assert variables_read_by_settings() >= GUIDE_VARIABLES


def test_the_readme_documents_every_variable():
    readme = (REPO / "README.md").read_text()
    missing = {name for name in variables_read_by_settings() if f"`{name}`" not in readme}
    assert not missing


def test_env_example_lists_every_variable():
    example = (REPO / ".env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z_]+)=", example, flags=re.MULTILINE))
    assert not variables_read_by_settings() - listed


def test_the_guide_defaults_hold(settings):
    expected = {
        "COLLECTOR_INTERVAL_SECONDS": 600,
        "INITIAL_SYNC_ENABLED": True,
        "INITIAL_SYNC_MAX_DAYS": 30,
        "INITIAL_SYNC_MAX_REQUESTS": 200,
        "INITIAL_SYNC_CONCURRENCY": 2,
        "IMPORT_MAX_ZIP_SIZE_MB": 500,
        "IMPORT_MAX_RECORDS": 5_000_000,
        "LOG_RETENTION_DAYS": 90,
        "ADMIN_AUTH_MODE": "token",
        "SPOTIFY_REDIRECT_URI": "http://127.0.0.1:8000/auth/callback",
        "SPOTIFY_ACCOUNTS_BASE_URL": "https://accounts.spotify.com",
        "SPOTIFY_API_BASE_URL": "https://api.spotify.com/v1",
    }
    assert {name: getattr(settings, name) for name in expected} == expected
