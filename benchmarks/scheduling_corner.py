"""The scheduling benchmark's own corner of the hospital: per caller a room open all day, a
surgeon, an anaesthetist and a C-arm unit, made through resources (or taken up again from an
earlier run) and waited for until scheduling's read model holds them; its cases; and the
tidying up after: the cases cancelled, the rooms and people parked for the next run."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from benchmarks.gateway import GATEWAY

SCHEDULING = f"{GATEWAY}/api/scheduling"
RESOURCES = f"{GATEWAY}/api/resources"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
REQUESTS = int(os.environ.get("BENCH_SCHEDULING_REQUESTS", "30"))
BURST, BURSTS = 50, 3
# The names of the benchmark's rooms and people, and how long a corner left in service by a
# run that never tidied stays that run's.
CORNER_TAG = "SCHEDBENCH"
ABANDONED_AFTER = timedelta(hours=1)
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
    tag: str = ""  # the names its rooms and people go by, kept between runs

    @property
    def burst_room(self) -> dict[str, Any]:
        return self.rooms[-1]


async def make(client: httpx.AsyncClient, auth: dict[str, str]) -> Corner:
    """Rooms, people and C-arm units of the benchmark's own, known to scheduling: those an
    earlier run parked (`tidy`), put back in service, else made. Each run takes a free corner,
    `CORNER_TAG` and a number, so two runs at once never share a room; the first room of a
    corner is its claim (put in service with `If-Match`: of two runs, one wins it)."""
    rooms_known = await known(client, auth, "operating-rooms", "code")
    people_known = await known(client, auth, "staff", "name")
    tag, claim = await _claim(client, auth, rooms_known)
    rooms = [claim] + [
        await serving(client, auth, "operating-rooms", rooms_known, "code", _room_body(tag, n))
        for n in range(1, CONCURRENCY + 1)
    ]

    async def people(role: str, count: int) -> list[dict[str, Any]]:
        return [
            await serving(client, auth, "staff", people_known, "name", _person_body(tag, role, n))
            for n in range(count)
        ]

    surgeons = await people("surgeon", CONCURRENCY + 1)
    anaesthetists = await people("anaesthetist", CONCURRENCY)
    c_arms = await _c_arms(client, auth, tag)
    for kind, records in (("rooms", rooms), ("staff", surgeons + anaesthetists)):
        for record in records:
            await until_known(client, auth, kind, record)
    await until_known(client, auth, "equipment", c_arms)
    return Corner(rooms, surgeons, anaesthetists, c_arms, tag=tag)


async def _claim(
    client: httpx.AsyncClient, auth: dict[str, str], rooms_known: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, Any]]:
    """The first free corner's tag and its first room, claimed."""
    for number in itertools.count():  # ends on the first free corner
        tag = f"{CORNER_TAG}{number}"
        claim = await _claimed(client, auth, rooms_known.get(_room_body(tag, 0)["code"]), tag)
        if claim is not None:
            return tag, claim
    raise AssertionError("unreachable")


def _room_body(tag: str, n: int, status: str = "active") -> dict[str, Any]:
    return {
        "code": f"{tag}-{n}",
        "name": "Bench theatre",
        "capabilities": ["general"],
        "weekly_hours": ALL_DAY,
        "status": status,
    }


def _person_body(tag: str, role: str, n: int, status: str = "active") -> dict[str, Any]:
    return {
        "name": f"{tag} {role} {n}",
        "role": role,
        "specialties": ["orthopaedics"] if role == "surgeon" else [],
        "working_pattern": ALL_DAY,
        "status": status,
    }


async def known(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, key: str, tag: str = ""
) -> dict[str, dict[str, Any]]:
    """The rooms or people earlier runs made under `tag` (this module's by default) and did not
    retire, by code or name: the load benchmark's corner is found the same way."""
    tag = tag or CORNER_TAG
    params: dict[str, str | int] = {"q": tag, "limit": 500}
    response = await client.get(f"{RESOURCES}/{path}", params=params, headers=auth)
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return {item[key]: item for item in items if item[key].startswith(tag)}


async def _claimed(
    client: httpx.AsyncClient, auth: dict[str, str], first: dict[str, Any] | None, tag: str
) -> dict[str, Any] | None:
    """The corner's first room, made or put back in service by this run; None when another
    run holds it (in service and changed within `ABANDONED_AFTER`) or won it first."""
    body = _room_body(tag, 0)
    if first is None:
        response = await client.post(f"{RESOURCES}/operating-rooms", json=body, headers=auth)
    else:
        changed = datetime.fromisoformat(first["updated_at"])
        if first["status"] == "active" and datetime.now(UTC) - changed < ABANDONED_AFTER:
            return None
        headers = {**auth, "If-Match": f'"{first["version"]}"'}
        response = await client.put(
            f"{RESOURCES}/operating-rooms/{first['room_id']}", json=body, headers=headers
        )
    if response.status_code in (409, 412):
        return None
    response.raise_for_status()
    claimed: dict[str, Any] = response.json()
    return claimed


async def serving(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    path: str,
    known: dict[str, dict[str, Any]],
    key: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """The record an earlier run left, put back in service as `body` says, or a new one."""
    earlier = known.get(body[key])
    if earlier is None:
        return await _create(client, auth, path, body)
    return await _replace(client, auth, path, earlier, body)


async def _replace(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    path: str,
    record: dict[str, Any],
    body: dict[str, Any],
) -> dict[str, Any]:
    record_id = record["room_id" if path == "operating-rooms" else "staff_id"]
    headers = {**auth, "If-Match": f'"{record["version"]}"'}
    response = await client.put(f"{RESOURCES}/{path}/{record_id}", json=body, headers=headers)
    response.raise_for_status()
    replaced: dict[str, Any] = response.json()
    return replaced


async def _c_arms(client: httpx.AsyncClient, auth: dict[str, str], tag: str) -> dict[str, Any]:
    """The corner's C-arms with a unit per caller: an earlier run's, with units added if this
    run has more callers, else new."""
    name = f"{tag} C-arms"
    params: dict[str, str | int] = {"q": name, "limit": 50}
    response = await client.get(f"{RESOURCES}/equipment", params=params, headers=auth)
    response.raise_for_status()
    found = [item for item in response.json()["items"] if item["name"] == name]
    if not found:
        body = {
            "name": name,
            "equipment_type": "c_arm",
            "mobile": True,
            "turnaround_minutes": 0,
            "units": [{"label": f"{tag}-{n}"} for n in range(CONCURRENCY)],
        }
        return await _create(client, auth, "equipment", body)
    c_arms: dict[str, Any] = found[0]
    labels = {u["label"] for u in c_arms["units"] if u["status"] == "available"}
    missing = [f"{tag}-{n}" for n in range(CONCURRENCY) if f"{tag}-{n}" not in labels]
    for label in missing:
        added = await client.post(
            f"{RESOURCES}/equipment/{c_arms['equipment_id']}/units",
            json={"label": label},
            headers=auth,
        )
        added.raise_for_status()
    if missing:
        response = await client.get(f"{RESOURCES}/equipment/{c_arms['equipment_id']}", headers=auth)
        response.raise_for_status()
        c_arms = response.json()
    c_arms["units"] = [u for u in c_arms["units"] if u["status"] == "available"]
    return c_arms


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
        return str(response.json()["surgery_id"])

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


async def _create(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{RESOURCES}/{path}", json=body, headers=auth)
    response.raise_for_status()
    made: dict[str, Any] = response.json()
    return made


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
    """Cancels the benchmark's cases and parks its rooms (in maintenance) and people
    (inactive), so no list shows them as live and the next run takes them up again."""
    everything = [c for cases in corner.cases + corner.burst_cases for c in cases]
    stop = {"reason_code": "administrative", "reason": "Benchmark case"}

    async def cancel(chunk: list[str]) -> None:
        for case in chunk:
            await client.post(f"{SCHEDULING}/surgeries/{case}/cancel", json=stop, headers=auth)

    await asyncio.gather(*(cancel(everything[n::CONCURRENCY]) for n in range(CONCURRENCY)))
    # Parked, not retired: the next run puts them back in service instead of making more.
    # The C-arms stay as they are: units are what the corner's cases hold, nothing else's.
    tag = corner.tag
    parking = [
        ("operating-rooms", room, _room_body(tag, n, "maintenance"))
        for n, room in enumerate(corner.rooms)
    ]
    parking += [
        ("staff", person, _person_body(tag, person["role"], n, "inactive"))
        for people in (corner.surgeons, corner.anaesthetists)
        for n, person in enumerate(people)
    ]
    for path, record, body in parking:
        try:
            await _replace(client, auth, path, record, body)
        except httpx.HTTPError as error:
            print(f"  not parked: {path} {body.get('code') or body['name']} ({error})")
