"""Which Spotify permissions (scopes) the service asks for, and what a listener has granted.

Collecting history needs only `user-read-recently-played`, so that is all a plain login asks for.
A listener may also let their assistants create playlists and look things up on Spotify: that
asks for `ASSISTANT_SCOPES` too, through Spotify's login again (incremental authorization), and
turning it off logs in again with the base scope alone. What Spotify actually granted is the
token response's `scope`, stored on the listener (`Listener.scope`); these helpers read it.
"""

BASE_SCOPES = ("user-read-recently-played",)  # all that collecting history needs
ASSISTANT_SCOPES = (
    "playlist-modify-private",
    "playlist-modify-public",
    "playlist-read-private",
    "user-top-read",
)
# The `with` values of GET /auth/login and the scopes each one asks Spotify for.
LOGIN_SCOPES = {
    "": BASE_SCOPES,
    "playlists": BASE_SCOPES + ASSISTANT_SCOPES,
}
WHERE_TO_TURN_ON = (
    "the listener can turn on 'assistants may create playlists and look things up on Spotify' "
    "on their page /me of this service (or open /auth/login?with=playlists), then try again"
)


def scopes_for_login(choice):
    """The scopes a login with `?with=choice` asks for, or None for an unknown choice."""
    return LOGIN_SCOPES.get(choice or "")


def granted(listener):
    """The scopes Spotify granted to the listener's stored tokens."""
    return frozenset((listener.scope or "").split())


def missing(listener, needed):
    """The scopes of `needed` the listener has not granted, in the order given."""
    have = granted(listener)
    return [scope for scope in needed if scope not in have]


def assistants_may_use_spotify(listener):
    """True when the listener turned on playlists and lookups for assistants."""
    return not missing(listener, ASSISTANT_SCOPES)
