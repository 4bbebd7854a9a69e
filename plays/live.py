"""Live Spotify for a listener's assistants: playlists made from the history, top items, search.

Everything goes through the one Spotify client (`accounts.spotify`) with the one token helper
(`accounts.tokens.call_with_token`: refresh once on a 401, try once more). Nothing is called
unless the listener turned on "assistants may create playlists and look things up on Spotify"
(`accounts.scopes`); each way Spotify can fail becomes a `LiveRefused` whose message is one
sentence for the assistant, as the collector handles the same faults:

- 429: the wait Spotify asked for is stored on the listener (`rate_limited_until`, which the
  collector honours too) and said in the sentence; nobody sleeps on it, and calls before then
  are refused at once;
- 5xx, timeouts: "try again in a minute";
- refresh token refused, account not registered, scope missing: what the listener must do.

Playlists this service creates are kept in a ledger (`CreatedPlaylist`) with the client that
made them, and items are added only to those, at most `MAX_ITEMS_PER_ADD` URIs per request.
The ledger's count moves after each request Spotify accepted, so a failure midway says exactly
what is on the playlist. Every write is logged as an event with listener, client and counts.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import scopes
from accounts.logs import log_event
from accounts.models import Listener
from accounts.spotify import (
    MAX_ITEMS_PER_ADD,
    MAX_SEARCH_LIMIT,
    InsufficientScope,
    NotRegistered,
    RateLimited,
    SpotifyClient,
    SpotifyError,
    SpotifyUnavailable,
)
from accounts.tokens import ReauthorizationRequired, call_with_token
from plays.models import CreatedPlaylist
from plays.spotify_refs import parse_reference, to_uri

logger = logging.getLogger(__name__)

SPOTIFY_ID = re.compile(r"[A-Za-z0-9]{1,64}")
PLAYLIST_URL = "https://open.spotify.com/playlist/"
MAX_TRACKS_PER_CALL = 500
MAX_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 300
TIME_RANGES = ("short_term", "medium_term", "long_term")
SEARCH_TYPES = ("track", "artist", "album")


class LiveRefused(Exception):
    """The call can't be (or wasn't completely) done; the message says why and what to do."""


# --- checks ------------------------------------------------------------------------------------


def _who(listener):
    return repr(listener.spotify_user_id)


def check_access(listener):
    """Raises LiveRefused unless the listener's assistants may call Spotify right now."""
    if not (settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET):
        raise LiveRefused(
            "Spotify is not configured on this server (SPOTIFY_CLIENT_ID and "
            "SPOTIFY_CLIENT_SECRET), so live Spotify tools can't be used."
        )
    missing = scopes.missing(listener, scopes.ASSISTANT_SCOPES)
    if missing:
        raise LiveRefused(
            f"Listener {_who(listener)} has not allowed assistants to create playlists and look "
            f"things up on Spotify (missing permission: {', '.join(missing)}); "
            f"{scopes.WHERE_TO_TURN_ON}."
        )
    if listener.status in (Listener.Status.NEEDS_REAUTH, Listener.Status.NOT_REGISTERED) or not (
        listener.encrypted_refresh_token
    ):
        raise LiveRefused(
            f"Spotify no longer accepts the login of listener {_who(listener)}: they must log in "
            "again at /auth/login?with=playlists on this service."
        )
    until = listener.rate_limited_until
    if until and until > timezone.now():
        raise LiveRefused(_rate_limited_sentence(until))


def _rate_limited_sentence(until):
    wait = max(int((until - timezone.now()).total_seconds()) + 1, 1)
    return (
        f"Spotify is rate limiting this service: try again in {wait} seconds "
        f"(after {until:%Y-%m-%d %H:%M:%S} UTC)."
    )


def _remember_rate_limit(listener, seconds):
    """Stores Spotify's wait on the listener (never shortening one already stored)."""
    until = timezone.now() + timedelta(seconds=seconds)
    Listener.objects.filter(pk=listener.pk).filter(
        Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lt=until)
    ).update(rate_limited_until=until)
    listener.rate_limited_until = until
    return until


def _refusal(listener, error):
    """The sentence for a failed Spotify call."""
    if isinstance(error, RateLimited):
        return _rate_limited_sentence(_remember_rate_limit(listener, error.retry_after))
    if isinstance(error, ReauthorizationRequired):
        return (
            f"Spotify no longer accepts the login of listener {_who(listener)} ({error}): they "
            "must log in again at /auth/login?with=playlists on this service."
        )
    if isinstance(error, NotRegistered):
        return (
            "Spotify says this account is not on the Spotify app's allow-list (Users and Access "
            "in the Spotify Developer Dashboard); the operator must add it."
        )
    if isinstance(error, InsufficientScope):
        return (
            f"Spotify refused: the stored login of listener {_who(listener)} lacks a permission "
            f"this needs; {scopes.WHERE_TO_TURN_ON}."
        )
    if isinstance(error, SpotifyUnavailable):
        return f"Spotify did not answer properly ({error}): try again in a minute."
    status = f" (HTTP {error.status})" if getattr(error, "status", None) else ""
    return f"Spotify refused the request{status}: {str(error).rstrip('.')}."


def _call(listener, client, request):
    """`request(access_token)` through the token helper; Spotify's faults become LiveRefused."""
    try:
        return call_with_token(listener, request, client=client)
    except (SpotifyError, ReauthorizationRequired) as error:
        if isinstance(error, SpotifyError) and not isinstance(
            error, SpotifyUnavailable | RateLimited
        ):
            log_event(
                logger,
                "spotify.live_refused",
                f"Spotify refused a live call for {listener.spotify_user_id}: {error}",
                level=logging.WARNING,
                listener=listener,
                status=error.status,
            )
        raise LiveRefused(_refusal(listener, error)) from error


# --- arguments ---------------------------------------------------------------------------------


def playable_uris(references):
    """Spotify URIs for track (or episode) references in order: URIs, links or bare track ids."""
    if not isinstance(references, list):
        raise LiveRefused("track_uris must be a list of Spotify track URIs or ids.")
    if len(references) > MAX_TRACKS_PER_CALL:
        raise LiveRefused(
            f"track_uris has {len(references)} entries; at most {MAX_TRACKS_PER_CALL} per call "
            "(add the rest with add_to_playlist)."
        )
    uris = []
    for index, reference in enumerate(references):
        parsed = parse_reference(reference, bare_kind="track")
        if parsed is None or parsed[0] not in ("track", "episode"):
            raise LiveRefused(
                f"track_uris[{index}] ({str(reference)[:60]!r}) is not a Spotify track: use "
                "'spotify:track:<id>', an open.spotify.com/track link or the 22-character "
                "spotify_id from a history answer."
            )
        uris.append(to_uri(*parsed))
    return uris


def _text(value, name, most, *, required=False):
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise LiveRefused(f"{name} must not be empty.")
    if len(text) > most:
        raise LiveRefused(f"{name} is {len(text)} characters; at most {most}.")
    return text


def _playlist_id(reference):
    parsed = parse_reference(reference, bare_kind="playlist")
    if parsed is None or parsed[0] != "playlist":
        raise LiveRefused(
            f"playlist_id {str(reference)[:60]!r} is not a Spotify playlist id, URI or link: use "
            "the playlist_id that create_playlist or list_playlists gave."
        )
    return parsed[1]


# --- playlists ---------------------------------------------------------------------------------


def ledger_row(entry):
    return {
        "playlist_id": entry.spotify_id,
        "uri": to_uri("playlist", entry.spotify_id),
        "url": entry.url,
        "name": entry.name,
        "public": entry.public,
        "items_added": entry.items_added,
        "client": entry.client,
        "created_at": entry.created_at.isoformat(),
    }


def _add_in_batches(listener, client, entry, uris, *, client_name, done_before):
    """Adds `uris` 100 at a time, counting each accepted batch in the ledger; returns how many
    were added. A failure raises LiveRefused saying what was added and what is left."""
    added = 0
    for start in range(0, len(uris), MAX_ITEMS_PER_ADD):
        batch = uris[start : start + MAX_ITEMS_PER_ADD]
        try:
            _call(
                listener,
                client,
                lambda token, batch=batch: client.add_playlist_items(
                    token, entry.spotify_id, batch
                ),
            )
        except LiveRefused as refused:
            _log_added(listener, entry, client_name, added, len(uris), error=str(refused))
            left = len(uris) - added
            raise LiveRefused(
                f"{done_before}Added {added} of {len(uris)} tracks to playlist "
                f"{entry.name!r} (playlist_id {entry.spotify_id}, {entry.url}), then: {refused} "
                f"The other {left} tracks (track_uris from position {added + 1} on) were not "
                f"added; add them with add_to_playlist when Spotify allows."
            ) from refused
        added += len(batch)
        CreatedPlaylist.objects.filter(pk=entry.pk).update(
            items_added=F("items_added") + len(batch), updated_at=timezone.now()
        )
    _log_added(listener, entry, client_name, added, len(uris))
    return added


def _log_added(listener, entry, client_name, added, requested, error=None):
    if not requested:
        return
    log_event(
        logger,
        "spotify.items_added",
        f"{client_name} added {added} of {requested} tracks to playlist {entry.spotify_id} "
        f"of {listener.spotify_user_id}" + (" before Spotify refused" if error else ""),
        level=logging.WARNING if error else logging.INFO,
        listener=listener,
        client=client_name,
        playlist=entry.spotify_id,
        requested=requested,
        added=added,
        outcome="incomplete" if error else "ok",
    )


def create_playlist(
    listener, *, name, track_uris=(), description="", public=False, client_name="", client=None
):
    """Creates a playlist on the listener's Spotify, records it in the ledger, and adds the
    tracks in order."""
    name = _text(name, "name", MAX_NAME_CHARS, required=True)
    description = _text(description, "description", MAX_DESCRIPTION_CHARS)
    uris = playable_uris(list(track_uris))
    check_access(listener)
    client = client or SpotifyClient.from_settings()
    created = _call(
        listener,
        client,
        lambda token: client.create_playlist(
            token, name=name, description=description, public=bool(public)
        ),
    )
    playlist_id = created.get("id")
    if not isinstance(playlist_id, str) or not SPOTIFY_ID.fullmatch(playlist_id):
        raise LiveRefused("Spotify's answer had no usable playlist id: try again later.")
    # Only Spotify's own web player is linked (the page shows it as a link).
    url = (created.get("external_urls") or {}).get("spotify")
    if not isinstance(url, str) or not url.startswith(PLAYLIST_URL):
        url = f"{PLAYLIST_URL}{playlist_id}"
    with transaction.atomic():
        entry = CreatedPlaylist.objects.create(
            listener=listener,
            spotify_id=playlist_id,
            name=name,
            description=description,
            public=bool(public),
            url=url[:300],
            client=client_name[:100],
        )
    log_event(
        logger,
        "spotify.playlist_created",
        f"{client_name} created playlist {playlist_id} for {listener.spotify_user_id} "
        f"with {len(uris)} tracks to add",
        listener=listener,
        client=client_name,
        playlist=playlist_id,
        requested=len(uris),
        public=bool(public),
    )
    added = _add_in_batches(
        listener,
        client,
        entry,
        uris,
        client_name=client_name,
        done_before=f"Created playlist {name!r}. ",
    )
    entry.refresh_from_db()
    return {**ledger_row(entry), "added": added, "requested": len(uris)}


def add_to_playlist(listener, *, playlist_id, track_uris, client_name="", client=None):
    """Appends tracks, in order, to a playlist this service created for this listener."""
    spotify_id = _playlist_id(playlist_id)
    uris = playable_uris(list(track_uris))
    if not uris:
        raise LiveRefused("track_uris is empty: name at least one track to add.")
    entry = CreatedPlaylist.objects.filter(listener=listener, spotify_id=spotify_id).first()
    if entry is None:
        raise LiveRefused(
            f"Playlist {spotify_id} was not created by this service for listener "
            f"{_who(listener)}: add_to_playlist only adds to the playlists list_playlists shows "
            "(make a new one with create_playlist)."
        )
    check_access(listener)
    client = client or SpotifyClient.from_settings()
    added = _add_in_batches(listener, client, entry, uris, client_name=client_name, done_before="")
    entry.refresh_from_db()
    return {**ledger_row(entry), "added": added, "requested": len(uris)}


def _spotify_playlist_row(playlist, ledger_ids):
    owner = playlist.get("owner") or {}
    items = playlist.get("items") or playlist.get("tracks") or {}
    return {
        "playlist_id": playlist.get("id"),
        "name": playlist.get("name") or "",
        "public": playlist.get("public"),
        "owner": owner.get("id"),
        "items": items.get("total") if isinstance(items, dict) else None,
        "url": (playlist.get("external_urls") or {}).get("spotify"),
        "created_here": playlist.get("id") in ledger_ids,
    }


def list_playlists(listener, *, include_spotify=False, limit=50, client=None):
    """The ledger of playlists made here, newest first; with `include_spotify`, also the
    listener's own list as Spotify shows it (one page of up to `limit`)."""
    ledger = list(CreatedPlaylist.objects.filter(listener=listener)[:200])
    answer = {"created_here": [ledger_row(entry) for entry in ledger], "spotify": None}
    if include_spotify:
        check_access(listener)
        client = client or SpotifyClient.from_settings()
        page = _call(listener, client, lambda token: client.my_playlists(token, limit=limit))
        ids = {entry.spotify_id for entry in ledger}
        answer["spotify"] = {
            "total": page.get("total"),
            "items": [_spotify_playlist_row(p, ids) for p in page.get("items") or [] if p],
        }
    return answer


# --- lookups -----------------------------------------------------------------------------------


def _track_row(track):
    return {
        "name": track.get("name") or "",
        "uri": track.get("uri"),
        "spotify_id": track.get("id"),
        "artists": [a.get("name") for a in track.get("artists") or []],
        "album": (track.get("album") or {}).get("name"),
        "url": (track.get("external_urls") or {}).get("spotify"),
    }


def _artist_row(artist):
    return {
        "name": artist.get("name") or "",
        "uri": artist.get("uri"),
        "spotify_id": artist.get("id"),
        "genres": list(artist.get("genres") or []),
        "url": (artist.get("external_urls") or {}).get("spotify"),
    }


def _album_row(album):
    return {
        "name": album.get("name") or "",
        "uri": album.get("uri"),
        "spotify_id": album.get("id"),
        "artists": [a.get("name") for a in album.get("artists") or []],
        "release_date": album.get("release_date"),
        "url": (album.get("external_urls") or {}).get("spotify"),
    }


ROWS = {"track": _track_row, "artist": _artist_row, "album": _album_row}


def top_items(listener, *, kind="tracks", time_range="medium_term", limit=20, client=None):
    """Spotify's own top artists or tracks of the listener (not computed from the history)."""
    check_access(listener)
    client = client or SpotifyClient.from_settings()
    page = _call(
        listener,
        client,
        lambda token: client.top_items(token, kind, time_range=time_range, limit=limit),
    )
    row = ROWS[kind.removesuffix("s")]
    items = [row(item) for item in page.get("items") or [] if item]
    return {
        "type": kind,
        "time_range": time_range,
        "items": [{"rank": rank, **item} for rank, item in enumerate(items, start=1)],
    }


def search(listener, *, query, types=("track",), limit=5, client=None):
    """Spotify's catalogue search, at most MAX_SEARCH_LIMIT results of each type."""
    query = _text(query, "query", 200, required=True)
    limit = max(1, min(int(limit), MAX_SEARCH_LIMIT))
    check_access(listener)
    client = client or SpotifyClient.from_settings()
    found = _call(
        listener, client, lambda token: client.search(token, query, types=types, limit=limit)
    )
    answer = {"query": query}
    for kind in SEARCH_TYPES:
        if kind in types:
            page = found.get(f"{kind}s") or {}
            answer[f"{kind}s"] = [ROWS[kind](item) for item in page.get("items") or [] if item]
        else:
            answer[f"{kind}s"] = []
    return answer
