"""URLs of the authorization server and its discovery documents (included at the root).

The namespace is django-oauth-toolkit's own (`oauth2_provider`), because its metadata views find
the endpoints by these names. Paths:

- /.well-known/oauth-protected-resource and .../mcp: protected resource metadata (RFC 9728)
- /.well-known/oauth-authorization-server and /.well-known/openid-configuration: authorization
  server metadata (RFC 8414; the second path is where some clients look first)
- /oauth/authorize (consent), /oauth/token, /oauth/revoke (RFC 7009), /oauth/register (RFC 7591)
  and /oauth/register/<client_id> (RFC 7592, with the registration access token)
"""

from django.urls import path
from oauth2_provider import views as toolkit

from mcp.oauth import views

app_name = "oauth2_provider"

resource_metadata = toolkit.OAuthProtectedResourceMetadataView.as_view()
server_metadata = toolkit.OAuthServerMetadataView.as_view()

urlpatterns = [
    path(".well-known/oauth-protected-resource", resource_metadata, name="oauth-resource-metadata"),
    path(
        ".well-known/oauth-protected-resource/mcp",
        resource_metadata,
        name="oauth-resource-metadata-mcp",
    ),
    path(".well-known/oauth-authorization-server", server_metadata, name="oauth-server-metadata"),
    path(".well-known/openid-configuration", server_metadata, name="openid-configuration"),
    path("oauth/authorize", views.authorize, name="authorize"),
    path("oauth/token", views.token, name="token"),
    path("oauth/revoke", views.revoke, name="revoke-token"),
    path("oauth/register", views.register, name="dcr-register"),
    path(
        "oauth/register/<str:client_id>",
        toolkit.DynamicClientRegistrationManagementView.as_view(),
        name="dcr-register-management",
    ),
]
