"""An emergency insertion's problem, built from the database: which days, which booked cases stay
or are re-planned (confirmed ones at a heavier move weight), and what the optimizer is sent.

The team's room is open and its people work 07:00-19:00 local every day; "now" is 09:45 on the
shared booking day (`DAY`, weeks ahead), so nothing is placed before 10:00.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from scheduling_service.cases import case_moves
from scheduling_service.domain.emergency_insertion import (
    CONFIRMED_MOVE_WEIGHT,
    START_DELAY_PER_MINUTE,
    WEIGHTS,
    Step,
)
from scheduling_service.planning.planning_emergency import EmergencyAsk, Insertion, insertion_of
from scheduling_service.planning.planning_problem import build
from servicekit.problems import Problem

from tests.integration.scheduling.booking_cases import (
    DAY,
    coordinator,
    local,
    place,
    placement,
    request,
)
from tests.integration.scheduling.world import Scheduling, Team, team

TIMEZONE = "Europe/Amsterdam"
NOW = local(DAY, 9, 45)
TOMORROW = DAY + timedelta(days=1)


async def booked(
    scheduling: Scheduling, made: Team, start, *, confirmed: bool = False, unit: int = 0
) -> uuid.UUID:
    """A case of the team booked at `start` (90 minutes, 20 setup, 15 cleanup), confirmed or not."""
    case = await request(scheduling, made)
    await place(scheduling, {case: placement(made, start, unit_id=made.unit_ids[unit])})
    if confirmed:
        async with scheduling.unit_of_work() as uow:
            await case_moves.confirm(uow, case, by=coordinator(), if_match=None)
            await uow.commit()
    return case


async def inserted(scheduling: Scheduling, *emergencies: uuid.UUID) -> Insertion:
    async with scheduling.unit_of_work() as uow:
        asked = EmergencyAsk(surgery_ids=emergencies)
        return await insertion_of(uow.session, asked, timezone=TIMEZONE, now=NOW)


async def test_today_alone_keeps_a_started_case_and_re_plans_the_rest_confirmed_ones_dearer(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    started = await booked(scheduling, made, local(DAY, 9))  # due before 10:00
    confirmed = await booked(scheduling, made, local(DAY, 11, 10), confirmed=True, unit=1)
    planned = await booked(scheduling, made, local(DAY, 13, 20))
    tomorrow = await booked(scheduling, made, local(TOMORROW, 9))
    emergency = await request(scheduling, made, priority="emergency")

    found = await inserted(scheduling, emergency)

    assert found.step == Step(days=1)  # 15:05-19:00 is free
    assert found.not_before == local(DAY, 10)
    assert found.sides.kept == (started,)
    assert found.sides.replanned == (confirmed, planned)
    assert found.sides.confirmed == (confirmed,)
    ask = found.ask
    assert (ask.first, ask.last) == (DAY, DAY)
    assert ask.surgery_ids == (emergency, confirmed, planned) and not ask.locked_ids
    async with scheduling.unit_of_work() as uow:
        built = await build(uow.session, ask, timezone=TIMEZONE, now=found.not_before)
    problem = built.problem
    cases = {c.case_id: c for c in problem.cases}
    assert set(cases) == {emergency, planned, confirmed}
    assert tomorrow not in cases and started not in cases
    assert not cases[confirmed].locked and not cases[planned].locked
    assert cases[confirmed].move_weight == CONFIRMED_MOVE_WEIGHT
    assert cases[planned].move_weight is None
    assert cases[emergency].start_delay_per_minute == START_DELAY_PER_MINUTE
    assert cases[planned].start_delay_per_minute is None
    assert cases[planned].current_booking is not None
    assert problem.objective_weights == WEIGHTS and problem.time_limit_seconds <= 5
    assert not problem.respect_blocks
    [room] = problem.rooms
    assert min(w.start for w in room.open_intervals) >= local(DAY, 10)


async def test_today_full_of_confirmed_cases_re_plans_them_at_their_heavier_move_weight(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    await booked(scheduling, made, local(DAY, 9))
    confirmed = [
        await booked(scheduling, made, local(DAY, h, m), confirmed=True, unit=n % 2)
        for n, (h, m) in enumerate(((11, 10), (13, 20), (15, 30)))
    ]  # the room is held to 17:15: 105 free minutes, and the emergency needs 125
    emergency = await request(scheduling, made, priority="emergency")

    found = await inserted(scheduling, emergency)

    assert found.step == Step(days=1)
    assert set(found.sides.replanned) == set(found.sides.confirmed) == set(confirmed)
    assert found.ask.locked_ids == frozenset()
    assert found.ask.move_weights == dict.fromkeys(confirmed, CONFIRMED_MOVE_WEIGHT)


async def test_tomorrow_is_planned_too_when_the_emergency_may_not_start_today(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    tomorrow = await booked(scheduling, made, local(TOMORROW, 9), confirmed=True)
    emergency = await request(scheduling, made, priority="urgent", earliest_date=TOMORROW)

    found = await inserted(scheduling, emergency)

    assert found.step == Step(days=2)
    assert (found.ask.first, found.ask.last) == (DAY, TOMORROW)
    assert found.sides.confirmed == (tomorrow,)


async def test_only_a_waiting_emergency_or_urgent_case_may_be_inserted(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    elective = await request(scheduling, made)
    later = await request(scheduling, made, priority="emergency", earliest_date=DAY + timedelta(2))
    already = await booked(scheduling, made, local(DAY, 13))

    for case, says in (
        (uuid.uuid4(), "Unknown surgery requests"),
        (already, "Only a waiting case"),
        (elective, "Only an emergency or urgent case"),
        (later, "may not start by tomorrow"),
    ):
        with pytest.raises(Problem) as caught:
            await inserted(scheduling, case)
        assert caught.value.status == 422 and says in caught.value.detail
        assert caught.value.extensions["surgery_ids"] == [str(case)]
