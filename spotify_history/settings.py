"""Settings for the whole service, read from the environment (and a local `.env` file).

Every variable of the deployment guide is read here under its own name, with the guide's default.
Values are only read here; whether they make sense (a well-formed Fernet key, an admin token
when token auth is on) is judged by the system checks in `spotify_history/checks.py`, so that a
bad value stops `manage.py check` with one clear line instead of a traceback at import time.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ

from mcp.oauth.provider_settings import provider_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` (written by `make run` on first start) fills in what the environment leaves unset.
# ENV_FILE= (empty) skips it, which is what the test command does so a developer's file can't leak
# into the tests.
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    env.read_env(ENV_FILE)

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))

DEBUG = env.bool("DEBUG", default=False)

# A placeholder keeps tests and one-off commands working; the system check refuses it whenever
# DEBUG is off, so a production deployment can't run with it.
INSECURE_PLACEHOLDER_SECRET_KEY = "insecure-placeholder-secret-key-set-SECRET_KEY"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="") or INSECURE_PLACEHOLDER_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # intcomma: 198,710 plays
    "django_q",
    "axes",  # lockout after repeated failed logins on /login and /admin/db/login/
    "csp",  # the Content-Security-Policy header (settings below)
    "ninja",  # its bundled Swagger UI files, for the admin API's docs page
    "spotify_history.apps.SpotifyHistoryConfig",
    "accounts.apps.AccountsConfig",
    "plays.apps.PlaysConfig",
    "imports.apps.ImportsConfig",
    "mcp.apps.McpConfig",
    "oauth2_provider",
    "mcp.oauth.apps.McpOAuthConfig",
    "adminui.apps.AdminuiConfig",
    # Benchmark commands and the synthetic-export generator; no service module imports it.
    "benchmarks.apps.BenchmarksConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every password login (the staff login at /login and the Django admin's)
# before Django's own backend does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "spotify_history.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "spotify_history.wsgi.application"


# Database: DATABASE_URL wins; else POSTGRES_PASSWORD (+ POSTGRES_HOST, ...) as in the compose
# file; else the embedded SQLite file, which needs no set-up at all.
def _database_from_env():
    if env.str("DATABASE_URL", default=""):
        return env.db("DATABASE_URL")
    if env.str("POSTGRES_PASSWORD", default=""):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env.str("POSTGRES_DB", default="spotify_history"),
            "USER": env.str("POSTGRES_USER", default="spotify"),
            "PASSWORD": env.str("POSTGRES_PASSWORD"),
            "HOST": env.str("POSTGRES_HOST", default="postgres"),
            "PORT": env.str("POSTGRES_PORT", default="5432"),
        }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "spotify_history.sqlite3"),
    }


DATABASES = {"default": _database_from_env()}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front, so two writers queue on the busy timeout instead of failing with
    # "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    # A file (not an in-memory database) so tests see WAL and several connections like production.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")
elif env.bool("DATABASE_POOL", default=False) and sys.argv[1:2] != ["qcluster"]:
    # A psycopg_pool pool per process (Django's OPTIONS["pool"]): threads borrow a connection for
    # a request and give it back, so a process holds at most DATABASE_POOL_MAX_SIZE connections
    # however many threads it runs. Persistent connections (CONN_MAX_AGE) can't be combined with
    # it. gunicorn.conf.py turns it on for the web server, where the load run of
    # docs/operations.md measured it faster with half the connections. Never in the worker:
    # django-q2 forks its processes after the cluster has connected, and a pool's open
    # connections must not be shared by two processes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        # A request that can't get a connection within this many seconds fails (a 500 logged)
        # instead of queueing for ever behind a stuck database.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
    # With the pool, Django checks each borrowed connection first (psycopg_pool's
    # check_connection), so a PostgreSQL restart costs no failed requests.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files straight from the source folders (no `collectstatic`, no hashed names), as a
# local run does: `make run` writes STATIC_FROM_SOURCE=true, so it runs with DEBUG off (friendly
# error pages) and still starts at once. Production collects them (the image does) and serves
# compressed, hashed copies that browsers may cache for ever.
STATIC_FROM_SOURCE = env.bool("STATIC_FROM_SOURCE", default=DEBUG)
STATIC_ROOT = None if STATIC_FROM_SOURCE else BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE

# --- Behind a TLS proxy ------------------------------------------------------------------------
# Only trust X-Forwarded-Proto when the proxy in front overwrites it (Caddy and the nginx example
# in the README do).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container health check and the proxy's upstream checks speak plain HTTP.
# Prometheus scrapes /metrics over the private network, often in plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 30 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # full URLs never leave the site; own pages keep them

# The hosts album covers may be loaded from: `plays.api_records.is_cover_url` keeps and shows only
# https URLs on these, and the Content-Security-Policy's img-src below allows exactly these.
# Spotify's API gives album covers on i.scdn.co; a cover elsewhere (mosaic.scdn.co,
# image-cdn-*.spotifycdn.com) is not kept, and its album shows the neutral square.
COVER_IMAGE_HOSTS = ["i.scdn.co"]

# Content-Security-Policy, for every answer (django-csp). Everything comes from this server:
# scripts are files (adminui/static/adminui/pages.js, the admin's and Swagger UI's own), never
# inline; styles are stylesheets, never inline (`style` attributes included: charts and progress
# bars use classes); images may also be `data:` URIs, which Swagger UI's stylesheet uses for its
# icons. No page may be framed, post a form elsewhere, or change its base URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Album covers come from Spotify's image servers, for listeners who turned them on.
        "img-src": ["'self'", "data:", *(f"https://{host}" for host in COVER_IMAGE_HOSTS)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page uses are switched off; the copy buttons need the clipboard.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "clipboard-read": [],
    "clipboard-write": ["self"],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# A self-hosted service usually lives on a subdomain of someone's domain: forcing HSTS onto every
# sibling subdomain (W005) or into browsers' preload lists (W021) is the operator's call, not ours.
# oauth2_provider.W008 says plain-http redirect URIs are allowed: they are, for loopback hosts
# only (desktop assistants, RFC 8252), which mcp.oauth.redirects enforces at registration.
SILENCED_SYSTEM_CHECKS = env.list(
    "SILENCED_SYSTEM_CHECKS",
    default=["security.W005", "security.W021", "oauth2_provider.W008"],
)

# --- Brute force -------------------------------------------------------------------------------
# Behind the proxy every request comes from the proxy's address: with this on, the client is the
# last X-Forwarded-For address (the one the proxy appended). Only behind a proxy that sets it.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
# Password logins (/login, /admin/db/login/): after LOGIN_FAILURE_LIMIT failures a client address
# is locked out (429) for LOGIN_LOCKOUT_MINUTES; each further try starts that wait again.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login; failures are what counts
# Admin API and /mcp: API_AUTH_FAILURE_LIMIT wrong tokens or passwords from one client address
# within a window of API_AUTH_FAILURE_WINDOW_MINUTES answer 429 until the window ends. 0 = off.
API_AUTH_FAILURE_LIMIT = env.int("API_AUTH_FAILURE_LIMIT", default=20)
API_AUTH_FAILURE_WINDOW_MINUTES = env.int("API_AUTH_FAILURE_WINDOW_MINUTES", default=15)

# --- Spotify -----------------------------------------------------------------------------------
SPOTIFY_CLIENT_ID = env.str("SPOTIFY_CLIENT_ID", default="")
SPOTIFY_CLIENT_SECRET = env.str("SPOTIFY_CLIENT_SECRET", default="")
# Spotify rejects `localhost` redirect URIs; plain HTTP is allowed only for loopback IP literals.
SPOTIFY_REDIRECT_URI = env.str(
    "SPOTIFY_REDIRECT_URI", default="http://127.0.0.1:8000/auth/callback"
)
SPOTIFY_ACCOUNTS_BASE_URL = env.str(
    "SPOTIFY_ACCOUNTS_BASE_URL", default="https://accounts.spotify.com"
)
SPOTIFY_API_BASE_URL = env.str("SPOTIFY_API_BASE_URL", default="https://api.spotify.com/v1")
SPOTIFY_HTTP_TIMEOUT = env.float("SPOTIFY_HTTP_TIMEOUT", default=10.0)

# Comma-separated Fernet keys, newest first: new ciphertext uses the first, any of them decrypts.
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEY", default=[])

# --- Admin API and operator pages --------------------------------------------------------------
ADMIN_AUTH_MODE = env.str("ADMIN_AUTH_MODE", default="token").strip().lower()
ADMIN_TOKEN = env.str("ADMIN_TOKEN", default="")
ADMIN_USERNAME = env.str("ADMIN_USERNAME", default="")
ADMIN_PASSWORD = env.str("ADMIN_PASSWORD", default="")

# --- Collector ---------------------------------------------------------------------------------
COLLECTOR_INTERVAL_SECONDS = env.int("COLLECTOR_INTERVAL_SECONDS", default=600)
INITIAL_SYNC_ENABLED = env.bool("INITIAL_SYNC_ENABLED", default=True)
INITIAL_SYNC_MAX_DAYS = env.int("INITIAL_SYNC_MAX_DAYS", default=30)
INITIAL_SYNC_MAX_REQUESTS = env.int("INITIAL_SYNC_MAX_REQUESTS", default=200)
INITIAL_SYNC_CONCURRENCY = env.int("INITIAL_SYNC_CONCURRENCY", default=2)
# Listeners one polling pass works on at the same time (threads, each with its own connection).
POLL_CONCURRENCY = env.int("POLL_CONCURRENCY", default=8)

# --- Imports -----------------------------------------------------------------------------------
IMPORT_MAX_ZIP_SIZE_MB = env.int("IMPORT_MAX_ZIP_SIZE_MB", default=500)
# Uploads one listener may make on their own page in any 24 hours (the operator's are not
# capped); past it, 429 with Retry-After before the file is stored. 0 = no cap.
IMPORT_UPLOADS_PER_DAY = env.int("IMPORT_UPLOADS_PER_DAY", default=20)
IMPORT_MAX_RECORDS = env.int("IMPORT_MAX_RECORDS", default=5_000_000)
IMPORT_UPLOAD_DIR = Path(env.str("IMPORT_UPLOAD_DIR", default=str(DATA_DIR / "uploads")))

# --- Queries (MCP tools and pages) ------------------------------------------------------------
# A play counts (in top lists, totals, timelines) when it lasted at least this long.
MIN_PLAY_MS = env.int("MIN_PLAY_MS", default=30_000)

# --- MCP endpoint ------------------------------------------------------------------------------
# Requests per minute one listener (all their tokens together), or the admin token, may make to
# /mcp and /mcp/*; 0 = no limit.
MCP_RATE_LIMIT_PER_MINUTE = env.int("MCP_RATE_LIMIT_PER_MINUTE", default=60)
# State-changing page requests (form POSTs) a minute each listener and each staff account may
# make; past it, 429 with Retry-After and a sentence. 0 turns the limit off.
PAGE_RATE_LIMIT_PER_MINUTE = env.int("PAGE_RATE_LIMIT_PER_MINUTE", default=30)
# Views a minute of one Wrapped share link (its page and its preview picture together: anybody
# with the link may open it, and each view costs about what the listener's page does); past it,
# 429 with Retry-After. 0 turns the limit off.
SHARE_VIEWS_PER_MINUTE = env.int("SHARE_VIEWS_PER_MINUTE", default=60)
# Live (unrevoked) MCP tokens one listener may hold; creating one more is refused.
MCP_MAX_TOKENS_PER_LISTENER = env.int("MCP_MAX_TOKENS_PER_LISTENER", default=10)
# Browser origins (scheme://host[:port]) besides this server's own that may call /mcp.
MCP_ALLOWED_ORIGINS = env.list("MCP_ALLOWED_ORIGINS", default=[])
# Largest accepted request body: one JSON-RPC message is a few kilobytes.
MCP_MAX_BODY_BYTES = env.int("MCP_MAX_BODY_BYTES", default=256 * 1024)

# --- MCP authorization (OAuth 2.1: assistants connect by URL) ----------------------------------
# The address people and assistants reach this service at (behind the proxy): every URL in the
# OAuth metadata, the token audience and the `iss` come from it, never from a request's Host.
# The default suits `make run`; a deployment sets its https:// address (a deploy check insists).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# New assistants may register (Dynamic Client Registration or a client ID metadata document).
MCP_OAUTH_REGISTRATION = env.bool("MCP_OAUTH_REGISTRATION", default=True)
# When set, only these client ids (e.g. metadata-document URLs) may connect at all.
MCP_OAUTH_ALLOWED_CLIENTS = env.list("MCP_OAUTH_ALLOWED_CLIENTS", default=[])
MCP_OAUTH_REGISTRATIONS_PER_MINUTE = env.int("MCP_OAUTH_REGISTRATIONS_PER_MINUTE", default=10)
MCP_OAUTH_MAX_UNUSED_CLIENTS = env.int("MCP_OAUTH_MAX_UNUSED_CLIENTS", default=100)
MCP_OAUTH_ACCESS_TOKEN_SECONDS = env.int("MCP_OAUTH_ACCESS_TOKEN_SECONDS", default=3600)
MCP_OAUTH_REFRESH_TOKEN_DAYS = env.int("MCP_OAUTH_REFRESH_TOKEN_DAYS", default=30)
# Tests and local development only: fetch client metadata documents from https://127.0.0.1.
MCP_OAUTH_CIMD_ALLOW_LOOPBACK = env.bool("MCP_OAUTH_CIMD_ALLOW_LOOPBACK", default=False)

# django-oauth-toolkit does the OAuth machinery, on this project's models (mcp/oauth/models.py).
OAUTH2_PROVIDER_APPLICATION_MODEL = "mcp_oauth.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "mcp_oauth.AccessToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "mcp_oauth.RefreshToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_GRANT_MODEL = "mcp_oauth.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "mcp_oauth.IDToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER = provider_settings(
    PUBLIC_BASE_URL,
    access_token_seconds=MCP_OAUTH_ACCESS_TOKEN_SECONDS,
    refresh_token_days=MCP_OAUTH_REFRESH_TOKEN_DAYS,
)

# --- Metrics and alerts (docs/operations.md) -----------------------------------------------------
# Client addresses (or networks, 10.0.0.0/8) that may read /metrics without the ADMIN_TOKEN, as
# accounts.client_ip sees them (behind the proxy: with TRUST_X_FORWARDED_FOR). Empty: token only.
METRICS_ALLOWED_ADDRESSES = env.list("METRICS_ALLOWED_ADDRESSES", default=[])
# Where the worker POSTs a JSON alert when a listener needs attention; empty: no alerts.
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
ALERT_WEBHOOK_TIMEOUT_SECONDS = env.float("ALERT_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Polls failed in a row after which a listener is alerted on (and counted as failing).
ALERT_FAILED_POLLS = env.int("ALERT_FAILED_POLLS", default=3)

# --- Logs --------------------------------------------------------------------------------------
LOG_RETENTION_DAYS = env.int("LOG_RETENTION_DAYS", default=90)
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()

# --- Accepted for compatibility with the original four-service guide --------------------------
# The web pages, the API and the worker are one Django project here, so there is no separate
# frontend that needs to be told where the API lives or how to log in to it.
API_BASE_URL = env.str("API_BASE_URL", default="")
FRONTEND_AUTH_MODE = env.str("FRONTEND_AUTH_MODE", default="")

# --- Worker (django-q2) ------------------------------------------------------------------------
# Q_BROKER=orm (the default) keeps the queue in the default database: no Redis. `retry` must
# exceed `timeout` or a long task is handed to a second worker while the first still runs it.
# Q_BROKER=redis moves the queue to Redis at REDIS_URL, for when the database is busy with the
# queue's polling (docs/operations.md); schedules and results stay in the database.
Q_BROKER = env.str("Q_BROKER", default="orm").strip().lower()
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
Q_CLUSTER = {
    "name": "spotify_history",
    **({"redis": REDIS_URL} if Q_BROKER == "redis" else {"orm": "default"}),
    "workers": env.int("WORKER_PROCESSES", default=2),
    "timeout": 3600,
    "retry": 3900,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "poll": 2,
    "label": "Background tasks",
}

# --- Logging -----------------------------------------------------------------------------------
# JSON lines on stdout for everything; our own loggers (and request errors) are also stored in the
# database so the operator pages can filter them. Both pass through the redaction filter first.
_OWN_LOGGERS = ["spotify_history", "accounts", "plays", "imports", "mcp", "adminui"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "accounts.logs.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "accounts.logs.JsonLinesFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["redact_secrets"],
        },
        "database": {
            "class": "accounts.logs.DatabaseHandler",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        **{
            name: {"handlers": ["stdout", "database"], "level": LOG_LEVEL, "propagate": False}
            for name in _OWN_LOGGERS
        },
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["stdout", "database"],
            "level": "ERROR",
            "propagate": False,
        },
        "django-q": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
