"""The Model Context Protocol endpoint and its plain-HTTP twin for AI assistants."""

from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "mcp"
    verbose_name = "MCP"

    def ready(self):
        from django.db.models.signals import post_delete

        from accounts.models import Listener
        from mcp.ratelimit import forget_listener

        post_delete.connect(forget_listener, sender=Listener, dispatch_uid="mcp.rate_counter")
