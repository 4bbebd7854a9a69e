"""System checks for the configuration, so a bad value stops `manage.py check` (and `migrate`,
which every start runs) with one clear line instead of a traceback or a silent misbehaviour.

"Production" means DEBUG is off. Messages never include a secret's value.
"""

import ipaddress
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.checks import Error, Info, Tags, Warning, register
from django.core.exceptions import ValidationError

FERNET_KEY_HINT = (
    'generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)
MIN_ADMIN_TOKEN_LENGTH = 32
ADMIN_TOKEN_HINT = 'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'  # noqa: S105
SECRET_KEY_HINT = 'generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'  # noqa: S105


def fernet_key_problems(keys):
    """Sentences describing what is wrong with a newest-first list of Fernet keys (none if fine)."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.strip())
        except (ValueError, TypeError):
            problems.append(
                f"TOKEN_ENCRYPTION_KEY: key #{position} of {len(keys)} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes); " + FERNET_KEY_HINT
            )
    return problems


def redirect_uri_problem(uri):
    """Why Spotify would reject `uri` as a redirect URI, or None if it is acceptable."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"SPOTIFY_REDIRECT_URI {uri!r} is not an absolute http(s) URL"
    if parts.hostname == "localhost":
        return (
            "SPOTIFY_REDIRECT_URI uses 'localhost', which Spotify rejects; "
            "use http://127.0.0.1:PORT/auth/callback instead"
        )
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return (
                "SPOTIFY_REDIRECT_URI must use https unless it is a loopback IP literal "
                "(http://127.0.0.1:PORT/... or http://[::1]:PORT/...)"
            )
    return None


def public_base_url_problem(url):
    """Why PUBLIC_BASE_URL can't be this service's public address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"PUBLIC_BASE_URL {url!r} is not an absolute http(s) URL such as https://history.example.org"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return (
            f"PUBLIC_BASE_URL {url!r} must be scheme://host[:port] only (the service is served at "
            "the root of its host), with no path, query, fragment or credentials"
        )
    return None


@register()
def check_public_base_url(app_configs=None, **kwargs):
    problem = public_base_url_problem(settings.PUBLIC_BASE_URL)
    return [Error(problem, id="spotify_history.E020")] if problem else []


@register(Tags.security, deploy=True)
def check_public_base_url_in_production(app_configs=None, **kwargs):
    """`check --deploy`: assistants are only given https addresses, and no test switch is on."""
    if settings.DEBUG:
        return []
    messages = []
    if urlsplit(settings.PUBLIC_BASE_URL).scheme != "https":
        messages.append(
            Error(
                "PUBLIC_BASE_URL must be the https:// address of this service behind its TLS proxy "
                f"(now {settings.PUBLIC_BASE_URL!r}): every OAuth URL and token audience is built "
                "from it",
                id="spotify_history.E021",
            )
        )
    if settings.MCP_OAUTH_CIMD_ALLOW_LOOPBACK:
        messages.append(
            Error(
                "MCP_OAUTH_CIMD_ALLOW_LOOPBACK is for tests and local development: in production "
                "it would let a client make this server fetch https://127.0.0.1 addresses",
                id="spotify_history.E022",
            )
        )
    return messages


@register(Tags.security, deploy=False)
def check_secrets(app_configs=None, **kwargs):
    messages = []
    production = not settings.DEBUG

    if production and settings.SECRET_KEY == settings.INSECURE_PLACEHOLDER_SECRET_KEY:
        messages.append(
            Error(f"SECRET_KEY is not set; {SECRET_KEY_HINT}", id="spotify_history.E001")
        )

    keys = settings.TOKEN_ENCRYPTION_KEYS
    for problem in fernet_key_problems(keys):
        messages.append(Error(problem, id="spotify_history.E002"))
    if not keys:
        message = (
            "TOKEN_ENCRYPTION_KEY is not set, so Spotify tokens cannot be stored; "
            + FERNET_KEY_HINT
        )
        if production:
            messages.append(Error(message, id="spotify_history.E003"))
        else:
            messages.append(Warning(message, id="spotify_history.W003"))

    mode = settings.ADMIN_AUTH_MODE
    if mode not in ("token", "basic"):
        messages.append(
            Error(
                f"ADMIN_AUTH_MODE must be 'token' or 'basic', not {mode!r}",
                id="spotify_history.E004",
            )
        )
    elif production and mode == "token" and not settings.ADMIN_TOKEN:
        messages.append(
            Error(
                "ADMIN_AUTH_MODE=token needs ADMIN_TOKEN; generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(32))"',
                id="spotify_history.E005",
            )
        )
    elif (
        production and mode == "basic" and not (settings.ADMIN_USERNAME and settings.ADMIN_PASSWORD)
    ):
        messages.append(
            Error(
                "ADMIN_AUTH_MODE=basic needs both ADMIN_USERNAME and ADMIN_PASSWORD",
                id="spotify_history.E006",
            )
        )
    return messages


def admin_password_problems(username, password):
    """What Django's AUTH_PASSWORD_VALIDATORS say against `password` for `username` (none if fine).

    The sentences name the rule broken, never the password.
    """
    try:
        password_validation.validate_password(password, user=get_user_model()(username=username))
    except ValidationError as error:
        return list(error.messages)
    return []


@register(Tags.security, deploy=True)
def check_admin_secrets_strength(app_configs=None, **kwargs):
    """`check --deploy`: a guessable ADMIN_TOKEN or ADMIN_PASSWORD is refused.

    The token is checked whenever it is set, whatever ADMIN_AUTH_MODE says, because /mcp accepts
    it too; the password whenever it is set, because it is also the operator pages' staff login.
    """
    messages = []
    token = settings.ADMIN_TOKEN
    if token and len(token) < MIN_ADMIN_TOKEN_LENGTH:
        messages.append(
            Error(
                f"ADMIN_TOKEN is {len(token)} characters long; use at least "
                f"{MIN_ADMIN_TOKEN_LENGTH}: {ADMIN_TOKEN_HINT}",
                id="spotify_history.E007",
            )
        )
    if settings.ADMIN_PASSWORD:
        problems = admin_password_problems(settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD)
        if problems:
            messages.append(
                Error(
                    "ADMIN_PASSWORD fails Django's password validators: " + " ".join(problems),
                    id="spotify_history.E008",
                )
            )
    return messages


@register()
def check_spotify(app_configs=None, **kwargs):
    messages = []
    problem = redirect_uri_problem(settings.SPOTIFY_REDIRECT_URI)
    if problem:
        messages.append(Error(problem, id="spotify_history.E010"))
    return messages


# Notes, not problems: only `manage.py check --deploy` shows them. Every command runs the system
# checks, so a note in the ordinary ones was printed by each of them (migrate, serve, the worker,
# the web server: four times a start). `manage.py serve` says the same once, in its banner, and
# the dashboard says it for as long as it holds.
@register(deploy=True)
def check_optional_settings(app_configs=None, **kwargs):
    messages = []
    if not (settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET):
        messages.append(
            Info(
                "SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET are not set: Spotify login and polling "
                "are off; export imports still work",
                id="spotify_history.I011",
            )
        )
    for name in ("API_BASE_URL", "FRONTEND_AUTH_MODE"):
        if getattr(settings, name):
            messages.append(
                Info(
                    f"{name} is accepted but not needed: pages and API are one service here",
                    id="spotify_history.I012",
                )
            )
    return messages


@register()
def check_mcp(app_configs=None, **kwargs):
    if settings.MCP_MAX_TOKENS_PER_LISTENER < 1:
        return [
            Error(
                "MCP_MAX_TOKENS_PER_LISTENER must be at least 1 (default 10): a listener needs a "
                "token to use the MCP endpoint",
                id="spotify_history.E030",
            )
        ]
    return []


@register()
def check_worker_broker(app_configs=None, **kwargs):
    """Q_BROKER names the worker queue's home: the database (orm) or Redis at REDIS_URL."""
    if settings.Q_BROKER not in ("orm", "redis"):
        return [
            Error(
                f"Q_BROKER must be 'orm' (the default: the queue in the database) or 'redis' "
                f"(the queue in Redis at REDIS_URL), not {settings.Q_BROKER[:20]!r}",
                id="spotify_history.E040",
            )
        ]
    if settings.Q_BROKER == "redis" and urlsplit(settings.REDIS_URL).scheme not in (
        "redis",
        "rediss",
        "unix",
    ):
        return [
            Error(
                "REDIS_URL must be a redis://, rediss:// or unix:// URL when Q_BROKER=redis",
                id="spotify_history.E041",
            )
        ]
    return []


def webhook_url_problem(url):
    """Why ALERT_WEBHOOK_URL can't be POSTed to, or None (an empty one turns alerts off)."""
    if not url:
        return None
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "ALERT_WEBHOOK_URL has a port that is not a number"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Never the URL itself: it may carry the receiver's token.
        return (
            "ALERT_WEBHOOK_URL is not an absolute http(s) URL (such as "
            "https://ntfy.sh/your-topic); no alert can be sent"
        )
    return None


def metrics_address_problems(entries):
    """Entries of METRICS_ALLOWED_ADDRESSES that are neither an IP address nor a network."""
    problems = []
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            problems.append(
                f"METRICS_ALLOWED_ADDRESSES: {entry[:60]!r} is not an IP address or network "
                "(such as 10.0.0.5 or 10.0.0.0/24); it is ignored"
            )
    return problems


@register()
def check_metrics_and_alerts(app_configs=None, **kwargs):
    messages = []
    problem = webhook_url_problem(settings.ALERT_WEBHOOK_URL)
    if problem:
        messages.append(Warning(problem, id="spotify_history.W040"))
    for problem in metrics_address_problems(settings.METRICS_ALLOWED_ADDRESSES):
        messages.append(Warning(problem, id="spotify_history.W041"))
    if settings.ALERT_FAILED_POLLS < 1:
        messages.append(
            Error(
                "ALERT_FAILED_POLLS must be at least 1 (default 3): the polls that must fail in "
                "a row before a listener counts as failing",
                id="spotify_history.E042",
            )
        )
    if settings.ALERT_WEBHOOK_TIMEOUT_SECONDS <= 0:
        messages.append(
            Error(
                "ALERT_WEBHOOK_TIMEOUT_SECONDS must be more than 0 (default 10)",
                id="spotify_history.E043",
            )
        )
    return messages
