"""Checking a call's arguments against the tool's input schema (the small part of JSON Schema the
tools use), with one sentence saying what to fix.

A sentence names arguments by the schema's names and says what kind of value came, never the
caller's text itself: what a model reads as an instruction stays out of sentences addressed to it.
"""

from __future__ import annotations

from mcp.tools.base import Tool

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
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
    """Why `value` doesn't fit `schema` (type, enum, minimum/maximum, minLength, object
    properties/required/additionalProperties, array items), or None."""
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, kind) for kind in kinds):
            expected = " or ".join(_TYPE_NAMES[k] for k in kinds)
            return f"{path!r} must be {expected} (got {_shown(value)})."
    if value is None:
        return None
    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(repr(option) for option in schema["enum"])
        return f"{path!r} must be one of {options} (got {_shown(value)})."
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{path!r} must be from {low} to {high} (got {value})."
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
