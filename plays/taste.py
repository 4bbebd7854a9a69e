"""A listener's taste profile: the document assistants keep between chats, and preference events.

The profile is one JSON object per listener, changed with a JSON merge patch (RFC 7396) by the
`update_taste_profile` tool or replaced whole from /me; preference events ("like", "dislike",
"rule", optionally about one Spotify item) are appended by `add_preference`. Everything stored
here is somebody's words, kept and returned as data fields only: nothing here ever becomes part
of the server's instructions or prompts.

Caps keep a careless or hostile client from filling the database: the document is at most
`MAX_DOCUMENT_BYTES` of compact JSON and `MAX_DEPTH` levels deep, an event's text at most
`MAX_EVENT_CHARS`, and a listener keeps the newest `MAX_EVENTS` events (older ones are dropped
when a new one arrives). A refused change leaves the profile exactly as it was.
"""

import json

from django.db import transaction

from plays.json_depth import nesting_depth
from plays.models import PreferenceEvent, TasteProfile
from plays.spotify_refs import parse_reference, to_uri

MAX_DOCUMENT_BYTES = 32 * 1024
MAX_DEPTH = 8
MAX_EVENTS = 500
MAX_EVENT_CHARS = 500
RECENT_EVENTS = 50
KINDS = tuple(PreferenceEvent.Kind.values)


class TasteError(ValueError):
    """A change that can't be applied; the message says what to change."""


# --- pure helpers ------------------------------------------------------------------------------


def merge_patch(target, patch):
    """RFC 7396: `patch` applied to `target` (neither is modified). A null member removes that
    member, an object merges recursively, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def document_bytes(document):
    """Size of the document as compact UTF-8 JSON, the form the caps are measured in."""
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def _depth(value):
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def check_document(document):
    """Raises TasteError unless `document` is an object within the size and depth caps."""
    if not isinstance(document, dict):
        raise TasteError('The taste profile is a JSON object, e.g. {"genres": ["jazz"]}.')
    size = document_bytes(document)
    if size > MAX_DOCUMENT_BYTES:
        raise TasteError(
            f"The taste profile would be {size} bytes, over the cap of {MAX_DOCUMENT_BYTES}: "
            "shorten it, or remove members by setting them to null."
        )
    if _depth(document) > MAX_DEPTH:
        raise TasteError(f"The taste profile may nest at most {MAX_DEPTH} levels deep.")


# Text of the /me form may be indented, so it may be bigger than the compact document it holds.
MAX_TEXT_BYTES = 4 * MAX_DOCUMENT_BYTES


class _Refused(ValueError):
    pass


def _refuse_constant(name):
    raise _Refused(f"{name} is not a JSON number: write a number, a string or null instead.")


def _members(pairs):
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _Refused(
            "An object names the same member twice: keep one of them (JSON does not say which "
            "would win)."
        )
    return dict(pairs)


def _strings(value):
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)


def parse_document(text):
    """The taste profile document written as `text` (strict JSON), or TasteError saying why not.

    Strict: one JSON object, within the caps; no NaN or Infinity (not JSON, and the database
    can't store them), no member named twice, no NUL character or lone surrogate in a string
    (PostgreSQL stores neither), and no nesting deeper than MAX_DEPTH.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise TasteError(
            f"That text is over {MAX_TEXT_BYTES // 1024} kB, far over the taste profile's cap of "
            f"{MAX_DOCUMENT_BYTES // 1024} kB: shorten it."
        )
    try:
        document = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_members)
    except _Refused as error:
        raise TasteError(f"This is not strict JSON: {error}") from None
    except RecursionError:
        raise TasteError(f"The taste profile may nest at most {MAX_DEPTH} levels deep.") from None
    except ValueError as error:
        raise TasteError(f"This is not valid JSON: {error}.") from None
    if not isinstance(document, dict):
        raise TasteError(
            'The taste profile is one JSON object, in braces, e.g. {"genres": ["jazz"]}.'
        )
    if nesting_depth(document, MAX_DEPTH) > MAX_DEPTH:
        raise TasteError(f"The taste profile may nest at most {MAX_DEPTH} levels deep.")
    for string in _strings(document):
        if "\x00" in string:
            raise TasteError("A text in it holds a NUL character (\\u0000): remove it.")
        try:
            string.encode("utf-8")
        except UnicodeEncodeError:
            raise TasteError(
                "A text in it holds a lone surrogate escape (such as \\ud800), which is not "
                "text: remove it."
            ) from None
    check_document(document)
    return document


def item_uri(reference):
    """The Spotify URI of an optional item reference (URI, link or bare track id); '' for none."""
    if reference is None or (isinstance(reference, str) and not reference.strip()):
        return ""
    parsed = parse_reference(reference, bare_kind="track")
    if parsed is None:
        raise TasteError(
            f"spotify_id {str(reference)[:60]!r} is not a Spotify id, URI or open.spotify.com link."
        )
    return to_uri(*parsed)


# --- reading -----------------------------------------------------------------------------------


def event_row(event):
    return {
        "id": event.pk,
        "kind": event.kind,
        "text": event.text,
        "spotify_id": event.spotify_id or None,
        "client": event.client,
        "created_at": event.created_at.isoformat(),
    }


def view(listener, *, events=RECENT_EVENTS):
    """The profile document with when and by whom it last changed, and the newest events."""
    profile = TasteProfile.objects.filter(listener=listener).first()
    document = profile.document if profile else {}
    recent = PreferenceEvent.objects.filter(listener=listener)[:events]
    return {
        "profile": document,
        "updated_at": profile.updated_at.isoformat() if profile else None,
        "updated_by": profile.updated_by if profile else None,
        "size_bytes": document_bytes(document),
        "max_bytes": MAX_DOCUMENT_BYTES,
        "events": [event_row(event) for event in recent],
        "events_total": PreferenceEvent.objects.filter(listener=listener).count(),
    }


def has_profile(listener) -> bool:
    """Whether assistants kept anything for the listener: a profile document or an event."""
    return (
        TasteProfile.objects.filter(listener=listener).exists()
        or PreferenceEvent.objects.filter(listener=listener).exists()
    )


def export(listener):
    """Everything kept here for the listener (the whole event history), for a data export."""
    return view(listener, events=MAX_EVENTS)


# --- changing ----------------------------------------------------------------------------------


def _locked_profile(listener):
    profile, _ = TasteProfile.objects.get_or_create(listener=listener)
    return TasteProfile.objects.select_for_update().get(pk=profile.pk)


def update(listener, patch, *, by=""):
    """Applies a JSON merge patch (an object); TasteError and no change when the result would
    break a cap. Concurrent patches take turns on the row, so none is lost."""
    if not isinstance(patch, dict):
        raise TasteError(
            "patch must be a JSON object (a merge patch): members to set, null to remove."
        )
    with transaction.atomic():
        profile = _locked_profile(listener)
        merged = merge_patch(profile.document, patch)
        check_document(merged)
        profile.document, profile.updated_by = merged, by[:100]
        profile.save()
    return view(listener)


def replace(listener, document, *, by=""):
    """Replaces the whole document (the listener's own edit on /me), within the same caps."""
    check_document(document)
    with transaction.atomic():
        profile = _locked_profile(listener)
        profile.document, profile.updated_by = document, by[:100]
        profile.save()
    return view(listener)


def add_preference(listener, *, kind, text, spotify_id=None, by=""):
    """Appends one event; the oldest beyond MAX_EVENTS are dropped. Returns the new event's row
    and how many were dropped."""
    if kind not in KINDS:
        raise TasteError(f"kind must be one of {', '.join(KINDS)} (got {str(kind)[:40]!r}).")
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise TasteError("text must say the preference in words, e.g. 'no live versions'.")
    if len(text) > MAX_EVENT_CHARS:
        raise TasteError(f"text is {len(text)} characters; at most {MAX_EVENT_CHARS}.")
    uri = item_uri(spotify_id)
    with transaction.atomic():
        event = PreferenceEvent.objects.create(
            listener=listener, kind=kind, text=text, spotify_id=uri, client=by[:100]
        )
        keep = PreferenceEvent.objects.filter(listener=listener).values("pk")[:MAX_EVENTS]
        dropped, _ = (
            PreferenceEvent.objects.filter(listener=listener)
            .exclude(pk__in=list(keep.values_list("pk", flat=True)))
            .delete()
        )
    return {"event": event_row(event), "dropped": dropped}


def clear(listener):
    """Removes the document and every event; returns what was removed."""
    with transaction.atomic():
        events, _ = PreferenceEvent.objects.filter(listener=listener).delete()
        profiles, _ = TasteProfile.objects.filter(listener=listener).delete()
    return {"profile_removed": bool(profiles), "events_removed": events}
