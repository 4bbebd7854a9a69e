"""Django admin for the catalogue, the plays, and what assistants keep (raw records), with where
each catalogue row's names came from (the API, or whose upload) and whose private item a row is."""

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
    list_display = ["name", "spotify_id", "key", "names_from", "named_by"]
    list_filter = ["names_from"]
    search_fields = ["name", "spotify_id"]
    raw_id_fields = ["named_by"]


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["name", "artist", "album_type", "release_date", "names_from", "named_by"]
    list_filter = ["names_from"]
    search_fields = ["name", "spotify_id"]
    list_select_related = ["artist", "named_by"]
    raw_id_fields = ["artist", "named_by"]


@admin.register(Show)
class ShowAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "spotify_id", "names_from", "named_by"]
    list_filter = ["kind", "names_from"]
    search_fields = ["name"]
    raw_id_fields = ["named_by"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "primary_artist",
        "album",
        "show",
        "spotify_id",
        "names_from",
        "named_by",
        "private_to",
    ]
    list_filter = ["kind", "names_from"]
    search_fields = ["name", "spotify_id", "key"]
    list_select_related = ["primary_artist", "album", "show", "named_by", "private_to"]
    raw_id_fields = ["primary_artist", "album", "show", "named_by", "private_to"]


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
