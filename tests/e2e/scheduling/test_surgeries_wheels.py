"""Wheels in and wheels out through the gateway: a case taking place now comes into its room and
leaves it; times that cannot be true (ahead of the clock, far from the booking) are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.scheduling.cases import (
    book,
    from_now,
    move,
    moved,
    request_case,
    round_the_clock_world,
)
from tests.e2e.scheduling.conftest import (
    SURGERIES,
    World,
    assert_problem,
    if_match,
    retire_world,
)

NO_BED = {"reason_code": "no_bed", "reason": "No ICU bed after surgery"}


@pytest.fixture
async def ward(gateway: httpx.AsyncClient, admin: dict[str, str]) -> AsyncIterator[World]:
    """A world open around the clock, where a case booked to start now fits at any hour."""
    made = await round_the_clock_world(gateway, admin)
    yield made
    await retire_world(gateway, admin, made)


async def _booked_now(
    client: httpx.AsyncClient, headers: dict[str, str], ward: World
) -> dict[str, Any]:
    """A case of `ward`'s booked to start two minutes from now."""
    case = await request_case(client, headers, ward)
    return await book(client, headers, ward, case, from_now(2))


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_booked_case_goes_confirmed_into_the_room_and_out(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str]
) -> None:
    case = await _booked_now(gateway, coordinator, ward)
    assert case["status"] == "scheduled"
    confirmed = await moved(gateway, if_match(coordinator, case), case, "confirm")
    assert confirmed["status"] == "confirmed" and confirmed["booking"] == case["booking"]
    came_in = from_now(-2)
    # A coordinator records them here; the people on the case do too (test_surgeries_access).
    in_room = await moved(gateway, coordinator, confirmed, "wheels-in", {"at": came_in})
    assert in_room["status"] == "in_room"
    assert _at(in_room["wheels_in"]) == _at(came_in)
    went_out = from_now(0)
    done = await moved(gateway, coordinator, in_room, "wheels-out", {"at": went_out})
    assert (done["status"], _at(done["wheels_out"])) == ("completed", _at(went_out))
    assert done["booking"] == case["booking"]
    for action, body in (("cancel", NO_BED), ("postpone", NO_BED), ("wheels-in", None)):
        assert_problem(await move(gateway, coordinator, done, action, body), 409, "completed")


async def test_wheels_in_and_out_default_to_now_and_a_scheduled_case_may_skip_confirming(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str]
) -> None:
    case = await _booked_now(gateway, coordinator, ward)
    before = datetime.now(UTC) - timedelta(seconds=5)
    in_room = await moved(gateway, coordinator, case, "wheels-in")
    assert before <= _at(in_room["wheels_in"]) <= datetime.now(UTC) + timedelta(seconds=5)
    assert_problem(await move(gateway, coordinator, in_room, "cancel", NO_BED), 409, "in_room")
    done = await moved(gateway, coordinator, in_room, "wheels-out")
    assert _at(in_room["wheels_in"]) < _at(done["wheels_out"]) <= datetime.now(UTC)


async def test_refuses_a_wheels_out_time_not_after_wheels_in(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str]
) -> None:
    case = await _booked_now(gateway, coordinator, ward)
    came_in = from_now(-3)
    in_room = await moved(gateway, coordinator, case, "wheels-in", {"at": came_in})
    for at in (came_in, from_now(-4)):
        response = await move(gateway, coordinator, in_room, "wheels-out", {"at": at})
        assert_problem(response, 422, "must be after wheels_in")
    naive = await move(gateway, coordinator, in_room, "wheels-out", {"at": "2027-01-01T10:00"})
    assert_problem(naive, 422, "at")


async def test_refuses_wheels_times_ahead_of_the_clock(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str]
) -> None:
    case = await _booked_now(gateway, coordinator, ward)
    for at in ("2199-01-01T09:00:00+01:00", from_now(10)):
        response = await move(gateway, coordinator, case, "wheels-in", {"at": at})
        assert_problem(response, 422, "wheels_in", "is in the future", "at most 5 minutes")
    in_room = await moved(gateway, coordinator, case, "wheels-in", {"at": from_now(-1)})
    for at in ("2199-01-01T09:00:00+01:00", from_now(10)):
        response = await move(gateway, coordinator, in_room, "wheels-out", {"at": at})
        assert_problem(response, 422, "wheels_out", "is in the future", "at most 5 minutes")
    assert (await moved(gateway, coordinator, in_room, "wheels-out"))["status"] == "completed"


async def test_refuses_a_wheels_in_long_before_the_booked_start_and_writes_nothing(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    """Weeks ahead of the test day's 09:00 booking, now (the default) is not its wheels in."""
    case = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    for body in (None, {"at": from_now(-60)}):
        response = await move(gateway, coordinator, case, "wheels-in", body)
        assert_problem(response, 422, "more than 12 hours before the booked start")
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert (read.json()["status"], read.json()["version"]) == ("scheduled", case["version"])
