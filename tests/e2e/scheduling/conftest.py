"""What the scheduling tests share: a fresh hospital corner per test, known to scheduling.

`world` creates, through resources, a room open every day 07:00-19:00, a surgeon, an
anaesthetist, a scrub nurse and a mobile C-arm with two units, then waits until scheduling's
read model holds each of them: a test never depends on another's records or on the demo data.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.resources.conftest import (  # noqa: F401  (re-exported for the tests)
    EQUIPMENT,
    ROOMS,
    STAFF,
    assert_problem,
    create,
    create_room,
    create_staff,
    if_match,
    marker,
)

SCHEDULING = "/api/scheduling"
SURGERIES = f"{SCHEDULING}/surgeries"
OPTIMIZATIONS = f"{SCHEDULING}/optimizations"
EVERY_DAY = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
DAY_HOURS = {day: [{"start": "07:00", "end": "19:00"}] for day in EVERY_DAY}


def some_day(weeks_ahead: int = 6) -> date:
    """A Wednesday `weeks_ahead` weeks from now: in the future, never on a DST change."""
    today = date.today()
    return today + timedelta(days=(2 - today.weekday()) % 7 + 7 * weeks_ahead)


@dataclass
class World:
    """One test's own room, people and equipment, as resources returned them."""

    room: dict[str, Any]
    surgeon: dict[str, Any]
    anaesthetist: dict[str, Any]
    nurse: dict[str, Any]
    equipment: dict[str, Any]
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def room_id(self) -> str:
        return self.room["room_id"]

    @property
    def unit_ids(self) -> list[str]:
        return [u["unit_id"] for u in self.equipment["units"]]

    def surgery_body(self, **changes: Any) -> dict[str, Any]:
        """A request for this world's surgeon needing an anaesthetist, a nurse and a C-arm."""
        body = {
            "patient_mrn": f"MRN-{uuid.uuid4().hex[:10]}",
            "procedure": {
                "code": "W40.1",
                "name": "Total knee replacement",
                "coding_system": "opcs4",
            },
            "surgeon_id": self.surgeon["staff_id"],
            "specialty": "orthopaedics",
            "expected_duration_minutes": 90,
            "setup_minutes": 20,
            "cleanup_minutes": 15,
            "priority": "elective",
            "required_capabilities": ["general"],
            "equipment_types": ["c_arm"],
            "anaesthesia_type": "general",
            "staff_roles_needed": [
                {"role": "anaesthetist", "count": 1},
                {"role": "scrub_nurse", "count": 1},
            ],
        }
        return {**body, **changes}

    def booking_body(self, start: str, **changes: Any) -> dict[str, Any]:
        """A booking of a `surgery_body` case in this world's room at `start` (ISO, offset)."""
        body = {
            "room_id": self.room_id,
            "start": start,
            "staff": [
                {"staff_id": self.anaesthetist["staff_id"], "role": "anaesthetist"},
                {"staff_id": self.nurse["staff_id"], "role": "scrub_nurse"},
            ],
            "equipment_unit_ids": self.unit_ids[:1],
        }
        return {**body, **changes}


async def until_known(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    kind: str,
    record: dict[str, Any],
    *,
    timeout: float = 20.0,
) -> None:
    """Waits until scheduling's read model holds `record` at its version (or a later one)."""
    key = {"rooms": "room_id", "staff": "staff_id", "equipment": "equipment_id"}.get(
        kind, "block_id"
    )
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(
            f"{SCHEDULING}/read-model/{kind}/{record[key]}", headers=headers
        )
        if response.status_code == 200 and response.json()["version"] >= record["version"]:
            return
        assert time.monotonic() < deadline, f"scheduling never caught up with {kind} {record}"
        await asyncio.sleep(0.1)


async def set_daily_maxima(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    person: dict[str, Any],
    *,
    every_day: int,
    by_weekday: dict[str, int],
    by_date: dict[str, int],
) -> None:
    """Gives `person` these daily maxima (staff API) and waits until scheduling holds them."""
    body = {
        key: person[key]
        for key in ("name", "role", "specialties", "skills", "working_pattern", "status")
    }
    changed = await client.put(
        f"{STAFF}/{person['staff_id']}",
        json={
            **body,
            "max_minutes_per_day": every_day,
            "max_minutes_by_weekday": by_weekday,
            "max_minutes_by_date": by_date,
        },
        headers=if_match(admin, person),
    )
    assert changed.status_code == 200, changed.text
    await until_known(client, admin, "staff", changed.json())


async def make_world(client: httpx.AsyncClient, admin: dict[str, str]) -> World:
    tag = marker()
    room = await create_room(
        client,
        admin,
        code=f"{tag}-OR",
        capabilities=["general", "orthopaedic"],
        weekly_hours=DAY_HOURS,
    )
    people = {}
    for role, specialties in (
        ("surgeon", ["orthopaedics"]),
        ("anaesthetist", []),
        ("scrub_nurse", []),
    ):
        people[role] = await create_staff(
            client,
            admin,
            name=f"{tag} {role}",
            role=role,
            specialties=specialties,
            working_pattern=DAY_HOURS,
            max_minutes_per_day=600,
        )
    units = [{"label": f"{tag}-{n}", "serial_number": f"{tag}-SN{n}"} for n in (1, 2)]
    item = await create(
        client,
        EQUIPMENT,
        {
            "name": f"{tag} C-arm",
            "equipment_type": "c_arm",
            "mobile": True,
            "turnaround_minutes": 30,
            "units": units,
        },
        admin,
    )
    world = World(room, people["surgeon"], people["anaesthetist"], people["scrub_nurse"], item)
    await until_known(client, admin, "rooms", room)
    for member in people.values():
        await until_known(client, admin, "staff", member)
    await until_known(client, admin, "equipment", item)
    return world


async def cancel_open_cases(
    client: httpx.AsyncClient, admin: dict[str, str], surgeon_id: str
) -> None:
    """Cancels the world's cases still waiting or booked, so the waiting list a user opens after
    the tests holds none of a retired test surgeon's requests. Best effort, like the retiring."""
    params = {
        "surgeon_id": surgeon_id,
        "status": ["requested", "postponed", "scheduled", "confirmed"],
        "limit": 100,
    }
    listed = await client.get(SURGERIES, params=params, headers=admin)
    if listed.status_code != 200:
        return
    for case in listed.json().get("items", []):
        await client.post(
            f"{SURGERIES}/{case['surgery_id']}/cancel",
            json={"reason_code": "administrative", "reason": "end of an e2e test"},
            headers={**admin, "If-Match": f'"{case["version"]}"'},
        )


async def retire_world(client: httpx.AsyncClient, admin: dict[str, str], world: World) -> None:
    """Retires the world's records in resources, so later problems and lists leave them out.

    Best effort: a record a test already retired (or a room still holding blocks) stays as is.
    """
    await cancel_open_cases(client, admin, world.surgeon["staff_id"])
    people = [world.surgeon, world.anaesthetist, world.nurse, *world.extra.values()]
    paths = [
        f"{ROOMS}/{world.room_id}",
        *(f"{STAFF}/{m['staff_id']}" for m in people if "staff_id" in m),
        f"{EQUIPMENT}/{world.equipment['equipment_id']}",
    ]
    for path in paths:
        current = await client.get(path, headers=admin)
        if current.status_code == 200 and current.json().get("retired_at") is None:
            await client.post(f"{path}/retire", headers=if_match(admin, current.json()))


@pytest.fixture
async def world(gateway: httpx.AsyncClient, admin: dict[str, str]) -> AsyncIterator[World]:
    made = await make_world(gateway, admin)
    yield made
    await retire_world(gateway, admin, made)
