"""The few lines `manage.py serve` prints once it is up: where to go, and where the credentials are.

A start prints a lot (the migrations, the worker's and the web server's own lines), and after the
first `make run` nothing else says where to log in or where the operator password was written.
This says it once per start, in plain words. It names the file that holds a secret, never the
secret itself.
"""

from pathlib import Path

from django.conf import settings

from spotify_history.local_env import defined_names

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - only compared, to show a usable address


def _where(name):
    """Where the setting `name` comes from, in words, or None when it is not set."""
    env_file = settings.ENV_FILE and Path(settings.ENV_FILE)
    if env_file and env_file.is_file() and name in defined_names(env_file.read_text()):
        return f"in {env_file}"
    return "from the environment" if getattr(settings, name, "") else None


def startup_banner(host, port):
    """The banner's lines for a server listening on `host`:`port`."""
    shown_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in shown_host and not shown_host.startswith("["):
        shown_host = f"[{shown_host}]"
    base = f"http://{shown_host}:{port}"
    lines = [f"Spotify history is running at {base}/ (web server and worker)."]

    password = _where("ADMIN_PASSWORD")
    if settings.ADMIN_USERNAME and password:
        login = f"log in as {settings.ADMIN_USERNAME}; the password is ADMIN_PASSWORD {password}"
    else:
        login = "set ADMIN_USERNAME and ADMIN_PASSWORD (or run manage.py createsuperuser)"
    lines.append(f"  Operator pages:  {base}/login  ({login})")
    if settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET:
        lines.append(f"  Listeners:       {base}/auth/login  (log in with Spotify)")
    else:
        where = f" in {settings.ENV_FILE}" if settings.ENV_FILE else ""
        lines.append(
            "  Spotify:         not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET"
            f"{where} to let listeners log in; imports of exports work without"
        )
    token = _where("ADMIN_TOKEN")
    api = f"  (bearer token: ADMIN_TOKEN {token})" if token else ""
    lines.append(f"  Admin API:       {base}/admin/docs{api}")
    lines.append(f"  MCP endpoint:    {base}/mcp  (tokens are made on each listener's page)")
    if settings.DEBUG:
        lines.append("  DEBUG is on: errors show Django's debug pages. Never expose this server.")
    lines.append("Ctrl-C stops both.")
    return lines
