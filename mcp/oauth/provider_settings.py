"""django-oauth-toolkit's settings, derived from this project's own (one place, no Django imports).

`spotify_history.settings` calls `provider_settings()` once; tests that move PUBLIC_BASE_URL (the
live server's random port) call it again so the toolkit follows. Every URL the toolkit publishes
(issuer, endpoints, the protected resource) is built from PUBLIC_BASE_URL, never from a request's
Host header.
"""

SCOPE = "history:read"
SCOPE_DESCRIPTION = (
    "Read your Spotify listening history: plays, top artists, tracks and albums, summaries and "
    "sync status"
)
# Tools that change something (every tool not annotated read-only: playlists on Spotify, the
# remembered taste profile) need this one too; a token without it is answered 403
# insufficient_scope by /mcp. The consent page says so in plain words.
WRITE_SCOPE = "history:write"
WRITE_SCOPE_DESCRIPTION = (
    "Change things for you: create Spotify playlists and add tracks to them (only if you allowed "
    "playlists on your page), and update or clear your remembered taste profile"
)
RESOURCE_PATH = "/mcp"


def resource_url(public_base_url):
    """The protected resource (RFC 8707 / RFC 9728): the canonical URL of the MCP endpoint."""
    return public_base_url.rstrip("/") + RESOURCE_PATH


def provider_settings(
    public_base_url,
    *,
    access_token_seconds=3600,
    refresh_token_days=30,
    **overrides,
):
    """The OAUTH2_PROVIDER dict; `overrides` replace single keys (tests shorten timeouts)."""
    base = public_base_url.rstrip("/")
    compliant = {
        # RFC 9700 (OAuth 2.0 Security BCP) behaviour, all on: no implicit or password grant, PKCE
        # S256 only, no token in a query string, `iss` in every authorization response, tokens
        # stored as SHA-256 only, refresh-token replay revokes the whole grant, exact redirect URIs.
        f"COMPLIANT_BCP_RFC9700_{name}": True
        for name in (
            "IMPLICIT_GRANT",
            "PASSWORD_GRANT",
            "PKCE_METHOD",
            "PKCE_REQUIRED",
            "ACCESS_TOKEN_TRANSPORT",
            "AUTHZ_RESPONSE_ISS",
            "TOKEN_STORAGE",
            "REFRESH_TOKEN",
            "REDIRECT_URI_MATCHING",
        )
    }
    settings = {
        **compliant,
        "SCOPES": {SCOPE: SCOPE_DESCRIPTION, WRITE_SCOPE: WRITE_SCOPE_DESCRIPTION},
        "DEFAULT_SCOPES": [SCOPE],
        "PKCE_REQUIRED": True,
        "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
        "ACCESS_TOKEN_EXPIRE_SECONDS": access_token_seconds,
        # Idle lifetime: a refresh token dies this long after its last access token expired.
        "REFRESH_TOKEN_EXPIRE_SECONDS": refresh_token_days * 24 * 3600,
        "ROTATE_REFRESH_TOKEN": True,
        "REFRESH_TOKEN_REUSE_PROTECTION": True,
        "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
        "REQUEST_APPROVAL_PROMPT": "force",
        # http is accepted only for loopback hosts: mcp.oauth.redirects checks every registered URI.
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
        "ALLOW_LOCALHOST_LOOPBACK": True,
        "ALLOW_URI_WILDCARDS": False,
        "OAUTH2_VALIDATOR_CLASS": "mcp.oauth.validator.Validator",
        # Discovery (RFC 8414, RFC 9728): every URL from PUBLIC_BASE_URL.
        "OIDC_ISS_ENDPOINT": base,
        "OAUTH2_PROTECTED_RESOURCE_IDENTIFIER": resource_url(base),
        "OAUTH2_PROTECTED_RESOURCE_AUTHORIZATION_SERVERS": [base],
        "OAUTH2_PROTECTED_RESOURCE_NAME": "Spotify listening history",
        "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
        "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
        "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
            "none",
            "client_secret_basic",
            "client_secret_post",
        ],
        # Dynamic Client Registration (RFC 7591) and Client ID Metadata Documents, both gated by
        # mcp.oauth.clients (MCP_OAUTH_REGISTRATION, MCP_OAUTH_ALLOWED_CLIENTS, the rate): DCR in
        # the view in front of the toolkit's (mcp.oauth.views.register), CIMD by its hook.
        "DCR_ENABLED": True,
        "DCR_REGISTRATION_PERMISSION_CLASSES": ("oauth2_provider.dcr.AllowAllDCRPermission",),
        "CIMD_ENABLED": True,
        "CIMD_REGISTRATION_PERMISSION_CLASSES": ("mcp.oauth.clients.MetadataDocumentPolicy",),
        "CIMD_METADATA_FETCHER": "mcp.oauth.cimd.MetadataFetcher",
        "CIMD_FETCH_TIMEOUT_SECONDS": 5,
        "CIMD_MAX_DOCUMENT_SIZE": 16 * 1024,
        "APPLICATION_ADMIN_CLASS": "mcp.oauth.admin.ApplicationAdmin",
        "ACCESS_TOKEN_ADMIN_CLASS": "mcp.oauth.admin.AccessTokenAdmin",
        "REFRESH_TOKEN_ADMIN_CLASS": "mcp.oauth.admin.RefreshTokenAdmin",
        "GRANT_ADMIN_CLASS": "mcp.oauth.admin.GrantAdmin",
        "ID_TOKEN_ADMIN_CLASS": "mcp.oauth.admin.IDTokenAdmin",
    }
    settings.update(overrides)
    return settings
