"""MCP tokens (what an AI assistant authenticates with) and the rate-limit counters.

A token is stored only as the SHA-256 of its secret plus a short visible prefix, so the database
never holds a usable credential; the secret is shown once, when it is issued (`mcp.tokens`).
"""

from django.db import models
from django.utils import timezone

from accounts.models import Listener


class McpToken(models.Model):
    """A bearer token that lets an MCP client read one listener's history."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="mcp_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The secret's first characters, to recognise it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "MCP token"

    def __str__(self):
        label = self.name or self.prefix
        return f"{label} ({self.listener.spotify_user_id})"

    @property
    def is_active(self):
        return self.revoked_at is None


class McpRateCounter(models.Model):
    """Calls one caller (a listener, or the admin token) made in the current one-minute window;
    one row per caller, reused.

    Shared by every web process through the database, so the limit holds however many gunicorn
    workers serve the requests (see `mcp.ratelimit`).
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%H:%M}"
