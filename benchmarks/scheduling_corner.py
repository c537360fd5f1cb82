"""The scheduling benchmark's own corner of the hospital: per caller a room open all day, a
surgeon, an anaesthetist and a C-arm unit, made through resources and waited for until
scheduling's read model holds them; its cases; and the tidying up after."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from benchmarks.gateway import GATEWAY

SCHEDULING = f"{GATEWAY}/api/scheduling"
RESOURCES = f"{GATEWAY}/api/resources"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
REQUESTS = int(os.environ.get("BENCH_SCHEDULING_REQUESTS", "30"))
BURST, BURSTS = 50, 3
COORDINATOR = {"username": "coordinator@example.org", "password": "demo-password"}
HOSPITAL = ZoneInfo(os.environ.get("BENCH_TIMEZONE", "Europe/Amsterdam"))
ALL_DAY = {
    day: [{"start": "00:00", "end": "24:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}
# A 60-minute case with 10 minutes' setup and 10 minutes' cleanup holds its room 80 minutes.
DURATION, SETUP, CLEANUP = 60, 10, 10
SLOT = timedelta(minutes=SETUP + DURATION + CLEANUP)


@dataclass
class Corner:
    """The benchmark's own rooms, people and units, and the cases it made."""

    rooms: list[dict[str, Any]]
    surgeons: list[dict[str, Any]]
    anaesthetists: list[dict[str, Any]]
    c_arms: dict[str, Any]
    cases: list[list[str]] = field(default_factory=list)  # per caller
    burst_cases: list[list[str]] = field(default_factory=list)  # per burst

    @property
    def burst_room(self) -> dict[str, Any]:
        return self.rooms[-1]


async def make(client: httpx.AsyncClient, auth: dict[str, str]) -> Corner:
    """Rooms, people and C-arm units of the benchmark's own, known to scheduling."""
    tag = f"b{uuid.uuid4().hex[:6]}"
    rooms = [
        await _create(
            client,
            auth,
            "operating-rooms",
            {
                "code": f"{tag}-{n}",
                "name": "Bench theatre",
                "capabilities": ["general"],
                "weekly_hours": ALL_DAY,
            },
        )
        for n in range(CONCURRENCY + 1)
    ]
    surgeons = [await _person(client, auth, tag, "surgeon") for _ in range(CONCURRENCY + 1)]
    anaesthetists = [await _person(client, auth, tag, "anaesthetist") for _ in range(CONCURRENCY)]
    c_arms = await _create(
        client,
        auth,
        "equipment",
        {
            "name": f"{tag} C-arms",
            "equipment_type": "c_arm",
            "mobile": True,
            "turnaround_minutes": 0,
            "units": [{"label": f"{tag}-{n}"} for n in range(CONCURRENCY)],
        },
    )
    for kind, records in (("rooms", rooms), ("staff", surgeons + anaesthetists)):
        for record in records:
            await until_known(client, auth, kind, record)
    await until_known(client, auth, "equipment", c_arms)
    return Corner(rooms, surgeons, anaesthetists, c_arms)


async def request_cases(client: httpx.AsyncClient, auth: dict[str, str], corner: Corner) -> None:
    """`REQUESTS` cases per caller, needing its anaesthetist and a C-arm; the bursts' cases
    need nothing but the burst surgeon, so that the room is all they contend for."""

    async def request(surgeon: dict[str, Any], needs: bool) -> str:
        body = {
            "patient_mrn": f"MRN-{uuid.uuid4().hex[:10]}",
            "procedure": {"code": "W40.1", "name": "Bench procedure"},
            "surgeon_id": surgeon["staff_id"],
            "specialty": "orthopaedics",
            "expected_duration_minutes": DURATION,
            "setup_minutes": SETUP,
            "cleanup_minutes": CLEANUP,
            "priority": "elective",
            "equipment_types": ["c_arm"] if needs else [],
            "anaesthesia_type": "general",
            "staff_roles_needed": [{"role": "anaesthetist"}] if needs else [],
        }
        response = await client.post(f"{SCHEDULING}/surgeries", json=body, headers=auth)
        response.raise_for_status()
        return response.json()["surgery_id"]

    async def many(surgeon: dict[str, Any], count: int, needs: bool) -> list[str]:
        return [await request(surgeon, needs) for _ in range(count)]

    corner.cases = list(
        await asyncio.gather(
            *(many(corner.surgeons[n], REQUESTS, True) for n in range(CONCURRENCY))
        )
    )
    burst_surgeon = corner.surgeons[-1]
    corner.burst_cases = list(
        await asyncio.gather(*(many(burst_surgeon, BURST, False) for _ in range(BURSTS)))
    )


async def _person(
    client: httpx.AsyncClient, auth: dict[str, str], tag: str, role: str
) -> dict[str, Any]:
    body = {
        "name": f"{tag} {role} {uuid.uuid4().hex[:4]}",
        "role": role,
        "specialties": ["orthopaedics"] if role == "surgeon" else [],
        "working_pattern": ALL_DAY,
    }
    return await _create(client, auth, "staff", body)


async def _create(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{RESOURCES}/{path}", json=body, headers=auth)
    response.raise_for_status()
    return response.json()


async def until_known(
    client: httpx.AsyncClient, auth: dict[str, str], kind: str, record: dict[str, Any]
) -> None:
    """Waits until scheduling's read model holds `record` (a room, staff member or equipment
    piece) at its version or later."""
    key = {"rooms": "room_id", "staff": "staff_id", "equipment": "equipment_id"}[kind]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = await client.get(f"{SCHEDULING}/read-model/{kind}/{record[key]}", headers=auth)
        if response.status_code == 200 and response.json()["version"] >= record["version"]:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"scheduling never learnt of {kind} {record[key]}")


async def tidy(client: httpx.AsyncClient, auth: dict[str, str], corner: Corner) -> None:
    """Cancels the benchmark's cases and retires its corner, so no list shows them as live."""
    everything = [c for cases in corner.cases + corner.burst_cases for c in cases]
    stop = {"reason_code": "administrative", "reason": "Benchmark case"}

    async def cancel(chunk: list[str]) -> None:
        for case in chunk:
            await client.post(f"{SCHEDULING}/surgeries/{case}/cancel", json=stop, headers=auth)

    await asyncio.gather(*(cancel(everything[n::CONCURRENCY]) for n in range(CONCURRENCY)))
    retiring = [("operating-rooms", r["room_id"], r) for r in corner.rooms]
    retiring += [("staff", p["staff_id"], p) for p in corner.surgeons + corner.anaesthetists]
    retiring += [("equipment", corner.c_arms["equipment_id"], corner.c_arms)]
    for path, record_id, record in retiring:
        headers = {**auth, "If-Match": f'"{record["version"]}"'}
        await client.post(f"{RESOURCES}/{path}/{record_id}/retire", headers=headers)
