"""`authenticated` is one dependency: the bearer scheme of the OpenAPI document and the check
of the token it reads, however a route asks for the caller (directly or through a role)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.testclient import TestClient
from servicekit.auth import (
    CurrentPrincipal,
    JwksKeys,
    Principal,
    TokenVerifier,
    authenticated,
    require_roles,
)
from servicekit.problems import Problem, install_problem_handlers

from tests.unit.servicekit.test_token_verification import AUDIENCE, ISSUER, KeyRing


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing()


@pytest.fixture
def app(ring: KeyRing) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    keys = JwksKeys("http://auth/jwks", client=httpx.AsyncClient(transport=ring.transport()))
    app.state.token_verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user_id": principal.user_id}

    @app.get("/planners")
    async def planners(principal: Principal = Depends(require_roles("coordinator"))) -> dict:
        return {"user_id": principal.user_id}

    @app.get("/open")
    async def open_route() -> dict[str, str]:
        return {}

    return app


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_valid_token_is_taken_in_any_case_of_the_scheme(app, ring, scheme):
    token = ring.token(sub="u-1")
    response = TestClient(app).get("/me", headers={"Authorization": f"{scheme}  {token} "})
    assert response.status_code == 200
    assert response.json() == {"user_id": "u-1"}


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Token"])
def test_no_bearer_token_is_a_401_with_the_challenge(app, header):
    headers = {} if header is None else {"Authorization": header}
    response = TestClient(app).get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["detail"] == "A bearer access token is required."


def test_a_bad_token_is_a_401_and_a_role_is_still_required(app, ring):
    client = TestClient(app)
    bad = client.get("/me", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401
    assert bad.json()["detail"] == "The access token is not valid."
    viewer = ring.token(roles=["viewer"])
    response = client.get("/planners", headers={"Authorization": f"Bearer {viewer}"})
    assert response.status_code == 403


def test_the_routes_name_one_bearer_scheme_in_openapi(app):
    document = app.openapi()
    assert document["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer"}
    }
    assert document["paths"]["/me"]["get"]["security"] == [{"HTTPBearer": []}]
    assert document["paths"]["/planners"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in document["paths"]["/open"]["get"]
    # The request is all it asks for: no query or header parameter of its own.
    assert "parameters" not in document["paths"]["/me"]["get"]


def test_a_test_can_stand_in_for_the_caller(app):
    app.dependency_overrides[authenticated] = lambda: Principal("u-9", frozenset(), "t", 0)
    assert TestClient(app).get("/me").json() == {"user_id": "u-9"}


async def test_called_directly_it_takes_the_credentials_a_route_read(app, ring):
    request = Request({"type": "http", "app": app, "path": "/me", "headers": [], "state": {}})
    token = ring.token(sub="u-2")
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    assert (await authenticated(request, credentials)).user_id == "u-2"
    with pytest.raises(Problem) as refused:
        await authenticated(request, None)
    assert refused.value.status == 401
