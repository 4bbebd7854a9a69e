"""Reading a request body as JSON, the one way /mcp and /mcp/call both do it.

A body is refused, with one sentence saying why, when it is not UTF-8 JSON, when a string in it
holds a lone UTF-16 surrogate (`"\\ud800"`: not text, and it could not be written back into a
UTF-8 answer or a log), or when it nests arrays and objects deeper than MAX_DEPTH. An MCP message
never needs more than a few levels; a deeply nested one would otherwise reach code that walks it
recursively (checks, `repr`, logging) and end in a RecursionError.

A body is also refused when a string in it (a value or a member name) holds a NUL character
(`"\u0000"`): PostgreSQL can store NUL neither in text nor in jsonb, so such a string would end in
a database error (a 500) or, on SQLite, in stored text other tools then choke on. No tool, name
or argument needs one.

orjson does the parsing: it refuses lone surrogates, NaN and infinite numbers itself, and stops
at 1,024 levels, so the depth check here walks an already bounded value without recursion.
"""

import orjson

from plays.json_depth import nesting_depth

# Deepest nesting of arrays and objects accepted (the body itself is level 1). A tools/call with
# its _meta envelope uses four; capabilities objects a few more.
MAX_DEPTH = 32


class BodyRefused(ValueError):
    """The body is not acceptable JSON; `str(error)` says why, for the client."""


def holds_nul(value):
    """Whether any string in `value`, member names included, holds a NUL character; iterative."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return True
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return False


def _may_hold_nul(body):
    """A NUL can only reach a parsed string through the escape \\u0000 (JSON refuses raw control
    characters in strings), so a body without that text needs no walk."""
    needle = "\\u0000"
    if isinstance(body, str):
        return needle in body
    return needle.encode() in body


def parse(body):
    """The JSON value of `body` (bytes or str); BodyRefused when it can't be used."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BodyRefused(f"the body is not JSON in UTF-8 ({error.msg}).") from None
    if nesting_depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise BodyRefused(
            f"the body nests arrays and objects more than {MAX_DEPTH} levels deep; one MCP "
            "message needs only a few."
        )
    if _may_hold_nul(body) and holds_nul(value):
        raise BodyRefused(
            "a string in the body holds a NUL character (\\u0000), which no name, text or "
            "argument here may contain."
        )
    return value
