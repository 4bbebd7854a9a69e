"""MCP tokens in the Django admin: listed and revocable; never created or shown there.

Creating a token shows its secret once, which the operator pages and `manage.py mcp_token` do;
the admin only ever sees the hash's visible prefix.
"""

from django.contrib import admin, messages

from mcp.models import McpToken
from mcp.tokens import revoke_token


@admin.register(McpToken)
class McpTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "listener", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "listener__spotify_user_id"]
    fields = ["listener", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_token(token)
        self.message_user(request, f"Revoked {len(tokens)} token(s).", messages.SUCCESS)
