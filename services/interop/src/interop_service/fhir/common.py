"""What every FHIR route shares: responses, errors, auth, search parsing, Bundles, capabilities.

The FHIR parts (resources, cases, orders) build on this module alone:

- **Router.** `fhir_router()` is an `APIRouter` under `/fhir` that negotiates the format first
  (`Accept: application/fhir+json`, `application/json` or `*/*`, or `_format=json`; XML is
  answered `406`) and documents its answers as `application/fhir+json`.
- **Responses.** `fhir_response(request, resource)` answers a validated `fhir.resources` R4B
  model as `application/fhir+json` (or `application/json` when that is what the client asked for).
- **Errors.** `fhir_error(status, detail, code=...)` raises the kit's `Problem`; under `/fhir`
  every error (this module's, the kit's 401/403/404/405/422/503, an unexpected 500) is answered
  as an `OperationOutcome` by `operation_outcome` (bootstrap installs `OPERATION_OUTCOME` as the
  kit's `problem_formats["/fhir"]`, which the OpenAPI document declares too), with
  `issue.severity`, `issue.code` and `issue.diagnostics`; problem+json elsewhere is untouched.
- **Auth.** The same bearer tokens and roles as every service: `FhirReaderDep` admits every role
  (SMART scope `user/*.read`), `FhirOrdererDep` the roles that may create surgeries (admin,
  coordinator, surgeon: `user/ServiceRequest.write`). `SMART_SCOPES` is the mapping.
- **Capabilities.** Each part declares what works into `REGISTRY` (`REGISTRY.declare(
  ResourceCapability(...))`, merged by resource type) at import; the CapabilityStatement is built
  from it, and a search accepts exactly the parameters declared for its type.
- **Search.** `searching(capability)` is a dependency giving a `SearchQuery`: unknown parameters
  are a `400` (or ignored with `Prefer: handling=lenient`), `_count` (default 50, at most 500)
  and `_offset` page it, `_include` takes only declared includes; a string parameter takes the
  `:exact` and `:contains` modifiers. `token`, `reference_id` and `date_bound` read values: a
  value the parameter's schema allows is never a 400 (a reference to something not ours matches
  nothing; an impossible date is a 422); `searchset(...)` builds the Bundle with `total` and
  `self`/`next`/`previous` links. Routes pass `capability.openapi_parameters()` as
  `openapi_extra={"parameters": ...}` and `responses=SEARCH_RESPONSES` or
  `read_responses("<Type>")`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from http import HTTPStatus
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from contracts.events.auth_users import Role
from fastapi import APIRouter, Depends, Request
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource
from servicekit.auth import Principal, require_roles
from servicekit.problems import Problem, ProblemFormat
from starlette.responses import Response

FHIR_JSON = "application/fhir+json"
PLAIN_JSON = "application/json"
FHIR_VERSION = "4.0.1"
# Our own identifiers: `Identifier.system` of a record's id, and our code systems.
IDENTIFIER_SYSTEM = "https://surgery.example.org/fhir/NamingSystem/id"
CODE_SYSTEM_BASE = "https://surgery.example.org/fhir/CodeSystem"

# ---------------------------------------------------------------------------------------------
# Responses and format negotiation


class FhirJSONResponse(Response):
    """The OpenAPI document's content type of a FHIR route; bodies come from `fhir_response`."""

    media_type = FHIR_JSON


_JSON_FORMATS = {
    "json": FHIR_JSON,
    FHIR_JSON: FHIR_JSON,
    "application/json+fhir": FHIR_JSON,
    PLAIN_JSON: PLAIN_JSON,
}
_ACCEPTED = {FHIR_JSON: FHIR_JSON, "application/json+fhir": FHIR_JSON, PLAIN_JSON: PLAIN_JSON}
_ANY = {"*/*", "application/*"}


def negotiated_media_type(request: Request) -> str:
    """The JSON media type to answer in, or a `406` when the client wants only another format."""
    wanted = request.query_params.get("_format")
    if wanted is not None:
        media = _JSON_FORMATS.get(wanted.strip().lower())
        if media is None:
            raise fhir_error(406, f"_format={wanted!r} is not served; use json.", "not-supported")
        return media
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return FHIR_JSON
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for kind in kinds:
        if kind in _ACCEPTED:
            return _ACCEPTED[kind]
        if kind in _ANY:
            return FHIR_JSON
    raise fhir_error(406, "This server answers application/fhir+json only.", "not-supported")


async def negotiate(request: Request) -> None:
    """A router dependency: the answer's media type, checked before any work is done."""
    request.state.fhir_media_type = negotiated_media_type(request)


def fhir_router() -> APIRouter:
    return APIRouter(
        prefix="/fhir",
        tags=["fhir"],
        dependencies=[Depends(negotiate)],
        default_response_class=FhirJSONResponse,
    )


def fhir_response(
    request: Request,
    resource: Resource,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A validated resource as the client's JSON media type."""
    media = getattr(request.state, "fhir_media_type", None) or negotiated_media_type(request)
    body = resource.model_dump_json(by_alias=True, exclude_none=True)
    return Response(body, status_code=status_code, media_type=media, headers=headers)


def fhir_base(request: Request) -> str:
    """The FHIR base URL as the client reached it (the gateway passes Host and the scheme)."""
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}/fhir"


# ---------------------------------------------------------------------------------------------
# Errors: OperationOutcome


# FHIR's issue type (http://hl7.org/fhir/issue-type) for each status we answer.
_ISSUE_CODES: dict[int, str] = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    428: "required",
    429: "throttled",
    503: "transient",
}


def fhir_error(status: int, detail: str, code: str | None = None) -> Problem:
    """The error to raise from FHIR code: answered as an OperationOutcome with issue `code`."""
    return Problem(status, detail, issue_code=code or _ISSUE_CODES.get(status, "processing"))


def outcome(status: int, body: dict[str, Any]) -> OperationOutcome:
    """The OperationOutcome of a problem's fields (`problem_response`'s body)."""
    code = body.get("issue_code") or _ISSUE_CODES.get(status, "exception")
    severity = "fatal" if status >= 500 and status != 503 else "error"
    errors = body.get("errors")
    if status == 422 and isinstance(errors, list) and errors:
        issues = [_validation_issue(error) for error in errors]
    else:
        issues = [
            {
                "severity": severity,
                "code": code,
                "details": {"text": body.get("title") or HTTPStatus(status).phrase},
                "diagnostics": body.get("detail") or HTTPStatus(status).phrase,
            }
        ]
    return OperationOutcome(issue=issues)


def _validation_issue(error: dict[str, Any]) -> dict[str, Any]:
    where = ".".join(str(part) for part in error.get("loc", ()))
    issue: dict[str, Any] = {
        "severity": "error",
        "code": "required" if error.get("type") == "missing" else "invalid",
        "diagnostics": f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")),
    }
    if where:
        issue["expression"] = [where]
    return issue


def operation_outcome(request: Request, body: dict[str, Any], headers: dict[str, str]) -> Response:
    """The kit's `ProblemRenderer` for /fhir: a problem answered as an OperationOutcome."""
    status = int(body.get("status", 500))
    text = outcome(status, body).model_dump_json(by_alias=True, exclude_none=True)
    return Response(text, status_code=status, media_type=FHIR_JSON, headers=headers)


# What the OpenAPI document says an error under /fhir is: the parts of OperationOutcome we fill.
_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "OperationOutcome",
    "description": "A FHIR R4 OperationOutcome: every error under /fhir.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string", "enum": ["fatal", "error", "warning"]},
                    "code": {"type": "string"},
                    "details": {"type": "object"},
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
OPERATION_OUTCOME = ProblemFormat(
    render=operation_outcome, media_type=FHIR_JSON, name="OperationOutcome", schema=_OUTCOME_SCHEMA
)


def _resource_schema(resource_type: str | None, description: str) -> dict[str, Any]:
    """A FHIR resource in the OpenAPI document: its type named, the rest as FHIR R4 says."""
    kind: dict[str, Any] = {"type": "string"}
    if resource_type:
        kind["enum"] = [resource_type]
    schema = {"type": "object", "required": ["resourceType"], "properties": {"resourceType": kind}}
    return {"description": description, "schema": schema}


def answers(resource_type: str | None, description: str) -> dict[int | str, dict[str, Any]]:
    """A FHIR route's `responses=`: its resource in either JSON media type, and a 406."""
    content = _resource_schema(resource_type, description)
    return {
        200: {
            "description": description,
            "content": {
                FHIR_JSON: {"schema": content["schema"]},
                PLAIN_JSON: {"schema": content["schema"]},
            },
        },
        406: {"description": "Only JSON is served (`Accept`, `_format`)."},
    }


def read_responses(resource_type: str) -> dict[int | str, dict[str, Any]]:
    """A read route's `responses=`: the resource, a 406, and a 404 for an unknown id."""
    return {
        **answers(resource_type, f"The {resource_type}."),
        404: {"description": f"No such {resource_type}."},
    }


# The answers of a search route beyond the kit's kinds (error_responses.py).
SEARCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    **answers("Bundle", "A searchset Bundle: this page of matches, `total`, and paging links."),
    400: {"description": "An unknown search parameter (strict handling) or a malformed value."},
}


# ---------------------------------------------------------------------------------------------
# Auth: our roles, and the SMART-on-FHIR scopes they amount to

READ_ROLES = tuple(role.value for role in Role)
ORDER_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value, Role.SURGEON.value)
SMART_SCOPES: dict[str, tuple[str, ...]] = {
    role: ("user/*.read", "user/ServiceRequest.write") if role in ORDER_ROLES else ("user/*.read",)
    for role in READ_ROLES
}

_reader: Callable[..., Coroutine[Any, Any, Principal]] = require_roles(*READ_ROLES)
_orderer: Callable[..., Coroutine[Any, Any, Principal]] = require_roles(*ORDER_ROLES)
FhirReaderDep = Annotated[Principal, Depends(_reader)]
FhirOrdererDep = Annotated[Principal, Depends(_orderer)]


# ---------------------------------------------------------------------------------------------
# Capabilities: what works, declared once by the routes and read by the CapabilityStatement

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
            "schema": {"type": "string", "enum": sorted(_JSON_FORMATS)},
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


# ---------------------------------------------------------------------------------------------
# Search: the parameters of one request, checked against the declaration

DEFAULT_COUNT = 50
MAX_COUNT = 500
MAX_OFFSET = 1_000_000
_CONTROLS = frozenset({"_count", "_offset", "_format", "_include", "_pretty"})


@dataclass(frozen=True)
class SearchQuery:
    """One search's parameters: `values` by declared name, paging and includes."""

    resource_type: str
    params: dict[str, list[str]]
    count: int
    offset: int
    includes: tuple[str, ...]
    # The request's own parameters in order, for the Bundle's links.
    raw: tuple[tuple[str, str], ...]

    def values(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def one(self, name: str) -> str | None:
        """The single value of `name` (a comma list is several values: OR), or None."""
        values = self.values(name)
        if len(values) > 1:
            raise fhir_error(400, f"{name} may be given once.", "invalid")
        return values[0] if values else None

    def any_of(self, name: str) -> list[str]:
        """Every value of `name` given once as a comma list (FHIR's OR), or []."""
        single = self.one(name)
        return [v for v in (part.strip() for part in single.split(",")) if v] if single else []

    def codes(self, name: str, allowed: Collection[str]) -> set[str]:
        """The codes of a token parameter with a closed set of values (`system|` dropped); a
        `400` for any other value, an empty one included."""
        single = self.one(name)
        if single is None:
            return set()
        codes = {token(part.strip())[1] for part in single.split(",")}
        if unknown := sorted(codes - set(allowed)):
            known = ", ".join(sorted(allowed))
            raise fhir_error(400, f"{name}={unknown[0]!r} is not one of {known}.", "invalid")
        return codes

    def dates(self, name: str, zone: tzinfo, most: int = 2) -> list[DateBound]:
        """The bounds of a date parameter, given at most `most` times (a range)."""
        values = self.values(name)
        if len(values) > most:
            raise fhir_error(400, f"{name} may be given at most {most} times.", "invalid")
        return [date_bound(name, value, zone) for value in values]


def searching(
    capability: ResourceCapability,
) -> Callable[[Request], Coroutine[Any, Any, SearchQuery]]:
    """A dependency reading the search of `capability.type` from the request (see `SearchQuery`)."""

    async def dependency(request: Request) -> SearchQuery:
        # Read at request time: another part may have merged more into the same type.
        return search_query(request, REGISTRY.get(capability.type))

    return dependency


def search_query(request: Request, capability: ResourceCapability) -> SearchQuery:
    lenient = _lenient(request)
    params: dict[str, list[str]] = {}
    raw = tuple(request.query_params.multi_items())
    for name, value in raw:
        if name in _CONTROLS:
            continue
        if not _declared(capability, name):
            if lenient:
                continue
            known = ", ".join(p.name for p in capability.search_params) or "none"
            raise fhir_error(
                400,
                f"Unknown search parameter {name!r} for {capability.type} (known: {known}); "
                "send 'Prefer: handling=lenient' to have unknown parameters ignored.",
                "not-supported",
            )
        params.setdefault(name, []).append(value)
    return SearchQuery(
        resource_type=capability.type,
        params=params,
        count=_count(request),
        offset=_integer(request, "_offset", 0, MAX_OFFSET, 0),
        includes=_includes(request, capability, lenient),
        raw=raw,
    )


def _declared(capability: ResourceCapability, name: str) -> bool:
    if capability.param(name) is not None:  # declared with its modifier (patient:identifier)
        return True
    base, _, modifier = name.partition(":")
    param = capability.param(base)
    if param is None:
        return False
    return not modifier or (param.type == "string" and modifier in ("exact", "contains"))


def _lenient(request: Request) -> bool:
    prefer = request.headers.get("prefer", "")
    return any(part.strip().lower() == "handling=lenient" for part in prefer.split(","))


def _count(request: Request) -> int:
    # A larger _count is served as the largest page: FHIR lets a server return fewer.
    return min(_integer(request, "_count", 0, None, DEFAULT_COUNT), MAX_COUNT)


def _integer(request: Request, name: str, low: int, high: int | None, default: int) -> int:
    values = request.query_params.getlist(name)
    if not values:
        return default
    if len(values) > 1 or not re.fullmatch(r"\d{1,9}", values[0].strip()):
        raise fhir_error(400, f"{name} must be one whole number.", "invalid")
    number = int(values[0])
    if number < low or (high is not None and number > high):
        raise fhir_error(400, f"{name} must be between {low} and {high}.", "invalid")
    return number


def _includes(request: Request, capability: ResourceCapability, lenient: bool) -> tuple[str, ...]:
    wanted = [v for value in request.query_params.getlist("_include") for v in value.split(",")]
    unknown = [v for v in wanted if v not in capability.search_includes]
    if unknown and not lenient:
        served = ", ".join(capability.search_includes) or "none"
        raise fhir_error(
            400, f"_include={unknown[0]!r} is not served (served: {served}).", "not-supported"
        )
    return tuple(dict.fromkeys(v for v in wanted if v in capability.search_includes))


# ---------------------------------------------------------------------------------------------
# Reading parameter values


def token(value: str) -> tuple[str | None, str]:
    """A token parameter's `[system|]code`: (system or None when not given, code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def reference_id(value: str, resource_type: str) -> uuid.UUID | None:
    """The id a reference parameter names (`<Type>/<id>`, a bare id, or a full URL), or None
    when it names another type or an id that cannot be ours (such a reference matches nothing)."""
    parts = value.strip().split("/")
    named_type = parts[-2] if len(parts) > 1 else resource_type
    return id_or_none(parts[-1]) if named_type == resource_type else None


def id_or_none(value: str) -> uuid.UUID | None:
    """A resource id as our UUID, or None for any other spelling (it matches nothing)."""
    try:
        return uuid.UUID(value) if len(value) == 36 else None
    except ValueError:
        return None


def not_found(resource_type: str, resource_id: str) -> Problem:
    return fhir_error(404, f"{resource_type}/{resource_id} is not known here.", "not-found")


def read_id(resource_type: str, resource_id: str) -> uuid.UUID:
    """A read's id: one that cannot be ours is as unknown as one that is not there (404)."""
    found = id_or_none(resource_id)
    if found is None:
        raise not_found(resource_type, resource_id)
    return found


Comparator = Literal["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"]
_SERVED_COMPARATORS = ("eq", "gt", "lt", "ge", "le")
_DATE = re.compile(r"^(?P<prefix>[a-z]{2})?(?P<value>\d{4}(?:-\d{2}(?:-\d{2}(?:T.+)?)?)?)$")


@dataclass(frozen=True)
class DateBound:
    """A date parameter: its comparator and the instant range `[start, end)` its value covers
    (a day covers the whole local day; an instant, itself)."""

    comparator: Comparator
    start: datetime
    end: datetime

    def lower(self) -> datetime | None:
        """The earliest instant a match may be at, or None when this bound sets no lower end."""
        return {"ge": self.start, "gt": self.end, "eq": self.start}.get(self.comparator)

    def upper(self) -> datetime | None:
        """The instant a match must be before, or None when this bound sets no upper end."""
        return {"le": self.end, "lt": self.start, "eq": self.end}.get(self.comparator)


def date_bound(name: str, value: str, zone: tzinfo) -> DateBound:
    """A date parameter's value: `[prefix]YYYY[-MM[-DD[Thh:mm[:ss][zone]]]]`; a date without a
    time covers that period in `zone` (FHIR: the server's time zone), a time without an offset is
    read in `zone` too. Comparators other than eq, gt, lt, ge, le are a `400`, and so is any
    value `DATE_PATTERN` refuses; a date the pattern allows but the calendar has not (February
    30th) is a `422`."""
    match = _DATE.match(value)
    if match is None:
        raise fhir_error(400, f"{name}={value!r} is not a FHIR date or dateTime.", "invalid")
    prefix = match["prefix"] or "eq"
    if prefix not in _SERVED_COMPARATORS:
        raise fhir_error(400, f"{name}: the comparator {prefix!r} is not served.", "not-supported")
    if not re.fullmatch(DATE_PATTERN, value):
        raise fhir_error(400, f"{name}={value!r} is not a FHIR date or dateTime.", "invalid")
    start, end = _period(name, match["value"], zone)
    return DateBound(prefix, start, end)  # type: ignore[arg-type]  # checked just above


def _period(name: str, text: str, zone: tzinfo) -> tuple[datetime, datetime]:
    try:
        if "T" in text:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
            instant = instant if instant.tzinfo else instant.replace(tzinfo=zone)
            return instant, instant + timedelta(microseconds=1)
        parts = [int(part) for part in text.split("-")]
        if len(parts) == 3:
            first = date(*parts)
            return _midnight(first, zone), _midnight(first + timedelta(days=1), zone)
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return _midnight(first, zone), _midnight(following, zone)
        return _midnight(date(parts[0], 1, 1), zone), _midnight(date(parts[0] + 1, 1, 1), zone)
    except (ValueError, OverflowError):
        raise fhir_error(
            422, f"{name}={text!r} is not a date of the calendar.", "invalid"
        ) from None


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Bundles


def searchset(
    request: Request,
    query: SearchQuery,
    matches: Sequence[Resource],
    total: int,
    included: Iterable[Resource] = (),
) -> Bundle:
    """A searchset Bundle: this page's matches, the included resources (each once), `total` and
    the `self`, `next` and `previous` links, which keep the request's own parameters."""
    base = fhir_base(request)
    entries: list[dict[str, Any]] = [_entry(base, r, "match") for r in matches]
    seen = {(r.get_resource_type(), r.id) for r in matches}
    for resource in included:
        key = (resource.get_resource_type(), resource.id)
        if key not in seen:
            seen.add(key)
            entries.append(_entry(base, resource, "include"))
    links = [{"relation": "self", "url": _page_url(base, query, query.offset)}]
    if query.count and query.offset + query.count < total:
        links.append(
            {"relation": "next", "url": _page_url(base, query, query.offset + query.count)}
        )
    if query.offset > 0:
        previous = max(query.offset - max(query.count, 1), 0)
        links.append({"relation": "previous", "url": _page_url(base, query, previous)})
    return Bundle(type="searchset", total=total, link=links, entry=entries or None)


def _entry(base: str, resource: Resource, mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{resource.get_resource_type()}/{resource.id}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _page_url(base: str, query: SearchQuery, offset: int) -> str:
    kept = [(k, v) for k, v in query.raw if k not in ("_count", "_offset")]
    kept += [("_count", str(query.count)), ("_offset", str(offset))]
    return f"{base}/{query.resource_type}?{urlencode(kept)}"
