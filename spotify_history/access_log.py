"""gunicorn's access log, with secrets in URLs and headers masked (the `logger_class` of
gunicorn.conf.py).

gunicorn writes one line per request before Django sees anything, so the service's own log
redaction can't reach it. The OAuth callback (`/auth/callback?code=...&state=...`), the
redirect to Spotify (`Location: ...?state=...`), a referrer that carries them, or a token someone
put in a query string would otherwise be printed in clear. Every value a log line can show (the
request line, path, query, referrer, headers and environ) goes through `accounts.redaction`
first. It needs no Django settings, so gunicorn's master process can load it.
"""

from gunicorn.glogging import Logger

from accounts.redaction import redact_query, redact_text, redact_urls


class RedactingLogger(Logger):
    """gunicorn's own logger, masking secrets in every access log atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        masked = {
            key: redact_text(redact_urls(value)) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
        if isinstance(atoms.get("q"), str):  # the bare query string, without its `?`
            masked["q"] = redact_text(redact_query(atoms["q"]))
        return masked
