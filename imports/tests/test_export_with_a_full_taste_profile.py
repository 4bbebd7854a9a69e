"""A listener whose assistants filled the taste profile to every cap still gets a `json` export
that the importer reads back: the profile is written over several lines (the document, then one
line per preference event), each far under the importer's line cap (`readers.MAX_LINE_BYTES`),
where it used to be one line of up to a few megabytes that the importer refused."""

import json

import pytest

from accounts.models import Listener
from imports.exporting import prepare_export
from imports.jobs import job_for_file, run_import_job
from imports.readers import MAX_LINE_BYTES
from imports.tests.test_export_round_trips import awkward_plays
from plays import taste
from plays.ingest import ingest_plays
from plays.models import Play

pytestmark = pytest.mark.django_db

# Characters that take the most room in JSON: a control character is written \u0001 (6 bytes),
# an emoji is 4 bytes of UTF-8.
WIDE = "\x01\N{GUITAR}"


def fill(length):
    return (WIDE * length)[:length]


@pytest.fixture
def alice():
    alice = Listener.objects.create(spotify_user_id="alice")
    for batch in awkward_plays():
        ingest_plays(alice, batch)
    # The document just under its cap, and every event at its longest, by the longest client.
    room = taste.MAX_DOCUMENT_BYTES - taste.document_bytes({"notes": ""})
    document = {"notes": fill(room // 5)}
    while taste.document_bytes(document) > taste.MAX_DOCUMENT_BYTES:
        document["notes"] = document["notes"][:-1]
    taste.replace(alice, document, by=fill(100))
    for number in range(taste.MAX_EVENTS):
        text = f"{number} " + fill(taste.MAX_EVENT_CHARS - 5)
        taste.add_preference(alice, kind="rule", text=text, by=fill(100))
    return alice


def test_a_full_taste_profile_exports_in_lines_the_importer_reads_back(alice, tmp_path):
    path = tmp_path / "alice.json"
    with path.open("wb") as out:
        for block in prepare_export(alice, "json").stream():
            out.write(block)
    bob = Listener.objects.create(spotify_user_id="bob")
    job = run_import_job(job_for_file(bob, path).pk)
    assert (job.status, job.error) == ("succeeded", "")
    assert job.inserted == Play.objects.filter(listener=alice).count() > 0
    assert not taste.has_profile(bob)  # the profile is alice's words, never imported

    lines = path.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]

    assert max(len(line) for line in lines) < MAX_LINE_BYTES / 16
    assert records[1]["type"] == "taste_profile"
    assert records[1]["profile"] == taste.view(alice)["profile"]
    events = [record for record in records if record["type"] == "preference_event"]
    assert len(events) == records[1]["events_total"] == taste.MAX_EVENTS
    assert [event["text"] for event in events] == [
        event["text"] for event in taste.export(alice)["events"]
    ]
