"""An administrator reactivates a deactivated user: they sign in afresh; nothing old resumes."""

from __future__ import annotations

import pytest

from tests.e2e.auth.conftest import eventually_accepted_everywhere, seconds_until_refused_everywhere
from tests.e2e.conftest import bearer, sign_in
from tests.e2e.test_auth_events import collect_until

pytestmark = pytest.mark.e2e


def users_path(user: dict, action: str = "") -> str:
    return f"/api/auth/users/{user['user_id']}" + (f"/{action}" if action else "")


async def test_a_reactivated_user_signs_in_again_but_no_old_session_or_token_resumes(
    gateway, new_user, admin
):
    user, password = await new_user("surgeon")
    old = await sign_in(gateway, user["email"], password)
    deactivated = await gateway.post(users_path(user, "deactivate"), headers=admin)
    await seconds_until_refused_everywhere(gateway, old["access_token"])
    response = await gateway.post(
        users_path(user, "reactivate"),
        headers={**admin, "If-Match": deactivated.headers["etag"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is True and response.json()["roles"] == ["surgeon"]
    assert response.headers["etag"] != deactivated.headers["etag"]
    fresh = await sign_in(gateway, user["email"], password)
    # The new token works everywhere once the reactivation has reached each service.
    await eventually_accepted_everywhere(gateway, fresh["access_token"])
    for path in ("/api/auth/me", "/api/resources/operating-rooms"):
        refused = await gateway.get(path, headers=bearer(old["access_token"]))
        assert refused.status_code == 401, path
    stale_refresh = await gateway.post(
        "/api/auth/refresh", json={"refresh_token": old["refresh_token"]}
    )
    assert stale_refresh.status_code == 401


async def test_reactivation_needs_a_fresh_if_match_and_is_a_no_op_for_an_active_user(
    gateway, new_user, admin
):
    user, _ = await new_user("viewer")
    deactivated = await gateway.post(users_path(user, "deactivate"), headers=admin)
    stale = await gateway.post(users_path(user, "reactivate"), headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    first = await gateway.post(users_path(user, "reactivate"), headers=admin)
    again = await gateway.post(users_path(user, "reactivate"), headers=admin)
    assert first.status_code == again.status_code == 200
    assert first.headers["etag"] == again.headers["etag"] != deactivated.headers["etag"]


async def test_only_administrators_reactivate(gateway, new_user, admin):
    target, _ = await new_user("viewer")
    await gateway.post(users_path(target, "deactivate"), headers=admin)
    coordinator, password = await new_user("coordinator")
    token = (await sign_in(gateway, coordinator["email"], password))["access_token"]
    response = await gateway.post(users_path(target, "reactivate"), headers=bearer(token))
    assert response.status_code == 403
    current = await gateway.get(users_path(target), headers=admin)
    assert current.json()["active"] is False


async def test_reactivating_an_unknown_user_is_404(gateway, admin):
    response = await gateway.post(
        "/api/auth/users/00000000-0000-4000-8000-000000000000/reactivate", headers=admin
    )
    assert response.status_code == 404


async def test_a_reactivation_is_announced_and_audited_like_a_deactivation(
    gateway, new_user, admin, from_now_on
):
    user, _ = await new_user("nurse")
    await gateway.post(users_path(user, "deactivate"), headers=admin)
    await gateway.post(users_path(user, "reactivate"), headers=admin)
    uid = user["user_id"]

    def about_user(seen):
        return [e for _, e in seen if uid in (e["data"].get("user_id"), e["data"].get("record_id"))]

    def done(seen):
        kinds = {e["event_type"] for e in about_user(seen)}
        actions = {e["data"].get("action") for e in about_user(seen)}
        return "UserReactivated" in kinds and "user.reactivate" in actions

    seen = about_user(await collect_until(from_now_on, done))
    announced = next(e["data"] for e in seen if e["event_type"] == "UserReactivated")
    assert announced["roles"] == ["nurse"]
    audited = next(e["data"] for e in seen if e["data"].get("action") == "user.reactivate")
    admin_id = (await gateway.get("/api/auth/me", headers=admin)).json()["user_id"]
    assert audited["actor"] == {"kind": "user", "id": admin_id}
