"""MCP prompts: ready-made requests a person can pick in their assistant ("year in review",
"my year's favourites as a playlist", "rediscover", "how my taste changed", "my listening
habits").

A prompt only writes the request; the assistant then answers it with the tools, so a prompt
needs no data access and never sees the token's listener (nor anything a listener stored). Its
text is fixed but for checked years, and an error never repeats what the caller sent (JSON-RPC
returns that as data).
"""

from dataclasses import dataclass

from django.utils import timezone


class PromptError(ValueError):
    """Unknown prompt or bad argument; the message says what to change."""


@dataclass(frozen=True)
class Prompt:
    name: str
    title: str
    description: str
    arguments: list

    def as_dict(self):
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "arguments": self.arguments,
        }


YEAR_IN_REVIEW = Prompt(
    name="year_in_review",
    title="Year in review",
    description="A Spotify-Wrapped-style review of one calendar year of listening: totals, top "
    "artists, tracks and albums, discoveries, when you listened, and how it compares with the "
    "year before.",
    arguments=[
        {
            "name": "year",
            "description": "The year to review, e.g. 2024. Default: last year.",
            "required": False,
        }
    ],
)


def year_favourites_playlist_text(year):
    return (
        f"Look back at my Spotify listening in {year}, with my favourite songs at the end. Use the "
        f"spotify-history tools with start='{year}-01-01' and end='{year}-12-31':\n"
        "1. get_taste_profile, so the playlist respects what I have said I like and dislike;\n"
        "2. top_tracks with limit 30, and listening_summary for the year's totals;\n"
        "3. tell me in a few lines what my year sounded like (quote real numbers).\n"
        "Then make it a playlist: call create_playlist with the name "
        f"'My {year} favourites', a one-line description, public false, and track_uris = the "
        "spotify_id of each top_tracks row in rank order (leave out rows without one, and "
        "tracks my taste profile rules out). Give me the playlist's URL and how many tracks were "
        "added. If a tool says I haven't allowed playlists yet, tell me where to turn that on."
    )


YEAR_FAVOURITES_PLAYLIST = Prompt(
    name="year_favourites_playlist",
    title="My year's favourites, as a playlist",
    description="Reviews one calendar year briefly, then makes its 30 most played tracks a "
    "private Spotify playlist (needs playlists allowed on the listener's page).",
    arguments=[
        {
            "name": "year",
            "description": "The year, e.g. 2019. Default: last year.",
            "required": False,
        }
    ],
)


def _optional_year(name, description):
    return {"name": name, "description": description, "required": False}


REDISCOVER = Prompt(
    name="rediscover",
    title="Rediscover forgotten favourites",
    description="Finds the artists and tracks you played most (in one year, or ever) that you "
    "haven't played for a year, and turns them into a listening list (a playlist if you want).",
    arguments=[
        _optional_year(
            "year", "The year your forgotten favourites were played, e.g. 2019. Default: ever."
        )
    ],
)
HOW_MY_TASTE_CHANGED = Prompt(
    name="how_my_taste_changed",
    title="How my taste changed",
    description="Two years side by side: what grew, what faded, the number ones of each year, "
    "and where your favourites of the first year ranked since.",
    arguments=[
        _optional_year(
            "first_year", "The earlier year, e.g. 2019. Default: five years before second_year."
        ),
        _optional_year("second_year", "The later year, e.g. 2024. Default: last year."),
    ],
)
MY_LISTENING_HABITS = Prompt(
    name="my_listening_habits",
    title="My listening habits",
    description="How you listen: sessions (how long in one go), streaks of days, the hours and "
    "weekdays you listen, over one year or your whole history, and how complete the data is.",
    arguments=[
        _optional_year("year", "The year to look at, e.g. 2024. Default: the whole history.")
    ],
)
PROMPTS = [
    YEAR_IN_REVIEW,
    YEAR_FAVOURITES_PLAYLIST,
    REDISCOVER,
    HOW_MY_TASTE_CHANGED,
    MY_LISTENING_HABITS,
]
PROMPTS_BY_NAME = {prompt.name: prompt for prompt in PROMPTS}


def _year(arguments, name="year", default="last"):
    """The year argument `name` as a number; `default` when it is left out: "last" (last year),
    None, or a number."""
    raw = (arguments or {}).get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return timezone.now().year - 1 if default == "last" else default
    text = str(raw).strip()
    if not (text.isdigit() and len(text) == 4 and 1900 < int(text) <= timezone.now().year):
        raise PromptError(
            f"{name} must be a four-digit year up to {timezone.now().year}, e.g. 2024."
        )
    return int(text)


def _window_words(year):
    if year is None:
        return "over my whole history (no start or end)"
    return f"with start='{year}-01-01' and end='{year}-12-31'"


def rediscover_text(year):
    return (
        "Help me rediscover music I loved and stopped playing. Use the spotify-history tools:\n"
        f"1. forgotten_favorites {_window_words(year)}, quiet_days 365 and limit 30: the "
        "artists and tracks I played most then that I have not played for a year;\n"
        "2. get_taste_profile, and leave out anything my profile rules out;\n"
        "3. for the top few, item_history to say when I played them most.\n"
        "Then write me a listening list of about 20 tracks, each with one line on why it is "
        "there (quote real play counts and dates from the tools, don't guess). Ask me whether "
        "to make it a playlist; if I say yes, call create_playlist with the spotify_id of "
        "each track, public false."
    )


def how_my_taste_changed_text(first, second):
    return (
        f"Tell me how my music taste changed from {first} to {second}. Use the "
        "spotify-history tools:\n"
        f"1. compare_periods with first_start='{first}', first_end='{first}', "
        f"second_start='{second}', second_end='{second}': totals, what grew and what faded;\n"
        f"2. top_artists for each of the two years (limit 10);\n"
        f"3. number_ones with kind 'artist' and granularity 'year' from start='{first}' to "
        f"end='{second}', and the same by 'month' for each of the two years;\n"
        f"4. rank_history (kind 'artist', granularity 'year', start='{first}', end='{second}') "
        f"for my top three artists of {first}, to show where they went;\n"
        f"5. discoveries with start='{second}' and end='{second}'.\n"
        "Then tell the story in a few paragraphs: what stayed, what left, what arrived, quoting "
        "real numbers from the tools. If a year has few plays, call history_coverage and say "
        "what is missing."
    )


def my_listening_habits_text(year):
    return (
        "Describe my listening habits. Use the spotify-history tools "
        f"{_window_words(year)}:\n"
        "1. listening_sessions: how many sessions, how long on average, the longest ones and "
        "the histogram of lengths;\n"
        "2. listening_streaks: my longest runs of days in a row, and the current one;\n"
        "3. listening_heatmap: the weekdays and hours I listen most;\n"
        "4. listening_timeline by month: busy and quiet stretches;\n"
        "5. history_coverage: say plainly if months are missing from my data.\n"
        "Then write a short portrait of how I listen (a commuter? a weekend binger? a night "
        "owl?), quoting real numbers from the tools, never guessing."
    )


def year_in_review_text(year):
    return (
        f"Give me a 'year in review' of my Spotify listening in {year}, like Spotify Wrapped but "
        "based on my complete history. Use the spotify-history tools with "
        f"start='{year}-01-01' and end='{year}-12-31':\n"
        "1. listening_summary for the totals (plays, minutes, unique artists and tracks, peak "
        "hour and weekday, repeat rate, skipped share);\n"
        "2. top_artists, top_tracks and top_albums (limit 10), once by plays and once by time "
        "if the order differs;\n"
        "3. discoveries: the artists and tracks I first heard that year;\n"
        "4. listening_timeline with granularity 'month', and listening_heatmap, for when I "
        "listened;\n"
        "5. podcasts, if I listened to any;\n"
        f"6. compare_periods with {year - 1} as the first period and {year} as the second: what "
        "grew and what faded.\n"
        "Then write the review: headline numbers first, then the stories the data tells (a new "
        "favourite, a month that stood out, a habit). Quote real numbers from the tools, don't "
        "guess; if the year has few plays, call sync_status and say how complete the history is."
    )


def _yearly(label_text):
    def build(arguments):
        year = _year(arguments)
        return str(year), label_text(year)

    return build


def _rediscover(arguments):
    year = _year(arguments, default=None)
    return str(year) if year else "ever", rediscover_text(year)


def _how_my_taste_changed(arguments):
    second = _year(arguments, "second_year")
    first = _year(arguments, "first_year", default=second - 5)
    if first >= second:
        raise PromptError("first_year must come before second_year.")
    return f"{first} to {second}", how_my_taste_changed_text(first, second)


def _my_listening_habits(arguments):
    year = _year(arguments, default=None)
    return str(year) if year else "the whole history", my_listening_habits_text(year)


# name -> arguments -> (what the prompt is about, the request's text)
TEXTS = {
    YEAR_IN_REVIEW.name: _yearly(year_in_review_text),
    YEAR_FAVOURITES_PLAYLIST.name: _yearly(year_favourites_playlist_text),
    REDISCOVER.name: _rediscover,
    HOW_MY_TASTE_CHANGED.name: _how_my_taste_changed,
    MY_LISTENING_HABITS.name: _my_listening_habits,
}


def get(name, arguments):
    """The `prompts/get` result for `name`."""
    prompt = PROMPTS_BY_NAME.get(name)
    if prompt is None:
        raise PromptError("Unknown prompt: prompts/list names the ones there are.")
    if arguments is not None and not isinstance(arguments, dict):
        raise PromptError("Prompt arguments must be an object of strings.")
    about, text = TEXTS[name](arguments)
    return {
        "description": f"{prompt.title}: {about}",
        "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
    }
