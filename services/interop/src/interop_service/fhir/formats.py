"""FHIR's JSON media types: negotiating them, answering in them, and what a route declares
it answers (the OpenAPI document's success content and the statuses beyond the kit's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fhir.resources.R4B.resource import Resource
from servicekit.problems import Problem
from starlette.responses import Response

FHIR_JSON = "application/fhir+json"
PLAIN_JSON = "application/json"


class FhirJSONResponse(Response):
    """The OpenAPI document's content type of a FHIR route; bodies come from `fhir_response`."""

    media_type = FHIR_JSON


JSON_FORMATS = {
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
        media = JSON_FORMATS.get(wanted.strip().lower())
        if media is None:
            raise _not_acceptable(f"_format={wanted!r} is not served; use json.")
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
    raise _not_acceptable("This server answers application/fhir+json only.")


def _not_acceptable(detail: str) -> Problem:
    # `outcomes.fhir_error` in effect: that module answers in these media types.
    return Problem(406, detail, issue_code="not-supported")


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
