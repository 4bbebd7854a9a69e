"""Writes the local `.env` with fresh secrets on first run, so `make run` needs no set-up.

Run as `python -m spotify_history.local_env [PATH]`. Existing values are never changed; only the
secrets that are missing are added. The secrets themselves are never printed.
"""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

GENERATORS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "TOKEN_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
    "ADMIN_TOKEN": lambda: secrets.token_urlsafe(32),
    # The operator pages' login: every `migrate` makes it a staff account (adminui.staff_account).
    "ADMIN_USERNAME": lambda: "admin",
    "ADMIN_PASSWORD": lambda: secrets.token_urlsafe(18),
}
LOCAL_DEFAULTS = {
    # DEBUG off: a mistyped address gets the friendly 404 page, not Django's debug page listing
    # every URL (and an error its 500 page, with the traceback in the log). DEBUG=true turns the
    # debug pages on for development.
    "DEBUG": "false",
    # Local runs serve plain HTTP on 127.0.0.1: no TLS redirect, no HSTS, cookies not Secure-only.
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # Static files from the source folders, so no `collectstatic` is needed before a start.
    "STATIC_FROM_SOURCE": "true",
}


def defined_names(text):
    names = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].removeprefix("export ").strip())
    return names


def ensure_local_env(path):
    """Adds the missing local settings to `path`; returns the names it added."""
    path = Path(path)
    text = path.read_text() if path.exists() else ""
    present = defined_names(text)
    additions = {name: make() for name, make in GENERATORS.items() if name not in present}
    if not text:
        additions.update(LOCAL_DEFAULTS)
    if not additions:
        return []
    lines = [] if not text else [text.rstrip("\n"), ""]
    lines.append("# Written by `make run` (spotify_history/local_env.py). Keep this file private.")
    lines += [f"{name}={value}" for name, value in additions.items()]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return list(additions)


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / ".env"
    added = ensure_local_env(path)
    if added:
        # Where to log in is said by `manage.py serve` once the server is up, on every start.
        print(f"{path}: added {', '.join(added)}")


if __name__ == "__main__":
    main(sys.argv)
