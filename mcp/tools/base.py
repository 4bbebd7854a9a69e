"""What a tool is: its name, schemas and annotations, and what a call of it produced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

ANNOTATIONS = {
    "readOnlyHint": True,
    "destructiveHint": False,
    "idempotentHint": True,
    "openWorldHint": False,
}


# Hints of the families beyond the read-only history (mcp.tools.spotify, memory, ops).
LIVE_READ = {**ANNOTATIONS, "openWorldHint": True}
LIVE_WRITE = {**ANNOTATIONS, "readOnlyHint": False, "idempotentHint": False, "openWorldHint": True}
LOCAL_WRITE = {**ANNOTATIONS, "readOnlyHint": False}

EXCLUDED_ARTISTS = {
    "type": "integer",
    "minimum": 0,
    "description": "How many artists the listener hides (on their page): every play of a "
    "track crediting one of them, featured or not, is left out of this answer.",
}

LISTENER = "listener"  # a listener's own token, or the admin token naming one with user_id
OPERATOR = "operator"  # the admin token only; user_id is then an optional filter


class ToolError(Exception):
    """A tool can't answer these arguments; the message is the sentence the model gets."""


def refusals_as_tool_errors(refusal):
    """Wraps `function(listener, args, client)` as a tool's `run`: an exception of the class
    `refusal` (a layer below's sentence, e.g. plays.taste.TasteError) becomes the ToolError the
    model gets, word for word."""

    def wrap(function):
        def run(listener, args, tz, client):
            try:
                return function(listener, args, client)
            except refusal as error:
                raise ToolError(str(error)) from None

        return run

    return wrap


class UnknownTool(LookupError):
    def __init__(self, name):
        super().__init__(name)
        self.name = name

    def __str__(self):
        # The name asked for is not repeated: it is the caller's text (JSON-RPC gives it as data).
        return "Unknown tool: call tools/list (or GET /mcp/tools) for the names."


@dataclass(frozen=True)
class ToolOutcome:
    """What a call produced: the structured answer, or a sentence saying what to change."""

    structured: dict | None = None
    error: str | None = None

    @property
    def is_error(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    summary: str
    input_schema: dict
    output_schema: dict
    run: Callable = field(repr=False)
    annotations: dict = field(default_factory=lambda: {**ANNOTATIONS})
    # Who may call it (LISTENER or OPERATOR), whether `run` also takes the calling client's name
    # (for ledgers and logs), and whether its answers count plays (the description says how).
    audience: str = LISTENER
    takes_client: bool = False
    counts_plays: bool = True

    def __post_init__(self):
        if self.answers_history:
            # Every answer about the history says how many artists the listener hides (the
            # registry adds the count to each answer), whatever the tool.
            schema = self.output_schema
            object.__setattr__(
                self,
                "output_schema",
                {
                    **schema,
                    "properties": {**schema["properties"], "excluded_artists": EXCLUDED_ARTISTS},
                    "required": [*schema.get("required", []), "excluded_artists"],
                },
            )

    @property
    def answers_history(self) -> bool:
        """A listener's tool whose answers count plays: the hidden artists' are left out."""
        return self.counts_plays and self.audience == LISTENER

    @property
    def writes(self) -> bool:
        """Whether a call can change something (Spotify playlists, the remembered taste profile):
        any tool not annotated read-only. An OAuth token needs the write scope to call it."""
        return not self.annotations.get("readOnlyHint", False)

    @property
    def description(self) -> str:
        if not self.counts_plays:
            return self.summary
        seconds = settings.MIN_PLAY_MS / 1000
        return (
            f"{self.summary} A play counts when it lasted at least {seconds:g} seconds "
            "(the server's MIN_PLAY_MS); shorter plays are left out unless stated. Plays of "
            "the artists the listener hides on their page are always left out; "
            "excluded_artists says how many artists that is."
        )

    def as_dict(self) -> dict:
        """The tool as `tools/list` and `GET /mcp/tools` show it."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "outputSchema": self.output_schema,
            "annotations": {"title": self.title, **self.annotations},
        }
