"""A secret shown once on the page a POST redirects to (post/redirect/get), kept in between in
the session, encrypted with TOKEN_ENCRYPTION_KEY like Spotify's tokens.

A new MCP token (`adminui.tokens`) and a new share link of a Wrapped (`adminui.shares`) are both
shown this way: the POST makes the thing and keeps its secret here, the page it redirects to takes
the secret out as it shows it, so a reload (or going back) shows no secret and makes nothing.
"""

from accounts.crypto import decrypt_token, encrypt_token


def keep(request, key, listener, object_id, secret):
    """Keeps `secret` of `listener`'s object `object_id` in the session under `key`."""
    request.session[key] = {
        "token": object_id,
        "listener": listener.pk,
        "secret": encrypt_token(secret),
    }


def take(request, key, listener):
    """(object id, secret) kept under `key` for `listener`, the first time it is asked for;
    (None, None) after that, or when the session holds another listener's secret (which it
    keeps, for that listener's page)."""
    saved = request.session.get(key)
    if not saved or saved.get("listener") != listener.pk:
        return None, None
    del request.session[key]
    return saved["token"], decrypt_token(saved["secret"])
