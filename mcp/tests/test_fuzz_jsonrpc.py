"""Fuzzing /mcp and /mcp/call with hypothesis, through the real views: random JSON-RPC messages
(known and unknown methods, tool calls with arguments drawn from each tool's schema and from
nowhere), any unicode including lone surrogates, nesting up to two thousand levels, bodies past
the size limit, and random protocol headers. Never a 500, never a traceback in an answer, and
nothing logged at ERROR (a listener must not be able to fill the operator's log).

Each test runs FUZZ_EXAMPLES examples (see conftest.py).
"""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mcp.protocol import HANDSHAKE_METHODS, MODERN_METHODS, SUPPORTED_VERSIONS
from mcp.tools import TOOLS
from plays.tests.query_fixtures import build_history

pytestmark = pytest.mark.django_db

CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
)
TEXT = st.text(CHARACTERS, max_size=20)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)
METHODS = st.one_of(st.sampled_from(sorted({*HANDSHAKE_METHODS, *MODERN_METHODS})), TEXT)
TOOL_NAMES = st.one_of(st.sampled_from([tool.name for tool in TOOLS]), TEXT)


def argument_values(schema):
    """Values for one argument: plausible for its schema, or anything."""
    plausible = {
        "integer": st.integers(min_value=-5, max_value=40_000),
        "string": st.one_of(
            st.sampled_from(schema.get("enum") or ["2024", "2024-05", "Europe/Paris", "Song"]),
            st.text(CHARACTERS, max_size=schema.get("maxLength", 20) + 5),
        ),
        # heard_before's entries: objects of the item schema's fields.
        "array": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    key: argument_values(value)
                    for key, value in schema.get("items", {}).get("properties", {}).items()
                },
            ),
            max_size=min(schema.get("maxItems", 3), 4),
        ),
    }.get(schema.get("type"), SCALARS)
    return st.one_of(plausible, VALUES)


def tool_arguments(name):
    tool = next((tool for tool in TOOLS if tool.name == name), None)
    if tool is None:
        return st.dictionaries(TEXT, VALUES, max_size=3)
    properties = tool.input_schema["properties"]
    known = st.fixed_dictionaries(
        {}, optional={key: argument_values(schema) for key, schema in properties.items()}
    )
    return st.one_of(known, st.dictionaries(TEXT, VALUES, max_size=2))


@st.composite
def params(draw, method):
    if method == "tools/call":
        name = draw(TOOL_NAMES)
        chosen = {"name": name, "arguments": draw(tool_arguments(name))}
    elif method == "resources/read":
        chosen = {
            "uri": draw(
                st.one_of(
                    st.sampled_from(
                        [
                            "spotify-history://me/summary",
                            "spotify-history://listeners/alice/sync-status",
                            "spotify-history://listeners/bob/summary",
                        ]
                    ),
                    TEXT,
                )
            )
        }
    elif method == "prompts/get":
        chosen = {"name": draw(TEXT | st.just("year_in_review")), "arguments": draw(VALUES)}
    elif method == "initialize":
        chosen = {"protocolVersion": draw(st.sampled_from(SUPPORTED_VERSIONS) | TEXT)}
    else:
        chosen = draw(st.dictionaries(TEXT, VALUES, max_size=3))
    if draw(st.booleans()):
        chosen = {**chosen, **draw(st.dictionaries(TEXT, VALUES, max_size=2))}
    return chosen


@st.composite
def messages(draw):
    method = draw(METHODS)
    message = {"jsonrpc": draw(st.sampled_from(["2.0", "2.0", "1.0"]) | TEXT), "method": method}
    if draw(st.booleans()):
        message["id"] = draw(st.integers() | TEXT | SCALARS)
    if draw(st.integers(min_value=0, max_value=9)):
        message["params"] = draw(params(method))
    if not draw(st.integers(min_value=0, max_value=9)):
        message = draw(VALUES)  # not even a message
    return message


def nested(value, depth):
    """JSON text of `value` inside `depth` arrays, written as text: the test's own encoder would
    hit Python's recursion limit long before the server's parser is tried at that depth."""
    return "[" * depth + encoded(value) + "]" * depth


HEADER_VALUES = st.one_of(
    st.sampled_from(
        [*SUPPORTED_VERSIONS, "tools/call", "=?base64?dG9wX2FydGlzdHM=?=", "=?base64?"]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),
)
HEADERS = st.dictionaries(
    st.sampled_from(["HTTP_MCP_PROTOCOL_VERSION", "HTTP_MCP_METHOD", "HTTP_MCP_NAME"]),
    HEADER_VALUES,
    max_size=3,
)
DEPTHS = st.one_of(st.just(0), st.integers(min_value=0, max_value=2_000))


def encoded(value, padding=0):
    """JSON text of `value` (lone surrogates as \\u escapes), padded with spaces to a size."""
    return json.dumps(value, ensure_ascii=True) + " " * padding


def assert_answered_cleanly(response, error_logs):
    assert response.status_code < 500, response.content[:500]
    assert b"Traceback" not in response.content
    assert error_logs == []


@pytest.fixture
def history(listener):
    build_history(listener, count=60)


@given(message=messages(), depth=DEPTHS, headers=HEADERS, padding=st.sampled_from([0, 300_000]))
@example(message={"jsonrpc": "2.0", "id": 1, "method": "ping"}, depth=2_000, headers={}, padding=0)
def test_any_message_to_mcp_is_answered_cleanly(
    client, secret, history, error_logs, message, depth, headers, padding
):
    response = client.post(
        "/mcp",
        data=nested(message, depth) + " " * padding,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        **headers,
    )
    assert_answered_cleanly(response, error_logs)


@given(
    tool=TOOL_NAMES,
    data=st.data(),
    depth=DEPTHS,
    extra=st.dictionaries(TEXT, VALUES, max_size=1),
)
def test_any_call_to_the_plain_twin_is_answered_cleanly(
    client, secret, history, error_logs, tool, data, depth, extra
):
    fields = {"tool": encoded(tool), "args": nested(data.draw(tool_arguments(tool)), depth)}
    fields.update({name: encoded(value) for name, value in extra.items()})
    body = "{" + ", ".join(f"{encoded(name)}: {text}" for name, text in fields.items()) + "}"
    response = client.post(
        "/mcp/call",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert_answered_cleanly(response, error_logs)


@given(body=st.binary(max_size=2_000))
def test_any_bytes_posted_to_either_are_answered_cleanly(client, secret, error_logs, body):
    for path in ("/mcp", "/mcp/call"):
        response = client.post(
            path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert_answered_cleanly(response, error_logs)
        assert response.status_code == 400 or response.status_code in (200, 202, 404)
