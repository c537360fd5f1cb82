"""Surgery requests through the gateway: who may request which case, what is refused, reads."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from tests.e2e.conftest import bearer, create_user, sign_in
from tests.e2e.resources.conftest import STAFF
from tests.e2e.scheduling.cases import book, request_case
from tests.e2e.scheduling.conftest import (
    DAY_HOURS,
    SURGERIES,
    World,
    assert_problem,
    if_match,
    marker,
    until_known,
)


async def test_a_coordinator_puts_a_case_on_the_waiting_list(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    body = world.surgery_body(
        priority="urgent", earliest_date="2027-03-01", due_date="2027-03-31", notes="Latex allergy"
    )
    response = await gateway.post(SURGERIES, json=body, headers=coordinator)
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"{SURGERIES}/{case['surgery_id']}"
    assert response.headers["etag"] == '"1"'
    assert (case["status"], case["version"], case["booking"]) == ("requested", 1, None)
    for field in ("patient_mrn", "procedure", "surgeon_id", "priority", "notes", "due_date"):
        assert case[field] == body[field], field
    assert case["staff_roles_needed"] == body["staff_roles_needed"]
    assert case["reason_code"] is None and case["wheels_in"] is None


async def test_reads_a_case_back_with_its_etag_and_a_viewer_without_its_patient(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    viewer: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    response = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    assert response.json() == case
    seen = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=viewer)
    assert seen.headers["etag"] == '"1"'
    assert seen.json() == {**case, "patient_mrn": None, "notes": None}


async def test_answers_404_for_a_case_never_requested(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    response = await gateway.get(f"{SURGERIES}/{uuid.uuid4()}", headers=viewer)
    assert_problem(response, 404, "There is no surgery request")


async def test_refuses_a_malformed_mrn(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    body = world.surgery_body(patient_mrn="MRN 12/34")
    response = await gateway.post(SURGERIES, json=body, headers=coordinator)
    assert_problem(response, 422, "patient_mrn")


async def test_refuses_a_due_date_before_the_earliest_date(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    body = world.surgery_body(earliest_date="2027-03-10", due_date="2027-03-09")
    response = await gateway.post(SURGERIES, json=body, headers=coordinator)
    assert_problem(response, 422, "due_date 2027-03-09 is before earliest_date 2027-03-10")


async def test_refuses_a_surgeon_this_service_does_not_know(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    stranger = str(uuid.uuid4())
    response = await gateway.post(
        SURGERIES, json=world.surgery_body(surgeon_id=stranger), headers=coordinator
    )
    assert_problem(response, 422, stranger, "not a staff member")


async def test_refuses_a_staff_member_who_is_not_a_surgeon_as_the_surgeon(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    body = world.surgery_body(surgeon_id=world.anaesthetist["staff_id"])
    response = await gateway.post(SURGERIES, json=body, headers=coordinator)
    assert_problem(response, 422, world.anaesthetist["staff_id"], "role anaesthetist, not surgeon")


async def test_refuses_a_retired_surgeon(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str]
) -> None:
    retired = await gateway.post(
        f"{STAFF}/{world.surgeon['staff_id']}/retire", headers=if_match(admin, world.surgeon)
    )
    assert retired.status_code == 200, retired.text
    await until_known(gateway, admin, "staff", retired.json())
    response = await gateway.post(SURGERIES, json=world.surgery_body(), headers=admin)
    assert_problem(response, 422, "is retired")


async def test_refuses_a_nul_character_in_the_notes(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    body = world.surgery_body(notes="before\x00after")
    response = await gateway.post(SURGERIES, json=body, headers=coordinator)
    assert_problem(response, 422, "notes")


async def test_refuses_unknown_fields_and_out_of_range_durations(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    for changes, field in (
        ({"colour": "blue"}, "colour"),
        ({"expected_duration_minutes": 0}, "expected_duration_minutes"),
        ({"priority": "whenever"}, "priority"),
    ):
        body = world.surgery_body(**changes)
        response = await gateway.post(SURGERIES, json=body, headers=coordinator)
        assert_problem(response, 422, field)


async def test_refuses_a_case_needing_more_people_than_one_booking_holds(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    crowd = [
        {"role": role, "count": 10} for role in ("anaesthetist", "scrub_nurse", "circulating_nurse")
    ]
    response = await gateway.post(
        SURGERIES, json=world.surgery_body(staff_roles_needed=crowd), headers=coordinator
    )
    assert_problem(response, 422, "staff_roles_needed", "asks for 30 people", "at most 29")


async def test_a_viewer_cannot_request_a_case(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str]
) -> None:
    response = await gateway.post(SURGERIES, json=world.surgery_body(), headers=viewer)
    assert_problem(response, 403)


async def test_a_surgeon_cannot_request_a_case_for_another_surgeon(
    gateway: httpx.AsyncClient, world: World, surgeon: dict[str, str]
) -> None:
    response = await gateway.post(SURGERIES, json=world.surgery_body(), headers=surgeon)
    assert_problem(response, 403, "only for themselves")


async def test_a_surgeon_requests_a_case_for_themselves(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], admin_token: str
) -> None:
    user, password = await create_user(gateway, admin_token, "surgeon")
    own = await _linked_surgeon(gateway, admin, user["user_id"])
    token = (await sign_in(gateway, user["email"], password))["access_token"]
    response = await gateway.post(
        SURGERIES, json=world.surgery_body(surgeon_id=own["staff_id"]), headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    assert response.json()["requested_by"] == user["user_id"]


async def _linked_surgeon(
    client: httpx.AsyncClient, admin: dict[str, str], user_id: str
) -> dict[str, Any]:
    """A surgeon linked to `user_id`, once resources knows the user, known to scheduling."""
    deadline = time.monotonic() + 20
    while True:
        response = await client.post(
            STAFF,
            json={
                "name": f"{marker()} own surgeon",
                "role": "surgeon",
                "specialties": ["orthopaedics"],
                "skills": [],
                "working_pattern": DAY_HOURS,
                "user_id": user_id,
            },
            headers=admin,
        )
        if response.status_code == 201:
            break
        assert response.status_code == 422 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    member = response.json()
    await until_known(client, admin, "staff", member)
    return member


async def test_corrects_a_waiting_case_with_its_etag(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    body = world.surgery_body(
        patient_mrn=case["patient_mrn"], priority="urgent", expected_duration_minutes=120
    )
    url = f"{SURGERIES}/{case['surgery_id']}"
    response = await gateway.put(url, json=body, headers=if_match(coordinator, case))
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert response.headers["etag"] == '"2"'
    assert (corrected["priority"], corrected["expected_duration_minutes"]) == ("urgent", 120)
    assert (corrected["status"], corrected["requested_by"]) == ("requested", case["requested_by"])


async def test_a_correction_needs_a_fresh_etag(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    url = f"{SURGERIES}/{case['surgery_id']}"
    body = world.surgery_body()
    assert_problem(await gateway.put(url, json=body, headers=coordinator), 428, "If-Match")
    stale = {**coordinator, "If-Match": '"9"'}
    assert_problem(await gateway.put(url, json=body, headers=stale), 412)


async def test_refuses_to_correct_a_case_no_longer_waiting(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    cancelled = await gateway.post(
        f"{SURGERIES}/{case['surgery_id']}/cancel",
        json={"reason_code": "patient_request"},
        headers=coordinator,
    )
    assert cancelled.status_code == 200, cancelled.text
    response = await gateway.put(
        f"{SURGERIES}/{case['surgery_id']}",
        json=world.surgery_body(),
        headers=if_match(coordinator, cancelled.json()),
    )
    assert_problem(response, 409, "cancelled cannot be corrected")


async def test_a_correction_checks_the_surgeon_and_who_may_change_the_case(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    surgeon: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    url = f"{SURGERIES}/{case['surgery_id']}"
    body = world.surgery_body(surgeon_id=world.nurse["staff_id"])
    response = await gateway.put(url, json=body, headers=if_match(coordinator, case))
    assert_problem(response, 422, "not surgeon")
    response = await gateway.put(url, json=world.surgery_body(), headers=if_match(surgeon, case))
    assert_problem(response, 403)


async def test_refuses_to_correct_a_booked_case_until_it_is_postponed(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    booked = await book(
        gateway, coordinator, world, await request_case(gateway, coordinator, world)
    )
    url = f"{SURGERIES}/{booked['surgery_id']}"
    body = world.surgery_body(patient_mrn=booked["patient_mrn"], expected_duration_minutes=240)
    response = await gateway.put(url, json=body, headers=if_match(coordinator, booked))
    assert_problem(response, 409, "scheduled cannot be corrected", "Postpone it first")
    postponed = await gateway.post(
        f"{url}/postpone", json={"reason_code": "list_overrun"}, headers=coordinator
    )
    assert postponed.status_code == 200, postponed.text
    response = await gateway.put(url, json=body, headers=if_match(coordinator, postponed.json()))
    assert response.status_code == 200, response.text
    assert response.json()["expected_duration_minutes"] == 240
