"""The signed cookie that carries a browser's pending Spotify logins stays under ~3.5 kB whatever
the visitor sends: a return path is kept only up to 512 characters in its URI form (non-ASCII
percent-encoded, so no character costs more than a byte once stored), and the oldest pending
logins give way when the cookie would grow past MAX_PENDING_COOKIE_BYTES. The whole Set-Cookie
line stays under the 4,096 bytes browsers keep for one cookie."""

import random
import string
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from accounts.oauth import (
    MAX_PENDING_COOKIE_BYTES,
    MAX_PENDING_STATES,
    MAX_RETURN_PATH,
    PENDING_COOKIE,
)
from accounts.tests.test_login import mock_spotify, pending_logins

pytestmark = pytest.mark.django_db

BROWSER_COOKIE_LIMIT = 4096
# Characters a path keeps as they are, drawn at random so that compression can't help.
PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/"


def start_login(client, next_path):
    response = client.get("/auth/login", {"next": next_path})
    assert response.status_code == 302
    return response, parse_qs(urlsplit(response["Location"]).query)["state"][0]


def set_cookie_line(response):
    return response.cookies[PENDING_COOKIE].output(header="").strip()


def random_path(rng, length):
    return "/p" + "".join(rng.choice(PATH_CHARACTERS) for _ in range(length - 2))


def test_the_return_path_is_capped_at_512_characters(client):
    assert MAX_RETURN_PATH == 512
    _, kept = start_login(client, "/" + "a" * 511)
    _, dropped = start_login(client, "/" + "a" * 512)
    pending = pending_logins(client)
    assert pending[kept]["next"] == "/" + "a" * 511
    assert "next" not in pending[dropped]


@pytest.mark.parametrize(
    "make_path",
    [
        lambda rng: random_path(rng, MAX_RETURN_PATH),
        # Each of these costs up to 12 (an emoji), 3 or 3 characters once percent-encoded.
        lambda rng: "/" + "".join(rng.choice("éßЖ漢😀") for _ in range(42)),
        lambda rng: "/p" + "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(169)),
        lambda rng: "/" + '"\\' * 85,
    ],
    ids=["512 random characters", "non-ASCII", "any printable ASCII", "quotes and backslashes"],
)
def test_the_worst_case_cookie_stays_under_the_browsers_limit(client, make_path):
    rng = random.Random(7)
    for _ in range(MAX_PENDING_STATES * 3):
        response, state = start_login(client, make_path(rng))
        value = response.cookies[PENDING_COOKIE].value
        assert len(value) <= MAX_PENDING_COOKIE_BYTES <= 3500
        assert len(set_cookie_line(response)) < BROWSER_COOKIE_LIMIT
        assert state in pending_logins(client)  # the newest login is always kept
        assert "next" in pending_logins(client)[state]  # with its return path


@responses.activate
def test_a_non_ascii_return_path_comes_back_percent_encoded(client):
    mock_spotify()
    _, state = start_login(client, "/me/artists?q=Björk")
    assert pending_logins(client)[state]["next"] == "/me/artists?q=Bj%C3%B6rk"
    response = client.get("/auth/callback", {"state": state, "code": "the-code"})
    assert response["Location"] == "/me/artists?q=Bj%C3%B6rk"


@responses.activate
def test_an_older_login_given_way_is_refused_as_unknown_and_the_newest_works(client):
    rng = random.Random(11)
    states = [start_login(client, random_path(rng, MAX_RETURN_PATH))[1] for _ in range(5)]
    pending = pending_logins(client)
    assert states[-1] in pending
    mock_spotify()
    newest = client.get("/auth/callback", {"state": states[-1], "code": "the-code"})
    assert newest.status_code == 302
    gone = [state for state in states if state not in pending]
    if gone:
        refused = client.get("/auth/callback", {"state": gone[0], "code": "the-code"})
        assert refused.status_code == 400
