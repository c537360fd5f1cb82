"""A service may answer the errors under one path prefix in a format of its own (interop's FHIR
API: OperationOutcome under /fhir); every other path keeps problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from servicekit import error_responses
from servicekit.problems import Problem, ProblemFormat, install_problem_handlers
from servicekit.requests import RequestContextMiddleware
from starlette.responses import JSONResponse, Response


def _outcome(request: Request, body: dict[str, Any], headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"resourceType": "OperationOutcome", "said": body["detail"], "path": body["instance"]},
        status_code=body["status"],
        media_type="application/fhir+json",
        headers=headers,
    )


FORMAT = ProblemFormat(
    render=_outcome,
    media_type="application/fhir+json",
    name="Outcome",
    schema={"type": "object", "required": ["resourceType"]},
)


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app, {"/fhir": FORMAT})
    app.add_middleware(RequestContextMiddleware)

    @app.get("/fhir/Location/{room}")
    async def location(room: int) -> dict:
        raise Problem(404, f"no room {room}", headers={"X-Extra": "kept"})

    @app.get("/rooms/{room}")
    async def rooms(room: int) -> dict:
        raise Problem(404, f"no room {room}")

    @app.get("/fhirish/{room}")
    async def fhirish(room: int) -> dict:
        raise Problem(404, f"no room {room}")

    @app.get("/fhir/crash")
    async def crash() -> dict:
        raise RuntimeError("a bug")

    error_responses.install(app, [app.router], {"/fhir": FORMAT})
    return TestClient(app, raise_server_exceptions=False)


def test_an_error_under_the_prefix_is_answered_by_its_renderer_with_the_headers(client):
    response = client.get("/fhir/Location/7")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.json() == {
        "resourceType": "OperationOutcome",
        "said": "no room 7",
        "path": "/fhir/Location/7",
    }
    assert response.headers["x-extra"] == "kept"
    assert response.headers["x-request-id"]


def test_other_paths_keep_problem_json_even_when_they_start_with_the_prefixs_letters(client):
    for path in ("/rooms/7", "/fhirish/7"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "no room 7"


def test_the_kits_own_answers_under_the_prefix_are_rendered_too(client):
    unmatched = client.get("/fhir/Patient/1")
    invalid = client.get("/fhir/Location/not-a-number")
    not_allowed = client.post("/fhir/Location/7")
    crashed = client.get("/fhir/crash")
    assert [r.status_code for r in (unmatched, invalid, not_allowed, crashed)] == [
        404,
        422,
        405,
        500,
    ]
    for response in (unmatched, invalid, not_allowed, crashed):
        assert response.headers["content-type"] == "application/fhir+json"
        assert response.json()["resourceType"] == "OperationOutcome"
    assert not_allowed.headers["allow"] == "GET"


def test_the_openapi_document_declares_the_errors_under_the_prefix_in_their_format(client):
    document = client.get("/openapi.json").json()
    assert document["components"]["schemas"]["Outcome"] == FORMAT.schema
    fhir = document["paths"]["/fhir/Location/{room}"]["get"]["responses"]
    rooms = document["paths"]["/rooms/{room}"]["get"]["responses"]
    for code in ("404", "422", "429"):
        assert fhir[code]["content"] == {
            "application/fhir+json": {"schema": {"$ref": "#/components/schemas/Outcome"}}
        }
        assert "application/problem+json" in rooms[code]["content"]
