"""`PlayRecord`: one play as any source describes it, before it is stored.

The poller turns API items into these, the importer turns export rows into these, and
`plays.ingest` stores them, so every source goes through the same catalogue lookup and the same
deduplication. Fields a source doesn't know stay None or empty.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(slots=True)
class PlayRecord:
    played_at: datetime  # aware, UTC: when the play ended
    source: str  # a plays.models.Play.Source value
    kind: str  # a plays.models.Item.Kind value: track, episode, chapter
    item_name: str
    item_uri: str | None = None  # spotify:track:<id>, spotify:episode:<id>, spotify:chapter:<id>
    artist_names: tuple[str, ...] = ()  # credited artists, primary first (tracks only)
    artist_ids: tuple[str | None, ...] = ()  # their Spotify ids when the source gives them
    album_name: str | None = None
    album_id: str | None = None
    album_type: str = ""
    release_date: str = ""
    album_image_url: str = ""  # the cover on Spotify's image servers (the API gives it)
    show_name: str | None = None  # podcast show or audiobook title (episodes and chapters)
    show_id: str | None = None
    duration_ms: int | None = None
    ms_played: int | None = None
    context_uri: str = ""
    context_type: str = ""
    platform: str = ""
    country: str = ""
    reason_start: str = ""
    reason_end: str = ""
    shuffle: bool | None = None
    skipped: bool | None = None
    offline: bool | None = None
    incognito: bool | None = None

    @property
    def primary_artist(self) -> str | None:
        return self.artist_names[0] if self.artist_names else None
