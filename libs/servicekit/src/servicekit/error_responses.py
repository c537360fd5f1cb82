"""The error answers every operation's OpenAPI document declares, written once for all routes.

What a route can answer follows from its kind, which the route already says: a body (400 when
it cannot be read), a bearer token
(401), a role (403), a path parameter (404), a write (409: the database's backstop when two
changes race), an `If-Match` header (412), any parameter or body (422), and the gateway's rate
limit (429) everywhere. Each is `application/problem+json` with the `Problem` schema (422: the
`ValidationProblem` the kit sends, replacing FastAPI's `HTTPValidationError`). A route declares
only what is its own (`responses=`), and gets the problem content type and schema for it here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from servicekit.problems import PROBLEM_JSON, ProblemFormat, format_for

PROBLEM_REF = "#/components/schemas/Problem"
VALIDATION_REF = "#/components/schemas/ValidationProblem"
_WRITES = frozenset({"post", "put", "patch", "delete"})
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")

# The descriptions of the answers a kind of route gives, as a client reads them.
KINDS: dict[int, str] = {
    400: "The body could not be read (not JSON, or not UTF-8).",
    401: "No bearer access token, or one that is not valid (expired, revoked, roles changed).",
    403: "The token's roles do not allow this.",
    404: "No such record.",
    409: "The change conflicts with the current state, or another change came first.",
    412: "`If-Match` names a version that is no longer current: read again, then retry.",
    422: "The request is not valid; `errors` says which field and why.",
    429: "Too many requests: wait `Retry-After` seconds.",
}
# A route that creates a record at a URL of its own says so: `responses=CREATED_AT_LOCATION`.
CREATED_AT_LOCATION: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created; `Location` is its URL (through the gateway).",
        "headers": {
            "Location": {
                "description": "The new record's URL.",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    }
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


class Problem(BaseModel):
    """An RFC 9457 problem: every error answer; some carry more members (named in them)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(default="about:blank")
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None


class InvalidField(BaseModel):
    loc: list[str | int] = Field(description="Where: `body`, `query`, `path` or `header`, ...")
    msg: str
    type: str


class ValidationProblem(Problem):
    """A `422`: what is wrong with the request, field by field."""

    model_config = ConfigDict(extra="allow", title="ValidationProblem")

    errors: list[InvalidField] = Field(default_factory=list)


def problem_content(ref: str = PROBLEM_REF) -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": ref}}}


def install(
    app: FastAPI,
    routers: Sequence[APIRouter],
    formats: Mapping[str, ProblemFormat] | None = None,
) -> None:
    """Makes `app.openapi()` declare the error answers of every operation of `routers`; under a
    prefix of `formats`, in that prefix's format."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare_errors(plain(), routers, formats)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def declare_errors(
    document: dict[str, Any],
    routers: Sequence[APIRouter],
    formats: Mapping[str, ProblemFormat] | None = None,
) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    for model in (Problem, InvalidField, ValidationProblem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.model_config.get("title") or model.__name__] = schema
    formats = formats or {}
    for kind in formats.values():
        schemas[kind.name] = kind.schema
    routes = {
        (route.path_format, method.lower()): route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((path, method))
            if route is not None:
                _declare(operation, route, method, format_for(path, formats))
    return document


def _declare(
    operation: dict[str, Any], route: APIRoute, method: str, kind: ProblemFormat | None
) -> None:
    for parameter in operation.get("parameters", []):
        _not_nullable(parameter)
    responses = operation.setdefault("responses", {})
    for status in sorted(_kinds(operation, route, method)):
        responses.setdefault(str(status), {"description": KINDS[status]})
    for code, answer in responses.items():
        if kind is not None and code.isdigit() and int(code) >= 400:
            ref = f"#/components/schemas/{kind.name}"
            answer["content"] = {kind.media_type: {"schema": {"$ref": ref}}}
            if answer.get("description") == "Validation Error":  # FastAPI's own
                answer["description"] = KINDS[422]
        elif code == "422":
            answer["content"] = problem_content(VALIDATION_REF)
            if answer.get("description") == "Validation Error":  # FastAPI's own
                answer["description"] = KINDS[422]
        elif code.isdigit() and int(code) >= 400:
            answer["content"] = problem_content()
        if code == "429":
            answer.setdefault("headers", {}).update(RETRY_AFTER)


def _kinds(operation: dict[str, Any], route: APIRoute, method: str) -> set[int]:
    kinds = {429}
    if operation.get("security"):
        kinds.add(401)
    if any(getattr(dep.call, "required_roles", None) for dep in _dependencies(route.dependant)):
        kinds.add(403)
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        kinds.add(404)
    if method in _WRITES:
        kinds.add(409)
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        kinds.add(412)
    if "requestBody" in operation:
        kinds.add(400)
    if parameters or "requestBody" in operation:
        kinds.add(422)
    return kinds


def _not_nullable(parameter: dict[str, Any]) -> None:
    # An optional query, header or cookie parameter is one that may be left out; `null` has no
    # spelling in a URL or a header (`?to=null` is the text "null"), so it is not a value of it.
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return
    rest = [option for option in options if option != {"type": "null"}]
    del schema["anyOf"]
    if len(rest) == 1:
        schema.update(rest[0])
    else:
        schema["anyOf"] = rest


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)
