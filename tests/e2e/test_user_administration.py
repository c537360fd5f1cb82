"""Administrators create, list, change and deactivate users; nobody else may."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.e2e.conftest import bearer, create_user

pytestmark = pytest.mark.e2e


def new_user_body(**changes):
    body = {
        "email": f"user-{uuid.uuid4().hex[:12]}@example.org",
        "display_name": "Nina Nurse",
        "roles": ["nurse"],
        "password": "a sufficiently long one",
    }
    return {**body, **changes}


async def test_creates_a_user_with_a_location_and_an_etag(gateway, admin_token):
    staff_id = str(uuid.uuid4())
    body = new_user_body(roles=["surgeon", "coordinator"], staff_member_id=staff_id)
    response = await gateway.post("/api/auth/users", json=body, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    user = response.json()
    assert response.headers["location"] == f"/api/auth/users/{user['user_id']}"
    assert response.headers["etag"] == '"1"'
    assert user["roles"] == ["coordinator", "surgeon"]
    assert user["staff_member_id"] == staff_id
    assert "password" not in response.text and "hash" not in response.text


async def test_emails_are_unique_whatever_their_case(gateway, admin_token):
    body = new_user_body()
    await gateway.post("/api/auth/users", json=body, headers=bearer(admin_token))
    again = new_user_body(email=body["email"].upper())
    response = await gateway.post("/api/auth/users", json=again, headers=bearer(admin_token))
    assert response.status_code == 409
    assert body["email"] in response.json()["detail"]


async def test_concurrent_creations_of_one_email_make_one_user_and_409s(gateway, admin_token):
    body = new_user_body()
    answers = await asyncio.gather(
        *(gateway.post("/api/auth/users", json=body, headers=bearer(admin_token)) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"password": "too-short"}, 422, "at least 12 characters"),
        ({"password": "nina.nurse@example.org", "email": "nina.nurse@example.org"}, 422, "email"),
        ({"roles": ["janitor"]}, 422, "roles"),
        ({"roles": []}, 422, "roles"),
        ({"email": "not-an-email"}, 422, "email"),
    ],
)
async def test_refuses_bad_input_saying_what_is_wrong(gateway, admin_token, changes, status, says):
    body = new_user_body(**changes)
    response = await gateway.post("/api/auth/users", json=body, headers=bearer(admin_token))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.text


async def test_lists_users_paginated_and_filtered(gateway, admin_token):
    marker = uuid.uuid4().hex[:10]
    for i in range(3):
        body = new_user_body(email=f"list-{marker}-{i}@example.org", roles=["anaesthetist"])
        await gateway.post("/api/auth/users", json=body, headers=bearer(admin_token))
    params = {"q": marker, "limit": 2, "sort": "-email", "role": "anaesthetist"}
    page = (await gateway.get("/api/auth/users", params=params, headers=bearer(admin_token))).json()
    assert page["total"] == 3
    assert [u["email"] for u in page["items"]] == [
        f"list-{marker}-2@example.org",
        f"list-{marker}-1@example.org",
    ]
    rest = await gateway.get(
        "/api/auth/users", params={**params, "offset": 2}, headers=bearer(admin_token)
    )
    assert [u["email"] for u in rest.json()["items"]] == [f"list-{marker}-0@example.org"]


async def test_a_stale_if_match_gets_412_and_changes_nothing(gateway, admin_token):
    user, _ = await create_user(gateway, admin_token, "viewer")
    path = f"/api/auth/users/{user['user_id']}/roles"
    first = await gateway.put(
        path, json={"roles": ["nurse"]}, headers={**bearer(admin_token), "If-Match": '"1"'}
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await gateway.put(
        path, json={"roles": ["surgeon"]}, headers={**bearer(admin_token), "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    current = await gateway.get(f"/api/auth/users/{user['user_id']}", headers=bearer(admin_token))
    assert current.json()["roles"] == ["nurse"]


async def test_an_admin_cannot_deactivate_themselves(gateway, admin_token):
    me = (await gateway.get("/api/auth/me", headers=bearer(admin_token))).json()
    response = await gateway.post(
        f"/api/auth/users/{me['user_id']}/deactivate", headers=bearer(admin_token)
    )
    assert response.status_code == 409


async def test_unknown_users_are_404(gateway, admin_token):
    response = await gateway.get(f"/api/auth/users/{uuid.uuid4()}", headers=bearer(admin_token))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "surgeon", "viewer"])
async def test_only_administrators_administer_users(gateway, admin_token, role):
    user, password = await create_user(gateway, admin_token, role)
    token = (
        await gateway.post(
            "/api/auth/token", data={"username": user["email"], "password": password}
        )
    ).json()["access_token"]
    for method, path in [
        ("GET", "/api/auth/users"),
        ("POST", "/api/auth/users"),
        ("PUT", f"/api/auth/users/{user['user_id']}/roles"),
        ("POST", f"/api/auth/users/{user['user_id']}/deactivate"),
        ("POST", "/api/auth/signing-keys/rotate"),
    ]:
        response = await gateway.request(method, path, json={}, headers=bearer(token))
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
