"""Django admin for import jobs (raw records)."""

from django.contrib import admin

from imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "listener",
        "file_name",
        "format",
        "status",
        "records_done",
        "records_total",
        "inserted",
        "duplicates",
        "finished_at",
        "error",
    ]
    list_filter = ["status", "format", ("listener", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"
    list_select_related = ["listener"]
    search_fields = ["file_name", "listener__spotify_user_id"]
    readonly_fields = ["stored_path", "worker", "heartbeat_at", "resume_file", "resume_row"]

    def has_add_permission(self, request):
        return False
