"""The audit log through the gateway: every read and change of a case, for admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import bearer, create_user, sign_in
from tests.e2e.scheduling.cases import move, request_case
from tests.e2e.scheduling.conftest import SCHEDULING, SURGERIES, World, assert_problem, some_day

AUDIT = f"{SCHEDULING}/audit"


async def _entries(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(AUDIT, params=params, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] >= len(page["items"])
    return page["items"]


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return (await client.get("/api/auth/me", headers=headers)).json()["user_id"]


async def test_records_who_created_read_listed_and_cancelled_a_case_newest_first(
    gateway: httpx.AsyncClient,
    world: World,
    admin: dict[str, str],
    coordinator: dict[str, str],
    viewer: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    assert (await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=viewer)).is_success
    listed = await gateway.get(
        SURGERIES, params={"surgeon_id": world.surgeon["staff_id"]}, headers=viewer
    )
    assert listed.is_success
    cancelled = await move(gateway, coordinator, case, "cancel", {"reason_code": "no_staff"})
    assert cancelled.is_success

    entries = await _entries(gateway, admin, record_id=case["surgery_id"])
    assert [e["action"] for e in entries] == [
        "surgery.cancel",
        "surgery.list",
        "surgery.read",
        "surgery.create",
    ]
    coordinator_id, viewer_id = (
        await _user_id(gateway, coordinator),
        await _user_id(gateway, viewer),
    )
    assert [e["actor_id"] for e in entries] == [
        coordinator_id,
        viewer_id,
        viewer_id,
        coordinator_id,
    ]
    assert {e["record_type"] for e in entries} == {"surgery"}
    cancel, listing, read, create = entries
    assert cancel["details"]["reason_code"] == "no_staff"
    assert (cancel["details"]["from_status"], cancel["details"]["to_status"]) == (
        "requested",
        "cancelled",
    )
    assert listing["details"]["surgery_ids"] == [case["surgery_id"]]
    assert listing["details"]["filters"]["surgeon_id"] == world.surgeon["staff_id"]
    assert read["record_id"] == create["record_id"] == case["surgery_id"]
    assert all(e["actor_kind"] == "user" for e in entries)


async def test_filters_by_action_actor_and_time(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    case = await request_case(gateway, coordinator, world)
    mine = {"record_id": case["surgery_id"]}
    created = await _entries(gateway, admin, action="surgery.create", **mine)
    assert [e["action"] for e in created] == ["surgery.create"]
    actor = created[0]["actor_id"]
    assert len(await _entries(gateway, admin, actor_id=actor, **mine)) == 1
    assert await _entries(gateway, admin, actor_id="somebody-else", **mine) == []
    assert len(await _entries(gateway, admin, record_type="surgery", **mine)) == 1
    assert len(await _entries(gateway, admin, **{"from": since.isoformat()}, **mine)) == 1
    assert await _entries(gateway, admin, **{"to": since.isoformat()}, **mine) == []


async def test_pages_the_log_newest_first(
    gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await gateway.get(AUDIT, params={"limit": 3}, headers=admin)
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["offset"], page["limit"]) == (0, 3) and len(page["items"]) <= 3
    moments = [e["at"] for e in page["items"]]
    assert moments == sorted(moments, reverse=True)


async def test_only_admins_read_the_audit_log(
    gateway: httpx.AsyncClient, coordinator: dict[str, str], viewer: dict[str, str]
) -> None:
    for headers in (coordinator, viewer):
        assert_problem(await gateway.get(AUDIT, headers=headers), 403)
    assert (await gateway.get(AUDIT)).status_code == 401


async def test_refuses_a_time_without_an_offset(
    gateway: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await gateway.get(AUDIT, params={"from": "2027-01-01T00:00"}, headers=admin)
    assert_problem(response, 422, "from")


async def test_kpis_and_the_log_itself_are_not_audited_and_the_route_says_why(
    gateway: httpx.AsyncClient, admin: dict[str, str], admin_token: str
) -> None:
    user, password = await create_user(gateway, admin_token, "admin")
    own = bearer((await sign_in(gateway, user["email"], password))["access_token"])
    day = str(some_day())
    kpis = await gateway.get(f"{SCHEDULING}/kpis", params={"from": day, "to": day}, headers=own)
    assert kpis.status_code == 200, kpis.text
    for _ in range(2):
        assert await _entries(gateway, own, actor_id=user["user_id"]) == []
    spec = (await gateway.get(f"{SCHEDULING}/openapi.json")).json()
    described = spec["paths"]["/audit"]["get"]["description"]
    for words in ("Not audited", "GET /kpis", "aggregates", "GET /audit", "reads the log"):
        assert words in described, described
