"""Input nobody should send is refused with a clear 422, never a 500, and stores nothing."""

from __future__ import annotations

import pytest

from tests.e2e.resources.conftest import (
    AVAILABILITY,
    BLOCKS,
    EQUIPMENT,
    ROOMS,
    STAFF,
    assert_problem,
    create_room,
    room_body,
    staff_body,
)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (ROOMS, room_body(name="Theatre\x00one")),
        (STAFF, staff_body(name="Dr\x00Grey")),
        (STAFF, staff_body(skills=[f"skill_{n}" for n in range(101)])),
        (
            EQUIPMENT,
            {
                "name": "Scope",
                "equipment_type": "endoscope",
                "mobile": True,
                "units": [{"label": "One\x00"}],
            },
        ),
    ],
    ids=["nul-in-room-name", "nul-in-staff-name", "too-many-skills", "nul-in-unit-label"],
)
async def test_a_record_with_unstorable_or_oversized_fields_is_refused(
    gateway, coordinator, path, body
):
    response = await gateway.post(path, json=body, headers=coordinator)

    assert_problem(response, 422)


@pytest.mark.parametrize("q", ["\x00", "a\x00b"])
async def test_a_search_for_a_nul_character_is_refused_not_crashed(gateway, coordinator, q):
    response = await gateway.get(ROOMS, params={"q": q}, headers=coordinator)

    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("first", "last"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")]
)
async def test_availability_far_outside_the_planned_years_is_refused(
    gateway, coordinator, first, last
):
    response = await gateway.get(
        AVAILABILITY, params={"from": first, "to": last}, headers=coordinator
    )

    assert_problem(response, 422, "years")


@pytest.mark.parametrize(
    "recurrence",
    [
        {"kind": "date", "date": "9999-12-31"},
        {"kind": "weekly", "weekdays": ["monday"], "valid_from": "9999-12-20"},
    ],
)
async def test_a_block_in_the_far_future_is_refused(gateway, coordinator, recurrence):
    room = await create_room(gateway, coordinator)
    body = {
        "room_id": room["room_id"],
        "service": "cardiac",
        "recurrence": recurrence,
        "start_time": "08:00",
        "end_time": "12:00",
    }

    response = await gateway.post(BLOCKS, json=body, headers=coordinator)

    assert_problem(response, 422, "years")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:10:00+01:00", "0001-01-02T00:00:00+01:00"),
        ("2027-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"),
    ],
)
async def test_a_dated_window_outside_the_planned_years_is_refused(
    gateway, coordinator, start, end
):
    room = await create_room(gateway, coordinator)
    body = {"kind": "closure", "start": start, "end": end}

    response = await gateway.post(
        f"{ROOMS}/{room['room_id']}/exceptions", json=body, headers=coordinator
    )

    assert_problem(response, 422, "years")
    assert (await gateway.get(f"{ROOMS}/{room['room_id']}", headers=coordinator)).json()[
        "exceptions"
    ] == []
