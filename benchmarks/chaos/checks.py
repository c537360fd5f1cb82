"""After the faults: did every acknowledged write reach its owner, Kafka and the read model that
consumes it, exactly once, with nothing parked in a DLQ?"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from typing import Any

import httpx
from contracts.topics import RESOURCES_OPERATING_ROOMS, SCHEDULING_SURGERIES

from benchmarks.chaos.kafka_log import DLQS
from benchmarks.chaos.ledger import Findings, Ledger
from benchmarks.chaos.stream import RESOURCES, SCHEDULING


async def rooms_of_run(client: httpx.AsyncClient, auth: dict[str, str], tag: str) -> list[dict]:
    return await _all(
        client, f"{RESOURCES}/operating-rooms", auth, {"q": tag, "include_retired": "true"}
    )


async def cases_of_run(
    client: httpx.AsyncClient, auth: dict[str, str], surgeon_id: str
) -> list[dict]:
    return await _all(client, f"{SCHEDULING}/surgeries", auth, {"surgeon_id": surgeon_id})


async def check_rooms(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    tag: str,
    ledger: Ledger,
    findings: Findings,
    settle_seconds: float,
) -> None:
    """Each acknowledged room is in resources at its version or later, and every room resources
    holds reaches scheduling's read model at resources' version."""
    held = await rooms_of_run(client, auth, tag)
    by_code = Counter(room["code"] for room in held)
    findings.duplicated += [f"room {code} held {n} times" for code, n in by_code.items() if n > 1]
    versions = {room["room_id"]: room["version"] for room in held}
    for room_id, version in ledger.rooms.items():
        if versions.get(room_id, -1) < version:
            findings.lost.append(
                f"room {room_id} v{version}: resources holds {versions.get(room_id)}"
            )
    findings.applied_unacknowledged += len(set(versions) - set(ledger.rooms))
    behind = await _until_read_model_holds(client, auth, versions, settle_seconds)
    findings.lost += [f"room {r} v{v} never reached scheduling's read model" for r, v in behind]


async def _until_read_model_holds(
    client: httpx.AsyncClient, auth: dict[str, str], versions: dict[str, int], seconds: float
) -> list[tuple[str, int]]:
    waiting = dict(versions)
    deadline = time.monotonic() + seconds
    while waiting:
        for room_id, version in list(waiting.items()):
            known = await client.get(f"{SCHEDULING}/read-model/rooms/{room_id}", headers=auth)
            if known.status_code == 200 and known.json()["version"] == version:
                del waiting[room_id]
        if not waiting or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    return sorted(waiting.items())


async def check_cases(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    surgeon_id: str,
    ledger: Ledger,
    findings: Findings,
) -> list[dict[str, Any]]:
    """Each acknowledged case is on the waiting list once; each MRN was requested once."""
    held = await cases_of_run(client, auth, surgeon_id)
    by_mrn = Counter(case["patient_mrn"] for case in held)
    findings.duplicated += [f"one request held {n} times" for n in by_mrn.values() if n > 1]
    ids = {case["surgery_id"] for case in held}
    findings.lost += [
        f"case {case_id} not on the waiting list" for case_id in ledger.cases.keys() - ids
    ]
    findings.applied_unacknowledged += sum(
        1 for case in held if case["patient_mrn"] in ledger.unacknowledged_mrns
    )
    return held


def check_events(
    messages: dict[str, list[dict[str, Any]]],
    rooms: dict[str, int],
    cases: set[str],
    findings: Findings,
) -> None:
    """Every room version and every case the services hold was published, each change under
    one event id (a redelivery repeats the id; a change made twice would not)."""
    room_events = _event_ids(
        messages.get(RESOURCES_OPERATING_ROOMS.name, []), "OperatingRoomUpserted", "room_id", True
    )
    case_events = _event_ids(
        messages.get(SCHEDULING_SURGERIES.name, []), "SurgeryRequested", "surgery_id"
    )
    for room_id, version in rooms.items():
        if not room_events.get((room_id, version)):
            findings.lost.append(f"room {room_id} v{version} never published")
    for case_id in cases:
        if not case_events.get((case_id, None)):
            findings.lost.append(f"case {case_id}'s SurgeryRequested never published")
    for events in (room_events, case_events):
        findings.duplicated += [
            f"{key[0]} published under {len(ids)} event ids"
            for key, ids in events.items()
            if len(ids) > 1 and (key[0] in rooms or key[0] in cases)
        ]
    for topic in DLQS:
        findings.dead_lettered[topic] = len(messages.get(topic, []))


def _event_ids(
    envelopes: list[dict[str, Any]], event_type: str, key: str, versioned: bool = False
) -> dict[tuple[str, int | None], set[str]]:
    """The event ids under which each record (and version) was published."""
    found: dict[tuple[str, int | None], set[str]] = defaultdict(set)
    for envelope in envelopes:
        if envelope.get("event_type") != event_type:
            continue
        data = envelope.get("data") or {}
        version = data.get("version") if versioned else None
        found[(str(data.get(key)), version)].add(envelope.get("event_id"))
    return found


async def _all(
    client: httpx.AsyncClient, path: str, auth: dict[str, str], params: dict[str, str]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = await client.get(
            path, params={**params, "offset": len(items), "limit": 500}, headers=auth
        )
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


async def tidy(
    client: httpx.AsyncClient, auth: dict[str, str], tag: str, surgeon: dict[str, Any] | None
) -> None:
    """Cancels the run's cases and retires its rooms and surgeon, as the e2e tests do, so the
    demo's lists show none of them. Best effort: what refuses stays as it is."""
    stop = {"reason_code": "administrative", "reason": "end of a chaos run"}
    cases = await cases_of_run(client, auth, surgeon["staff_id"]) if surgeon else []
    for case in cases:
        if case["status"] in ("requested", "postponed", "scheduled", "confirmed"):
            await client.post(
                f"{SCHEDULING}/surgeries/{case['surgery_id']}/cancel",
                json=stop,
                headers={**auth, "If-Match": f'"{case["version"]}"'},
            )
    paths = [
        f"{RESOURCES}/operating-rooms/{room['room_id']}"
        for room in await rooms_of_run(client, auth, tag)
        if room.get("retired_at") is None
    ]
    if surgeon:
        paths.append(f"{RESOURCES}/staff/{surgeon['staff_id']}")
    for path in paths:
        current = await client.get(path, headers=auth)
        if current.status_code == 200:
            version = current.json()["version"]
            await client.post(f"{path}/retire", headers={**auth, "If-Match": f'"{version}"'})
