"""The browser app's session: the refresh token in an HttpOnly cookie, guarded by a CSRF token."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import GATEWAY, gateway_client
from tests.e2e.conftest import DEMO_PASSWORD, bearer, create_user

pytestmark = pytest.mark.e2e


def browser() -> httpx.AsyncClient:
    """A client that keeps cookies like a browser: Secure ones go back over HTTPS only."""
    return gateway_client(timeout=10)


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies.get("csrf_token", path="/")}


def refresh_cookie(client: httpx.AsyncClient) -> str:
    return client.cookies.get("refresh_token", path="/api/auth/")


async def sign_in_with_cookie(client: httpx.AsyncClient, email: str, password: str) -> dict:
    response = await client.post(
        "/api/auth/token",
        data={"username": email, "password": password, "refresh_transport": "cookie"},
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def user(gateway, admin_token) -> tuple[str, str]:
    created, password = await create_user(gateway, admin_token, "coordinator")
    return created["email"], password


async def test_cookie_sign_in_sets_an_httponly_refresh_cookie_and_keeps_it_out_of_the_body(user):
    async with browser() as client:
        response = await client.post(
            "/api/auth/token",
            data={"username": user[0], "password": user[1], "refresh_transport": "cookie"},
        )
        assert response.status_code == 200, response.text
        assert "refresh_token" not in response.json()
        cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
        refresh = cookies["refresh_token"].lower()
        assert {"httponly", "secure", "samesite=strict", "path=/api/auth/"} <= {
            part.strip() for part in refresh.split(";")
        }
        token = cookies["csrf_token"].lower()
        assert "httponly" not in token
        assert {"secure", "samesite=strict", "path=/"} <= {p.strip() for p in token.split(";")}
        me = await client.get("/api/auth/me", headers=bearer(response.json()["access_token"]))
        assert me.json()["email"] == user[0]


async def test_refresh_with_the_cookie_and_csrf_header_rotates_both_cookies(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        old_refresh, old_csrf = refresh_cookie(client), csrf(client)
        response = await client.post("/api/auth/refresh", headers=old_csrf)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "refresh_token" not in body
        assert (await client.get("/api/auth/me", headers=bearer(body["access_token"]))).is_success
        assert refresh_cookie(client) != old_refresh
        assert csrf(client) != old_csrf
        assert (await client.post("/api/auth/refresh", headers=csrf(client))).status_code == 200


async def test_cookie_refresh_without_or_with_a_wrong_csrf_token_is_forbidden(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        missing = await client.post("/api/auth/refresh")
        wrong = await client.post("/api/auth/refresh", headers={"X-CSRF-Token": "forged"})
        for refused in (missing, wrong):
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("application/problem+json")
        # A refusal leaves the session usable for the app itself.
        assert (await client.post("/api/auth/refresh", headers=csrf(client))).status_code == 200


async def test_cookie_refresh_from_another_site_is_forbidden_even_with_the_token(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        foreign_origin = await client.post(
            "/api/auth/refresh", headers={**csrf(client), "Origin": "https://evil.example"}
        )
        cross_site = await client.post(
            "/api/auth/refresh", headers={**csrf(client), "Sec-Fetch-Site": "cross-site"}
        )
        # The same host over plain HTTP is another origin (a network attacker can serve it).
        plain_origin = await client.post(
            "/api/auth/refresh",
            headers={**csrf(client), "Origin": GATEWAY.replace("https://", "http://", 1)},
        )
        assert foreign_origin.status_code == cross_site.status_code == 403
        assert plain_origin.status_code == 403, plain_origin.text
        own = await client.post(
            "/api/auth/refresh",
            headers={**csrf(client), "Origin": GATEWAY, "Sec-Fetch-Site": "same-origin"},
        )
        assert own.status_code == 200, own.text


async def test_a_rotated_refresh_cookie_presented_again_is_refused_and_revokes_the_session(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        stolen_refresh, stolen_csrf = refresh_cookie(client), csrf(client)
        assert (await client.post("/api/auth/refresh", headers=stolen_csrf)).status_code == 200
        current_csrf = csrf(client)
    async with browser() as thief:
        thief.cookies.set("refresh_token", stolen_refresh, path="/api/auth/")
        replay = await thief.post("/api/auth/refresh", headers=stolen_csrf)
        assert replay.status_code == 401
        assert replay.headers["content-type"].startswith("application/problem+json")
    # The owner's newer cookie died with the session.
    async with browser() as owner:
        owner.cookies.set("refresh_token", client.cookies.get("refresh_token"), path="/api/auth/")
        assert (await owner.post("/api/auth/refresh", headers=current_csrf)).status_code == 401


async def test_cookie_logout_revokes_the_session_and_clears_both_cookies(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        kept_refresh, kept_csrf = refresh_cookie(client), csrf(client)
        response = await client.post("/api/auth/logout", headers=kept_csrf)
        assert response.status_code == 204, response.text
        cleared = response.headers.get_list("set-cookie")
        assert any(c.startswith("refresh_token=") and "Path=/api/auth/" in c for c in cleared)
        assert any(c.startswith("csrf_token=") and "Path=/;" in c + ";" for c in cleared)
        assert all("Max-Age=0" in c for c in cleared)
        assert not client.cookies.get("refresh_token")
        assert (await client.post("/api/auth/refresh", headers=kept_csrf)).status_code == 401
    async with browser() as replay:
        replay.cookies.set("refresh_token", kept_refresh, path="/api/auth/")
        assert (await replay.post("/api/auth/refresh", headers=kept_csrf)).status_code == 401


async def test_cookie_logout_without_the_csrf_token_is_forbidden_and_ends_nothing(user):
    async with browser() as client:
        await sign_in_with_cookie(client, *user)
        assert (await client.post("/api/auth/logout")).status_code == 403
        assert (await client.post("/api/auth/refresh", headers=csrf(client))).status_code == 200


async def test_body_refresh_still_works_and_ignores_cookies(gateway, user):
    response = await gateway.post(
        "/api/auth/token", data={"username": user[0], "password": user[1]}
    )
    first = response.json()
    assert first["refresh_token"] and "set-cookie" not in response.headers
    second = await gateway.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]


async def test_refresh_without_body_or_cookie_is_unauthorized(gateway):
    response = await gateway.post("/api/auth/refresh")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_unknown_refresh_transport_is_refused(gateway):
    response = await gateway.post(
        "/api/auth/token",
        data={
            "username": "viewer@example.org",
            "password": DEMO_PASSWORD,
            "refresh_transport": "localstorage",
        },
    )
    assert response.status_code == 422
