"""A booking request's own rows (the room, its people, its units) are written by the statement
that writes its trail: the same rows `cases.write_bookings` writes, taken in the same order, and
a double booking the database refuses there is still a lost race naming what won."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.read_model import resources_view
from servicekit.problems import Problem
from sqlalchemy import event, text

from tests.integration.scheduling.booking_cases import (
    START,
    coordinator,
    current,
    placement,
    request,
)
from tests.integration.scheduling.world import Scheduling, team

_ROWS = {
    "bookings": "SELECT room_id, starts_at, ends_at, setup_minutes, cleanup_minutes, room_period,"
    " booked_by, run_id FROM bookings WHERE surgery_id = :id",
    "staff_assignments": "SELECT staff_id, role, period FROM staff_assignments"
    " WHERE surgery_id = :id ORDER BY staff_id",
    "equipment_usages": "SELECT unit_id, equipment_type, turnaround_minutes, period"
    " FROM equipment_usages WHERE surgery_id = :id ORDER BY unit_id",
}


async def _rows(session: Any, surgery_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(row) for row in await session.execute(text(query), {"id": surgery_id})]
        for table, query in _ROWS.items()
    }


async def test_a_booking_writes_the_rows_write_bookings_writes_in_its_trail_statement(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    where = placement(made)
    seen: list[str] = []

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(scheduling.engine.sync_engine, "before_cursor_execute", executed)
    try:
        async with scheduling.unit_of_work() as uow:
            await booking.book(
                uow, surgery_id, where, settings=scheduling.settings, actor=coordinator()
            )
    finally:
        event.remove(scheduling.engine.sync_engine, "before_cursor_execute", executed)
    [trail] = [s for s in seen if "UPDATE surgery_requests" in s]
    for table in _ROWS:
        assert f"INSERT INTO {table}" in trail
        assert sum(f"INSERT INTO {table}" in s for s in seen) == 1, table
    async with scheduling.unit_of_work() as uow:
        written = await _rows(uow.session, surgery_id)
        [booked_by] = {row[6] for row in written["bookings"]}
        # The same booking freed and written again the other way, then rolled back.
        taken = await cases.take_bookings(uow.session, [surgery_id])
        units = await resources_view.units_by_id(uow.session, made.unit_ids)
        await cases.write_bookings(uow.session, taken, units, booked_by=booked_by)
        assert await _rows(uow.session, surgery_id) == written
    assert [len(written[table]) for table in _ROWS] == [1, 2, 1]
    row, held = await current(scheduling, surgery_id)
    assert (row.status, held is not None) == ("scheduled", True)


async def _one_booked_one_waiting(scheduling: Scheduling) -> tuple[Any, uuid.UUID]:
    """A team, a case of theirs booked at START (by the new path), and a second still waiting."""
    made = await team(scheduling)
    first, second = await request(scheduling, made), await request(scheduling, made)
    async with scheduling.unit_of_work() as uow:
        await booking.book(
            uow, first, placement(made), settings=scheduling.settings, actor=coordinator()
        )
    return made, second


async def test_a_double_booking_refused_by_the_trail_statement_is_a_race_lost(
    scheduling: Scheduling, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, second = await _one_booked_one_waiting(scheduling)
    # The checks miss the first booking once, as if it had committed just after them.
    judged = booking._judged
    calls = []

    async def blind(*args: Any, **kwargs: Any) -> Any:
        known, found = await judged(*args, **kwargs)
        calls.append(found)
        return known, found if len(calls) > 1 else []

    monkeypatch.setattr(booking, "_judged", blind)
    async with scheduling.unit_of_work() as uow:
        with pytest.raises(booking.RaceLost) as caught:
            await booking.book(
                uow,
                second,
                placement(made, START),
                settings=scheduling.settings,
                actor=coordinator(),
            )
    assert len(calls) == 2 and calls[0]
    conflicts = caught.value.extensions["conflicts"]
    assert conflicts and {c["surgery_id"] for c in conflicts} == {str(second)}
    assert {c["code"] for c in conflicts} == {c.code for _, c in calls[1]}
    row, held = await current(scheduling, second)
    assert (row.status, row.version, held) == ("requested", 1, None)
    async with scheduling.unit_of_work() as uow:
        assert await _rows(uow.session, second) == {table: [] for table in _ROWS}


async def test_a_booking_is_judged_by_the_newest_snapshots_not_those_validated_before(
    scheduling: Scheduling,
) -> None:
    # The first booking leaves its room, people and unit validated in this process; the next
    # versions (all retired) are what the second is judged by.
    made, second = await _one_booked_one_waiting(scheduling)
    gone = {"version": 2, "retired_at": START - timedelta(days=30)}
    await scheduling.know(
        made.room.model_copy(update=gone),
        made.anaesthetist.model_copy(update=gone),
        made.c_arms.model_copy(update=gone),
    )
    with pytest.raises(Problem) as caught:
        async with scheduling.unit_of_work() as uow:
            await booking.book(
                uow,
                second,
                placement(made, START + timedelta(days=1)),
                settings=scheduling.settings,
                actor=coordinator(),
            )
    codes = {c["code"] for c in caught.value.extensions["conflicts"]}
    assert {"room_retired", "staff_retired", "unit_retired"} <= codes


async def test_a_booking_without_units_or_people_moves(scheduling: Scheduling) -> None:
    """A booking with no units and no one besides its surgeon (its units' array reads as NULL)
    is taken up and written again by a move, not answered 500 (the load benchmark's moves once
    were)."""
    made = await team(scheduling)
    surgery_id = await request(scheduling, made, equipment_types=[], staff_roles_needed=[])
    bare = replace(placement(made), staff=(), equipment_unit_ids=())
    for start in (START, START + timedelta(hours=2)):
        async with scheduling.unit_of_work() as uow:
            await booking.book(
                uow,
                surgery_id,
                replace(bare, start=start),
                settings=scheduling.settings,
                actor=coordinator(),
            )
    _row, held = await current(scheduling, surgery_id)
    assert held is not None
    assert (held.start, held.equipment_unit_ids) == (START + timedelta(hours=2), ())
    assert [person.role for person in held.staff] == ["surgeon"]
