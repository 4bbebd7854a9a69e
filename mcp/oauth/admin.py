"""The OAuth tables in the Django admin: django-oauth-toolkit's admin classes (which mask every
token and code), searchable by the listener's Spotify id instead of a Django user's name.

The toolkit registers the models itself with these classes (OAUTH2_PROVIDER *_ADMIN_CLASS);
connections are registered here.
"""

from django.contrib import admin
from oauth2_provider import admin as toolkit

from mcp.oauth.models import Connection

BY_LISTENER = ("application__client_id", "application__name", "user__spotify_user_id")


class ApplicationAdmin(toolkit.ApplicationAdmin):
    search_fields = ("name", "client_id")


class AccessTokenAdmin(toolkit.AccessTokenAdmin):
    search_fields = BY_LISTENER


class RefreshTokenAdmin(toolkit.RefreshTokenAdmin):
    search_fields = BY_LISTENER


class GrantAdmin(toolkit.GrantAdmin):
    search_fields = BY_LISTENER


class IDTokenAdmin(toolkit.IDTokenAdmin):
    search_fields = BY_LISTENER


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["application", "listener", "created_at", "last_used_at"]
    search_fields = ["application__name", "application__client_id", "listener__spotify_user_id"]
    fields = ["listener", "application", "token_family", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
