"""The taste profile (`plays.taste`): RFC 7396 merge patches, caps, preference events, clearing."""

import json

import pytest

from accounts.models import Listener
from plays import taste
from plays.models import PreferenceEvent, TasteProfile

# RFC 7396, Appendix A: (target, patch, result).
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_merge_patch_follows_the_rfc_examples(target, patch, result):
    before = json.dumps(target)
    assert taste.merge_patch(target, patch) == result
    assert json.dumps(target) == before  # the target is not modified


def test_a_document_over_32_kb_or_too_deep_or_not_an_object_is_refused():
    taste.check_document({"x": "y" * (taste.MAX_DOCUMENT_BYTES - 10)})
    with pytest.raises(taste.TasteError, match="over the cap"):
        taste.check_document({"x": "y" * taste.MAX_DOCUMENT_BYTES})
    deep = {}
    for _ in range(taste.MAX_DEPTH + 1):
        deep = {"d": deep}
    with pytest.raises(taste.TasteError, match="levels"):
        taste.check_document(deep)
    with pytest.raises(taste.TasteError, match="JSON object"):
        taste.check_document(["a"])


def test_multibyte_text_counts_in_bytes():
    with pytest.raises(taste.TasteError):
        taste.check_document({"x": "é" * (taste.MAX_DOCUMENT_BYTES // 2)})


@pytest.mark.django_db
def test_update_merges_and_records_who_changed_it(listener):
    taste.update(listener, {"genres": {"likes": ["jazz"]}, "note": "hi"}, by="Claude")
    view = taste.update(listener, {"genres": {"dislikes": ["ska"]}, "note": None}, by="ChatGPT")
    assert view["profile"] == {"genres": {"likes": ["jazz"], "dislikes": ["ska"]}}
    assert view["updated_by"] == "ChatGPT"
    assert view["size_bytes"] == taste.document_bytes(view["profile"])


@pytest.mark.django_db
def test_a_patch_over_the_cap_changes_nothing(listener):
    taste.update(listener, {"kept": True})
    with pytest.raises(taste.TasteError):
        taste.update(listener, {"big": "x" * taste.MAX_DOCUMENT_BYTES})
    with pytest.raises(taste.TasteError, match="merge patch"):
        taste.update(listener, ["not", "an", "object"])
    assert TasteProfile.objects.get(listener=listener).document == {"kept": True}


@pytest.mark.django_db
def test_preferences_are_checked_and_keep_an_item_uri(listener):
    row = taste.add_preference(
        listener,
        kind="dislike",
        text="  live versions  ",
        spotify_id="https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x",
        by="Claude",
    )["event"]
    assert (row["kind"], row["text"], row["client"]) == ("dislike", "live versions", "Claude")
    assert row["spotify_id"] == "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
    bare = taste.add_preference(
        listener, kind="like", text="x", spotify_id="4uLU6hMCjMI75M1A2tKUQC"
    )
    assert bare["event"]["spotify_id"] == "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
    for kind, text, item in [
        ("love", "x", None),
        ("like", "   ", None),
        ("like", "x" * (taste.MAX_EVENT_CHARS + 1), None),
        ("like", "x", "not an id"),
    ]:
        with pytest.raises(taste.TasteError):
            taste.add_preference(listener, kind=kind, text=text, spotify_id=item)
    assert PreferenceEvent.objects.filter(listener=listener).count() == 2


@pytest.mark.django_db
def test_only_the_newest_events_are_kept(listener, monkeypatch):
    monkeypatch.setattr(taste, "MAX_EVENTS", 3)
    dropped = [
        taste.add_preference(listener, kind="like", text=f"n{i}")["dropped"] for i in range(5)
    ]
    assert dropped == [0, 0, 0, 1, 1]
    assert [e["text"] for e in taste.view(listener)["events"]] == ["n4", "n3", "n2"]


@pytest.mark.django_db
def test_clear_and_export_are_per_listener(listener):
    other = Listener.objects.create(spotify_user_id="bob")
    for owner in (listener, other):
        taste.update(owner, {"who": owner.spotify_user_id})
        taste.add_preference(owner, kind="rule", text=f"rule of {owner.spotify_user_id}")
    exported = taste.export(listener)
    assert exported["profile"] == {"who": "alice"}
    assert [e["text"] for e in exported["events"]] == ["rule of alice"]
    assert taste.clear(listener) == {"profile_removed": True, "events_removed": 1}
    assert taste.view(listener)["profile"] == {} and taste.view(listener)["events"] == []
    assert taste.view(other)["profile"] == {"who": "bob"}
