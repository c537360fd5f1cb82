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

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from contracts.events.auth_users import Role
from fastapi import Depends
from servicekit.auth import Principal, require_roles
from servicekit.problems import Problem

from interop_service.fhir.capabilities import (
    BOOLEAN_TOKEN,
    DATE_PATTERN,
    DEFAULT_COUNT,
    MAX_COUNT,
    MAX_OFFSET,
    REGISTRY,
    CapabilityRegistry,
    Interaction,
    ResourceCapability,
    SearchParam,
    SearchParamType,
)
from interop_service.fhir.formats import (
    FHIR_JSON,
    PLAIN_JSON,
    SEARCH_RESPONSES,
    FhirJSONResponse,
    answers,
    fhir_base,
    fhir_response,
    fhir_router,
    negotiate,
    negotiated_media_type,
    read_responses,
)
from interop_service.fhir.outcomes import (
    OPERATION_OUTCOME,
    fhir_error,
    operation_outcome,
    outcome,
)
from interop_service.fhir.searches import (
    Comparator,
    DateBound,
    SearchQuery,
    date_bound,
    id_or_none,
    not_found,
    read_id,
    reference_id,
    search_query,
    searching,
    searchset,
    token,
)

FHIR_VERSION = "4.0.1"
# Our own identifiers: `Identifier.system` of a record's id, and our code systems.
IDENTIFIER_SYSTEM = "https://surgery.example.org/fhir/NamingSystem/id"
CODE_SYSTEM_BASE = "https://surgery.example.org/fhir/CodeSystem"


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


__all__ = [
    "BOOLEAN_TOKEN",
    "CODE_SYSTEM_BASE",
    "DATE_PATTERN",
    "DEFAULT_COUNT",
    "FHIR_JSON",
    "FHIR_VERSION",
    "IDENTIFIER_SYSTEM",
    "MAX_COUNT",
    "MAX_OFFSET",
    "OPERATION_OUTCOME",
    "ORDER_ROLES",
    "PLAIN_JSON",
    "READ_ROLES",
    "REGISTRY",
    "SEARCH_RESPONSES",
    "SMART_SCOPES",
    "CapabilityRegistry",
    "Comparator",
    "DateBound",
    "FhirJSONResponse",
    "FhirOrdererDep",
    "FhirReaderDep",
    "Interaction",
    "Problem",
    "ResourceCapability",
    "SearchParam",
    "SearchParamType",
    "SearchQuery",
    "answers",
    "date_bound",
    "fhir_base",
    "fhir_error",
    "fhir_response",
    "fhir_router",
    "id_or_none",
    "negotiate",
    "negotiated_media_type",
    "not_found",
    "operation_outcome",
    "outcome",
    "read_id",
    "read_responses",
    "reference_id",
    "search_query",
    "searching",
    "searchset",
    "token",
]
