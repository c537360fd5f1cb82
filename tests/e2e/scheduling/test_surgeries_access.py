"""Object-level access through the gateway (`domain/access.py`): clinicians linked to staff
see the cases they are on with the patient, others only on the day list without the patient,
and record wheels only of cases assigned to them; viewers see no patient; ids and MRN searches
are no oracle."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import bearer, create_user, sign_in
from tests.e2e.scheduling.cases import (
    HOSPITAL,
    ROUND_THE_CLOCK,
    book,
    from_now,
    move,
    moved,
    request_case,
    round_the_clock_world,
)
from tests.e2e.scheduling.conftest import (
    SCHEDULING,
    STAFF,
    SURGERIES,
    World,
    assert_problem,
    cancel_open_cases,
    if_match,
    marker,
    retire_world,
    until_known,
)


@dataclass
class Ward:
    """A round-the-clock world with people linked to users of their own: `mine` the surgeon,
    `on_it` a nurse on the cases booked here, `elsewhere` a nurse on none."""

    world: World
    users: dict[str, dict[str, Any]]
    headers: dict[str, dict[str, str]]

    @property
    def mine(self) -> dict[str, Any]:
        return self.world.extra["mine"]

    def booking(self, start: str) -> dict[str, Any]:
        staff = [
            {"staff_id": self.world.anaesthetist["staff_id"], "role": "anaesthetist"},
            {"staff_id": self.world.extra["on_it"]["staff_id"], "role": "scrub_nurse"},
        ]
        return self.world.booking_body(start, staff=staff)


async def _linked(
    client: httpx.AsyncClient, admin: dict[str, str], user_id: str, role: str
) -> dict[str, Any]:
    """A staff member of `role` linked to `user_id` (once resources knows the user), known to
    scheduling."""
    body = {
        "name": f"{marker()} {role}",
        "role": role,
        "specialties": ["orthopaedics"] if role == "surgeon" else [],
        "working_pattern": ROUND_THE_CLOCK,
        "user_id": user_id,
    }
    deadline = time.monotonic() + 20
    while (response := await client.post(STAFF, json=body, headers=admin)).status_code != 201:
        assert response.status_code == 422 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)
    await until_known(client, admin, "staff", response.json())
    return response.json()


@pytest.fixture
async def ward(
    gateway: httpx.AsyncClient, admin: dict[str, str], admin_token: str
) -> AsyncIterator[Ward]:
    world = await round_the_clock_world(gateway, admin)
    made = Ward(world, {}, {})
    for name, user_role, staff_role in (
        ("mine", "surgeon", "surgeon"),
        ("on_it", "nurse", "scrub_nurse"),
        ("elsewhere", "nurse", "scrub_nurse"),
    ):
        user, password = await create_user(gateway, admin_token, user_role)
        made.users[name] = user
        world.extra[name] = await _linked(gateway, admin, user["user_id"], staff_role)
        token = (await sign_in(gateway, user["email"], password))["access_token"]
        made.headers[name] = bearer(token)
    yield made
    await cancel_open_cases(gateway, admin, made.mine["staff_id"])
    await retire_world(gateway, admin, world)
    for user in made.users.values():
        await gateway.post(
            f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token)
        )


def _local_dates(*starts: str) -> dict[str, str]:
    days = sorted(datetime.fromisoformat(s).astimezone(HOSPITAL).date() for s in starts)
    return {"date": str(days[0]), "to": str(days[-1])}


async def _found(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(SURGERIES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_surgeon_sees_their_case_whole_and_anothers_only_on_the_day_list(
    gateway: httpx.AsyncClient, ward: Ward, coordinator: dict[str, str]
) -> None:
    world, me = ward.world, ward.headers["mine"]
    ours = await request_case(gateway, coordinator, world, surgeon_id=ward.mine["staff_id"])
    theirs = await request_case(
        gateway, coordinator, world, staff_roles_needed=[], equipment_types=[]
    )
    starts = (from_now(60), from_now(240))
    await book(gateway, coordinator, world, ours, starts[0])
    response = await gateway.put(
        f"{SURGERIES}/{theirs['surgery_id']}/booking",
        json=world.booking_body(starts[1], staff=[], equipment_unit_ids=[]),
        headers=coordinator,
    )
    assert response.status_code == 200, response.text

    own = await gateway.get(f"{SURGERIES}/{ours['surgery_id']}", headers=me)
    assert own.status_code == 200 and own.json()["patient_mrn"] == ours["patient_mrn"]
    unknown = assert_problem(await gateway.get(f"{SURGERIES}/{uuid.uuid4()}", headers=me), 404)
    for path in (theirs["surgery_id"], f"{theirs['surgery_id']}/history"):
        hidden = assert_problem(await gateway.get(f"{SURGERIES}/{path}", headers=me), 404)
        assert hidden["title"] == unknown["title"]
        assert (
            hidden["detail"].replace(theirs["surgery_id"], "?") == "There is no surgery request ?."
        )

    day = await gateway.get(
        f"{SCHEDULING}/schedule",
        params={**_local_dates(*starts), "room_id": world.room_id},
        headers=me,
    )
    assert day.status_code == 200, day.text
    listed = {
        case["surgery_id"]: case["patient_mrn"]
        for date in day.json()["days"]
        for room in date["rooms"]
        for case in room["cases"]
    }
    assert listed == {ours["surgery_id"]: ours["patient_mrn"], theirs["surgery_id"]: None}

    assert [c["surgery_id"] for c in await _found(gateway, me, q=ours["patient_mrn"])] == [
        ours["surgery_id"]
    ]
    assert await _found(gateway, me, q=theirs["patient_mrn"]) == []
    assert await _found(gateway, me, surgeon_id=world.surgeon["staff_id"]) == []


async def test_a_viewer_reads_a_case_without_its_patient_and_cannot_search_its_mrn(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], viewer: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world, notes="Latex allergy")
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=viewer)
    assert read.status_code == 200, read.text
    assert (read.json()["patient_mrn"], read.json()["notes"]) == (None, None)
    assert read.json()["procedure"] == case["procedure"]
    mine = {"surgeon_id": world.surgeon["staff_id"]}
    assert await _found(gateway, viewer, q=case["patient_mrn"], **mine) == []
    by_procedure = await _found(gateway, viewer, q=case["procedure"]["code"], **mine)
    assert [(c["surgery_id"], c["patient_mrn"]) for c in by_procedure] == [
        (case["surgery_id"], None)
    ]
    found = await _found(gateway, coordinator, q=case["patient_mrn"], **mine)
    assert [c["patient_mrn"] for c in found] == [case["patient_mrn"]]


async def test_wheels_are_recorded_by_a_nurse_on_the_case_and_refused_to_one_who_is_not(
    gateway: httpx.AsyncClient, ward: Ward, coordinator: dict[str, str]
) -> None:
    world = ward.world
    case = await request_case(gateway, coordinator, world, surgeon_id=ward.mine["staff_id"])
    response = await gateway.put(
        f"{SURGERIES}/{case['surgery_id']}/booking",
        json=ward.booking(from_now(2)),
        headers=coordinator,
    )
    assert response.status_code == 200, response.text
    booked = response.json()
    confirmed = await moved(gateway, if_match(coordinator, booked), booked, "confirm")

    stranger, nurse = ward.headers["elsewhere"], ward.headers["on_it"]
    refused = await move(gateway, if_match(stranger, confirmed), confirmed, "wheels-in")
    assert_problem(refused, 403, "not assigned")
    assert_problem(await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=stranger), 404)
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=nurse)
    assert read.status_code == 200 and read.json()["patient_mrn"] == case["patient_mrn"]
    # The waiting list admits the case by the booking's assignment, in SQL, for them alone.
    by_mrn = {"q": case["patient_mrn"], "status": "confirmed"}
    assert [c["surgery_id"] for c in await _found(gateway, nurse, **by_mrn)] == [case["surgery_id"]]
    assert await _found(gateway, stranger, **by_mrn) == []

    in_room = await moved(gateway, if_match(nurse, confirmed), confirmed, "wheels-in")
    assert in_room["status"] == "in_room"
    done = await moved(gateway, nurse, in_room, "wheels-out")
    assert done["status"] == "completed"
