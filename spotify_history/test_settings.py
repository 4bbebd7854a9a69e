"""Settings of the test suite: the real settings, plus what a local `make run` would provide.

Tests speak plain HTTP on 127.0.0.1 (no TLS redirect, no Secure-only cookies), serve static files
from the source folders (no collectstatic), and have a Spotify app and an encryption key.
Everything else, the database included, comes from the environment exactly as in production.
"""

from cryptography.fernet import Fernet

from spotify_history.settings import *  # noqa: F403
from spotify_history.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
SPOTIFY_CLIENT_ID = "test-client-id"
SPOTIFY_CLIENT_SECRET = "test-client-secret"  # noqa: S105 - a test value
SPOTIFY_ACCOUNTS_BASE_URL = "https://accounts.spotify.com"
SPOTIFY_API_BASE_URL = "https://api.spotify.com/v1"
