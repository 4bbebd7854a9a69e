"""MCP prompts: ready-made requests a person can pick in their assistant ("year in review",
"my year's favourites as a playlist").

A prompt only writes the request; the assistant then answers it with the tools, so a prompt
needs no data access and never sees the token's listener (nor anything a listener stored). Its
text is fixed but for a checked year, and an error never repeats what the caller sent (JSON-RPC
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
PROMPTS = [YEAR_IN_REVIEW, YEAR_FAVOURITES_PLAYLIST]
PROMPTS_BY_NAME = {prompt.name: prompt for prompt in PROMPTS}


def _year(arguments):
    raw = (arguments or {}).get("year")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return timezone.now().year - 1
    text = str(raw).strip()
    if not (text.isdigit() and len(text) == 4 and 1900 < int(text) <= timezone.now().year):
        raise PromptError(f"year must be a four-digit year up to {timezone.now().year}, e.g. 2024.")
    return int(text)


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


TEXTS = {
    YEAR_IN_REVIEW.name: year_in_review_text,
    YEAR_FAVOURITES_PLAYLIST.name: year_favourites_playlist_text,
}


def get(name, arguments):
    """The `prompts/get` result for `name`."""
    prompt = PROMPTS_BY_NAME.get(name)
    if prompt is None:
        raise PromptError("Unknown prompt: prompts/list names the ones there are.")
    if arguments is not None and not isinstance(arguments, dict):
        raise PromptError("Prompt arguments must be an object of strings.")
    year = _year(arguments)
    return {
        "description": f"{prompt.title}: {year}",
        "messages": [{"role": "user", "content": {"type": "text", "text": TEXTS[name](year)}}],
    }
