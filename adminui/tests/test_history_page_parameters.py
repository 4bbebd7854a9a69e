"""Every query parameter of the history pages, given a value a page can't use, is answered 400
with one sentence in the page's alert that names the parameter and never repeats the value; no
500 and nothing logged at ERROR. The values are those a listener can type or a crawler can send:
numbers past 64 bits, negative, past a float's range, NUL bytes, very long text, percent-escapes
that aren't UTF-8, times that fall outside the calendar in UTC, and digits that aren't ASCII.

The pages: the overview (`/me`, `/listeners/<id>`) and podcasts read the period (`days`,
`year`, `start`, `end`, adminui/periods.py); the plays one by one read `before`.
"""

import re
from html import unescape
from urllib.parse import quote

import pytest

from adminui.tests.conftest import log_in_as_listener

pytestmark = pytest.mark.django_db

PERIOD = ["days", "year", "start", "end"]
PAGES = [
    *[("/me", param) for param in PERIOD],
    *[("/me/podcasts", param) for param in PERIOD],
    ("/me/plays", "before"),
    *[("/listeners/carol", param) for param in PERIOD],
    *[("/listeners/carol/podcasts", param) for param in PERIOD],
    ("/listeners/carol/plays", "before"),
]
HOSTILE = {
    "huge": "9" * 30,
    "negative": "-1",
    "past-float": "1e309",
    "nul": "\x00",
    "nul-inside": "2021\x00",
    "long": "x" * 5000,
    "not-utf-8": b"\xff\xfe",
    "past-the-calendar": "9999-12-31T23:59:59-14:00",
    "before-the-calendar": "0001-01-01T00:00:00+14:00",
    "full-width-digits": "\N{FULLWIDTH DIGIT TWO}\N{FULLWIDTH DIGIT ZERO}"
    "\N{FULLWIDTH DIGIT TWO}\N{FULLWIDTH DIGIT ONE}",
}
# How each parameter is named in the sentence: by the form's label where the page has a form.
NAMED = {"days": "period", "year": "year", "start": "From", "end": "To", "before": "before"}


def alert(response):
    found = re.search(r'<p class="errors" role="alert">(.*?)</p>', response.content.decode())
    return unescape(found.group(1)) if found else None


def ask(client, path, param, value):
    raw = quote(value) if isinstance(value, str) else "".join(f"%{byte:02X}" for byte in value)
    return client.get(f"{path}?{param}={raw}")


@pytest.fixture
def as_owner_or_operator(request, client, active_listener):
    def log_in(path):
        if path.startswith("/me"):
            return log_in_as_listener(client, active_listener)
        client.force_login(request.getfixturevalue("staff_user"))  # hashing its password is slow
        return client

    return log_in


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("path", "param"), PAGES)
def test_a_value_the_page_cant_use_is_a_400_sentence(
    as_owner_or_operator, error_logs, path, param, value
):
    response = ask(as_owner_or_operator(path), path, param, value)

    assert response.status_code == 400
    sentence = alert(response)
    assert sentence and sentence.endswith(".")
    assert NAMED[param].lower() in sentence.lower()
    if isinstance(value, str) and len(value) >= 4:
        assert value not in response.content.decode()
    assert error_logs == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start": "9999-12-31", "end": "9999-12-31"}, "From"),  # its end is in the year 10000
        ({"start": "0001-01-01"}, "From"),  # before the year 1 in UTC, seen from Paris
        ({"year": "9999"}, "year"),
    ],
)
def test_dates_at_the_calendars_ends_are_a_400_sentence(listener_client, error_logs, params, named):
    response = listener_client.get("/me/podcasts", params)

    assert response.status_code == 400
    assert named.lower() in alert(response).lower()
    assert "after" not in alert(response)
    assert error_logs == []


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59+00:00", "2024-03-01", "0002-01-01"])
def test_plays_before_any_time_within_the_calendar_are_shown(listener_client, error_logs, value):
    response = listener_client.get("/me/plays", {"before": value})

    assert response.status_code == 200
    assert alert(response) is None
    assert error_logs == []


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("path", ["/me/search", "/listeners/carol/search"])
def test_any_search_text_is_searched_or_refused_in_a_sentence(
    as_owner_or_operator, error_logs, path, value
):
    response = ask(as_owner_or_operator(path), path, "q", value)

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert alert(response).endswith(".")
    assert error_logs == []
