"""Which assistants may register, and how many: the operator's policy and the flood limits.

Three settings decide:

- MCP_OAUTH_REGISTRATION (default on): off means no new client, by Dynamic Client Registration or
  by a new client ID metadata document; clients already connected keep working.
- MCP_OAUTH_ALLOWED_CLIENTS (default empty = any): with a list, only those client ids may
  register, authorize, exchange or use a token (`Application.is_usable`). Metadata-document URLs
  are the useful entries; DCR hands out random ids, so a list effectively turns DCR off.
- MCP_OAUTH_REGISTRATIONS_PER_MINUTE: new registrations (both kinds) a minute, counted in the
  database like the MCP rate limit, so a flood is refused with 429 whatever the number of workers.

Dynamically registered clients that never completed an authorization are deleted after
UNUSED_CLIENT_HOURS, and at most MCP_OAUTH_MAX_UNUSED_CLIENTS of them may exist at once.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts import metric_counts
from accounts.logs import log_event
from mcp import ratelimit
from mcp.oauth.models import Application

logger = logging.getLogger(__name__)

UNUSED_CLIENT_HOURS = 24
RATE_KEY = "oauth:registrations"


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str
    description: str
    retry_after: int = 0


def registration_refusal(client_id=None):
    """Why a new client may not register now (a Refusal), or None. Counts the attempt."""
    if not settings.MCP_OAUTH_REGISTRATION:
        return Refusal(
            403,
            "access_denied",
            "This server does not accept new assistants (MCP_OAUTH_REGISTRATION is off); "
            "ask its operator.",
        )
    allowed = settings.MCP_OAUTH_ALLOWED_CLIENTS
    if allowed and client_id not in allowed:
        return Refusal(
            403,
            "access_denied",
            "This server only accepts the assistants its operator listed in "
            "MCP_OAUTH_ALLOWED_CLIENTS.",
        )
    decision = ratelimit.hit(RATE_KEY, limit=settings.MCP_OAUTH_REGISTRATIONS_PER_MINUTE)
    if not decision.allowed:
        metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="oauth_registrations")
        log_event(
            logger,
            "oauth.registration_flood",
            f"Refused a client registration: over {decision.limit} a minute",
            level=logging.WARNING,
        )
        return Refusal(
            429,
            "too_many_requests",
            f"Over {decision.limit} new client registrations a minute: try again in "
            f"{decision.retry_after} seconds.",
            decision.retry_after,
        )
    return None


def unused_dynamic_clients():
    return Application.objects.filter(
        registration_source=Application.RegistrationSource.DCR, connections__isnull=True
    )


def delete_stale_clients(now=None):
    """Deletes dynamically registered clients never used within UNUSED_CLIENT_HOURS; returns
    how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=UNUSED_CLIENT_HOURS)
    _, deleted = unused_dynamic_clients().filter(created__lt=cutoff).delete()
    return deleted.get(Application._meta.label, 0)


def dynamic_registration_refusal():
    """The checks before a Dynamic Client Registration: policy, rate, number of unused ones."""
    refusal = registration_refusal()
    if refusal:
        return refusal
    delete_stale_clients()
    if unused_dynamic_clients().count() >= settings.MCP_OAUTH_MAX_UNUSED_CLIENTS:
        metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="oauth_registrations")
        log_event(
            logger,
            "oauth.registration_flood",
            "Refused a client registration: too many registered clients never used",
            level=logging.WARNING,
        )
        return Refusal(
            429,
            "too_many_requests",
            "Too many assistants registered here without ever connecting; try again later.",
            3600,
        )
    return None


class MetadataDocumentPolicy:
    """django-oauth-toolkit's CIMD permission hook: asked before a new metadata document (one
    whose client id is not stored yet) is fetched."""

    def has_permission(self, request, client_id) -> bool:
        refusal = registration_refusal(client_id)
        if refusal:
            log_event(
                logger,
                "oauth.registration_refused",
                f"Did not fetch the client metadata document of a new client: "
                f"{refusal.description}",
                level=logging.WARNING,
                client_id=client_id[:200],
            )
        return refusal is None
