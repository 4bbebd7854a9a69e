"""The auth matrix: every URL of the service x every kind of caller, each answer allowed or denied
as its class says, and nothing of listener B ever in an answer to anybody who is not B, the
operator or the admin token.

The URLs come from the URL resolver, so a URL added later is in the matrix at once; one that no
rule below classifies fails `test_every_url_is_classified`, naming it. Every URL is requested
with GET and POST (the admin API's also with PATCH and DELETE; the Django admin's with GET), by
each role in ROLES, with the
path arguments naming B's objects (B's Spotify user id, job, token, rows): the roles that are not
B try to reach B's data through them.

B's plays, token, import and names carry the marker "Quux" (and B's display name is
"Beatrix Quux"); no answer to the anonymous visitor, wrong credentials, or listener A's session
or MCP token may contain it. After those roles, B's state is checked unchanged (nothing of B's
was revoked, deleted, paused or changed by them).

An answer is a denial when it is 401, 403 or 429, or a redirect to a login page; anything else
(200, 201, 202, 204, 302 elsewhere, 400, 404, 409, 422) is an allowed request that the view
handled. A method that every role allowed for the URL gets 405 for is one the URL does not
serve, and is skipped. Throttles are reset before each request (the cache is cleared), so a
lockout of wrong credentials never spills into the next role.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Listener, LogEntry
from accounts.oauth import LISTENER_SESSION_KEY
from adminui import shares
from adminui.models import WrappedShare
from imports.models import ImportJob
from mcp import tokens
from plays.ingest import ingest_plays
from plays.models import Album, Artist, ExcludedArtist, Item, Play
from plays.records import PlayRecord

pytestmark = pytest.mark.django_db

ADMIN_TOKEN = "matrix-admin-token-0123456789abcdef"
MARKER = "quux"  # in every name of B's; compared case-insensitively
B_DISPLAY_NAME = "Beatrix Quux"

# --- classes of URL, and who each lets in --------------------------------------------------------

PUBLIC = "public"  # anybody
STAFF = "staff"  # the operator's staff session
LISTENER = "listener"  # a listener's own session (Spotify login)
ADMIN_API = "admin API"  # the ADMIN_TOKEN
MCP = "mcp"  # an MCP token, or the ADMIN_TOKEN
DJANGO_ADMIN = "django admin"  # the operator's staff session (a superuser)
# The OAuth protocol's own endpoints (mcp/oauth): they answer every caller by the protocol's rules
# (client credentials, codes, registration access tokens), which none of the roles hold; they are
# checked for what matters to B: no server error, none of B's data, nothing of B's changed.
OAUTH_PROTOCOL = "oauth protocol"

ROLES = [
    "anonymous",
    "wrong credentials",
    "listener A session",
    "listener A MCP token",
    "listener B",
    "operator",
    "admin token",
]
# Roles that must never see B's data nor change it.
OUTSIDERS = ROLES[:4]

ALLOWED = {
    PUBLIC: set(ROLES),
    STAFF: {"operator"},
    LISTENER: {"listener A session", "listener B"},
    ADMIN_API: {"admin token"},
    MCP: {"listener A MCP token", "listener B", "admin token"},
    DJANGO_ADMIN: {"operator"},
    OAUTH_PROTOCOL: set(ROLES),
}

# URL names (namespace:name) of the service's own URLs, each classified by hand.
CLASSES = {
    "healthz": PUBLIC,
    "metrics": ADMIN_API,  # the ADMIN_TOKEN (or a scraper address on METRICS_ALLOWED_ADDRESSES)
    "accounts:login": PUBLIC,
    "accounts:callback": PUBLIC,
    "accounts:connected": LISTENER,
    "mcp:endpoint": MCP,
    "mcp:tools": MCP,
    "mcp:call": MCP,
    "mcp:openapi": PUBLIC,
    "pages:login": PUBLIC,
    "pages:logout": PUBLIC,
    "pages:dashboard": STAFF,
    "pages:listener": STAFF,
    "pages:listener-pause": STAFF,
    "pages:listener-resume": STAFF,
    "pages:listener-poll": STAFF,
    "pages:listener-time-zone": STAFF,
    "pages:listener-token-create": STAFF,
    "pages:listener-token-revoke": STAFF,
    "pages:listener-delete": STAFF,
    "pages:imports": STAFF,
    "pages:imports-progress": STAFF,
    "pages:import-retry": STAFF,
    "pages:jobs": STAFF,
    "pages:logs": STAFF,
    "pages:logs-purge": STAFF,
    "pages:me": LISTENER,
    "pages:me-import": LISTENER,
    "pages:me-imports-progress": LISTENER,
    "pages:me-time-zone": LISTENER,
    "pages:me-token-create": LISTENER,
    "pages:me-token-revoke": LISTENER,
    "pages:me-delete": LISTENER,
    "pages:me-logout": PUBLIC,  # ends whatever listener session there is
    "pages:me-logged-out": PUBLIC,
    "admin_api:openapi-json": PUBLIC,  # the API's shape only
    "admin_api:openapi-view": PUBLIC,
    "admin_api:api-root": PUBLIC,  # ninja's API root: 404 for everybody
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "oauth2_provider:oauth-resource-metadata": PUBLIC,
    "oauth2_provider:oauth-resource-metadata-mcp": PUBLIC,
    "oauth2_provider:oauth-server-metadata": PUBLIC,
    "oauth2_provider:openid-configuration": PUBLIC,
    "oauth2_provider:authorize": OAUTH_PROTOCOL,
    "oauth2_provider:token": OAUTH_PROTOCOL,
    "oauth2_provider:revoke-token": OAUTH_PROTOCOL,
    "oauth2_provider:dcr-register": OAUTH_PROTOCOL,
    "oauth2_provider:dcr-register-management": OAUTH_PROTOCOL,
    "pages:listener-token-new": STAFF,
    "pages:listener-assistant-disconnect": STAFF,
    "pages:me-export": LISTENER,
    "pages:me-token-new": LISTENER,
    "pages:me-assistant-disconnect": LISTENER,
    "pages:me-permissions-off": LISTENER,
    "pages:me-taste-profile": LISTENER,
    "pages:me-taste-profile-clear": LISTENER,
    "pages:me-artwork": LISTENER,
    "pages:me-hide-artist": LISTENER,
    "pages:me-show-artist": LISTENER,
    "pages:me-sharing": LISTENER,
    # the history's pages (adminui.pages.history): the listener's own under /me, the operator's
    # under /listeners/<id>
    **{f"pages:me-{page}": LISTENER for page in ("plays", "podcasts", "search")},
    **{f"pages:listener-{page}": STAFF for page in ("plays", "podcasts", "search")},
    **{f"pages:me-{kind}": LISTENER for kind in ("track", "artist", "album", "show", "episode")},
    **{f"pages:listener-{kind}": STAFF for kind in ("track", "artist", "album", "show", "episode")},
    # a Wrapped (adminui.pages.wrapped): the listener's own with its share links, the operator's,
    # and a share link's page and picture, open to anybody with the link (the path's secret is
    # listener A's link: it must show nothing of B's)
    "pages:me-wrapped": LISTENER,
    "pages:me-wrapped-share": LISTENER,
    "pages:me-wrapped-share-revoke": LISTENER,
    "pages:listener-wrapped": STAFF,
    "pages:wrapped-shared": PUBLIC,
    "pages:wrapped-shared-card": PUBLIC,
}
# Whole namespaces whose every other URL has one class: the admin API is guarded as a whole
# (adminui.auth.AdminAuth), the Django admin by its admin site.
NAMESPACE_CLASSES = {"admin_api": ADMIN_API, "admin": DJANGO_ADMIN}
ADMIN_API_METHODS = ("GET", "POST", "PATCH", "DELETE")
# The Django admin guards every view with the one `admin_view` check whatever the method, so its
# hundred-odd URLs are tried with GET only (its login and logout are in CLASSES, with both).
DJANGO_ADMIN_METHODS = ("GET",)
METHODS = ("GET", "POST")

LOGIN_PATHS = ("/login", "/auth/login", "/admin/db/login/")
# URLs whose answer to an allowed caller is a redirect to a login page: turning the assistants'
# Spotify permissions off sends the listener through Spotify's login again with the base scope.
# Only for allowed callers is such a redirect a success; to anybody else it is the refusal.
SUCCESS_LOGIN_REDIRECTS = {"pages:me-permissions-off": "/auth/login"}
DENIED_STATUSES = {401, 403, 429}


@dataclass(frozen=True)
class Endpoint:
    route: str  # the URL pattern, converters and regex groups included
    name: str  # namespace:name, or "" for an unnamed pattern
    namespace: str

    @property
    def key(self):
        return self.name or self.route

    @property
    def url_class(self):
        return CLASSES.get(self.name) or NAMESPACE_CLASSES.get(self.namespace)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Endpoint(prefix + str(pattern.pattern), name or "", namespace)


def endpoints():
    """Every URL pattern of the service, once each (ninja lists a path once per method)."""
    seen = {}
    for endpoint in _walk(get_resolver().url_patterns):
        seen.setdefault(endpoint.route, endpoint)
    return list(seen.values())


ENDPOINTS = endpoints()


def test_every_url_is_classified():
    unclassified = [endpoint.key for endpoint in ENDPOINTS if endpoint.url_class is None]
    assert unclassified == [], (
        "New URLs: add each to CLASSES in spotify_history/tests/test_auth_matrix.py, with who "
        f"may use it: {unclassified}"
    )
    assert len(ENDPOINTS) > 100  # the walk reached the Django admin's URLs too


# --- the world each URL is tried in --------------------------------------------------------------


def _history(listener, prefix, names):
    artist, album, track = names
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    records = [
        PlayRecord(
            played_at=start + timedelta(hours=n),
            source=Play.Source.EXTENDED,
            kind="track",
            item_name=f"{track} {n % 3}",
            item_uri=f"spotify:track:{prefix}{n % 3:021d}",
            artist_names=(artist,),
            artist_ids=(f"{prefix}{0:021d}",),
            album_name=album,
            album_id=f"{prefix}{0:021d}",
            ms_played=200_000,
        )
        for n in range(6)
    ]
    ingest_plays(listener, records)


@dataclass
class World:
    a: Listener
    b: Listener
    a_secret: str
    b_secret: str
    b_token_id: int
    b_job_id: int
    operator: object
    a_share_secret: str
    b_share_id: int

    def path_values(self, route):
        """B's objects, by the name of each path argument."""
        model = re.search(r"admin/db/(\w+)/(\w+)/", route)
        ids = {
            "accounts/listener": self.b.pk,
            "imports/importjob": self.b_job_id,
            "mcp/mcptoken": self.b_token_id,
            "plays/play": Play.objects.filter(listener=self.b).first().pk,
            "plays/item": Item.objects.filter(name__icontains=MARKER).first().pk,
            "plays/artist": Artist.objects.filter(name__icontains=MARKER).first().pk,
            "plays/album": Album.objects.filter(name__icontains=MARKER).first().pk,
            "accounts/logentry": LogEntry.objects.filter(listener=self.b).first().pk,
            "auth/user": self.operator.pk,
        }
        return {
            "user_id": self.b.spotify_user_id,
            "id": self.operator.pk,
            "job_id": self.b_job_id,
            "token_id": self.b_token_id,
            "connection_id": 1,
            "client_id": "no-such-client",
            "object_id": ids.get("/".join(model.groups()), 1) if model else 1,
            "content_type_id": ContentType.objects.get_for_model(Listener).pk,
            "app_label": "accounts",
            "url": "no-such-page/",
            "item_id": self._b_catalogue_row(route).pk,
            "secret": self.a_share_secret,
            "share_id": self.b_share_id,
        }

    @staticmethod
    def _b_catalogue_row(route):
        """B's artist, album or track, by the kind of item page `route` is."""
        model = {"artists/": Artist, "albums/": Album}.get(
            next((kind for kind in ("artists/", "albums/") if kind in route), None), Item
        )
        return model.objects.filter(name__icontains=MARKER).first()

    def b_state(self):
        """Everything of B's that an outsider's request could change."""
        b = Listener.objects.filter(pk=self.b.pk).values().first()
        return {
            "listener": b and {k: v for k, v in b.items() if k not in ("updated_at",)},
            "plays": Play.objects.filter(listener_id=self.b.pk).count(),
            "tokens": list(
                tokens.McpToken.objects.filter(listener_id=self.b.pk).values_list(
                    "pk", "revoked_at"
                )
            ),
            "jobs": list(
                ImportJob.objects.filter(listener_id=self.b.pk).values_list("pk", "status")
            ),
            "hidden artists": list(
                ExcludedArtist.objects.filter(listener_id=self.b.pk).values_list("artist_id")
            ),
            "shares": list(
                WrappedShare.objects.filter(listener_id=self.b.pk).values_list("pk", "revoked_at")
            ),
        }


@pytest.fixture
def world(settings, tmp_path):
    # One cheap hash for the operator's password: the matrix makes a world per URL.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADMIN_AUTH_MODE = "token"
    settings.ADMIN_TOKEN = ADMIN_TOKEN
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    a = Listener.objects.create(
        spotify_user_id="ann", display_name="Ann Alpha", status=Listener.Status.ACTIVE
    )
    b = Listener.objects.create(
        spotify_user_id="bea", display_name=B_DISPLAY_NAME, status=Listener.Status.ACTIVE
    )
    _history(a, "a", ("Alpha Artist", "Alpha Album", "Alpha Song"))
    _history(b, "b", ("Quux Artist", "Quux Album", "Quux Song"))
    # B hides their artist and shares: nobody else may show it again, nor read or stop the sharing.
    ExcludedArtist.objects.create(listener=b, artist=Artist.objects.get(name="Quux Artist"))
    b.start_sharing()
    a_secret = tokens.issue_token(a, name="ann laptop")[1]
    b_token, b_secret = tokens.issue_token(b, name="quux laptop")
    job = ImportJob.objects.create(
        listener=b, file_name="quux_export.zip", file_size=10, status=ImportJob.Status.FAILED
    )
    LogEntry.objects.create(
        level="INFO", logger="tests", event="e", message="Quux event", listener=b
    )
    operator = get_user_model().objects.create_superuser("operator", password="x" * 20)
    a_share_secret = shares.create(a, "2024", "2024", UTC)[1]
    b_share = shares.create(b, "2024", "2024", UTC)[0]
    return World(a, b, a_secret, b_secret, b_token.pk, job.pk, operator, a_share_secret, b_share.pk)


def client_for(role, world):
    client = Client()
    if role == "wrong credentials":
        client.cookies["sessionid"] = "not-a-session"
        client.defaults["HTTP_AUTHORIZATION"] = "Bearer shm_not-a-real-token-0000000000"
    elif role in ("listener A session", "listener B"):
        listener = world.a if role == "listener A session" else world.b
        session = client.session
        session[LISTENER_SESSION_KEY] = listener.pk
        session.save()
        client.cookies["sessionid"] = session.session_key
        if role == "listener B":
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.b_secret}"
    elif role == "listener A MCP token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.a_secret}"
    elif role == "operator":
        client.force_login(world.operator)
    elif role == "admin token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_TOKEN}"
    return client


def build_path(route, values):
    """The path of `route` with every argument filled from `values`."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


def body_for(endpoint):
    """A request body the URL's allowed callers would send (so they get past the parsing)."""
    if endpoint.name == "mcp:endpoint":
        message = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "search_history", "arguments": {"query": "Song"}},
        }
        return json.dumps(message), "application/json"
    if endpoint.name == "mcp:call":
        return json.dumps({"tool": "recent_plays", "args": {}}), "application/json"
    if endpoint.namespace == "admin_api":
        return "{}", "application/json"
    return "", "application/x-www-form-urlencoded"


def request(client, method, path, endpoint):
    cache.clear()  # throttles and rate limits start afresh for every request
    if method == "GET":
        return client.get(path, {"ids": "1,2,3"} if path.endswith("progress") else None)
    body, content_type = body_for(endpoint)
    return client.generic(method, path, body, content_type=content_type)


def is_denial(response, url_class, allowed):
    """Whether `response` refuses its caller. A public URL may redirect anywhere (logging out
    ends on the login page); in the Django admin, an allowed operator's 403 is the admin's own
    "no such permission" for read-only models (no add page, no change form), not a refusal."""
    if response.status_code in DENIED_STATUSES:
        return not (response.status_code == 403 and url_class == DJANGO_ADMIN and allowed)
    location = response.headers.get("Location", "").split("?")[0]
    redirected = response.status_code in (301, 302) and location.startswith(LOGIN_PATHS)
    return redirected and url_class != PUBLIC


def text_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{key}: {value}" for key, value in response.headers.items())
    return (content.decode("utf-8", "replace") + headers).lower()


MATRIX = [endpoint for endpoint in ENDPOINTS if endpoint.url_class is not None]


@pytest.mark.parametrize("endpoint", MATRIX, ids=[endpoint.key for endpoint in MATRIX])
def test_each_role_is_allowed_or_denied_as_the_url_class_says(endpoint, world):
    path = build_path(endpoint.route, world.path_values(endpoint.route))
    methods = METHODS
    if endpoint.namespace == "admin_api":
        methods = ADMIN_API_METHODS
    elif endpoint.namespace == "admin" and endpoint.name not in CLASSES:
        methods = DJANGO_ADMIN_METHODS
    allowed_roles = ALLOWED[endpoint.url_class]
    clients = {role: client_for(role, world) for role in ROLES}
    before = world.b_state()
    wrong = []
    for method in methods:
        answers = {}
        for role in ROLES:
            if role == ROLES[len(OUTSIDERS)]:  # every outsider has had their go
                assert world.b_state() == before, f"{method} {path}: an outsider changed B's data"
            answers[role] = response = request(clients[role], method, path, endpoint)
            assert response.status_code < 500, f"{method} {path} as {role}: a server error"
            if role in OUTSIDERS:
                assert MARKER not in text_of(response), f"{method} {path} as {role}: B's data"
        if all(answers[role].status_code == 405 for role in allowed_roles):
            continue  # a method this URL doesn't serve
        if endpoint.url_class == OAUTH_PROTOCOL:
            continue  # answered by the protocol's own credentials (see OAUTH_PROTOCOL)
        for role, response in answers.items():
            allowed = role in allowed_roles
            denied = is_denial(response, endpoint.url_class, allowed)
            success = SUCCESS_LOGIN_REDIRECTS.get(endpoint.name)
            if allowed and success and response.headers.get("Location", "").startswith(success):
                denied = False
            if denied == allowed:
                wrong.append(f"{method} as {role}: {response.status_code}")
    assert wrong == [], f"{path} ({endpoint.url_class}) answered against its class: {wrong}"
