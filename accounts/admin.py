"""Django admin for listeners and logs. Token ciphertext is never shown: status and expiry only."""

from django.contrib import admin

from accounts.models import Listener, LogEntry


@admin.register(Listener)
class ListenerAdmin(admin.ModelAdmin):
    list_display = [
        "spotify_user_id",
        "display_name",
        "status",
        "time_zone",
        "last_poll_at",
        "next_poll_at",
        "rate_limited_until",
        "refresh_token_expires_at",
        "consecutive_failures",
    ]
    list_filter = ["status", "needs_initial_sync", "time_zone"]
    search_fields = ["spotify_user_id", "display_name", "account_id"]
    exclude = ["encrypted_refresh_token", "encrypted_access_token"]
    actions = ["pause", "resume"]
    readonly_fields = [
        "access_token_expires_at",
        "refresh_token_expires_at",
        "authorized_at",
        "scope",
        "cursor_after_ms",
        "last_poll_at",
        "last_success_at",
        "lease_owner",
        "lease_expires_at",
        "created_at",
        "updated_at",
    ]

    @admin.action(description="Pause polling of the selected listeners")
    def pause(self, request, queryset):
        for listener in queryset:
            listener.pause()

    @admin.action(description="Resume polling of the selected listeners")
    def resume(self, request, queryset):
        for listener in queryset:
            listener.resume()


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "level", "logger", "event", "message", "listener"]
    list_filter = ["level", "logger", ("listener", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["event", "message", "listener__spotify_user_id"]
    date_hierarchy = "created"
    list_select_related = ["listener"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
