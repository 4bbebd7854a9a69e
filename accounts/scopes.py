"""Which Spotify permissions (scopes) the service asks for, and what a listener has granted.

Collecting history needs only `user-read-recently-played`, so that is all a plain login asks for.
A listener may also let their assistants create playlists and look things up on Spotify: that
asks for `ASSISTANT_SCOPES` too, through Spotify's login again (incremental authorization), and
turning it off logs in again with the base scope alone. What Spotify actually granted is the
token response's `scope`, stored on the listener (`Listener.scope`); these helpers read it.

A plain login (no `?with=`) keeps what the listener granted: with their session it asks for
their stored optional scopes too (`kept_on_login`); without one (the visitor is unknown until
Spotify says who they are), a callback whose grant lost some of them starts one more
authorization asking for them again (`dropped`), which Spotify approves without asking, since
the listener already did.
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


def kept_on_login(listener):
    """What a plain login of `listener` asks for: the base scope plus the optional ones they
    already granted (a plain login must not take the assistants' permissions away; turning them
    off is `/me/permissions/off`)."""
    return keeping(listener.scope if listener is not None else "")


def keeping(scope):
    """The base scope plus the optional scopes of the scope string `scope`."""
    have = frozenset((scope or "").split())
    return BASE_SCOPES + tuple(name for name in ASSISTANT_SCOPES if name in have)


def dropped(before, after):
    """The optional scopes granted in the scope string `before` and missing from `after`."""
    had, has = frozenset((before or "").split()), frozenset((after or "").split())
    return [scope for scope in ASSISTANT_SCOPES if scope in had and scope not in has]


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
