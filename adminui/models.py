"""What the pages keep of their own: the share links of a listener's Wrapped.

A share link lets anybody who has it read one Wrapped (one listener, one range of dates) and
nothing else. Like an MCP token, its secret is stored only as a SHA-256 hash (`adminui.shares`),
so the database never holds a usable link; the listener sees the link once, when it is made.
"""

from django.db import models
from django.utils import timezone

from accounts.models import Listener


class WrappedShare(models.Model):
    """A read-only, revocable link to a listener's Wrapped of one range of dates."""

    listener = models.ForeignKey(Listener, on_delete=models.CASCADE, related_name="wrapped_shares")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=16, editable=False, help_text="The secret's first characters, to recognise it."
    )
    # The range as the listener asked for it (what `plays.queries.Window.parse` reads: a year,
    # a month or a date on each side), read in the listener's time zone when the page is shown.
    start = models.CharField(max_length=32)
    end = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listener", "created_at"], name="share_listener_idx")]

    def __str__(self):
        return f"{self.prefix}… ({self.listener.spotify_user_id}, {self.start} to {self.end})"

    @property
    def is_active(self):
        return self.revoked_at is None
