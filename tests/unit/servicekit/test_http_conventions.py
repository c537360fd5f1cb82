"""Every service answers errors as problem+json, echoes request ids, and guards routes by role."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from servicekit.auth import JwksKeys, Principal, TokenVerifier, require_roles
from servicekit.problems import Problem, install_problem_handlers
from servicekit.requests import RequestContextMiddleware
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.unit.servicekit.test_token_verification import AUDIENCE, ISSUER, KeyRing


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


class Room(BaseModel):
    code: str = Field(min_length=2, max_length=10)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing()


@pytest.fixture
def client(ring: KeyRing) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    keys = JwksKeys("http://auth/jwks", client=httpx.AsyncClient(transport=ring.transport()))
    app.state.token_verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)

    @app.post("/rooms")
    async def create_room(
        room: Room, who: Principal = Depends(require_roles("admin", "coordinator"))
    ) -> dict:
        return {"code": room.code, "by": who.user_id}

    @app.get("/rooms/{code}")
    async def get_room(code: str) -> dict:
        raise Problem(404, f"No operating room has the code {code!r}.")

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("secret internals")

    @app.get("/database-refuses/{sqlstate}")
    async def database_refuses(sqlstate: str) -> dict:
        raise IntegrityError("INSERT ...", {}, _DriverError(sqlstate))

    @app.get("/database-cannot-store/{sqlstate}")
    async def database_cannot_store(sqlstate: str) -> dict:
        raise DBAPIError("INSERT ...", {}, _DriverError(sqlstate))

    @app.get("/database-away/{how}")
    async def database_away(how: str) -> dict:
        # How asyncpg and SQLAlchemy report a database that went away in the middle of a request.
        raise {
            "refused": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 55432)"),
            "reset": ConnectionResetError(104, "Connection reset by peer"),
            "starting": DBAPIError("SELECT ... WHERE mrn = 'MRN-1'", {}, _DriverError("57P03")),
            "terminated": DBAPIError("INSERT ...", {}, _DriverError("57P01")),
            "too-many": DBAPIError("INSERT ...", {}, _DriverError("53300")),
        }[how]

    return TestClient(app, raise_server_exceptions=False)


def test_a_missing_token_is_answered_401_with_a_bearer_challenge(client):
    response = client.post("/rooms", json={"code": "OR1"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_caller_without_the_role_is_answered_403(client, ring):
    token = ring.token(roles=["viewer"])
    response = client.post(
        "/rooms", json={"code": "OR1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_a_caller_with_the_role_gets_through(client, ring):
    token = ring.token(sub="u-7", roles=["coordinator"])
    response = client.post(
        "/rooms", json={"code": "OR1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json() == {"code": "OR1", "by": "u-7"}


def test_invalid_input_is_a_422_problem_naming_the_field(client, ring):
    token = ring.token()
    response = client.post(
        "/rooms", json={"code": "X"}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "code" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "code"]


def test_a_domain_problem_keeps_its_status_and_detail(client):
    response = client.get("/rooms/OR9")
    assert response.status_code == 404
    assert response.json()["detail"] == "No operating room has the code 'OR9'."
    assert response.json()["instance"] == "/rooms/OR9"


def test_an_unexpected_error_hides_internals_but_gives_the_request_id(client):
    response = client.get("/boom", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert "secret" not in response.text
    assert response.json()["request_id"] == "req-123"
    assert response.headers["x-request-id"] == "req-123"


def test_the_request_id_is_echoed_or_generated(client):
    assert (
        client.get("/rooms/x", headers={"X-Request-ID": "abc-1"}).headers["x-request-id"] == "abc-1"
    )
    generated = client.get("/rooms/x").headers["x-request-id"]
    assert len(generated) == 32


def test_a_hostile_request_id_is_replaced(client):
    response = client.get("/rooms/x", headers={"X-Request-ID": "x" * 500})
    assert response.headers["x-request-id"] != "x" * 500


def test_requests_are_timed_under_their_route_template_not_their_raw_path(client):
    from prometheus_client import REGISTRY

    labels = {"method": "GET", "route": "/rooms/{code}", "status": "404"}
    before = REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0
    client.get("/rooms/OR-1")
    client.get("/rooms/OR-2")
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) == before + 2
    assert (
        REGISTRY.get_sample_value(
            "http_request_duration_seconds_count", {**labels, "route": "/rooms/OR-1"}
        )
        is None
    )


@pytest.mark.parametrize("sqlstate", ["23505", "23P01", "23503"])
def test_a_change_the_database_refuses_after_a_race_is_a_409_to_retry(client, sqlstate):
    response = client.get(f"/database-refuses/{sqlstate}")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "retry" in response.json()["detail"]


def test_other_integrity_errors_stay_unexpected_500s(client):
    response = client.get("/database-refuses/23502")
    assert response.status_code == 500
    assert "INSERT" not in response.text


def test_an_unexpected_error_is_answered_without_reaching_the_server(ring):
    # The server would drop the keep-alive connection of an error it sees (a 502 at the gateway).
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=True).get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"]
    assert "secret" not in response.text


def test_a_value_the_database_cannot_store_is_a_422(client):
    # 22021: a NUL character in text; 22008: a date outside PostgreSQL's range.
    for sqlstate in ("22021", "22008"):
        response = client.get(f"/database-cannot-store/{sqlstate}")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert "INSERT" not in response.text


def test_other_database_errors_stay_unexpected_500s(client):
    # 42P01: a table that does not exist is a bug, not an outage.
    assert client.get("/database-cannot-store/42P01").status_code == 500


@pytest.mark.parametrize("how", ["refused", "reset", "starting", "terminated", "too-many"])
def test_a_database_out_of_reach_is_a_503_to_retry_after_a_few_seconds(client, how):
    response = client.get(f"/database-away/{how}", headers={"X-Request-ID": "outage-1"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["request_id"] == "outage-1"
    assert "try again" in response.json()["detail"]
    assert "MRN" not in response.text and "INSERT" not in response.text
