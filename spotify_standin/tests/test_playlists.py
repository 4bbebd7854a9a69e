"""POST/GET /v1/me/playlists and POST/GET /v1/playlists/{id}/items: owners, scopes, order."""

from __future__ import annotations

import requests

from .support import TIMEOUT, api_get, bearer, control

MODIFY = "playlist-modify-private playlist-modify-public playlist-read-private"


def post(standin, path, token, body):
    return requests.post(
        f"{standin.api_url}{path}", json=body, headers=bearer(token), timeout=TIMEOUT
    )


def uris(standin, count):
    return [f"spotify:track:{track.id}" for track in standin.state.catalogue.tracks[:count]]


def test_it_creates_a_private_playlist_and_adds_items_in_order(standin):
    token = standin.state.mint_tokens("alice", MODIFY)["access_token"]

    created = post(standin, "/me/playlists", token, {"name": "Mine", "public": False})
    playlist = created.json()
    first = post(standin, f"/playlists/{playlist['id']}/items", token, {"uris": uris(standin, 3)})
    second = post(
        standin, f"/playlists/{playlist['id']}/items", token, {"uris": uris(standin, 5)[3:]}
    )

    assert created.status_code == 201
    assert (playlist["name"], playlist["public"], playlist["owner"]["id"]) == (
        "Mine",
        False,
        "alice",
    )
    assert playlist["uri"] == f"spotify:playlist:{playlist['id']}"
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["snapshot_id"] != second.json()["snapshot_id"]
    [held] = control(standin, "GET", "/users/alice/playlists").json()["playlists"]
    assert held["items"] == uris(standin, 5)


def test_items_are_listed_as_items_of_item_in_order(standin):
    token = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    playlist = post(standin, "/me/playlists", token, {"name": "Mine", "public": False}).json()
    post(standin, f"/playlists/{playlist['id']}/items", token, {"uris": uris(standin, 4)})

    page = api_get(standin, f"/playlists/{playlist['id']}/items", token).json()

    assert page["total"] == 4
    assert [entry["item"]["uri"] for entry in page["items"]] == uris(standin, 4)


def test_more_than_100_uris_in_one_request_are_refused(standin):
    token = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    playlist = post(standin, "/me/playlists", token, {"name": "Big"}).json()

    response = post(
        standin, f"/playlists/{playlist['id']}/items", token, {"uris": uris(standin, 101)}
    )

    assert response.status_code == 400
    assert standin.state.playlists("alice")[0]["items"] == []


def test_only_the_owner_may_add_items(standin):
    alice = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    bob = standin.state.mint_tokens("bob", MODIFY)["access_token"]
    playlist = post(standin, "/me/playlists", alice, {"name": "Alice's"}).json()

    response = post(standin, f"/playlists/{playlist['id']}/items", bob, {"uris": uris(standin, 1)})

    assert response.status_code == 403
    assert standin.state.playlists("alice")[0]["items"] == []


def test_missing_scopes_get_spotifys_403_body(standin):
    token = standin.state.mint_tokens("alice", "user-read-recently-played")["access_token"]

    private = post(standin, "/me/playlists", token, {"name": "x", "public": False})
    public = post(standin, "/me/playlists", token, {"name": "x", "public": True})

    for response in (private, public):
        assert response.status_code == 403
        assert response.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}
    assert standin.state.playlists("alice") == []


def test_adding_to_a_private_playlist_needs_the_private_scope(standin):
    owner = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    public_only = standin.state.mint_tokens("alice", "playlist-modify-public")["access_token"]
    playlist = post(standin, "/me/playlists", owner, {"name": "x", "public": False}).json()

    response = post(
        standin, f"/playlists/{playlist['id']}/items", public_only, {"uris": uris(standin, 1)}
    )

    assert response.status_code == 403


def test_bad_uris_and_unknown_playlists_are_refused(standin):
    token = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    playlist = post(standin, "/me/playlists", token, {"name": "x"}).json()

    bad = post(standin, f"/playlists/{playlist['id']}/items", token, {"uris": ["nope"]})
    missing = post(standin, "/playlists/0000000000000000000000/items", token, {"uris": ["x"]})

    assert bad.status_code == 400
    assert missing.status_code == 404


def test_me_playlists_lists_own_playlists_newest_first_private_ones_with_the_scope(standin):
    full = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    no_read = standin.state.mint_tokens("alice", "playlist-modify-public")["access_token"]
    post(standin, "/me/playlists", full, {"name": "old", "public": True})
    post(standin, "/me/playlists", full, {"name": "new", "public": False})
    standin.state.create_playlist("bob", "bob's")

    listed = api_get(standin, "/me/playlists", full).json()
    public_only = api_get(standin, "/me/playlists", no_read).json()

    assert [p["name"] for p in listed["items"]] == ["new", "old"]
    assert listed["total"] == 2
    assert [p["name"] for p in public_only["items"]] == ["old"]


def test_a_fault_can_skip_the_first_matching_requests(standin):
    token = standin.state.mint_tokens("alice", MODIFY)["access_token"]
    playlist = post(standin, "/me/playlists", token, {"name": "x"}).json()
    standin.state.inject_fault("add_items", status=429, retry_after=30, skip=1)
    path = f"/playlists/{playlist['id']}/items"

    first = post(standin, path, token, {"uris": uris(standin, 2)})
    second = post(standin, path, token, {"uris": uris(standin, 3)[2:]})
    third = post(standin, path, token, {"uris": uris(standin, 3)[2:]})

    assert (first.status_code, second.status_code, third.status_code) == (201, 429, 201)
    assert second.headers["Retry-After"] == "30"
    assert standin.state.playlists("alice")[0]["items"] == uris(standin, 3)


def test_reset_forgets_playlists(standin):
    standin.state.create_playlist("alice", "x")
    control(standin, "POST", "/reset")
    assert standin.state.playlists("alice") == []
