"""MCP authorization: this service as its own OAuth 2.1 authorization server for /mcp.

A sub-app of `mcp` (same layer) with its own label, because django-oauth-toolkit's models are
swapped for the ones in `mcp.oauth.models` (whose resource owner is a listener, not a Django
user), and the toolkit wants swapped models in an app whose first migration creates them.
"""

from django.apps import AppConfig


class McpOAuthConfig(AppConfig):
    name = "mcp.oauth"
    label = "mcp_oauth"
    verbose_name = "MCP authorization (OAuth)"
