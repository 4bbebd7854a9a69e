"""In-memory model of the stand-in: listeners, their play history, OAuth grants and faults.

The HTTP endpoints and the control API are thin layers over :class:`StandinState`; tests can
also drive it directly. Every public method takes one lock, so the state is safe to use from
the server's request threads and a test thread at once.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .catalogue import (
    Artist,
    Catalogue,
    Context,
    Play,
    insert_play,
    iso_ms,
    parse_time_ms,
    seeded_rng,
)
from .catalogue import Track as CatalogueTrack
from .library import TIME_RANGES, LibraryError, Playlist, new_playlist_id, search, top

DEFAULT_USER = "demo-listener"
DEFAULT_SCOPE = "user-read-recently-played user-read-private user-read-email"
# Scopes Spotify knows; /authorize refuses any other with a 400 INVALID_SCOPE page.
KNOWN_SCOPES = frozenset(
    {
        "ugc-image-upload",
        "user-read-playback-state",
        "user-modify-playback-state",
        "user-read-currently-playing",
        "app-remote-control",
        "streaming",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-private",
        "playlist-modify-public",
        "user-follow-modify",
        "user-follow-read",
        "user-read-playback-position",
        "user-top-read",
        "user-read-recently-played",
        "user-library-modify",
        "user-library-read",
        "user-read-email",
        "user-read-private",
        "user-personalized",
    }
)
RECENT_WINDOW = 50  # Spotify only ever shows a listener's last 50 plays.
CODE_TTL_SECONDS = 600
REQUEST_LOG_SIZE = 10_000
WEB_API_ENDPOINTS = (
    "me",
    "recently_played",
    "create_playlist",
    "my_playlists",
    "add_items",
    "playlist_items",
    "top_items",
    "search",
)
FAULT_ENDPOINTS = frozenset({"authorize", "token", *WEB_API_ENDPOINTS, "*"})
SECRET_PARAMS = frozenset(
    {"code", "refresh_token", "access_token", "code_verifier", "client_secret"}
)
REDACTED = "REDACTED"
_COUNTRIES = ("DE", "SE", "GB", "US", "FR", "NL", "ES", "BR", "JP", "CA")
_DERIVED: Any = object()  # "make one up" marker for add_user(account_id=...)


class OAuthError(Exception):
    """An Accounts-service error: HTTP ``status`` with ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description


@dataclass
class User:
    id: str
    display_name: str
    country: str
    product: str
    account_id: str | None
    plays: list[Play] = field(default_factory=list)


@dataclass
class _AccessToken:
    user_id: str
    scope: str
    expires_at: float


@dataclass
class _RefreshToken:
    user_id: str
    scope: str
    pkce: bool
    revoked: bool = False


@dataclass
class _AuthCode:
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    expires_at: float


@dataclass
class Fault:
    """A queued misbehaviour for the next ``count`` matching requests (0 = until cleared)."""

    id: int
    endpoint: str
    user_id: str | None = None
    count: int = 1
    status: int | None = None
    retry_after: int | None = None
    delay_ms: int = 0
    error: str | None = None
    error_description: str | None = None
    body_format: str = "text"
    message: str | None = None
    skip: int = 0
    hits: int = 0

    def matches(self, endpoint: str, user_id: str | None) -> bool:
        if self.endpoint not in ("*", endpoint):
            return False
        return self.user_id is None or self.user_id == user_id


@dataclass
class Config:
    """Settings that the control API may change while the server runs."""

    rotate_refresh_tokens: bool = False
    access_token_ttl: int = 3600
    latency_ms: int = 0
    # Fraction of Web API requests answered with a random 429 (half) or 503 (half), drawn
    # deterministically from the seed, the endpoint, the user and the request's ordinal.
    fault_rate: float = 0.0
    fault_retry_after: int = 30
    # Spotify refuses plain-HTTP redirect URIs other than loopback IPs; tests whose app
    # lives at e.g. http://testserver may switch that check off.
    allow_insecure_redirects: bool = False


def s256(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def display_name_for(user_id: str) -> str:
    """A readable, deterministic display name: ``demo-listener`` -> ``Demo Listener``."""
    words = user_id.replace("_", " ").replace("-", " ").replace(".", " ").split()
    return " ".join(word.capitalize() for word in words) or user_id


def account_id_for(user_id: str) -> str:
    """A stable opaque account id per user (the same whatever the seed)."""
    return hashlib.sha256(f"account:{user_id}".encode()).hexdigest()[:32]


def redact(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``pairs`` with token-like values replaced, for the request log."""
    return [(k, REDACTED if k in SECRET_PARAMS else v) for k, v in pairs]


class StandinState:
    """Everything the stand-in knows, with thread-safe methods mirroring the control API.

    ``now`` anchors generated histories (they end a little before it); it defaults to the
    moment the state is created. ``reset()`` returns to exactly the state after creation.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        now: int | str | datetime | None = None,
        default_user: str = DEFAULT_USER,
        plays_per_user: int = 120,
        client_id: str | None = None,
        client_secret: str | None = None,
        rotate_refresh_tokens: bool = False,
        access_token_ttl: int = 3600,
        latency_ms: int = 0,
        allow_insecure_redirects: bool = False,
        fault_rate: float = 0.0,
        fault_retry_after: int = 30,
    ) -> None:
        self.seed = seed
        self.now_ms = parse_time_ms(now) if now is not None else int(time.time() * 1000)
        self.default_user = default_user
        self.plays_per_user = plays_per_user
        self.client_id = client_id
        self.client_secret = client_secret
        self._initial_config = Config(
            rotate_refresh_tokens=rotate_refresh_tokens,
            access_token_ttl=access_token_ttl,
            latency_ms=latency_ms,
            allow_insecure_redirects=allow_insecure_redirects,
            fault_rate=_fraction(fault_rate, "fault_rate"),
            fault_retry_after=_non_negative_int(fault_retry_after, "fault_retry_after"),
        )
        self._lock = threading.RLock()
        self.reset()

    # --- lifecycle and configuration ---------------------------------------------------

    def reset(self) -> None:
        """Forget every user, token, code, fault and logged request; restore the config."""
        with self._lock:
            self.catalogue = Catalogue(self.seed)
            self.config = Config(**asdict(self._initial_config))
            self._users: dict[str, User] = {}
            self._access: dict[str, _AccessToken] = {}
            self._refresh: dict[str, _RefreshToken] = {}
            self._codes: dict[str, _AuthCode] = {}
            self._faults: list[Fault] = []
            self._fault_ids = 0
            self._api_ordinals: dict[tuple[str, str | None], int] = {}
            self._random_faults: dict[int, int] = {}
            self._log: deque[dict] = deque(maxlen=REQUEST_LOG_SIZE)
            self._log_seq = 0
            self._authorize_as: str | None = self.default_user
            self._playlists: dict[str, Playlist] = {}
            self._user(self.default_user)

    def configure(
        self,
        *,
        rotate_refresh_tokens: bool | None = None,
        access_token_ttl: int | None = None,
        latency_ms: int | None = None,
        allow_insecure_redirects: bool | None = None,
        fault_rate: float | None = None,
        fault_retry_after: int | None = None,
    ) -> dict:
        """Change runtime settings (``None`` leaves one as it is); returns the new config."""
        with self._lock:
            if rotate_refresh_tokens is not None:
                self.config.rotate_refresh_tokens = bool(rotate_refresh_tokens)
            if access_token_ttl is not None:
                self.config.access_token_ttl = _non_negative_int(
                    access_token_ttl, "access_token_ttl"
                )
            if latency_ms is not None:
                self.config.latency_ms = _non_negative_int(latency_ms, "latency_ms")
            if allow_insecure_redirects is not None:
                self.config.allow_insecure_redirects = bool(allow_insecure_redirects)
            if fault_rate is not None:
                self.config.fault_rate = _fraction(fault_rate, "fault_rate")
            if fault_retry_after is not None:
                self.config.fault_retry_after = _non_negative_int(
                    fault_retry_after, "fault_retry_after"
                )
            return asdict(self.config)

    @property
    def latency_ms(self) -> int:
        return self.config.latency_ms

    # --- users and plays ---------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        country: str | None = None,
        product: str = "premium",
        account_id: str | None = _DERIVED,
        plays: int | list[dict] | None = None,
    ) -> dict:
        """Create (or replace) a listener. ``plays``: how many to generate, or explicit items.

        ``account_id=None`` makes a user without an ``account_id`` in ``/v1/me``.
        """
        if not user_id or not isinstance(user_id, str):
            raise ValueError("a user needs an id")
        if plays is not None and not isinstance(plays, int | list):
            raise ValueError("plays must be a count or a list of items")
        with self._lock:
            generated = plays if isinstance(plays, int) else (0 if plays is not None else None)
            user = self._new_user(user_id, generated)
            if display_name is not None:
                user.display_name = display_name
            if country is not None:
                user.country = country
            user.product = product
            if account_id is not _DERIVED:
                user.account_id = account_id
            if isinstance(plays, list):
                user.plays = []
                self._add_items(user, plays)
            self._users[user_id] = user
            return self._summary(user)

    def user(self, user_id: str) -> dict:
        """Profile fields of a listener (created on demand) and how many plays it has."""
        with self._lock:
            return self._summary(self._user(user_id))

    def add_plays(
        self, user_id: str, count: int | None = None, items: list[dict] | None = None
    ) -> list[dict]:
        """Append ``count`` generated plays after the latest one, or insert explicit ``items``.

        Items are ``{"track_id", "played_at" (ISO or Unix ms), "context"?}``; context is a URI
        such as ``spotify:playlist:<id>`` or null. Unknown track ids get a made-up track.
        Returns the added plays (as in :meth:`plays`).
        """
        if (count is None) == (items is None):
            raise ValueError("give either count or items")
        with self._lock:
            user = self._user(user_id)
            if items is not None:
                added = self._add_items(user, items)
            else:
                count = _non_negative_int(count, "count")
                rng = seeded_rng("more", self.seed, user_id, len(user.plays))
                taste = self.catalogue.taste(self.seed, user_id)
                start = user.plays[-1].played_at_ms if user.plays else self.now_ms
                added = [
                    Play(start + p.played_at_ms, p.track_id, p.context)
                    for p in self.catalogue.generate(rng, taste, count)
                ]
                user.plays.extend(added)
            window = {id(p) for p in user.plays[-RECENT_WINDOW:]}
            return [self._play_dict(p, id(p) in window) for p in added]

    def plays(self, user_id: str) -> list[dict]:
        """The full truth for a listener, oldest first (not only the visible last 50).

        Each play says whether it is currently ``visible`` through recently-played.
        """
        with self._lock:
            plays = self._user(user_id).plays
            first_visible = len(plays) - RECENT_WINDOW
            return [self._play_dict(p, i >= first_visible) for i, p in enumerate(plays)]

    def recently_played(
        self, user_id: str, limit: int, after: int | None = None, before: int | None = None
    ) -> list[Play]:
        """What ``/me/player/recently-played`` shows: newest first, within the last 50 plays.

        ``after``: the ``limit`` plays right after that time (so a client walking forward
        with after = newest it has seen misses nothing). ``before``: the ``limit`` plays
        right before it. Neither: the newest ``limit``.
        """
        with self._lock:
            window = self._user(user_id).plays[-RECENT_WINDOW:]
        if after is not None:
            page = [p for p in window if p.played_at_ms > after][:limit]
        elif before is not None:
            page = [p for p in window if p.played_at_ms < before][-limit:]
        else:
            page = window[-limit:]
        return page[::-1]

    # --- authorisation -----------------------------------------------------------------

    def authorize_as(self, user_id: str | None = None, *, deny: bool = False) -> None:
        """Whom ``/authorize`` approves as next (created on demand), or deny every request."""
        with self._lock:
            if deny:
                self._authorize_as = None
            else:
                self._authorize_as = user_id or self.default_user
                self._user(self._authorize_as)

    @property
    def authorizing_user(self) -> str | None:
        """The user ``/authorize`` approves as, or ``None`` when it denies."""
        return self._authorize_as

    def issue_code(
        self, user_id: str, client_id: str, redirect_uri: str, scope: str, challenge: str | None
    ) -> str:
        """A single-use authorisation code, valid for 10 minutes."""
        code = "AQ" + secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = _AuthCode(
                user_id, client_id, redirect_uri, scope, challenge, time.time() + CODE_TTL_SECONDS
            )
        return code

    def exchange_code(
        self,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        client_id: str | None,
        client_secret: str | None,
    ) -> dict:
        """``grant_type=authorization_code``; raises :class:`OAuthError` like Spotify."""
        self._check_client(client_id, client_secret)
        with self._lock:
            grant = self._codes.pop(code, None)  # used up by the first attempt, good or bad
            if grant is None:
                raise OAuthError(400, "invalid_grant", "Invalid authorization code")
            if time.time() > grant.expires_at:
                raise OAuthError(400, "invalid_grant", "Authorization code expired")
            if redirect_uri != grant.redirect_uri:
                raise OAuthError(400, "invalid_grant", "Invalid redirect URI")
            if client_id and client_id != grant.client_id:
                raise OAuthError(400, "invalid_grant", "Invalid authorization code")
            pkce = grant.code_challenge is not None
            if pkce and (not code_verifier or s256(code_verifier) != grant.code_challenge):
                raise OAuthError(400, "invalid_grant", "code_verifier was incorrect")
            self._require_secret_unless_pkce(client_secret, pkce)
            return self._issue(grant.user_id, grant.scope, pkce=pkce, with_refresh=True)

    def refresh(self, refresh_token: str, client_id: str | None, client_secret: str | None) -> dict:
        """``grant_type=refresh_token``: a new access token (and refresh token if rotating)."""
        self._check_client(client_id, client_secret)
        with self._lock:
            record = self._refresh.get(refresh_token)
            if record is None:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token")
            if record.revoked:
                raise OAuthError(400, "invalid_grant", "Refresh token revoked")
            self._require_secret_unless_pkce(client_secret, record.pkce)
            rotate = self.config.rotate_refresh_tokens
            if rotate:
                record.revoked = True
            return self._issue(record.user_id, record.scope, pkce=record.pkce, with_refresh=rotate)

    def user_for_grant(self, form: dict[str, str]) -> str | None:
        """Who a token request is about (to match faults and log), without using anything up."""
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                grant = self._codes.get(form.get("code", ""))
                return grant.user_id if grant else None
            record = self._refresh.get(form.get("refresh_token", ""))
            return record.user_id if record else None

    def mint_tokens(self, user_id: str, scope: str = DEFAULT_SCOPE) -> dict:
        """Tokens for a listener without a browser round trip (user created on demand)."""
        with self._lock:
            self._user(user_id)
            return self._issue(user_id, scope, pkce=False, with_refresh=True)

    def revoke(self, user_id: str) -> int:
        """Revoke every refresh token of a listener (they then get ``invalid_grant``)."""
        with self._lock:
            records = [r for r in self._refresh.values() if r.user_id == user_id and not r.revoked]
            for record in records:
                record.revoked = True
            return len(records)

    def issued_tokens(self, user_id: str) -> list[str]:
        """Every access and refresh token issued to a listener so far, expired and revoked ones
        included (for tests that check no token ever leaks)."""
        with self._lock:
            return [
                token
                for tokens in (self._access, self._refresh)
                for token, record in tokens.items()
                if record.user_id == user_id
            ]

    def expire_access_tokens(self, user_id: str) -> int:
        """Make a listener's current access tokens expired (new ones from refresh work)."""
        with self._lock:
            tokens = [t for t in self._access.values() if t.user_id == user_id]
            for token in tokens:
                token.expires_at = 0
            return len(tokens)

    def check_access_token(self, token: str) -> tuple[str | None, str, str]:
        """``(user_id, "valid" | "expired" | "unknown", scope)`` for a bearer token."""
        with self._lock:
            record = self._access.get(token)
            if record is None:
                return None, "unknown", ""
            if time.time() >= record.expires_at:
                return record.user_id, "expired", record.scope
            return record.user_id, "valid", record.scope

    def expire_access_token(self, token: str) -> None:
        with self._lock:
            if token in self._access:
                self._access[token].expires_at = 0

    # --- playlists, top items, search -------------------------------------------------

    def create_playlist(
        self, user_id: str, name: str, *, public: bool = True, description: str = ""
    ) -> Playlist:
        """A new, empty playlist owned by ``user_id`` (``POST /me/playlists``)."""
        with self._lock:
            self._user(user_id)
            playlist = Playlist(new_playlist_id(), user_id, name, description, public)
            self._playlists[playlist.id] = playlist
            return playlist

    def add_playlist_items(
        self, user_id: str, playlist_id: str, uris: list, position: int | None = None
    ) -> str:
        """Adds ``uris`` (at most 100) in order; only the owner may. Returns the snapshot id."""
        with self._lock:
            playlist = self._playlists.get(playlist_id)
            if playlist is None:
                raise LibraryError(404, "Resource not found")
            if playlist.owner != user_id:
                raise LibraryError(403, "You cannot add tracks to a playlist you don't own.")
            playlist.add(list(uris), position, int(time.time() * 1000))
            return playlist.snapshot_id

    def playlist(self, playlist_id: str) -> Playlist | None:
        with self._lock:
            return self._playlists.get(playlist_id)

    def owned_playlists(self, user_id: str) -> list[Playlist]:
        """The playlists ``user_id`` owns, newest first (as ``GET /me/playlists`` lists them)."""
        with self._lock:
            return [p for p in reversed(self._playlists.values()) if p.owner == user_id]

    def playlists(self, user_id: str) -> list[dict]:
        """The playlists a listener owns with their URIs in order, oldest first (control API)."""
        with self._lock:
            return [p.summary() for p in self._playlists.values() if p.owner == user_id]

    def top_items(self, user_id: str, kind: str, time_range: str) -> list[CatalogueTrack | Artist]:
        """The listener's top ``tracks`` or ``artists`` over ``time_range`` of their history."""
        if kind not in ("tracks", "artists") or time_range not in TIME_RANGES:
            raise ValueError("kind must be tracks or artists, time_range one of TIME_RANGES")
        with self._lock:
            plays = list(self._user(user_id).plays)
            now_ms = max([self.now_ms, *(p.played_at_ms for p in plays[-1:])])
            return top(self.catalogue, plays, kind, time_range, now_ms)

    def search(self, query: str, kind: str) -> list:
        with self._lock:
            return search(self.catalogue, query, kind)

    # --- faults ------------------------------------------------------------------------

    def inject_fault(
        self,
        endpoint: str = "*",
        *,
        status: int | None = None,
        user_id: str | None = None,
        count: int = 1,
        retry_after: int | None = None,
        delay_ms: int = 0,
        error: str | None = None,
        error_description: str | None = None,
        body_format: str = "text",
        message: str | None = None,
        skip: int = 0,
    ) -> dict:
        """Queue a fault for ``endpoint`` (see ``FAULT_ENDPOINTS``, or ``*`` for any).

        Give a ``status`` (401, 403, 429 with ``retry_after``, 5xx, or any other 4xx/5xx),
        ``error="invalid_grant"`` (token endpoint), and/or ``delay_ms``. ``body_format``
        (``text`` or ``json``) only matters for 403. ``skip`` lets that many matching requests
        through untouched first (a fault in the middle of a series). Returns the queued fault.
        """
        if endpoint not in FAULT_ENDPOINTS:
            raise ValueError(f"endpoint must be one of {sorted(FAULT_ENDPOINTS)}")
        if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError("status must be an HTTP error status (400-599)")
        if error not in (None, "invalid_grant"):
            raise ValueError('error must be "invalid_grant"')
        if body_format not in ("text", "json"):
            raise ValueError('body_format must be "text" or "json"')
        if status is None and error is None and not delay_ms:
            raise ValueError("a fault needs a status, an error or a delay_ms")
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._fault_ids += 1
            fault = Fault(
                id=self._fault_ids,
                endpoint=endpoint,
                user_id=user_id,
                count=_non_negative_int(count, "count"),
                status=status,
                retry_after=None
                if retry_after is None
                else _non_negative_int(retry_after, "retry_after"),
                delay_ms=_non_negative_int(delay_ms, "delay_ms"),
                error=error,
                error_description=error_description,
                body_format=body_format,
                message=message,
                skip=_non_negative_int(skip, "skip"),
            )
            self._faults.append(fault)
            return asdict(fault)

    def faults(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def clear_faults(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            return cleared

    def take_fault(self, endpoint: str, user_id: str | None) -> Fault | None:
        """The first queued fault matching this request, counting it as used."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint, user_id):
                    if fault.skip:
                        fault.skip -= 1  # let this request through untouched
                        continue
                    fault.hits += 1
                    if fault.count and fault.hits >= fault.count:
                        self._faults.remove(fault)
                    return Fault(**asdict(fault))
        return None

    def take_random_fault(self, endpoint: str, user_id: str | None) -> Fault | None:
        """A 429 or 503 for this Web API request when the seeded draw says so (``fault_rate``).

        Each (endpoint, user) pair counts its requests; the draw depends only on the seed, the
        endpoint, the user and that count, so a run repeats its faults exactly whatever the
        order in which concurrent requests arrive.
        """
        if endpoint not in WEB_API_ENDPOINTS:
            return None
        with self._lock:
            if not self.config.fault_rate:
                return None
            key = (endpoint, user_id)
            ordinal = self._api_ordinals.get(key, 0)
            self._api_ordinals[key] = ordinal + 1
            status = random_fault_status(
                self.seed, endpoint, user_id, ordinal, self.config.fault_rate
            )
            if status is None:
                return None
            self._random_faults[status] = self._random_faults.get(status, 0) + 1
            return Fault(
                id=0,
                endpoint=endpoint,
                user_id=user_id,
                status=status,
                retry_after=self.config.fault_retry_after if status == 429 else None,
            )

    def random_faults(self) -> dict[str, int]:
        """How many random faults were served, by status (``{"429": 3, "503": 2}``)."""
        with self._lock:
            return {str(status): count for status, count in sorted(self._random_faults.items())}

    # --- request log -------------------------------------------------------------------

    def log_request(self, entry: dict) -> None:
        with self._lock:
            self._log_seq += 1
            self._log.append({"seq": self._log_seq, **entry})

    @property
    def requests(self) -> list[dict]:
        """Spotify-endpoint requests served, oldest first (token values redacted)."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # --- internals (call with the lock held) -------------------------------------------

    def _user(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            user = self._users[user_id] = self._new_user(user_id, None)
        return user

    def _new_user(self, user_id: str, count: int | None) -> User:
        rng = seeded_rng("history", self.seed, user_id)
        user = User(
            id=user_id,
            display_name=display_name_for(user_id),
            country=rng.choice(_COUNTRIES),
            product="premium",
            account_id=account_id_for(user_id),
        )
        count = self.plays_per_user if count is None else _non_negative_int(count, "plays")
        relative = self.catalogue.generate(rng, self.catalogue.taste(self.seed, user_id), count)
        if relative:
            # End a little before "now": between 1 and 30 minutes.
            shift = self.now_ms - rng.randint(60_000, 30 * 60_000) - relative[-1].played_at_ms
            user.plays = [Play(p.played_at_ms + shift, p.track_id, p.context) for p in relative]
        return user

    def _add_items(self, user: User, items: list[dict]) -> list[Play]:
        added = []
        for item in items:
            if not isinstance(item, dict) or "track_id" not in item or "played_at" not in item:
                raise ValueError("each item needs track_id and played_at")
            self.catalogue.track(str(item["track_id"]))
            play = Play(
                parse_time_ms(item["played_at"]),
                str(item["track_id"]),
                _parse_context(item.get("context")),
            )
            insert_play(user.plays, play)
            added.append(play)
        return added

    def _issue(self, user_id: str, scope: str, *, pkce: bool, with_refresh: bool) -> dict:
        ttl = self.config.access_token_ttl
        access = "BQ" + secrets.token_urlsafe(48)
        self._access[access] = _AccessToken(user_id, scope, time.time() + ttl)
        result = {"access_token": access, "token_type": "Bearer", "scope": scope, "expires_in": ttl}
        if with_refresh:
            refresh = "AQ" + secrets.token_urlsafe(64)
            self._refresh[refresh] = _RefreshToken(user_id, scope, pkce)
            result["refresh_token"] = refresh
        return result

    def _check_client(self, client_id: str | None, client_secret: str | None) -> None:
        if self.client_id is not None and client_id != self.client_id:
            raise OAuthError(401, "invalid_client", "Invalid client")
        if self.client_secret is not None and client_secret not in (None, self.client_secret):
            raise OAuthError(401, "invalid_client", "Invalid client")

    def _require_secret_unless_pkce(self, client_secret: str | None, pkce: bool) -> None:
        # A PKCE client is public and may leave the secret out; others must send it.
        if self.client_secret is not None and client_secret is None and not pkce:
            raise OAuthError(401, "invalid_client", "Invalid client")

    def _summary(self, user: User) -> dict:
        return {
            "id": user.id,
            "display_name": user.display_name,
            "country": user.country,
            "product": user.product,
            "account_id": user.account_id,
            "play_count": len(user.plays),
        }

    def _play_dict(self, play: Play, visible: bool) -> dict:
        track = self.catalogue.track(play.track_id)
        return {
            "played_at": iso_ms(play.played_at_ms),
            "played_at_ms": play.played_at_ms,
            "track_id": track.id,
            "track_name": track.name,
            "artist_names": [a.name for a in track.artists],
            "context": play.context.uri if play.context else None,
            "visible": visible,
        }


def _parse_context(value: Any) -> Context | None:
    if value is None:
        return None
    if isinstance(value, str):
        parts = value.split(":")
        if (
            len(parts) == 3
            and parts[0] == "spotify"
            and parts[1] in ("playlist", "album", "artist")
        ):
            return Context(parts[1], parts[2])
    raise ValueError("context must be null or a URI like spotify:playlist:<id>")


def _non_negative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer")
    return value


def _optional_int(value: Any, name: str) -> int | None:
    return None if value is None else _non_negative_int(value, name)


def _fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1")
    return float(value)


def random_fault_status(
    seed: int, endpoint: str, user_id: str | None, ordinal: int, rate: float
) -> int | None:
    """429 or 503 when the seeded draw for this request falls under ``rate``, else None.

    The draw is a hash of (seed, endpoint, user, ordinal), uniform in [0, 1): below
    ``rate / 2`` is a 429, from there to ``rate`` a 503. Pure, so a benchmark can compute
    which of its listeners will be refused before it runs.
    """
    if rate <= 0:
        return None
    digest = hashlib.sha256(f"{seed}:{endpoint}:{user_id}:{ordinal}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    if draw >= rate:
        return None
    return 429 if draw < rate / 2 else 503
