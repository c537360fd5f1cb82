"""What the FHIR routes serve, declared once into `REGISTRY` by each part: read by the
CapabilityStatement, the strict search check and the OpenAPI parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from interop_service.fhir.formats import JSON_FORMATS

DEFAULT_COUNT = 50
MAX_COUNT = 500
MAX_OFFSET = 1_000_000

SearchParamType = Literal["number", "date", "string", "token", "reference", "uri", "quantity"]
Interaction = Literal["read", "vread", "update", "patch", "delete", "history-instance",
                      "history-type", "create", "search-type"]  # fmt: skip


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: SearchParamType
    documentation: str
    # The FHIR SearchParameter's canonical URL, where the parameter is a standard one.
    definition: str | None = None
    # The JSON Schema of one value in the OpenAPI document (default: by `type`).
    schema: dict[str, Any] | None = None
    # A token's closed set of codes (`SearchQuery.codes` refuses any other).
    codes: tuple[str, ...] = ()

    def value_schema(self) -> dict[str, Any]:
        if self.codes:
            code = f"([^,|]*\\|)?({'|'.join(self.codes)})"
            return {"type": "string", "pattern": f"^{code}(,{code})*$"}
        return self.schema or _VALUE_SCHEMAS.get(self.type, {"type": "string"})


# A date parameter: a comparator we serve and a FHIR date or dateTime.
DATE_PATTERN = (
    r"^(eq|gt|lt|ge|le)?[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?)?)?$"
)
# Only what a search checks is declared (the API contract test sends values the schema refuses
# and expects a 4xx): any string is a name, a token or a reference that may match nothing.
_VALUE_SCHEMAS: dict[str, dict[str, Any]] = {"date": {"type": "string", "pattern": DATE_PATTERN}}
BOOLEAN_TOKEN: dict[str, Any] = {"type": "string", "enum": ["true", "false"]}


@dataclass(frozen=True)
class ResourceCapability:
    """What one part serves of a resource type; parts serving the same type are merged."""

    type: str
    interactions: tuple[Interaction, ...] = ("read", "search-type")
    search_params: tuple[SearchParam, ...] = ()
    search_includes: tuple[str, ...] = ()
    documentation: str = ""
    profile: str | None = None

    def param(self, name: str) -> SearchParam | None:
        return next((p for p in self.search_params if p.name == name), None)

    def merged(self, other: ResourceCapability) -> ResourceCapability:
        known = {p.name for p in self.search_params}
        return ResourceCapability(
            type=self.type,
            interactions=_union(self.interactions, other.interactions),
            search_params=self.search_params
            + tuple(p for p in other.search_params if p.name not in known),
            search_includes=_union(self.search_includes, other.search_includes),
            documentation=" ".join(d for d in (self.documentation, other.documentation) if d),
            profile=self.profile or other.profile,
        )

    def openapi_parameters(self) -> list[dict[str, Any]]:
        """The search parameters as OpenAPI query parameters (a route's `openapi_extra`)."""
        declared = [
            {
                "name": p.name,
                "in": "query",
                "required": False,
                "description": f"{p.documentation} (FHIR {p.type})",
                # A date may be given twice (a range: ge… and le…); others once, OR by commas.
                "schema": {"type": "array", "items": p.value_schema(), "maxItems": 2}
                if p.type == "date"
                else p.value_schema(),
                **({"style": "form", "explode": True} if p.type == "date" else {}),
            }
            for p in self.search_params
        ]
        return declared + _control_parameters(self.search_includes)


def _union(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    return first + tuple(item for item in second if item not in first)


def _control_parameters(includes: tuple[str, ...]) -> list[dict[str, Any]]:
    controls: list[dict[str, Any]] = [
        {
            "name": "_count",
            "in": "query",
            "description": f"Entries per page (default {DEFAULT_COUNT}; more than {MAX_COUNT} "
            f"is served as {MAX_COUNT}).",
            "schema": {"type": "integer", "minimum": 0, "maximum": 999_999_999},
        },
        {
            "name": "_offset",
            "in": "query",
            "description": "Matches to skip (the `next` and `previous` links set it).",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        },
        {
            "name": "_format",
            "in": "query",
            "description": "The answer's format: JSON only.",
            "schema": {"type": "string", "enum": sorted(JSON_FORMATS)},
        },
    ]
    if includes:
        controls.append(
            {
                "name": "_include",
                "in": "query",
                "description": "Also return the referenced resources.",
                "schema": {"type": "array", "items": {"type": "string", "enum": list(includes)}},
                "style": "form",
                "explode": True,
            }
        )
    return controls


@dataclass
class CapabilityRegistry:
    """The resource types the FHIR routes serve, declared into by each part at import."""

    _by_type: dict[str, ResourceCapability] = field(default_factory=dict)

    def declare(self, capability: ResourceCapability) -> ResourceCapability:
        held = self._by_type.get(capability.type)
        self._by_type[capability.type] = held.merged(capability) if held else capability
        return self._by_type[capability.type]

    def get(self, resource_type: str) -> ResourceCapability:
        return self._by_type[resource_type]

    def all(self) -> list[ResourceCapability]:
        return sorted(self._by_type.values(), key=lambda capability: capability.type)


REGISTRY = CapabilityRegistry()
