"""A person's part days and on-call days in the problem built from the read model: named per
date, and shrinking what bookings outside the problem leave them that day."""

from __future__ import annotations

from datetime import timedelta

from contracts.values import Weekday
from scheduling_service.planning.planning_ask import Ask

from tests.integration.scheduling.booking_cases import placement, request
from tests.integration.scheduling.test_optimizations_problem import (
    FIRST,
    LAST,
    at,
    book,
    built,
    spans,
    staff_of,
)
from tests.integration.scheduling.world import Scheduling, team


async def test_a_part_day_and_an_on_call_day_are_named_and_bound_the_time_offered(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    assert Weekday.of(FIRST) == Weekday.WEDNESDAY
    part_days = made.anaesthetist.model_copy(
        update={
            "max_minutes_by_weekday": {Weekday.WEDNESDAY: 240},
            "max_minutes_by_date": {FIRST + timedelta(days=1): 120},
            "version": 2,
        }
    )
    # The older snapshot redelivered after the newer one changes nothing.
    await scheduling.know(part_days, made.anaesthetist)
    planned, other = await request(scheduling, made), await request(scheduling, made)
    await book(scheduling, {other: placement(made)})  # Wednesday 09:00-10:30, room 08:40-10:45

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(planned,))
        )
    ).problem

    anaesthetist = staff_of(problem)[made.anaesthetist.staff_id]
    assert anaesthetist.max_minutes_per_day == 600
    assert anaesthetist.max_minutes_by_date == {FIRST: 240, FIRST + timedelta(days=1): 120}
    # 90 of Wednesday's 240 minutes are worked outside the problem: 150 are left, the earliest
    # first, 100 before the other case and 50 after it, too short for a 90-minute case. On
    # Thursday nothing is booked: the whole day is offered and the optimizer keeps to 120.
    assert spans(anaesthetist.available_intervals)[:2] == [
        (at(0, 7), at(0, 8, 40)),
        (at(1, 7), at(1, 19)),
    ]
    # The surgeon keeps one maximum for every day: nothing is named.
    assert staff_of(problem)[made.surgeon.staff_id].max_minutes_by_date == {}
