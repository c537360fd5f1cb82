"""Deciding on optimizations against PostgreSQL: rejecting one never answered, refusing plans
that move a locked case or collide with a case they unbook, and auditing what a read shows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from contracts.planning import UnscheduledCase
from scheduling_service.audit import audit_entries
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.planning import optimization_decisions, optimizations
from scheduling_service.planning.planning_ask import Ask
from servicekit.pages import PageRequest
from servicekit.problems import Problem

from tests.integration.scheduling.booking_cases import coordinator, placement, request
from tests.integration.scheduling.test_optimizations_answers import (
    assignment,
    deliver,
    first_day,
    nine,
    proposal,
    requested,
    stored,
)
from tests.integration.scheduling.world import Scheduling, Team, team


async def booked_at_nine(scheduling: Scheduling, made: Team) -> uuid.UUID:
    case = await request(scheduling, made)
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow, {case: placement(made, nine())}, settings=scheduling.settings, actor=coordinator()
        )
        await uow.commit()
    return case


async def asked(scheduling: Scheduling, ask: Ask) -> uuid.UUID:
    async with scheduling.unit_of_work() as uow:
        request_id = await optimizations.request(
            uow, ask, settings=scheduling.settings, by=coordinator()
        )
        await uow.commit()
    return request_id


async def applying(scheduling: Scheduling, request_id: uuid.UUID) -> Problem:
    with pytest.raises(Problem) as caught:
        async with scheduling.unit_of_work() as uow:
            await optimization_decisions.apply(
                uow, request_id, settings=scheduling.settings, by=coordinator()
            )
            await uow.commit()
    return caught.value


async def test_a_request_never_answered_can_be_rejected_and_a_late_answer_is_ignored(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    request_id = await requested(scheduling, made, case)

    async with scheduling.unit_of_work() as uow:
        await optimization_decisions.reject(uow, request_id, by=coordinator())
        await uow.commit()
    await deliver(scheduling, proposal(request_id, assignment(made, case, nine())))

    row = (await stored(scheduling, request_id)).row
    assert (row.status, row.plan, row.run_id, row.answered_at) == ("rejected", None, None, None)
    assert row.decided_at is not None


@pytest.mark.parametrize("answer", ["moved", "dropped"])
async def test_a_plan_that_moves_or_drops_a_locked_case_is_refused(
    scheduling: Scheduling, answer: str
) -> None:
    made = await team(scheduling)
    first = first_day()
    locked = await booked_at_nine(scheduling, made)
    ask = Ask(
        first,
        first + timedelta(days=2),
        (made.room.room_id,),
        (locked,),
        locked_ids=frozenset({locked}),
    )
    request_id = await asked(scheduling, ask)
    if answer == "moved":
        plan = proposal(request_id, assignment(made, locked, nine() + timedelta(hours=3)))
    else:
        plan = proposal(request_id, left_out=[UnscheduledCase(case_id=locked, reason="x")])
    await deliver(scheduling, plan)

    refused = await applying(scheduling, request_id)

    assert refused.status == 409
    assert refused.extensions["locked_case_ids"] == [str(locked)]
    async with scheduling.unit_of_work() as uow:
        assert (await cases.booking_of(uow.session, locked)).start == nine()
    assert (await stored(scheduling, request_id)).row.status == "proposed"


async def test_a_placement_colliding_with_a_case_the_plan_unbooks_says_its_booking_stays(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    unbooked = await booked_at_nine(scheduling, made)
    waiting = await request(scheduling, made)
    request_id = await requested(scheduling, made, unbooked, waiting)
    await deliver(
        scheduling,
        proposal(
            request_id,
            assignment(made, waiting, nine()),
            left_out=[UnscheduledCase(case_id=unbooked, reason="no_capacity")],
        ),
    )

    refused = await applying(scheduling, request_id)

    assert refused.status == 409
    assert {c["other_surgery_id"] for c in refused.extensions["conflicts"]} == {str(unbooked)}
    assert refused.extensions["unbooked_in_the_way"] == [str(unbooked)]
    assert "keeps their bookings" in refused.detail


async def test_reading_a_proposal_is_audited_with_the_cases_it_shows(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    request_id = await requested(scheduling, made, case)
    await deliver(scheduling, proposal(request_id, assignment(made, case, nine())))

    async with scheduling.unit_of_work() as uow:
        await optimizations.get(uow, request_id, by=coordinator())
        await uow.commit()

    async with scheduling.unit_of_work() as uow:
        rows, _ = await audit_entries.listed(
            uow.session,
            audit_entries.AuditFilter(record_id=str(case), action="optimization.read"),
            PageRequest(offset=0, limit=10),
        )
    # `GET /audit?record_id=<the case>` finds the read of the proposal that showed it.
    assert [(r.record_id, r.details) for r in rows] == [
        (str(request_id), {"surgery_ids": [str(case)]})
    ]
