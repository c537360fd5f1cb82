"""What the resources tests share: tokens per role, a marker per run, bodies and problem checks."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

RESOURCES = "/api/resources"
ROOMS = f"{RESOURCES}/operating-rooms"
STAFF = f"{RESOURCES}/staff"
EQUIPMENT = f"{RESOURCES}/equipment"
BLOCKS = f"{RESOURCES}/blocks"
AVAILABILITY = f"{RESOURCES}/availability"

OFFICE_HOURS = {day: [{"start": "08:00", "end": "16:00"}] for day in ("monday", "tuesday")}


def marker() -> str:
    """A short word no other test or run uses: codes and names start with it, `q` finds them."""
    return f"t{uuid.uuid4().hex[:8]}"


def room_body(**changes: Any) -> dict[str, Any]:
    body = {
        "code": f"{marker()}-OR",
        "name": "Theatre of a test",
        "location": "Building T",
        "capabilities": ["general"],
        "weekly_hours": OFFICE_HOURS,
    }
    return {**body, **changes}


async def create(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    """The created record (fails the test unless the answer is 201)."""
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_room(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    return await create(client, ROOMS, room_body(**changes), headers)


def staff_body(**changes: Any) -> dict[str, Any]:
    body = {
        "name": f"{marker()} Staff member",
        "role": "surgeon",
        "specialties": ["cardiac"],
        "skills": [],
        "working_pattern": OFFICE_HOURS,
    }
    return {**body, **changes}


async def create_staff(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    return await create(client, STAFF, staff_body(**changes), headers)


def equipment_body(**changes: Any) -> dict[str, Any]:
    body = {"name": f"{marker()} C-arm", "equipment_type": "c_arm", "mobile": True, "units": []}
    return {**body, **changes}


async def create_equipment(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    return await create(client, EQUIPMENT, equipment_body(**changes), headers)


def if_match(headers: dict[str, str], record: dict[str, Any]) -> dict[str, str]:
    return {**headers, "If-Match": f'"{record["version"]}"'}


def assert_problem(response: httpx.Response, status: int, *says: str) -> dict[str, Any]:
    """The answer is a problem+json of `status` whose detail names each of `says`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    for words in says:
        assert words in problem["detail"], problem["detail"]
    return problem
