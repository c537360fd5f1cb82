"""The stream of commands sent through the gateway while the faults happen.

A few writers, each in turn: create an operating room (resources; scheduling's read model
follows it), rename it (a second snapshot), and request a case (scheduling; its event goes to
`scheduling.surgeries.v1`). Nothing is retried: each command is sent once and its answer, or the
lack of one, is written in the ledger under the fault under way when it was sent.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.chaos.ledger import CALM, Answer, Ledger

RESOURCES = "/api/resources"
SCHEDULING = "/api/scheduling"
ALL_DAY = {
    day: [{"start": "07:00", "end": "19:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}


@dataclass
class Stream:
    client: httpx.AsyncClient
    auth: dict[str, str]
    tag: str  # starts every code and MRN of this run
    surgeon_id: str
    ledger: Ledger
    phase: Callable[[], str]
    pause: float = 0.05

    async def run(self, stop: asyncio.Event, writers: int) -> None:
        await asyncio.gather(*(self._writer(n, stop) for n in range(writers)))

    async def _writer(self, n: int, stop: asyncio.Event) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            room = await self._create_room(f"{self.tag}-{n}-{i}")
            if room is not None:
                await self._rename_room(room)
            await self._request_case(f"{self.tag.upper()}-{n}-{i}")
            await asyncio.sleep(self.pause)

    async def _create_room(self, code: str) -> dict[str, Any] | None:
        body = {"code": code, "name": "Chaos theatre", "capabilities": ["general"]}
        response = await self._send(
            "create room",
            lambda: self.client.post(
                f"{RESOURCES}/operating-rooms",
                json={**body, "weekly_hours": ALL_DAY},
                headers=self.auth,
            ),
        )
        if response is None or response.status_code != 201:
            return None
        room = response.json()
        self.ledger.rooms[room["room_id"]] = room["version"]
        return room

    async def _rename_room(self, room: dict[str, Any]) -> None:
        body = {
            "code": room["code"],
            "name": "Chaos theatre, renamed",
            "capabilities": room["capabilities"],
            "weekly_hours": ALL_DAY,
        }
        headers = {**self.auth, "If-Match": f'"{room["version"]}"'}
        response = await self._send(
            "rename room",
            lambda: self.client.put(
                f"{RESOURCES}/operating-rooms/{room['room_id']}", json=body, headers=headers
            ),
        )
        if response is not None and response.status_code == 200:
            self.ledger.rooms[room["room_id"]] = response.json()["version"]

    async def _request_case(self, mrn: str) -> None:
        body = {
            "patient_mrn": mrn,
            "procedure": {"code": "W40.1", "name": "Chaos procedure"},
            "surgeon_id": self.surgeon_id,
            "specialty": "orthopaedics",
            "expected_duration_minutes": 60,
            "setup_minutes": 10,
            "cleanup_minutes": 10,
            "priority": "elective",
            "equipment_types": [],
            "anaesthesia_type": "general",
            "staff_roles_needed": [],
        }
        response = await self._send(
            "request case",
            lambda: self.client.post(f"{SCHEDULING}/surgeries", json=body, headers=self.auth),
        )
        if response is not None and response.status_code == 201:
            self.ledger.cases[response.json()["surgery_id"]] = mrn
        else:
            self.ledger.unacknowledged_mrns.add(mrn)

    async def _send(
        self, command: str, call: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response | None:
        sent_during = self.phase()
        try:
            response: httpx.Response | None = await call()
        except httpx.TransportError:
            response = None
        # A fault that began while the command was on its way is the one it met.
        phase = self.phase() if self.phase() != CALM else sent_during
        if response is None:
            self.ledger.note(Answer(command, phase, None))
            return None
        retry_after = "retry-after" in response.headers
        self.ledger.note(Answer(command, phase, response.status_code, retry_after))
        return response


def run_tag() -> str:
    """A word no other run uses; room codes (at most 20 characters) start with it."""
    return f"x{uuid.uuid4().hex[:6]}"
