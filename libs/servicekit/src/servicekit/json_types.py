"""Values whose JSON type is not one a JSON Schema admits there, found before pydantic reads them.

Pydantic's lax mode reads `false` as 0 for a number and `0` as a Unix timestamp for a date-time,
and the contracts' sets merge a repeated value, so a request the OpenAPI document calls invalid
(wrong type, or `uniqueItems` broken) would be accepted. Most request bodies mark such
fields `strict=True`; a body that embeds a deep contract model (the optimizer's problem) is
checked here against the model's own JSON Schema before it is parsed.
"""

from __future__ import annotations

import json
from typing import Any


def mistyped(schema: dict[str, Any], data: Any) -> list[str]:
    """The paths in `data` holding a primitive of a JSON type `schema` does not admit there."""
    found: list[str] = []
    _walk(schema, data, "", schema.get("$defs", {}), found)
    return found


def _walk(
    schema: dict[str, Any], data: Any, path: str, defs: dict[str, Any], found: list[str]
) -> None:
    schema = _resolved(schema, defs)
    options = [_resolved(o, defs) for o in schema.get("anyOf", schema.get("oneOf", []))] or [schema]
    kind = _type_of(data)
    if kind not in ("object", "array"):
        admitted = set().union(*(_types(o) for o in options))
        if admitted and not _admits(admitted, kind):
            found.append(path or "(body)")
        return
    for option in options:
        if _admits(_types(option), kind):
            _walk_inside(option, data, path, defs, found)


def _walk_inside(
    schema: dict[str, Any], data: Any, path: str, defs: dict[str, Any], found: list[str]
) -> None:
    if isinstance(data, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in data.items():
            inner = properties.get(key, extra if isinstance(extra, dict) else None)
            if inner is not None:
                _walk(inner, value, f"{path}.{key}" if path else key, defs, found)
    elif isinstance(schema.get("items"), dict):
        if schema.get("uniqueItems") and len({json.dumps(i, sort_keys=True) for i in data}) < len(
            data
        ):
            found.append(path or "(body)")
        for index, item in enumerate(data):
            _walk(schema["items"], item, f"{path}[{index}]", defs, found)


def _admits(admitted: set[str], kind: str) -> bool:
    return not admitted or kind in admitted or (kind == "integer" and "number" in admitted)


def _resolved(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if declared else set()


def _type_of(data: Any) -> str:
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, int):
        return "integer"
    return {float: "number", str: "string", dict: "object", list: "array"}.get(type(data), "null")
