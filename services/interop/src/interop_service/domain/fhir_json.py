"""A validated `fhir.resources` model as the JSON `model_dump_json()` writes, at a fraction of
its cost.

fhir.resources serializes through a Python `model_serializer` that every nested element runs
again (its alias map, element order and field types looked up per call, a `model_dump` per
element): a case's four documents took a tenth of the consumer's CPU. This walks the same
elements in the same order, with each model class's plan worked out once, and gives the tree
to pydantic-core's `to_json`, as `model_dump_json` does in the end: the same text, byte for
byte (the unit tests compare it with `model_dump_json` over every story a case can tell). Only
what `model_dump_json(by_alias=True, exclude_none=True)` does: no summary, no comments filter.
"""

from __future__ import annotations

import decimal
import functools
import uuid
from typing import Any, NamedTuple, TypeVar

from fhir_core.fhirabstractmodel import FHIR_COMMENTS_FIELD_NAME, FHIRAbstractModel
from fhir_core.utils import get_base64_encoder, is_primitive_type
from pydantic.fields import FieldInfo
from pydantic_core import to_json


def fhir_json(resource: FHIRAbstractModel) -> str:
    """`resource.model_dump_json(by_alias=True, exclude_none=True)`, the same text."""
    return to_json(_tree(resource, {})).decode()


def fhir_jsons(*resources: FHIRAbstractModel | None) -> list[str | None]:
    """`fhir_json` of each resource (None for None): an element they share (the same model
    object, as a resource without its patient shares the elements of the one with it) is
    walked once."""
    walked: _Walked = {}
    return [None if r is None else to_json(_tree(r, walked)).decode() for r in resources]


def shared(model: _Model) -> _Model:
    """`model`, an element many resources are given as it is and nothing ever changes (a
    person's part, a room, a procedure: `fhir_cases_fhir._shared`), its tree worked out once
    for every resource that has it."""
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    _SHARED[id(model)] = (model, _tree(model, {}))
    return model


_Model = TypeVar("_Model", bound=FHIRAbstractModel)
# By id: the model itself (so no other object takes its id while it is here) and its tree.
_Walked = dict[int, tuple[FHIRAbstractModel, dict[str, Any]]]
_SHARED: _Walked = {}
_SHARED_MAX = 16384


class _Element(NamedTuple):
    key: str  # the model's field name
    name: str  # its JSON name (the alias)
    primitive: FieldInfo | None  # the field, when its type is a FHIR primitive
    extension_key: str | None  # a primitive's `_name` sibling (its extensions), if it has one
    extension_name: str | None


@functools.cache
def _plan(model: type[FHIRAbstractModel]) -> tuple[_Element, ...]:
    """The elements of `model` in FHIR's order, as `FHIRAbstractModel._fhir_iter` walks them."""
    aliases = model.get_alias_mapping()
    plan = []
    for prop in model.elements_sequence():
        key = aliases[prop]
        field = model.model_fields[key]
        primitive = is_primitive_type(field)
        extension = model.model_fields.get(f"{key}__ext") if primitive else None
        plan.append(
            _Element(
                key=key,
                name=field.alias or key,
                primitive=field if primitive else None,
                extension_key=f"{key}__ext" if extension is not None else None,
                extension_name=(extension.alias or f"{key}__ext") if extension else None,
            )
        )
    return tuple(plan)


def _tree(model: FHIRAbstractModel, walked: _Walked) -> dict[str, Any]:
    """The model's tree (which `to_json` only reads: one may be in many trees)."""
    known = _SHARED.get(id(model)) or walked.get(id(model))
    if known is not None and known[0] is model:
        return known[1]
    cls = type(model)
    values = model.__dict__
    tree: dict[str, Any] = {}
    if cls.has_resource_base():
        tree["resourceType"] = cls.__resource_type__
    for element in _plan(cls):
        value = values.get(element.key)
        if value is not None:
            if element.primitive is not None:
                value = _primitive(value, element.primitive)
            else:
                value = _complex(value, walked)
            if not (isinstance(value, list) and not value):  # FHIR elements are never empty
                tree[element.name] = value
        if element.extension_key is not None:
            extension = values.get(element.extension_key)
            if extension is not None:
                extension = _complex(extension, walked)
                if extension is not None and len(extension) > 0:
                    tree[element.extension_name or element.extension_key] = extension
    comments = values.get(FHIR_COMMENTS_FIELD_NAME)
    if comments is not None:
        tree[FHIR_COMMENTS_FIELD_NAME] = comments
    walked[id(model)] = (model, tree)
    return tree


def _complex(value: Any, walked: _Walked) -> Any:
    if isinstance(value, list):
        return [_complex(item, walked) for item in value]
    if isinstance(value, FHIRAbstractModel):
        return _tree(value, walked)
    return value  # None, or a value to_json writes as pydantic would


def _primitive(value: Any, field: FieldInfo) -> Any:
    """As `FHIRAbstractModel._serialize_primitive_value`: what pydantic's own serializers of
    these types are not called for."""
    if isinstance(value, list):
        return [_primitive(item, field) for item in value]
    if isinstance(value, bytes | bytearray):
        encoder = get_base64_encoder(field)
        if encoder:
            return encoder.encode(value)
    if isinstance(value, uuid.UUID):
        return f"urn:uuid:{value}"
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent
        if (
            value.is_finite()
            and value == value.to_integral_value()
            and isinstance(exponent, int)
            and exponent >= 0
        ):
            return int(value)
        return float(value)
    return value
