"""The Model Context Protocol endpoint and its plain-HTTP twin for AI assistants."""

from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "mcp"
    verbose_name = "MCP"
