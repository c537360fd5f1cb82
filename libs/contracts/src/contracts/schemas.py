"""JSON Schemas of the envelope and of every event, as published next to the AsyncAPI document.

One file per event: the envelope, with `event_type` and `event_version` fixed and `data` being
the event's schema. Published schemas allow unknown properties: a version may gain optional
fields, and a consumer validating with an older schema must still accept the message.
"""

from __future__ import annotations

import inspect
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from contracts.envelope import Envelope, Event

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class ContractSchema(GenerateJsonSchema):
    """Pydantic's schema without a title on every property: names already say it."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def publishable(schema: Any) -> Any:
    """The schema without what would break tolerant readers or AsyncAPI tools.

    `additionalProperties: false` goes (see the module docstring); OpenAPI's `discriminator`
    object goes because AsyncAPI defines the keyword differently, and `oneOf` with a constant
    `kind` in each branch already says the same.
    """
    if isinstance(schema, list):
        return [publishable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: publishable(value)
        for key, value in schema.items()
        if not (key == "additionalProperties" and value is False) and key != "discriminator"
    }


def definitions(
    models: list[type[Event] | type[Envelope]], ref_template: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Schemas of `models` and everything they use: (model name -> definition key, definitions)."""
    refs, top = models_json_schema(
        [(model, "validation") for model in models],
        ref_template=ref_template,
        schema_generator=ContractSchema,
    )
    names = {
        model.__name__: refs[(model, "validation")]["$ref"].rsplit("/", 1)[1] for model in models
    }
    return names, publishable(top.get("$defs", {}))


def envelope_of(
    event_class: type[Event], data_ref: str, envelope: dict[str, Any]
) -> dict[str, Any]:
    """The envelope schema narrowed to one event: its type, its version, its data."""
    properties = dict(envelope["properties"])
    properties["event_type"] = {"const": event_class.event_type, "type": "string"}
    properties["event_version"] = {"const": event_class.event_version, "type": "integer"}
    properties["data"] = {"$ref": data_ref}
    return {**envelope, "properties": properties}


def event_schema_document(event_class: type[Event]) -> dict[str, Any]:
    """The standalone JSON Schema of one event's messages: the envelope, the event as `data`."""
    names, defs = definitions([Envelope, event_class], "#/$defs/{model}")
    envelope = defs.pop(names["Envelope"])
    narrowed = envelope_of(event_class, f"#/$defs/{names[event_class.__name__]}", envelope)
    return {
        "$schema": DIALECT,
        "title": f"{event_class.event_type} v{event_class.event_version}",
        "description": (
            f"A message on `{event_class.topic.name}` keyed by `{event_class.key_field}`. "
            + (inspect.getdoc(event_class) or "")
        ),
        **{k: v for k, v in narrowed.items() if k not in ("title", "description")},
        "$defs": dict(sorted(defs.items())),
    }


def schema_path(event_class: type[Event]) -> str:
    """Where the event's schema lives, relative to `docs/events/`."""
    name = f"{event_class.event_type}.v{event_class.event_version}.schema.json"
    return f"{event_class.topic.name}/{name}"
