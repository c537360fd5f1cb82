"""A booking that waits too long for a case or a person-day another change holds: a retryable
`409`, audited and counted as a lost race, and inside a savepoint (as the demo seed books) the
rest of the transaction goes on."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from scheduling_service import metrics
from scheduling_service.booking import booking, booking_locks
from scheduling_service.db.tables import audit_log
from servicekit.problems import Problem
from sqlalchemy import select, text

from tests.integration.scheduling.booking_cases import (
    DAY,
    START,
    coordinator,
    current,
    placement,
    request,
)
from tests.integration.scheduling.world import Scheduling, person, team

_IMPATIENT = text("SET LOCAL lock_timeout = '200ms'")


def _count(outcome: str) -> float:
    return metrics.BOOKINGS.labels(outcome)._value.get()


async def _refused_while(scheduling: Scheduling, holding: str, params: dict, surgery_id, where):
    """`booking.book` of `where` while another transaction holds what `holding` locks."""
    async with scheduling.unit_of_work() as other:
        await other.session.execute(text(holding), params)
        async with scheduling.unit_of_work() as uow:
            await uow.session.execute(_IMPATIENT)
            with pytest.raises(Problem) as caught:
                await booking.book(
                    uow, surgery_id, where, settings=scheduling.settings, actor=coordinator()
                )
    return caught.value


async def test_a_lock_timeout_on_the_case_is_a_409_to_retry_audited_and_counted(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    lost, refused = _count("race_lost"), _count("refused")
    problem = await _refused_while(
        scheduling,
        "SELECT 1 FROM surgery_requests WHERE surgery_id = :id FOR UPDATE",
        {"id": surgery_id},
        surgery_id,
        placement(made),
    )
    assert isinstance(problem, booking.RaceLost)
    assert (problem.status, problem.extensions["conflicts"]) == (409, [])
    assert "retry" in problem.detail
    assert (_count("race_lost"), _count("refused")) == (lost + 1, refused)
    async with scheduling.unit_of_work() as uow:
        actions = await uow.session.scalars(
            select(audit_log.c.action).where(audit_log.c.record_id == str(surgery_id))
        )
        assert "booking.refused" in list(actions)
    row, held = await current(scheduling, surgery_id)
    assert (row.status, held) == ("requested", None)


async def test_waits_for_the_person_day_keyed_in_the_persons_own_time_zone(
    scheduling: Scheduling,
) -> None:
    # The anaesthetist works in Honolulu: 09:00 in Amsterdam is still the day before there.
    made = await team(scheduling)
    far = person("anaesthetist", timezone="Pacific/Honolulu")
    await scheduling.know(far)
    surgery_id = await request(scheduling, made)
    where = placement(made, anaesthetist_id=far.staff_id)
    their_day = START.astimezone(ZoneInfo(far.timezone)).date()
    assert their_day == DAY - timedelta(days=1)
    key = booking_locks.person_day_key(far.staff_id, their_day)
    problem = await _refused_while(
        scheduling, "SELECT pg_advisory_xact_lock(:key)", {"key": key}, surgery_id, where
    )
    assert isinstance(problem, booking.RaceLost)


async def test_a_lock_timeout_in_a_savepoint_leaves_the_transaction_usable(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    others = person("surgeon"), person("anaesthetist")
    await scheduling.know(*others)
    locked = await request(scheduling, made)
    free = await request(scheduling, made, surgeon_id=others[0].staff_id)
    booked = _count("booked")
    async with scheduling.unit_of_work() as other:
        await other.session.execute(
            text("SELECT 1 FROM surgery_requests WHERE surgery_id = :id FOR UPDATE"),
            {"id": locked},
        )
        async with scheduling.unit_of_work() as uow:
            await uow.session.execute(_IMPATIENT)
            with pytest.raises(booking.RaceLost):
                async with uow.session.begin_nested():
                    await booking.place(
                        uow,
                        {locked: placement(made)},
                        settings=scheduling.settings,
                        actor=coordinator(),
                    )
            async with uow.session.begin_nested():
                await booking.place(
                    uow,
                    {free: placement(made, anaesthetist_id=others[1].staff_id)},
                    settings=scheduling.settings,
                    actor=coordinator(),
                )
            await uow.commit()
    assert (await current(scheduling, free))[0].status == "scheduled"
    assert (await current(scheduling, locked))[1] is None
    # `place` alone (a proposal applied, the demo seed) is no booking request: not counted.
    assert _count("booked") == booked


def test_a_person_day_key_is_a_stable_signed_64_bit_number() -> None:
    staff_id = uuid.UUID(int=7)
    key = booking_locks.person_day_key(staff_id, DAY)
    assert key == booking_locks.person_day_key(staff_id, DAY)
    assert -(2**63) <= key < 2**63
    assert key != booking_locks.person_day_key(staff_id, DAY + timedelta(days=1))
