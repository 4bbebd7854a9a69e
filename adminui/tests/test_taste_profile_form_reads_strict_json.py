"""The taste profile form on /me reads strict JSON: NaN and Infinity, a member named twice, a
top level that is not an object, text over the size cap, nesting beyond the depth cap, a NUL
character or a lone surrogate are each refused with 400 and one sentence saying what to change,
never a 500, and the stored profile stays as it was. Run on SQLite and PostgreSQL."""

import pytest

from adminui.tests.conftest import log_in_as_listener
from plays import taste
from plays.models import TasteProfile

pytestmark = pytest.mark.django_db

KEPT = {"kept": True}

REFUSED = {
    "NaN": ('{"score": NaN}', "NaN is not a JSON number"),
    "Infinity": ('{"score": Infinity}', "Infinity is not a JSON number"),
    "-Infinity": ('{"score": [1, -Infinity]}', "-Infinity is not a JSON number"),
    "a member named twice": ('{"genres": ["jazz"], "genres": ["metal"]}', "same member twice"),
    "a member named twice deep down": ('{"a": {"b": 1, "b": 2}}', "same member twice"),
    "a list": ('["jazz"]', "one JSON object"),
    "a string": ('"jazz"', "one JSON object"),
    "a number": ("42", "one JSON object"),
    "null": ("null", "one JSON object"),
    "text far over the cap": ('{"x": "' + "y" * (4 * taste.MAX_DOCUMENT_BYTES) + '"}', "kB"),
    "a document over the cap": ('{"x": "' + "y" * taste.MAX_DOCUMENT_BYTES + '"}', "over the cap"),
    "nesting far too deep": ("[" * 50_000 + "]" * 50_000, "nest at most"),
    "nesting past the cap": ('{"a":' * 9 + "1" + "}" * 9, "nest at most"),
    "a NUL character": ('{"note": "a\\u0000b"}', "NUL character"),
    "a NUL in a member name": ('{"a\\u0000": 1}', "NUL character"),
    "a lone surrogate": ('{"note": "\\ud800"}', "lone surrogate"),
    "not JSON": ("{not json", "not valid JSON"),
}


@pytest.fixture
def me(client, active_listener):
    taste.update(active_listener, KEPT)
    return log_in_as_listener(client, active_listener)


@pytest.mark.parametrize(("text", "said"), REFUSED.values(), ids=REFUSED.keys())
def test_a_document_that_is_not_strict_json_is_refused_with_a_sentence(
    me, active_listener, error_logs, text, said
):
    response = me.post("/me/taste-profile", {"document": text})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert TasteProfile.objects.get(listener=active_listener).document == KEPT
    assert error_logs == []


def test_strict_json_within_the_caps_is_saved(me, active_listener):
    document = '{"genres": {"likes": ["jazz", "Ça va"]}, "score": 1.5, "n": null, "ok": true}'
    response = me.post("/me/taste-profile", {"document": document})
    assert response.status_code == 302
    assert TasteProfile.objects.get(listener=active_listener).document == {
        "genres": {"likes": ["jazz", "Ça va"]},
        "score": 1.5,
        "n": None,
        "ok": True,
    }


def test_the_deepest_nesting_allowed_is_saved(me, active_listener):
    document = '{"a":' * 8 + "1" + "}" * 8
    assert me.post("/me/taste-profile", {"document": document}).status_code == 302
