"""Day lists read from PostgreSQL: per room, per surgeon, per staff member, in few queries.

Wednesday 2027-03-03 and Thursday the 4th, Amsterdam = UTC+1; the team's room and a second
room are open 07:00-19:00 local every day; a third room is closed on Wednesdays.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from contracts.events.resources_operating_rooms import RoomStatus
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.values import LocalTimeRange, WeeklyHours
from scheduling_service.db.tables import audit_log
from scheduling_service.views import schedule
from scheduling_service.views.schedule import DayList, DayListQuery
from servicekit.db import repeatable_read
from servicekit.problems import Problem
from sqlalchemy import event, select, text

from tests.integration.scheduling.schedule_cases import CaseFacts, booked, given_up, reader
from tests.integration.scheduling.world import Scheduling, Team, at, room, team

WEDNESDAY, THURSDAY = date(2027, 3, 3), date(2027, 3, 4)
MINUTE = timedelta(minutes=1)
THURSDAYS_ONLY = WeeklyHours(thursday=(LocalTimeRange(start="07:00", end="19:00"),))


async def _list(scheduling: Scheduling, query: DayListQuery) -> DayList:
    async with scheduling.unit_of_work() as uow:
        return await schedule.day_list(
            uow,
            reader(),
            query,
            timezone=scheduling.settings.hospital_timezone,
            max_days=scheduling.settings.max_range_days,
        )


@contextmanager
def counted(scheduling: Scheduling) -> Iterator[list[str]]:
    """The SQL statements sent while inside."""
    sent: list[str] = []

    def note(*args: Any) -> None:
        sent.append(args[2])

    event.listen(scheduling.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(scheduling.engine.sync_engine, "before_cursor_execute", note)


def _people(made: Team) -> tuple[StaffAssignment, ...]:
    return (
        StaffAssignment(staff_id=made.anaesthetist.staff_id, role="anaesthetist"),
        StaffAssignment(staff_id=made.nurse.staff_id, role="scrub_nurse"),
    )


@pytest.fixture
async def made(scheduling: Scheduling) -> Team:
    return await team(scheduling)


async def test_lists_each_rooms_cases_in_start_order_with_people_and_units(
    scheduling: Scheduling, made: Team
) -> None:
    late = await booked(
        scheduling, made, CaseFacts(at("2027-03-03T14:00:00+01:00"), status="confirmed")
    )
    early = await booked(
        scheduling,
        made,
        CaseFacts(
            at("2027-03-03T08:00:00+01:00"),
            expected=90,
            setup=20,
            cleanup=15,
            status="completed",
            wheels_in=at("2027-03-03T08:05:00+01:00"),
            wheels_out=at("2027-03-03T09:40:00+01:00"),
            others=_people(made),
            unit_ids=(made.unit_ids[0],),
        ),
    )
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY))
    [room_day] = listed.rooms[WEDNESDAY]
    assert room_day.room.room_id == made.room.room_id
    assert [c.row.surgery_id for c in room_day.cases] == [early, late]
    first = room_day.cases[0]
    assert (first.row.status, first.row.surgeon_name) == ("completed", made.surgeon.name)
    assert (first.room_held_from, first.room_held_until) == (
        at("2027-03-03T07:40:00+01:00"),
        at("2027-03-03T09:45:00+01:00"),
    )
    assert (first.row.wheels_in, first.row.wheels_out) == (
        at("2027-03-03T08:05:00+01:00"),
        at("2027-03-03T09:40:00+01:00"),
    )
    # The surgeon first, then by role: anaesthetist, scrub nurse; names from the read model.
    assert [(p.staff_id, p.role, p.name) for p in first.staff] == [
        (made.surgeon.staff_id, "surgeon", made.surgeon.name),
        (made.anaesthetist.staff_id, "anaesthetist", made.anaesthetist.name),
        (made.nurse.staff_id, "scrub_nurse", made.nurse.name),
    ]
    assert [(u.unit_id, u.label, u.equipment_type) for u in first.units] == [
        (made.unit_ids[0], made.c_arms.units[0].label, "c_arm")
    ]


async def test_shows_rooms_open_that_day_or_holding_a_case_in_code_order(
    scheduling: Scheduling, made: Team
) -> None:
    idle = room(code="ZZ-IDLE")
    closed = room(code="AA-THU", weekly_hours=THURSDAYS_ONLY)
    await scheduling.know(idle, closed)
    # A case in the room closed on Wednesdays (booked as if by an exception) shows it anyway.
    await booked(
        scheduling, made, CaseFacts(at("2027-03-03T10:00:00+01:00"), room_id=closed.room_id)
    )
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, THURSDAY))
    wednesday = [(r.room.code, len(r.cases), bool(r.open)) for r in listed.rooms[WEDNESDAY]]
    assert wednesday == [
        ("AA-THU", 1, False),
        (made.room.code, 0, True),
        ("ZZ-IDLE", 0, True),
    ]
    thursday = [r.room.code for r in listed.rooms[THURSDAY]]
    assert thursday == ["AA-THU", made.room.code, "ZZ-IDLE"]
    [open_span] = listed.rooms[THURSDAY][0].open
    assert (open_span.start, open_span.end) == (
        at("2027-03-04T07:00:00+01:00"),
        at("2027-03-04T19:00:00+01:00"),
    )


async def test_rooms_retired_before_the_dates_are_listed_only_for_a_case_they_hold(
    scheduling: Scheduling, made: Team
) -> None:
    gone, held = room(code="AB-GONE"), room(code="AC-HELD")
    await scheduling.know(gone, held)
    await booked(scheduling, made, CaseFacts(at("2027-03-03T10:00:00+01:00"), room_id=held.room_id))
    retired = {
        "retired_at": at("2027-03-01T12:00:00+01:00"),
        "status": RoomStatus.RETIRED,
        "version": 2,
    }
    await scheduling.know(*(r.model_copy(update=retired) for r in (gone, held)))
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, THURSDAY))
    wednesday = [(r.room.code, len(r.cases), bool(r.open)) for r in listed.rooms[WEDNESDAY]]
    assert wednesday[:2] == [("AC-HELD", 1, False), (made.room.code, 0, True)]
    assert [r.room.code for r in listed.rooms[THURSDAY]] == [made.room.code]
    [case] = listed.rooms[WEDNESDAY][0].cases
    assert case.room is not None and case.room.version == 2


async def test_a_room_changed_since_the_last_list_is_listed_as_it_is_now(
    scheduling: Scheduling, made: Team
) -> None:
    both_days = DayListQuery(WEDNESDAY, THURSDAY)
    assert [r.room.name for r in (await _list(scheduling, both_days)).rooms[WEDNESDAY]] == [
        made.room.name
    ]
    changed = {"name": "Theatre renamed", "weekly_hours": THURSDAYS_ONLY, "version": 2}
    await scheduling.know(made.room.model_copy(update=changed))
    listed = await _list(scheduling, both_days)
    assert listed.rooms[WEDNESDAY] == []
    assert [r.room.name for r in listed.rooms[THURSDAY]] == ["Theatre renamed"]


async def test_one_room_is_listed_every_date_open_or_not(
    scheduling: Scheduling, made: Team
) -> None:
    closed = room(code="OR-THU", weekly_hours=THURSDAYS_ONLY)
    await scheduling.know(closed)
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, THURSDAY, room_id=closed.room_id))
    assert [(day, [r.room.room_id for r in rooms]) for day, rooms in listed.rooms.items()] == [
        (WEDNESDAY, [closed.room_id]),
        (THURSDAY, [closed.room_id]),
    ]
    assert listed.rooms[WEDNESDAY][0].open == []


async def test_a_case_belongs_to_the_local_date_it_starts_on(
    scheduling: Scheduling, made: Team
) -> None:
    # 23:30Z on the 3rd is 00:30 on the 4th in Amsterdam.
    night = await booked(scheduling, made, CaseFacts(at("2027-03-03T23:30:00Z")))
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, THURSDAY, room_id=made.room.room_id))
    assert listed.rooms[WEDNESDAY][0].cases == []
    assert [c.row.surgery_id for c in listed.rooms[THURSDAY][0].cases] == [night]


async def test_leaves_out_cancelled_and_postponed_cases(scheduling: Scheduling, made: Team) -> None:
    kept = await booked(scheduling, made, CaseFacts(at("2027-03-03T08:00:00+01:00")))
    for status in ("cancelled", "postponed"):
        await given_up(
            scheduling,
            made,
            CaseFacts(at("2027-03-03T12:00:00+01:00")),
            at=at("2027-03-01T09:00:00Z"),
            to_status=status,
        )
    listed = await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY))
    assert [c.row.surgery_id for c in listed.rooms[WEDNESDAY][0].cases] == [kept]


async def test_a_surgeons_list_has_the_cases_they_operate_and_a_staff_list_any_role(
    scheduling: Scheduling, made: Team
) -> None:
    with_team = await booked(
        scheduling, made, CaseFacts(at("2027-03-03T08:00:00+01:00"), others=_people(made))
    )
    alone = await booked(scheduling, made, CaseFacts(at("2027-03-04T08:00:00+01:00")))
    surgeon = made.surgeon.staff_id
    as_surgeon = await _list(
        scheduling, DayListQuery(WEDNESDAY, THURSDAY, view="surgeon", staff_id=surgeon)
    )
    assert {d: [c.row.surgery_id for c in cs] for d, cs in as_surgeon.cases.items()} == {
        WEDNESDAY: [with_team],
        THURSDAY: [alone],
    }
    nurse = made.nurse.staff_id
    as_nurse = await _list(
        scheduling, DayListQuery(WEDNESDAY, THURSDAY, view="staff", staff_id=nurse)
    )
    assert as_nurse.person is not None and as_nurse.person.staff_id == nurse
    assert {d: [c.row.surgery_id for c in cs] for d, cs in as_nurse.cases.items()} == {
        WEDNESDAY: [with_team],
        THURSDAY: [],
    }
    # Everyone on the case is listed, not only the person asked about.
    assert len(as_nurse.cases[WEDNESDAY][0].staff) == 3


async def test_records_one_audit_entry_naming_every_case_returned(
    scheduling: Scheduling, made: Team
) -> None:
    ids = [
        await booked(scheduling, made, CaseFacts(at(f"2027-03-03T{hour}:00:00+01:00")))
        for hour in ("08", "10", "12")
    ]
    await _list(scheduling, DayListQuery(WEDNESDAY, WEDNESDAY, room_id=made.room.room_id))
    async with scheduling.unit_of_work() as uow:
        entries = (await uow.session.execute(select(audit_log))).all()
    [entry] = entries
    assert (entry.action, entry.record_type, entry.record_id) == (
        "schedule.read",
        "schedule",
        str(made.room.room_id),
    )
    assert entry.details["surgery_ids"] == [str(i) for i in ids]
    assert entry.details["query"] == {
        "view": "rooms",
        "from": "2027-03-03",
        "to": "2027-03-03",
        "room_id": str(made.room.room_id),
    }


async def test_reads_a_fixed_number_of_statements_whatever_the_number_of_cases(
    scheduling: Scheduling, made: Team
) -> None:
    def facts(start: datetime) -> CaseFacts:
        return CaseFacts(start, others=_people(made), unit_ids=(made.unit_ids[0],))

    queries = [
        DayListQuery(WEDNESDAY, THURSDAY),
        DayListQuery(WEDNESDAY, THURSDAY, view="surgeon", staff_id=made.surgeon.staff_id),
        DayListQuery(WEDNESDAY, THURSDAY, view="staff", staff_id=made.nurse.staff_id),
    ]

    async def statements() -> list[int]:
        sent = []
        for query in queries:
            with counted(scheduling) as during:
                await _list(scheduling, query)
            sent.append(len(during))
        return sent

    await booked(scheduling, made, facts(at("2027-03-03T08:00:00+01:00")))
    await statements()  # a process validates a room's snapshot once, reading it a second time
    with_one = await statements()
    for n in range(6):
        await booked(scheduling, made, facts(at("2027-03-04T08:00:00+01:00") + n * 90 * MINUTE))
    # Rooms or the person (+ rooms), the cases with their people and units, the audit entry
    # (its log row and its event in one statement); REPEATABLE READ comes with the BEGIN.
    assert with_one == await statements() == [3, 4, 4]


async def test_a_list_reads_one_snapshot_and_leaves_the_next_transaction_as_it_was(
    scheduling: Scheduling,
) -> None:
    """`repeatable_read` says the isolation with the BEGIN, not in a statement of its own; the
    pooled connection's next transaction is the default READ COMMITTED again."""
    isolation = text("SHOW transaction_isolation")
    for _ in range(2):
        with counted(scheduling) as during:
            async with scheduling.unit_of_work() as uow:
                await repeatable_read(uow.session)
                assert await uow.session.scalar(isolation) == "repeatable read"
        assert during == ["SHOW transaction_isolation"]
        async with scheduling.unit_of_work() as uow:
            assert await uow.session.scalar(isolation) == "read committed"


async def test_refuses_unknown_rooms_and_people_and_bad_ranges(
    scheduling: Scheduling, made: Team
) -> None:
    too_long = WEDNESDAY + timedelta(days=scheduling.settings.max_range_days)
    for query, status in (
        (DayListQuery(WEDNESDAY, WEDNESDAY, room_id=uuid.uuid4()), 404),
        (DayListQuery(WEDNESDAY, WEDNESDAY, view="staff", staff_id=uuid.uuid4()), 404),
        (DayListQuery(WEDNESDAY, too_long), 422),
        (DayListQuery(THURSDAY, WEDNESDAY), 422),
    ):
        with pytest.raises(Problem) as refused:
            await _list(scheduling, query)
        assert refused.value.status == status
    # Exactly the longest range is fine.
    last = WEDNESDAY + timedelta(days=scheduling.settings.max_range_days - 1)
    assert len((await _list(scheduling, DayListQuery(WEDNESDAY, last))).rooms) == 92


async def test_local_dates_follow_the_clock_change(scheduling: Scheduling, made: Team) -> None:
    # Amsterdam springs forward on Sunday 2027-03-28 at 02:00 (UTC+1 → UTC+2). 00:30 local that
    # day is 23:30Z on the 27th; 07:00-19:00 local is 05:00-17:00Z.
    sunday = date(2027, 3, 28)
    night = await booked(scheduling, made, CaseFacts(at("2027-03-27T23:30:00Z")))
    listed = await _list(scheduling, DayListQuery(sunday, sunday, room_id=made.room.room_id))
    [room_day] = listed.rooms[sunday]
    assert [c.row.surgery_id for c in room_day.cases] == [night]
    [open_span] = room_day.open
    assert (open_span.start, open_span.end) == (
        at("2027-03-28T05:00:00Z"),
        at("2027-03-28T17:00:00Z"),
    )
