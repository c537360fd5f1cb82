"""Refusing `true` and `false` where a JSON Schema asks for a number.

Pydantic's lax mode reads a boolean as 1 or 0 for an `int` or `float` field, so a request saying
`"time_limit_seconds": false` would be accepted although the OpenAPI document says number. Most
request bodies mark such fields `strict=True`; a body that embeds a deep contract model (the
optimizer's problem) is checked here against the model's own JSON Schema before it is parsed.
"""

from __future__ import annotations

from typing import Any

_NUMBERS = frozenset({"integer", "number"})


def booleans_for_numbers(schema: dict[str, Any], data: Any) -> list[str]:
    """The paths in `data` holding a boolean where `schema` admits only numbers there."""
    definitions = schema.get("$defs", {})
    found: list[str] = []
    _walk(schema, data, "", definitions, found)
    return found


def _walk(schema: dict[str, Any], data: Any, path: str, defs: dict, found: list[str]) -> None:
    schema = _resolved(schema, defs)
    options = [_resolved(o, defs) for o in schema.get("anyOf", schema.get("oneOf", []))]
    if options:
        if isinstance(data, bool) and _only_numbers(options):
            found.append(path or "(body)")
        for option in options:
            if _type_of(data) in _types(option):
                _walk(option, data, path, defs, found)
        return
    if isinstance(data, bool):
        if _types(schema) and _types(schema) <= _NUMBERS:
            found.append(path or "(body)")
    elif isinstance(data, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in data.items():
            inner = properties.get(key, extra if isinstance(extra, dict) else None)
            if inner is not None:
                _walk(inner, value, f"{path}.{key}" if path else key, defs, found)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(data):
            _walk(schema["items"], item, f"{path}[{index}]", defs, found)


def _resolved(schema: dict[str, Any], defs: dict) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if declared else set()


def _only_numbers(options: list[dict[str, Any]]) -> bool:
    kinds = set().union(*(_types(o) for o in options)) - {"null"}
    return bool(kinds) and kinds <= _NUMBERS


def _type_of(data: Any) -> str:
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, int):
        return "integer"
    return {float: "number", str: "string", dict: "object", list: "array"}.get(type(data), "null")
