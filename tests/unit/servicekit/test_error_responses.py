"""Every operation's OpenAPI document declares the problems its kind of route answers, and a
405 names every method its path has."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.testclient import TestClient
from pydantic import BaseModel
from servicekit.app import create_app
from servicekit.auth import Principal, require_roles
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData

router = APIRouter(prefix="/rooms")
Coordinator = Annotated[Principal, Depends(require_roles("coordinator"))]


class Room(BaseModel):
    code: str


@router.get("")
async def list_rooms(who: Coordinator, q: str | None = None) -> list[Room]:
    return []


@router.post("", status_code=201)
async def add_room(room: Room, who: Coordinator) -> Room:
    return room


@router.put("/{code}", responses={428: {"description": "No If-Match."}})
async def replace_room(
    code: str, room: Room, who: Coordinator, if_match: Annotated[str | None, Header()] = None
) -> Room:
    return room


@cache
def document() -> dict:
    return app().openapi()


def app():
    service = ServiceDefinition(
        name="rooms",
        title="Rooms",
        description="A test service.",
        settings=lambda: ServiceSettings(database_url="postgresql+asyncpg://x@localhost/x"),
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=(router,),
    )
    return create_app(service)


def statuses(path: str, method: str) -> dict[str, dict]:
    return document()["paths"][path][method]["responses"]


def test_a_route_declares_the_problems_of_its_kind_as_problem_json():
    put = statuses("/rooms/{code}", "put")
    assert {"400", "401", "403", "404", "409", "412", "422", "428", "429"} <= put.keys()
    for code in ("401", "403", "404", "409", "412", "428", "429"):
        assert put[code]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert put["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ValidationProblem"}}
    }
    assert "Retry-After" in put["429"]["headers"]


def test_a_read_without_path_or_body_declares_no_404_409_412_or_400():
    listed = statuses("/rooms", "get")
    assert {"401", "403", "422", "429"} <= listed.keys()
    assert not {"400", "404", "409", "412"} & listed.keys()


def test_fastapi_s_own_validation_error_schema_is_gone():
    schemas = document()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["ValidationProblem"]["properties"]["errors"]["type"] == "array"


def test_an_optional_query_or_header_parameter_is_not_nullable():
    parameters = {
        p["name"]: p
        for p in document()["paths"]["/rooms/{code}"]["put"]["parameters"]
        + document()["paths"]["/rooms"]["get"]["parameters"]
    }
    assert parameters["q"]["schema"]["type"] == "string"
    assert parameters["if-match"]["schema"]["type"] == "string"
    assert parameters["q"]["required"] is False


def test_a_405_names_every_method_of_the_path():
    client = TestClient(app(), root_path="/api/rooms")
    answer = client.request("DELETE", "/rooms")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert answer.headers["content-type"].startswith("application/problem+json")
