"""Long day lists: audited in parts an event can carry; over a week, only rooms in use.

Wednesday 2027-03-03 onwards, Amsterdam; the team's room and an idle one open 07:00-19:00 local
every day.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from scheduling_service.db.tables import audit_log
from scheduling_service.views import schedule
from scheduling_service.views.schedule import DayList, DayListQuery
from servicekit.problems import Problem
from sqlalchemy import Row, select

from tests.integration.scheduling.schedule_cases import CaseFacts, booked, reader
from tests.integration.scheduling.world import Scheduling, Team, at, room, team

WEDNESDAY = date(2027, 3, 3)
DAY = timedelta(days=1)


async def _list(scheduling: Scheduling, query: DayListQuery) -> DayList:
    async with scheduling.unit_of_work() as uow:
        return await schedule.day_list(
            uow,
            reader(),
            query,
            timezone=scheduling.settings.hospital_timezone,
            max_days=scheduling.settings.max_range_days,
        )


async def _entries(scheduling: Scheduling) -> list[Row[Any]]:
    async with scheduling.unit_of_work() as uow:
        rows = await uow.session.execute(select(audit_log).order_by(audit_log.c.at))
        return list(rows)


@pytest.fixture
async def made(scheduling: Scheduling) -> Team:
    return await team(scheduling)


async def test_a_list_naming_more_cases_than_an_entry_takes_is_audited_in_parts(
    scheduling: Scheduling, made: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five cases, two ids to an entry: three entries of 2, 2 and 1, alike but for their ids.
    monkeypatch.setattr(schedule, "AUDIT_IDS_PER_ENTRY", 2)
    ids = [
        str(await booked(scheduling, made, CaseFacts(at(f"2027-03-03T{hour}:00:00+01:00"))))
        for hour in ("08", "10", "12", "14", "16")
    ]
    await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY, room_id=made.room.room_id))
    entries = await _entries(scheduling)
    assert [e.details["surgery_ids"] for e in entries] == [ids[:2], ids[2:4], ids[4:]]
    assert {(e.action, e.record_id) for e in entries} == {("schedule.read", str(made.room.room_id))}
    assert all(e.details["query"]["room_id"] == str(made.room.room_id) for e in entries)


async def test_the_ids_of_25000_cases_fit_in_entries_an_event_can_carry(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 25,000 ids in one entry are about 950 KB, more than the 900 KB an event may carry (the
    # read used to fail with 422); at 2,000 to an entry they are 13 entries.
    ids = [str(uuid.uuid4()) for _ in range(25_000)]
    query = DayListQuery(WEDNESDAY, WEDNESDAY + 91 * DAY)
    async with scheduling.unit_of_work() as uow:
        await schedule.record_read(uow, reader(), query, ids)
        await uow.commit()
    entries = await _entries(scheduling)
    assert [len(e.details["surgery_ids"]) for e in entries] == [2000] * 12 + [1000]
    assert [i for e in entries for i in e.details["surgery_ids"]] == ids
    monkeypatch.setattr(schedule, "AUDIT_IDS_PER_ENTRY", 25_000)
    async with scheduling.unit_of_work() as uow:
        with pytest.raises(Problem) as refused:
            await schedule.record_read(uow, reader(), query, ids)
    assert refused.value.status == 422


async def test_an_empty_list_is_audited_by_one_entry_naming_no_case(
    scheduling: Scheduling, made: Team
) -> None:
    await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY))
    [entry] = await _entries(scheduling)
    assert entry.details["surgery_ids"] == []


async def test_over_more_than_seven_days_only_rooms_holding_cases_are_listed(
    scheduling: Scheduling, made: Team
) -> None:
    idle = room(code="ZZ-IDLE")
    await scheduling.know(idle)
    case = await booked(scheduling, made, CaseFacts(at("2027-03-03T08:00:00+01:00")))
    last = WEDNESDAY + 7 * DAY
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, last))
    # Eight dates, each there; only Wednesday has a room, the one holding the case.
    assert [(d, [r.room.room_id for r in rooms]) for d, rooms in listed.rooms.items()] == [
        (WEDNESDAY, [made.room.room_id]),
        *((WEDNESDAY + n * DAY, []) for n in range(1, 8)),
    ]
    assert [c.row.surgery_id for c in listed.rooms[WEDNESDAY][0].cases] == [case]
    assert listed.rooms[WEDNESDAY][0].open  # its open time still comes with it
    assert not listed.query.lists_empty_rooms


async def test_up_to_seven_days_or_for_one_room_empty_open_rooms_are_listed_too(
    scheduling: Scheduling, made: Team
) -> None:
    idle = room(code="ZZ-IDLE")
    await scheduling.know(idle)
    await booked(scheduling, made, CaseFacts(at("2027-03-03T08:00:00+01:00")))
    week = await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY + 6 * DAY))
    assert len(week.rooms) == 7
    assert all(
        [r.room.room_id for r in rooms] == [made.room.room_id, idle.room_id]
        for rooms in week.rooms.values()
    )
    one_room = await _list(
        scheduling, DayListQuery(WEDNESDAY, WEDNESDAY + 7 * DAY, room_id=idle.room_id)
    )
    assert all(
        [r.room.room_id for r in rooms] == [idle.room_id] for rooms in one_room.rooms.values()
    )
    assert len(one_room.rooms) == 8
