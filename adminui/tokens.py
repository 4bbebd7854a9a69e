"""MCP tokens on the pages: list, create (the secret shown once), revoke, one listener at a time.

Tokens themselves are `mcp.tokens`' business (hashing, storing, checking); this module only makes
sure a page acts on the listener it is about, never on another listener's token, and renders the
one page that ever shows a token's secret, with the client configuration to paste it into.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from mcp import setup
from mcp import tokens as mcp_tokens


def active_tokens(listener):
    return mcp_tokens.active_tokens(listener)


def revoke(listener, token_id):
    """Revokes `listener`'s token `token_id` (404 for anyone else's); returns its name."""
    token = active_tokens(listener).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such active token.")
    mcp_tokens.revoke_token(token)
    return token.name or token.prefix


def render_new_token(request, listener, name, back_url, base_template):
    """Issues a token and renders the page showing it, the only time its secret is visible (the
    views add never_cache, so no cache keeps it either). A listener already holding the most
    tokens allowed goes back to `back_url`, told why."""
    try:
        token, secret = mcp_tokens.issue_token(listener, name=name)
    except mcp_tokens.TooManyTokens as refusal:
        messages.error(request, str(refusal))
        return redirect(back_url)
    base_url = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "adminui/token_created.html",
        {
            "listener": listener,
            "token": token,
            "secret": secret,
            "configs": setup.client_configs(base_url, secret),
            "back_url": back_url,
            "base_template": base_template,
        },
    )
