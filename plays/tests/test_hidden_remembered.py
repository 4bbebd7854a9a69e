"""Within `plays.hidden.remembered()` (one MCP tool call that only reads) a listener's hidden
artists are read from the database once; outside it, every ask reads them again, so a change
is seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Listener
from plays import hidden
from plays.models import Artist, ExcludedArtist

pytestmark = pytest.mark.django_db


def test_read_once_inside_and_every_time_outside():
    listener = Listener.objects.create(spotify_user_id="alice")
    artist = Artist.objects.create(key="a1", name="Cold Rivers")
    ExcludedArtist.objects.create(listener=listener, artist=artist)
    with CaptureQueriesContext(connection) as inside, hidden.remembered():
        answers = {hidden.hidden_artist_ids(listener.pk) for _ in range(3)}
    assert answers == {(artist.pk,)}
    assert len(inside) == 1
    with CaptureQueriesContext(connection) as outside:
        hidden.hidden_artist_ids(listener.pk)
        ExcludedArtist.objects.filter(listener=listener).delete()
        assert hidden.hidden_artist_ids(listener.pk) == ()
    assert len(outside) == 3, "outside the block each ask reads the table"
