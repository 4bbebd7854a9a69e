"""The cross-source rule: same item, other source, end times within the tolerance."""

from datetime import UTC, datetime, timedelta

from plays.dedupe import (
    END_TIME_TOLERANCE,
    SCROBBLE_END_WINDOW,
    cross_source_duplicates,
    is_same_listen,
)

T = datetime(2024, 5, 6, 18, 43, 12, tzinfo=UTC)
API, EXTENDED, ACCOUNT = "api", "extended", "account_data"


def test_api_and_extended_end_times_a_few_seconds_apart_are_one_listen():
    assert is_same_listen(T, API, T + timedelta(seconds=4), EXTENDED)
    assert is_same_listen(T + END_TIME_TOLERANCE, EXTENDED, T, API)


def test_end_times_further_apart_than_the_tolerance_are_two_listens():
    assert not is_same_listen(T, API, T + END_TIME_TOLERANCE + timedelta(seconds=1), EXTENDED)


def test_an_account_data_minute_covers_the_whole_minute():
    minute = T.replace(second=0)
    assert is_same_listen(minute, ACCOUNT, minute + timedelta(seconds=59), EXTENDED)
    assert is_same_listen(minute + timedelta(seconds=3), API, minute, ACCOUNT)
    assert not is_same_listen(minute, ACCOUNT, minute + timedelta(seconds=75), EXTENDED)
    assert not is_same_listen(minute, ACCOUNT, minute - timedelta(seconds=15), EXTENDED)


def test_plays_of_one_source_never_merge():
    assert not is_same_listen(T, EXTENDED, T + timedelta(seconds=1), EXTENDED)


def test_it_finds_which_candidates_repeat_a_stored_play_of_the_same_item():
    stored = [(1, T, API), (2, T + timedelta(minutes=3), API)]
    candidates = [
        (1, T + timedelta(seconds=2), EXTENDED),  # same listen as the stored API play
        (2, T, EXTENDED),  # other item at that time: not a repeat
        (1, T + timedelta(minutes=3), EXTENDED),  # item 1 again, much later: a new listen
        (2, T + timedelta(minutes=3, seconds=-5), API),  # same source as stored: not merged here
    ]
    assert cross_source_duplicates(candidates, stored) == {0}


def test_it_handles_many_stored_plays_of_one_item():
    stored = [(7, T + timedelta(minutes=m), API) for m in range(0, 600, 4)]
    candidates = [(7, T + timedelta(minutes=m, seconds=3), EXTENDED) for m in range(0, 600, 2)]
    assert cross_source_duplicates(candidates, stored) == set(range(0, 300, 2))


# Other services record when a play started; their plays are stored as described in plays.dedupe.
LASTFM, LISTENBRAINZ = "lastfm", "listenbrainz"


def test_a_scrobble_of_unknown_length_matches_the_spotify_play_ending_within_the_window():
    started = T
    assert is_same_listen(started, LASTFM, started + timedelta(minutes=4), EXTENDED)
    assert is_same_listen(started + timedelta(seconds=50), ACCOUNT, started, LASTFM)
    assert is_same_listen(started, LASTFM, started + SCROBBLE_END_WINDOW, API)
    assert not is_same_listen(
        started, LASTFM, started + SCROBBLE_END_WINDOW + timedelta(seconds=11), EXTENDED
    )
    assert not is_same_listen(started, LASTFM, started - timedelta(seconds=11), EXTENDED)


def test_a_listen_of_known_length_may_have_ended_between_its_start_and_its_end():
    ended, length = T, 6 * 60_000  # stored at start + length, ms_played = length
    # Spotify's play of the same listen, skipped early or played through:
    assert is_same_listen(ended, LISTENBRAINZ, ended - timedelta(minutes=5), EXTENDED, length)
    assert is_same_listen(ended, LISTENBRAINZ, ended + timedelta(minutes=8), EXTENDED, length)
    # but not one that ended before this listen started:
    assert not is_same_listen(ended, LISTENBRAINZ, ended - timedelta(minutes=7), API, length)
    # Two services that both record starts: the same listen if their windows meet.
    assert is_same_listen(ended, LISTENBRAINZ, T - timedelta(minutes=6), LASTFM, length)


def test_scrobbles_stored_beside_spotify_plays_are_found_in_the_wider_window():
    stored = [(1, T, LASTFM, None), (2, T, API, None), (3, T, LISTENBRAINZ, 3 * 60_000)]
    candidates = [
        (1, T + timedelta(minutes=3, seconds=30), EXTENDED, 210_000),  # the scrobble's play
        (2, T + timedelta(minutes=3, seconds=30), EXTENDED, 210_000),  # not the API play
        (3, T - timedelta(minutes=2), EXTENDED, 60_000),  # within the listen's three minutes
        (1, T + timedelta(hours=1), EXTENDED, 210_000),  # an hour later: a new listen
    ]
    assert cross_source_duplicates(candidates, stored) == {0, 2}
