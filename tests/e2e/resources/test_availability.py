"""Availability through the gateway: exact UTC intervals, across Amsterdam's clock changes.

Europe/Amsterdam springs forward on Sunday 2027-03-28 (02:00 CET becomes 03:00 CEST) and falls
back on Sunday 2027-10-31 (03:00 CEST becomes 02:00 CET).
"""

from __future__ import annotations

import pytest

from tests.e2e.resources.conftest import (
    AVAILABILITY,
    BLOCKS,
    EQUIPMENT,
    ROOMS,
    STAFF,
    assert_problem,
    create,
    create_equipment,
    create_room,
    create_staff,
)

pytestmark = pytest.mark.e2e

ROOM_HOURS = {
    "saturday": [{"start": "08:00", "end": "16:00"}],
    # 01:00-04:00 local: three hours on the clock, two on spring-forward night, four at fall-back.
    "sunday": [{"start": "01:00", "end": "04:00"}],
    "monday": [{"start": "08:00", "end": "16:00"}],
}
SPRING = {"from": "2027-03-27", "to": "2027-03-29"}
FALL = {"from": "2027-10-30", "to": "2027-10-31"}


def windows(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"start": start, "end": end} for start, end in pairs]


async def availability(gateway, headers, **params) -> dict:
    response = await gateway.get(AVAILABILITY, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def add(gateway, headers, path: str, body: dict) -> None:
    response = await gateway.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_a_room_is_open_its_weekly_hours_changed_by_its_exceptions_across_spring_forward(
    gateway, coordinator, viewer
):
    room = await create_room(gateway, coordinator, weekly_hours=ROOM_HOURS)
    exceptions = f"{ROOMS}/{room['room_id']}/exceptions"
    for kind, start, end in [
        ("extended_hours", "2027-03-27T16:00:00+01:00", "2027-03-27T18:00:00+01:00"),
        ("maintenance", "2027-03-27T07:00:00+01:00", "2027-03-27T09:00:00+01:00"),
        ("closure", "2027-03-29T10:00:00+02:00", "2027-03-29T11:00:00+02:00"),
    ]:
        await add(gateway, coordinator, exceptions, {"kind": kind, "start": start, "end": end})

    found = await availability(gateway, viewer, **SPRING, room_id=room["room_id"], kind="rooms")

    assert (found["from"], found["to"], found["timezone"]) == (
        "2027-03-27",
        "2027-03-29",
        "Europe/Amsterdam",
    )
    assert found["window"] == {"start": "2027-03-26T23:00:00Z", "end": "2027-03-29T22:00:00Z"}
    assert (found["staff"], found["equipment_units"]) == ([], [])
    [calendar] = found["rooms"]
    assert (calendar["room_id"], calendar["code"], calendar["status"]) == (
        room["room_id"],
        room["code"],
        "active",
    )
    assert calendar["open_intervals"] == windows(
        ("2027-03-27T08:00:00Z", "2027-03-27T17:00:00Z"),
        ("2027-03-28T00:00:00Z", "2027-03-28T02:00:00Z"),
        ("2027-03-29T06:00:00Z", "2027-03-29T08:00:00Z"),
        ("2027-03-29T09:00:00Z", "2027-03-29T14:00:00Z"),
    )
    assert calendar["open_minutes_by_date"] == {
        "2027-03-27": 540,
        "2027-03-28": 120,
        "2027-03-29": 420,
    }


async def test_a_room_night_session_lasts_an_hour_longer_when_the_clocks_fall_back(
    gateway, coordinator
):
    room = await create_room(gateway, coordinator, weekly_hours=ROOM_HOURS)

    found = await availability(gateway, coordinator, **FALL, room_id=room["room_id"], kind="rooms")

    assert found["window"] == {"start": "2027-10-29T22:00:00Z", "end": "2027-10-31T23:00:00Z"}
    [calendar] = found["rooms"]
    assert calendar["open_intervals"] == windows(
        ("2027-10-30T06:00:00Z", "2027-10-30T14:00:00Z"),
        ("2027-10-30T23:00:00Z", "2027-10-31T03:00:00Z"),
    )
    assert calendar["open_minutes_by_date"] == {"2027-10-30": 480, "2027-10-31": 240}


async def test_a_whole_day_lasts_23_hours_in_spring_and_25_in_autumn(gateway, coordinator):
    always = {"sunday": [{"start": "00:00", "end": "24:00"}]}
    room = await create_room(gateway, coordinator, weekly_hours=always)

    def sunday(day):
        return availability(
            gateway, coordinator, **{"from": day, "to": day}, room_id=room["room_id"], kind="rooms"
        )

    spring, fall = (
        (await sunday("2027-03-28"))["rooms"][0],
        (await sunday("2027-10-31"))["rooms"][0],
    )
    assert spring["open_intervals"] == windows(("2027-03-27T23:00:00Z", "2027-03-28T22:00:00Z"))
    assert spring["open_minutes_by_date"] == {"2027-03-28": 23 * 60}
    assert fall["open_intervals"] == windows(("2027-10-30T22:00:00Z", "2027-10-31T23:00:00Z"))
    assert fall["open_minutes_by_date"] == {"2027-10-31": 25 * 60}


async def test_blocks_show_as_utc_occurrences_on_both_sides_of_the_change(gateway, coordinator):
    room = await create_room(gateway, coordinator, weekly_hours=ROOM_HOURS)
    weekly = {"kind": "weekly", "weekdays": ["saturday", "monday"], "valid_from": "2027-03-01"}
    body = {"room_id": room["room_id"], "service": "orthopaedics", "start_time": "08:00"}
    every_week = await create(
        gateway, BLOCKS, {**body, "recurrence": weekly, "end_time": "12:00"}, coordinator
    )
    # 01:00 to 03:00 on spring-forward night: 02:00 to 03:00 does not exist, one hour is left.
    night = await create(
        gateway,
        BLOCKS,
        {
            **body,
            "recurrence": {"kind": "date", "date": "2027-03-28"},
            "start_time": "01:00",
            "end_time": "03:00",
        },
        coordinator,
    )

    [calendar] = (
        await availability(gateway, coordinator, **SPRING, room_id=room["room_id"], kind="rooms")
    )["rooms"]

    assert [(b["block_id"], b["start"], b["end"]) for b in calendar["blocks"]] == [
        (every_week["block_id"], "2027-03-27T07:00:00Z", "2027-03-27T11:00:00Z"),
        (night["block_id"], "2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z"),
        (every_week["block_id"], "2027-03-29T06:00:00Z", "2027-03-29T10:00:00Z"),
    ]
    assert all(
        (b["room_id"], b["service"], b["surgeon_id"]) == (room["room_id"], "orthopaedics", None)
        for b in calendar["blocks"]
    )


async def test_a_staff_member_works_their_pattern_outside_their_absences(gateway, coordinator):
    pattern = {
        "saturday": [{"start": "07:00", "end": "15:00"}],
        "monday": [{"start": "07:00", "end": "15:00"}],
    }
    member = await create_staff(
        gateway, coordinator, role="anaesthetist", working_pattern=pattern, max_minutes_per_day=360
    )
    absence = {"start": "2027-03-29T12:00:00+02:00", "end": "2027-03-30T00:00:00+02:00"}
    await add(gateway, coordinator, f"{STAFF}/{member['staff_id']}/absences", absence)

    found = await availability(
        gateway, coordinator, **SPRING, staff_id=member["staff_id"], kind="staff"
    )

    assert found["rooms"] == []
    [person] = found["staff"]
    assert (person["staff_id"], person["role"], person["max_minutes_per_day"]) == (
        member["staff_id"],
        "anaesthetist",
        360,
    )
    assert person["available_intervals"] == windows(
        ("2027-03-27T06:00:00Z", "2027-03-27T14:00:00Z"),
        ("2027-03-29T05:00:00Z", "2027-03-29T10:00:00Z"),
    )


async def test_an_inactive_staff_member_is_never_available(gateway, coordinator):
    member = await create_staff(gateway, coordinator, status="inactive")

    found = await availability(
        gateway, coordinator, **SPRING, staff_id=member["staff_id"], kind="staff"
    )

    assert [(p["status"], p["available_intervals"]) for p in found["staff"]] == [("inactive", [])]


async def test_an_equipment_unit_is_available_outside_its_maintenance(gateway, coordinator):
    item = await create_equipment(
        gateway, coordinator, turnaround_minutes=45, units=[{"label": "A"}, {"label": "B"}]
    )
    serviced, idle = item["units"]
    maintenance = {"start": "2027-03-28T01:00:00+01:00", "end": "2027-03-28T05:00:00+02:00"}
    path = f"{EQUIPMENT}/{item['equipment_id']}/units/{serviced['unit_id']}/maintenance"
    await add(gateway, coordinator, path, maintenance)

    found = await availability(
        gateway,
        coordinator,
        **SPRING,
        unit_id=[serviced["unit_id"], idle["unit_id"]],
        kind="equipment",
    )

    assert [(u["unit_id"], u["turnaround_minutes"]) for u in found["equipment_units"]] == [
        (serviced["unit_id"], 45),
        (idle["unit_id"], 45),
    ]
    first, second = found["equipment_units"]
    assert first["available_intervals"] == windows(
        ("2027-03-26T23:00:00Z", "2027-03-28T00:00:00Z"),
        ("2027-03-28T03:00:00Z", "2027-03-29T22:00:00Z"),
    )
    assert second["available_intervals"] == windows(
        ("2027-03-26T23:00:00Z", "2027-03-29T22:00:00Z")
    )


async def test_units_in_maintenance_offer_no_time_and_retired_units_are_left_out(
    gateway, coordinator
):
    item = await create_equipment(
        gateway, coordinator, units=[{"label": "Resting"}, {"label": "Gone"}, {"label": "Free"}]
    )
    resting, gone, free = (u["unit_id"] for u in item["units"])
    units = f"{EQUIPMENT}/{item['equipment_id']}/units"
    await gateway.put(
        f"{units}/{resting}",
        json={"label": "Resting", "status": "in_maintenance"},
        headers=coordinator,
    )
    await gateway.post(f"{units}/{gone}/retire", headers=coordinator)

    found = await availability(
        gateway, coordinator, **FALL, unit_id=[resting, gone, free], kind="equipment"
    )

    assert [
        (u["label"], u["status"], u["available_intervals"]) for u in found["equipment_units"]
    ] == [
        ("Resting", "in_maintenance", []),
        ("Free", "available", windows(("2027-10-29T22:00:00Z", "2027-10-31T23:00:00Z"))),
    ]


async def test_rooms_in_maintenance_and_retired_resources_offer_no_time(gateway, coordinator):
    resting = await create_room(gateway, coordinator, weekly_hours=ROOM_HOURS, status="maintenance")
    retired = await create_room(gateway, coordinator, weekly_hours=ROOM_HOURS)
    await gateway.post(f"{ROOMS}/{retired['room_id']}/retire", headers=coordinator)

    found = await availability(
        gateway,
        coordinator,
        **SPRING,
        room_id=[resting["room_id"], retired["room_id"]],
        kind="rooms",
    )

    assert [(r["room_id"], r["status"], r["open_intervals"]) for r in found["rooms"]] == [
        (resting["room_id"], "maintenance", [])
    ]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2027-03-29", "to": "2027-03-27"}, "before"),
        ({"from": "2027-01-01", "to": "2027-12-31"}, "at most 92 days"),
        ({"from": "2027-03-27"}, "to"),
        ({"from": "2027-02-30", "to": "2027-03-01"}, "from"),
        ({**SPRING, "kind": "beds"}, "kind"),
    ],
)
async def test_refuses_a_range_it_cannot_answer(gateway, viewer, params, says):
    response = await gateway.get(AVAILABILITY, params=params, headers=viewer)

    assert_problem(response, 422, says)


async def test_availability_needs_a_token(gateway):
    response = await gateway.get(AVAILABILITY, params=SPRING)

    assert_problem(response, 401)
