"""Django admin for the catalogue, the plays, and what assistants keep (raw records)."""

from django.contrib import admin

from plays.models import (
    Album,
    Artist,
    CreatedPlaylist,
    Item,
    Play,
    PreferenceEvent,
    Show,
    SyncRun,
    TasteProfile,
)


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    list_display = ["name", "spotify_id", "key"]
    search_fields = ["name", "spotify_id"]


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["name", "artist", "album_type", "release_date"]
    search_fields = ["name", "spotify_id"]
    list_select_related = ["artist"]
    raw_id_fields = ["artist"]


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "spotify_id"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "primary_artist", "album", "show", "spotify_id"]
    list_filter = ["kind"]
    search_fields = ["name", "spotify_id", "key"]
    list_select_related = ["primary_artist", "album", "show"]
    raw_id_fields = ["primary_artist", "album", "show"]


@admin.register(Play)
class PlayAdmin(admin.ModelAdmin):
    list_display = ["played_at", "listener", "item", "ms_played", "source", "reason_end"]
    list_filter = ["source", ("listener", admin.RelatedOnlyFieldListFilter), "item__kind"]
    date_hierarchy = "played_at"
    search_fields = ["item__name"]
    list_select_related = ["listener", "item"]
    raw_id_fields = ["item"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "listener",
        "kind",
        "status",
        "requests",
        "fetched",
        "inserted",
        "duplicates",
        "error",
    ]
    list_filter = ["kind", "status", ("listener", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["listener__spotify_user_id", "error", "worker"]
    date_hierarchy = "started_at"
    list_select_related = ["listener"]

    def has_add_permission(self, request):
        return False


@admin.register(TasteProfile)
class TasteProfileAdmin(admin.ModelAdmin):
    list_display = ["listener", "updated_at", "updated_by"]
    list_select_related = ["listener"]
    raw_id_fields = ["listener"]


@admin.register(PreferenceEvent)
class PreferenceEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "listener", "kind", "text", "spotify_id", "client"]
    list_filter = ["kind", ("listener", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["listener"]
    raw_id_fields = ["listener"]


@admin.register(CreatedPlaylist)
class CreatedPlaylistAdmin(admin.ModelAdmin):
    list_display = ["created_at", "listener", "name", "spotify_id", "items_added", "client"]
    list_filter = [("listener", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["listener"]
    raw_id_fields = ["listener"]
