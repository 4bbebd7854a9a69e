"""The assistant acts and remembers, end to end over real HTTP: the app (live server), the Spotify
stand-in, the Spotify login in a requests session playing the browser, and the official MCP SDK
as the assistant (see test_mcp_real_client.py for how it runs).

A listener grants the extra Spotify permissions through the login (`/auth/login?with=playlists`),
and an assistant then makes a playlist from `top_tracks` of one year, which the stand-in must
hold in exactly that order; long lists go 100 per request; a 429 midway says what was added;
without the permission, or for another listener's playlist or profile, the answer is a refusal;
the taste profile outlives the chat and goes with "delete all my data".
"""

import json
import re
import subprocess
from pathlib import Path

import pytest
import requests

from accounts import scopes
from accounts.models import Listener
from mcp import tokens
from mcp.tests.conftest import ADMIN_TOKEN
from mcp.tools import tools_for
from plays import queries
from plays.models import CreatedPlaylist, PreferenceEvent, TasteProfile
from plays.queries import Window
from plays.tests.query_fixtures import build_history
from spotify_standin import StandinServer

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).parent / "sdk_client" / "run_client.py"
CLIENT_ID, CLIENT_SECRET = "act-client", "act-client-secret"
TIMEOUT = 10


@pytest.fixture
def standin():
    with StandinServer("127.0.0.1", 0, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def app(live_server, settings, standin):
    settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
    settings.SPOTIFY_API_BASE_URL = standin.api_url
    settings.SPOTIFY_CLIENT_ID = CLIENT_ID
    settings.SPOTIFY_CLIENT_SECRET = CLIENT_SECRET
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
    settings.INITIAL_SYNC_ENABLED = False
    return live_server


def log_in(app, standin, user_id, *, with_playlists=True):
    """A browser session that logged in with Spotify as `user_id`; returns (session, listener)."""
    standin.state.authorize_as(user_id)
    browser = requests.Session()
    query = "?with=playlists" if with_playlists else ""
    page = browser.get(f"{app.url}/auth/login{query}", timeout=TIMEOUT)
    assert page.url == f"{app.url}/auth/connected", page.text[:500]
    return browser, Listener.objects.get(spotify_user_id=user_id)


def mcp_token(listener, name="Claude"):
    return tokens.issue_token(listener, name=name)[1]


def run_sdk(sdk_python, tmp_path, app, secret, calls, mode="legacy"):
    spec = {"url": f"{app.url}/mcp", "token": secret, "mode": mode, "calls": calls}
    done = subprocess.run(
        [str(sdk_python), "-P", str(CLIENT)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def catalogue_uris(standin, count):
    return [f"spotify:track:{track.id}" for track in standin.state.catalogue.tracks[:count]]


def add_item_requests(standin):
    return [r for r in standin.state.requests if r["endpoint"] == "add_items"]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_a_playlist_of_2019_favourites_holds_exactly_those_tracks_in_that_order(
    app, standin, sdk_python, tmp_path, mode
):
    _, alice = log_in(app, standin, "alice")
    assert set(scopes.ASSISTANT_SCOPES) <= scopes.granted(alice)
    build_history(alice)
    year = {"start": "2019-01-01", "end": "2019-12-31"}
    calls = [
        {"name": "top_tracks", "arguments": {**year, "limit": 25}},
        {
            "name": "create_playlist",
            "arguments": {"name": "My 2019 favourites", "description": "Made from my history"},
            "track_uris_from": 0,
        },
    ]

    seen = run_sdk(sdk_python, tmp_path, app, mcp_token(alice), calls, mode)

    top, created = seen["calls"]
    expected = queries.top_tracks(
        alice, window=Window.parse("2019", "2019", tz=queries.UTC_ZONE), limit=25
    )["items"]
    assert top["structured"]["items"] == expected and len(expected) > 1
    assert created["is_error"] is False, created["text"]
    answer = created["structured"]
    assert (answer["added"], answer["requested"], answer["public"]) == (
        len(expected),
        len(expected),
        False,
    )
    [held] = standin.state.playlists("alice")
    assert held["id"] == answer["playlist_id"]
    assert held["items"] == [f"spotify:track:{row['spotify_id']}" for row in expected]
    assert (held["name"], held["public"]) == ("My 2019 favourites", False)
    entry = CreatedPlaylist.objects.get(listener=alice)
    assert (entry.spotify_id, entry.items_added, entry.client) == (
        held["id"],
        len(expected),
        "Claude",
    )
    assert answer["url"] == f"https://open.spotify.com/playlist/{held['id']}"


def test_150_tracks_go_in_two_requests_and_add_to_playlist_appends(
    app, standin, sdk_python, tmp_path
):
    _, alice = log_in(app, standin, "alice")
    uris = catalogue_uris(standin, 160)
    calls = [
        {"name": "create_playlist", "arguments": {"name": "Long", "track_uris": uris[:150]}},
        {"name": "list_playlists", "arguments": {}},
    ]

    seen = run_sdk(sdk_python, tmp_path, app, mcp_token(alice), calls)
    created, listed = seen["calls"]
    assert created["structured"]["added"] == 150
    assert len(add_item_requests(standin)) == 2  # 100, then 50
    assert standin.state.playlists("alice")[0]["items"] == uris[:150]
    more = run_sdk(
        sdk_python,
        tmp_path,
        app,
        mcp_token(alice),
        [
            {
                "name": "add_to_playlist",
                "arguments": {
                    "playlist_id": created["structured"]["playlist_id"],
                    "track_uris": uris[150:],
                },
            }
        ],
    )["calls"][0]

    assert len(add_item_requests(standin)) == 3
    assert standin.state.playlists("alice")[0]["items"] == uris
    assert more["structured"]["items_added"] == 160 and more["structured"]["added"] == 10
    [row] = listed["structured"]["created_here"]
    assert (row["name"], row["items_added"], row["client"]) == ("Long", 150, "Claude")


def test_a_listener_without_the_permission_gets_one_sentence_saying_where_to_turn_it_on(
    app, standin, sdk_python, tmp_path
):
    _, alice = log_in(app, standin, "alice", with_playlists=False)
    assert scopes.granted(alice) == {"user-read-recently-played"}
    calls = [
        {"name": "create_playlist", "arguments": {"name": "x", "track_uris": []}},
        {"name": "spotify_search", "arguments": {"query": "river"}},
        {"name": "spotify_top_items", "arguments": {"type": "artists"}},
    ]

    seen = run_sdk(sdk_python, tmp_path, app, mcp_token(alice), calls)

    for answer in seen["calls"]:
        assert answer["is_error"] is True, answer
        [text] = answer["text"]
        assert "/me" in text and "/auth/login?with=playlists" in text
        assert text.count(". ") == 0, text  # one sentence
    assert standin.state.playlists("alice") == []
    assert not [r for r in standin.state.requests if r["endpoint"] in ("search", "top_items")]


def test_listener_b_cannot_add_to_as_playlist_nor_read_as_profile(
    app, standin, sdk_python, tmp_path
):
    _, alice = log_in(app, standin, "alice")
    _, bob = log_in(app, standin, "bob")
    alice_said = run_sdk(
        sdk_python,
        tmp_path,
        app,
        mcp_token(alice),
        [
            {"name": "create_playlist", "arguments": {"name": "Alice's", "track_uris": []}},
            {"name": "update_taste_profile", "arguments": {"patch": {"secret": "alice only"}}},
        ],
    )
    playlist_id = alice_said["calls"][0]["structured"]["playlist_id"]
    bob_secret = mcp_token(bob, "Bob's assistant")

    seen = run_sdk(
        sdk_python,
        tmp_path,
        app,
        bob_secret,
        [
            {
                "name": "add_to_playlist",
                "arguments": {"playlist_id": playlist_id, "track_uris": catalogue_uris(standin, 2)},
            },
            {"name": "get_taste_profile", "arguments": {"user_id": "alice"}},
            {"name": "get_taste_profile", "arguments": {}},
        ],
    )
    plain = requests.post(
        f"{app.url}/mcp/call",
        json={"tool": "memory.get_profile", "args": {"user_id": "alice"}},
        headers={"Authorization": f"Bearer {bob_secret}"},
        timeout=TIMEOUT,
    )

    added, theirs, mine = seen["calls"]
    assert added["is_error"] is True
    assert "was not created by this service for listener 'bob'" in added["text"][0]
    assert standin.state.playlists("alice")[0]["items"] == []
    assert not add_item_requests(standin)
    assert theirs["is_error"] is True and "alice only" not in json.dumps(theirs)
    assert mine["structured"]["profile"] == {}
    assert plain.status_code == 403 and "alice only" not in plain.text


def test_a_429_midway_reports_what_was_added_and_the_wait(app, standin, sdk_python, tmp_path):
    _, alice = log_in(app, standin, "alice")
    standin.state.inject_fault("add_items", status=429, retry_after=120, skip=1)
    uris = catalogue_uris(standin, 150)

    seen = run_sdk(
        sdk_python,
        tmp_path,
        app,
        mcp_token(alice),
        [
            {"name": "create_playlist", "arguments": {"name": "Interrupted", "track_uris": uris}},
            {"name": "spotify_search", "arguments": {"query": "river"}},
        ],
    )

    interrupted, after = seen["calls"]
    assert interrupted["is_error"] is True
    [text] = interrupted["text"]
    [held] = standin.state.playlists("alice")
    assert held["items"] == uris[:100]
    assert "Added 100 of 150 tracks" in text and held["id"] in text
    assert re.search(r"try again in 1[12]\d seconds", text), text
    assert "position 101" in text
    assert CreatedPlaylist.objects.get(listener=alice).items_added == 100
    alice.refresh_from_db()
    assert alice.rate_limited_until is not None
    # Until then nothing more is sent to Spotify: the next call is refused at once.
    assert after["is_error"] is True and "rate limiting" in after["text"][0]
    assert not [r for r in standin.state.requests if r["endpoint"] == "search"]


def test_the_profile_survives_a_new_chat_and_goes_with_delete_all_my_data(
    app, standin, sdk_python, tmp_path
):
    browser, alice = log_in(app, standin, "alice")
    run_sdk(
        sdk_python,
        tmp_path,
        app,
        mcp_token(alice),
        [
            {"name": "update_taste_profile", "arguments": {"patch": {"genres": ["jazz"]}}},
            {
                "name": "add_preference",
                "arguments": {"kind": "rule", "text": "can't stand live versions"},
            },
        ],
    )

    later = run_sdk(
        sdk_python,
        tmp_path,
        app,
        mcp_token(alice, "Another chat"),
        [{"name": "memory.get_profile", "arguments": {}}],
        mode="auto",
    )["calls"][0]["structured"]

    assert later["profile"] == {"genres": ["jazz"]}
    assert [(e["kind"], e["text"], e["client"]) for e in later["events"]] == [
        ("rule", "can't stand live versions", "Claude")
    ]
    form = browser.get(f"{app.url}/me/delete", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    deleted = browser.post(
        f"{app.url}/me/delete",
        data={"csrfmiddlewaretoken": csrf, "confirm": "alice"},
        headers={"Referer": f"{app.url}/me/delete"},
        timeout=TIMEOUT,
    )
    assert deleted.status_code == 200, deleted.text[:300]
    assert not Listener.objects.filter(spotify_user_id="alice").exists()
    assert not TasteProfile.objects.exists() and not PreferenceEvent.objects.exists()


def test_every_tool_is_listed_with_its_schemas_and_hints(app, standin, sdk_python, tmp_path):
    _, alice = log_in(app, standin, "alice")
    as_listener = run_sdk(sdk_python, tmp_path, app, mcp_token(alice), [])
    as_operator = run_sdk(sdk_python, tmp_path, app, ADMIN_TOKEN, [], mode="auto")

    assert as_listener["tools"] == [tool.name for tool in tools_for(is_admin=False)]
    assert as_operator["tools"] == [tool.name for tool in tools_for(is_admin=True)]
    details = as_operator["tool_details"]
    for tool in tools_for(is_admin=True):
        shown = details[tool.name]
        assert shown["input_schema"] == tool.input_schema
        assert shown["output_schema"] == tool.output_schema
        hints = {key: value for key, value in shown["annotations"].items() if key != "title"}
        assert hints == {key: value for key, value in tool.annotations.items()}
    writes = {"create_playlist", "add_to_playlist", "update_taste_profile", "add_preference"}
    for name in writes | {"clear_taste_profile"}:
        assert details[name]["annotations"]["readOnlyHint"] is False
    spotify = {"create_playlist", "add_to_playlist", "list_playlists", "spotify_top_items"}
    for name in spotify | {"spotify_search"}:
        assert details[name]["annotations"]["openWorldHint"] is True
    destructive = {
        name for name, shown in details.items() if shown["annotations"]["destructiveHint"]
    }
    assert destructive == {"clear_taste_profile"}
