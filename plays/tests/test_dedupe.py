"""The cross-source rule: same item, other source, end times within the tolerance."""

from datetime import UTC, datetime, timedelta

from plays.dedupe import END_TIME_TOLERANCE, cross_source_duplicates, is_same_listen

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
