"""Every tool schema passes the MCP Inspector's schema lint with no finding; each is valid too.

The Inspector (core/json/schemaLint.ts) flags schemas that are legal JSON Schema but that some
clients read wrongly: a `type` written as an array (`["string", "null"]`, its `type-union`
warning), and a bare `true` / `false` where a schema object is expected (its `boolean-schema`
error; `additionalProperties: false` is a keyword's value, not a schema, and fine). `lint()`
applies those rules, plus one every client needs: each `anyOf` branch says its own `type`.
"""

import pytest
from jsonschema import Draft202012Validator

from mcp.tools import TOOLS, call_tool
from mcp.tools.history import HISTORY_TOOLS
from mcp.tools.schemas import nullable
from plays.tests.query_fixtures import two_listeners

from .test_tools_answers import CALLS

# Keywords whose value may be a boolean without being a boolean schema.
BOOLEAN_VALUED = {"additionalProperties", "default", "const", "enum", "examples"}
SUBSCHEMA_MAPS = {"properties", "$defs", "definitions", "patternProperties"}
SUBSCHEMA_LISTS = {"anyOf", "oneOf", "allOf", "prefixItems"}
SUBSCHEMAS = {"items", "not", "additionalProperties", "contains", "if", "then", "else"}


def lint(schema, path="#"):
    """The Inspector-style findings for `schema`: [(path, rule)]."""
    if isinstance(schema, bool):
        return [(path, "boolean-schema")]
    findings = []
    if isinstance(schema.get("type"), list):
        findings.append((path, "type-union"))
    for branch in schema.get("anyOf", []):
        if isinstance(branch, dict) and "type" not in branch:
            findings.append((path, "anyOf-branch-without-type"))
    for keyword, value in schema.items():
        if keyword in SUBSCHEMA_MAPS:
            for name, sub in value.items():
                findings += lint(sub, f"{path}/{keyword}/{name}")
        elif keyword in SUBSCHEMA_LISTS:
            for index, sub in enumerate(value):
                findings += lint(sub, f"{path}/{keyword}/{index}")
        elif keyword in SUBSCHEMAS and not (keyword in BOOLEAN_VALUED and isinstance(value, bool)):
            findings += lint(value, f"{path}/{keyword}")
    return findings


def every_schema():
    for tool in TOOLS:
        yield f"{tool.name}.inputSchema", tool.input_schema
        yield f"{tool.name}.outputSchema", tool.output_schema


def test_the_lint_finds_what_the_inspector_warns_about():
    assert lint({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}) == [
        ("#/properties/a", "type-union")
    ]
    assert lint({"type": "array", "items": True}) == [("#/items", "boolean-schema")]
    assert lint({"anyOf": [{"minimum": 1}, {"type": "null"}]}) == [
        ("#", "anyOf-branch-without-type")
    ]
    assert lint({"type": "object", "additionalProperties": False}) == []


def test_no_tool_schema_has_a_finding():
    findings = {name: lint(schema) for name, schema in every_schema()}
    assert {name: found for name, found in findings.items() if found} == {}


@pytest.mark.parametrize(("name", "schema"), list(every_schema()), ids=lambda v: str(v)[:40])
def test_every_tool_schema_is_valid_draft_2020_12(name, schema):
    Draft202012Validator.check_schema(schema)


def test_nullable_keeps_the_description_outside_and_one_type_per_branch():
    schema = nullable({"type": "number", "description": "A share."})
    assert schema == {
        "anyOf": [{"type": "number"}, {"type": "null"}],
        "description": "A share.",
    }
    validator = Draft202012Validator(schema)
    assert validator.is_valid(None) and validator.is_valid(0.5) and not validator.is_valid("x")


@pytest.mark.django_db
def test_every_answer_is_valid_under_a_standard_validator():
    alice, _, bob, _ = two_listeners()
    for listener, handle in ((alice, "alice-shares"), (bob, "bob-shares")):
        listener.shares_listening, listener.share_handle = True, handle
        listener.save()
    # The history tools answer from the fixture; the others' answers are checked in their own
    # tests (test_taste_profile_tools, test_operator_tools, test_mcp_spotify_and_memory_end_to_end).
    for tool in HISTORY_TOOLS:
        validator = Draft202012Validator(tool.output_schema)
        for arguments in CALLS[tool.name]:
            answer = call_tool(tool, arguments, alice).structured
            errors = [error.message for error in validator.iter_errors(answer)]
            assert errors == [], (tool.name, arguments, errors[:3])
