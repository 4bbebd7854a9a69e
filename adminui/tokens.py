"""MCP tokens on the pages: list, create (the secret shown once), revoke, one listener at a time.

Tokens themselves are `mcp.tokens`' business (hashing, storing, checking); this module only makes
sure a page acts on the listener it is about, never on another listener's token, and shows a new
token's secret exactly once.

Creating follows post/redirect/get (`adminui.shown_once`): the POST issues the token, keeps its
secret in the session (encrypted with TOKEN_ENCRYPTION_KEY, like Spotify's tokens) and redirects to
the page that shows it. That page takes the secret out of the session as it shows it, so reloading
it (or going back to it) shows no secret and never creates another token.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render

from adminui import shown_once
from mcp import setup
from mcp import tokens as mcp_tokens

NEW_TOKEN_SESSION_KEY = "new_mcp_token"  # noqa: S105 - the name of a session key


def active_tokens(listener):
    return mcp_tokens.active_tokens(listener)


def revoke(listener, token_id):
    """Revokes `listener`'s token `token_id` (404 for anyone else's); returns its name."""
    token = active_tokens(listener).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such active token.")
    mcp_tokens.revoke_token(token)
    return token.name or token.prefix


def issue_for_display(request, listener, name):
    """Issues a token for `listener` and keeps its secret in the session for one display; None,
    with the reason as a message, when the listener already holds the most tokens allowed."""
    try:
        token, secret = mcp_tokens.issue_token(listener, name=name)
    except mcp_tokens.TooManyTokens as refusal:
        messages.error(request, str(refusal))
        return None
    shown_once.keep(request, NEW_TOKEN_SESSION_KEY, listener, token.pk, secret)
    return token


def take_new_secret(request, listener):
    """(token, secret) of the token just issued for `listener`, the first time it is asked for;
    (None, None) after that, or when the session holds another listener's new token (which it
    keeps, for that listener's page)."""
    token_id, secret = shown_once.take(request, NEW_TOKEN_SESSION_KEY, listener)
    token = active_tokens(listener).filter(pk=token_id).first() if token_id else None
    if token is None:
        return None, None
    return token, secret


def render_new_token(request, listener, back_url, base_template):
    """The page showing the new token's secret once (the views add never_cache, so no cache keeps
    it either); on a reload, a page saying it was shown already."""
    token, secret = take_new_secret(request, listener)
    context = {"listener": listener, "back_url": back_url, "base_template": base_template}
    if secret is None:
        return render(request, "adminui/token_shown.html", context)
    base_url = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "adminui/token_created.html",
        {
            **context,
            "token": token,
            "secret": secret,
            "configs": setup.client_configs(base_url, secret),
        },
    )
