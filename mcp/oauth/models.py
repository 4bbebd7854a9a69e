"""The OAuth tables: django-oauth-toolkit's models, with a listener as the resource owner.

The toolkit's abstract models are used as they are, except that `user` (the resource owner) points
at `accounts.Listener` instead of a Django user: listeners log in with Spotify and have no Django
account, and a listener's deletion then removes their grants and tokens with them. The toolkit's
code only ever passes `request.user` through to these fields, so the listener travels as
`request.user` inside the OAuth flow (see `mcp.oauth.views`).

Tokens are stored as SHA-256 only (`COMPLIANT_BCP_RFC9700_TOKEN_STORAGE`): the `token` column
stays blank and `token_checksum` finds the row, as the project's own MCP tokens do.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    AbstractGrant,
    AbstractIDToken,
    AbstractRefreshToken,
)

from accounts.models import Listener
from mcp.oauth.redirects import redirect_uris_problem


class Application(AbstractApplication):
    """An OAuth client: an assistant registered by DCR, by its metadata document, or by hand."""

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        problem = redirect_uris_problem(self.redirect_uris.split())
        if problem:
            errors.setdefault("redirect_uris", []).append(problem)
        if errors:
            raise ValidationError(errors)

    def is_usable(self, request):
        """The toolkit asks this before every authorization, token exchange and token use:
        with MCP_OAUTH_ALLOWED_CLIENTS set, only the listed client ids may connect."""
        allowed = settings.MCP_OAUTH_ALLOWED_CLIENTS
        return not allowed or self.client_id in allowed

    @property
    def display_name(self):
        return self.name or self.client_id

    @property
    def name_is_verified(self):
        """A metadata document's name is vouched for by the HTTPS host serving it (shown with
        it); a dynamically registered client's name is whatever it typed."""
        return self.registration_source == self.RegistrationSource.CIMD


class Grant(AbstractGrant):
    """An authorization code (single use, a minute)."""

    user = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="oauth_grants")


class IDToken(AbstractIDToken):
    """Unused (no OpenID Connect here); swapped with the others, as the toolkit requires."""

    user = models.ForeignKey(
        Listener, on_delete=models.CASCADE, null=True, blank=True, related_name="oauth_id_tokens"
    )


class AccessToken(AbstractAccessToken):
    """A short-lived access token for /mcp. `user` is the listener (None for a DCR
    registration-management token, which /mcp never accepts)."""

    user = models.ForeignKey(
        Listener,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="oauth_access_tokens",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)


class RefreshToken(AbstractRefreshToken):
    """A rotating refresh token; every rotation of one authorization shares `token_family`."""

    user = models.ForeignKey(
        Listener, on_delete=models.CASCADE, related_name="oauth_refresh_tokens"
    )


class Connection(models.Model):
    """A connected assistant: one approved authorization of a client by a listener, which lives
    as long as its family of refresh tokens (what /me lists and can disconnect)."""

    listener = models.ForeignKey(
        Listener, on_delete=models.CASCADE, related_name="assistant_connections"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="connections"
    )
    token_family = models.UUIDField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.application.display_name} for {self.listener.spotify_user_id}"
