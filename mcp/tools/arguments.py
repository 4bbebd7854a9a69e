"""Checking a call's arguments against the tool's input schema (the small part of JSON Schema the
tools use), with one sentence saying what to fix.

Before the check, `coerce_arguments` takes the obvious liberties models take with JSON types: a
year sent as a number (`"start": 2021`), a count sent as text (`"days": "30"`), a boolean sent as
`"true"`. Only a value that means exactly one thing is converted; anything else (`"days": "a
month"`, `"limit": 5.5`, `true` where a number is wanted) is left as sent, and the check refuses
it as before.

A sentence names arguments by the schema's names and says what kind of value came, never the
caller's text itself: what a model reads as an instruction stays out of sentences addressed to it.
"""

from __future__ import annotations

import re

from mcp.tools.base import Tool

_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,18}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_BOOLEANS = {"true": True, "false": False}

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def coerce_value(schema, value):
    """`value` as the type `schema` asks for, when it can only mean one value of that type."""
    kind = schema.get("type")
    if isinstance(value, bool):
        return value  # never a number or a word: true is not 1
    if kind == "string" and isinstance(value, int):
        return str(value)  # "start": 2021 is the year 2021
    if kind == "integer":
        if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
            return int(value.strip())
        if isinstance(value, float) and value.is_integer():
            return int(value)
    if kind == "number" and isinstance(value, str) and _NUMBER.match(value.strip()):
        text = value.strip()
        return int(text) if _WHOLE_NUMBER.match(text) else float(text)
    if kind == "boolean" and isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    return value


def coerce_arguments(tool: Tool, arguments):
    """The arguments with each known one coerced to its schema's type (see `coerce_value`);
    anything that is not an object is returned as it is, for the check to refuse."""
    if not isinstance(arguments, dict):
        return arguments
    properties = tool.input_schema["properties"]
    return {
        name: coerce_value(properties[name], value) if name in properties else value
        for name, value in arguments.items()
    }


def check_arguments(tool: Tool, arguments) -> str | None:
    """None when the arguments fit the tool's input schema, else one sentence saying what to fix."""
    schema = tool.input_schema
    if not isinstance(arguments, dict):
        return f"{tool.name} takes its arguments as a JSON object."
    allowed = schema["properties"]
    for name in arguments:
        if name not in allowed:
            names = ", ".join(n for n in allowed if n != "user_id") or "no arguments"
            return f"{tool.name} was given an argument it does not have; it accepts: {names}."
    for name in schema.get("required", []):
        if arguments.get(name) is None:
            return f"{tool.name} needs the argument {name!r}: {allowed[name]['description']}"
    for name, value in arguments.items():
        if value is None and name not in schema.get("required", []):
            continue
        problem = schema_problem(allowed[name], value, name)
        if problem:
            return problem
    return None


def schema_problem(schema, value, path="value") -> str | None:
    """Why `value` doesn't fit `schema` (type, anyOf, maxLength, enum, minimum/maximum, minLength,
    object properties/required/additionalProperties, array items), or None."""
    if "anyOf" in schema:
        branches = schema["anyOf"]
        fitting = [branch for branch in branches if _fits_type(branch, value)]
        if not fitting:
            expected = " or ".join(_TYPE_NAMES[k] for branch in branches for k in _kinds(branch))
            return f"{path!r} must be {expected} (got {_shown(value)})."
        problems = [schema_problem(branch, value, path) for branch in fitting]
        return problems[0] if all(problems) else None
    kinds = _kinds(schema)
    if kinds and not _fits_type(schema, value):
        expected = " or ".join(_TYPE_NAMES[k] for k in kinds)
        return f"{path!r} must be {expected} (got {_shown(value)})."
    if value is None:
        return None
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        return f"{path!r} must be at most {schema['maxLength']} characters long (got {len(value)})."
    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(repr(option) for option in schema["enum"])
        return f"{path!r} must be one of {options} (got {_shown(value)})."
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            if low is None or high is None:
                bound = f"at least {low}" if high is None else f"at most {high}"
            else:
                bound = f"from {low} to {high}"
            return f"{path!r} must be {bound} (got {value})."
    if isinstance(value, str) and len(value.strip()) < schema.get("minLength", 0):
        return f"{path!r} must be at least {schema['minLength']} characters long."
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                return f"{path!r} lacks {name!r}."
        for name, item in value.items():
            if name in properties:
                problem = schema_problem(properties[name], item, f"{path}.{name}")
                if problem:
                    return problem
            elif schema.get("additionalProperties") is False:
                return f"{path!r} has a field it does not take."
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problem = schema_problem(schema["items"], item, f"{path}[{index}]")
            if problem:
                return problem
    return None


def _kinds(schema):
    kinds = schema.get("type")
    if kinds is None:
        return []
    return kinds if isinstance(kinds, list) else [kinds]


def _fits_type(schema, value):
    kinds = _kinds(schema)
    return not kinds or any(_is_type(value, kind) for kind in kinds)


def _is_type(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(
        value,
        {
            "string": str,
            "boolean": bool,
            "object": dict,
            "array": list,
            "null": type(None),
        }[kind],
    )


def _shown(value):
    """What came, without the caller's text: numbers as they are, anything else by its type."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    for kind, name in _TYPE_NAMES.items():
        if _is_type(value, kind):
            return name
    return "something else"
