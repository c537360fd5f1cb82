"""A case's history through the gateway: every move of its lifecycle, oldest first, with who
made it, why, and the booking the case had then."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import bearer, create_user, sign_in
from tests.e2e.scheduling.cases import book, moved, request_case
from tests.e2e.scheduling.conftest import SURGERIES, World, assert_problem
from tests.e2e.scheduling.test_surgeries_requests import _linked_surgeon

NO_BED = {"reason_code": "no_bed", "reason": "No ICU bed after surgery"}
PATIENT_UNFIT = {"reason_code": "patient_unfit", "reason": "Fever"}


async def test_lists_request_booking_postponement_and_cancellation_in_order_with_the_actor(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    booked = await book(gateway, coordinator, world, case)
    postponed = await moved(gateway, coordinator, booked, "postpone", NO_BED)
    await moved(gateway, coordinator, postponed, "cancel", PATIENT_UNFIT)

    response = await gateway.get(f"{SURGERIES}/{case['surgery_id']}/history", headers=coordinator)

    assert response.status_code == 200, response.text
    history = response.json()
    assert history["surgery_id"] == case["surgery_id"]
    lines = history["items"]
    assert [(line["from_status"], line["to_status"]) for line in lines] == [
        (None, "requested"),
        ("requested", "scheduled"),
        ("scheduled", "postponed"),
        ("postponed", "cancelled"),
    ]
    assert [(line["reason_code"], line["reason"]) for line in lines] == [
        (None, None),
        (None, None),
        ("no_bed", "No ICU bed after surgery"),
        ("patient_unfit", "Fever"),
    ]
    # The booking the case had: taken when booked, still named by the postponement that freed it.
    assert lines[1]["booking"]["start"] == booked["booking"]["start"]
    assert lines[1]["booking"]["room_id"] == world.room_id
    assert lines[2]["booking"]["room_id"] == world.room_id
    assert lines[3]["booking"] is None
    coordinator_id = case["requested_by"]
    assert {line["changed_by"] for line in lines} == {coordinator_id}
    assert {line["changed_by_name"] for line in lines} == {f"unknown user {coordinator_id}"}
    times = [line["changed_at"] for line in lines]
    assert times == sorted(times)
    entry_ids = [line["entry_id"] for line in lines]
    assert entry_ids == sorted(entry_ids)


async def test_names_a_user_linked_to_a_staff_member_by_the_staff_name(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], admin_token: str
) -> None:
    user, password = await create_user(gateway, admin_token, "surgeon")
    try:
        own = await _linked_surgeon(gateway, admin, user["user_id"])
        world.extra["own surgeon"] = own  # retired with the world
        token = (await sign_in(gateway, user["email"], password))["access_token"]
        response = await gateway.post(
            SURGERIES, json=world.surgery_body(surgeon_id=own["staff_id"]), headers=bearer(token)
        )
        assert response.status_code == 201, response.text
        case = response.json()
        await moved(gateway, admin, case, "cancel", PATIENT_UNFIT)

        response = await gateway.get(f"{SURGERIES}/{case['surgery_id']}/history", headers=admin)

        assert response.status_code == 200, response.text
        admin_id = response.json()["items"][1]["changed_by"]
        assert [
            (line["to_status"], line["changed_by_name"]) for line in response.json()["items"]
        ] == [("requested", own["name"]), ("cancelled", f"unknown user {admin_id}")]
    finally:
        await gateway.post(
            f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token)
        )


async def test_a_viewer_reads_the_history_and_the_read_is_audited(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    viewer: dict[str, str],
    admin: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    response = await gateway.get(f"{SURGERIES}/{case['surgery_id']}/history", headers=viewer)
    assert response.status_code == 200, response.text
    assert [line["to_status"] for line in response.json()["items"]] == ["requested"]
    audit = await gateway.get(
        "/api/scheduling/audit",
        params={"record_id": case["surgery_id"], "action": "surgery.history.read"},
        headers=admin,
    )
    assert audit.status_code == 200, audit.text
    assert [entry["action"] for entry in audit.json()["items"]] == ["surgery.history.read"]


async def test_answers_404_for_the_history_of_an_unknown_case(
    gateway: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    ghost = "00000000-0000-4000-8000-000000000001"
    response = await gateway.get(f"{SURGERIES}/{ghost}/history", headers=coordinator)
    assert_problem(response, 404, f"There is no surgery request {ghost}")
