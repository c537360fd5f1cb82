"""The optimizer's answers kept as proposals, and proposals applied or rejected, against
PostgreSQL: answers arrive through the idempotent consumer's own transaction, as in service."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.envelope import Envelope, Event
from contracts.events.optimizer_schedules import (
    FailureDetail,
    FailureReason,
    OptimizationFailed,
    ScheduleOptimized,
)
from contracts.planning import CaseAssignment, Plan, PlanKpis, SolverReport, UnscheduledCase
from contracts.topics import OPTIMIZER_SCHEDULES
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.handlers import optimizer_schedules
from scheduling_service.planning import optimization_decisions, optimizations
from scheduling_service.planning.planning_ask import Ask
from servicekit.kafka import KafkaConnection
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from servicekit.problems import Problem
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.integration.scheduling.booking_cases import coordinator, placement, request
from tests.integration.scheduling.world import Scheduling, Team, team

HOSPITAL = ZoneInfo("Europe/Amsterdam")
KPIS = PlanKpis(
    scheduled_cases=1, unscheduled_cases=0, utilization=0.1, idle_minutes=0, overtime_minutes=0
)
SOLVER = SolverReport(status="optimal", objective=12, best_bound=12, gap=0, wall_time_seconds=0.2)


def first_day() -> date:
    """A Wednesday five weeks ahead: in the future, never on a clock change."""
    today = date.today()
    return today + timedelta(days=(2 - today.weekday()) % 7 + 35)


def nine(day: date | None = None) -> datetime:
    return datetime.combine(day or first_day(), time(9), HOSPITAL)


def consumer(scheduling: Scheduling) -> IdempotentConsumer:
    return IdempotentConsumer(
        ConsumerConfig(group_id="scheduling-tests", kafka=KafkaConnection("unused"), client_id="t"),
        optimizer_schedules.register(HandlerMap()),
        async_sessionmaker(scheduling.engine, expire_on_commit=False),
        lambda: None,  # type: ignore[arg-type,return-value]
        lambda: None,  # type: ignore[arg-type,return-value]
    )


async def deliver(scheduling: Scheduling, event: Event, envelope: Envelope | None = None) -> str:
    """Hands the answer to the consumer as Kafka would; `applied` or `duplicate`."""
    envelope = envelope or Envelope.wrap(event, producer="optimizer")
    handlers = consumer(scheduling)
    handler = handlers.handlers.by_topic[OPTIMIZER_SCHEDULES.name][event.event_type]
    return await handlers.apply(envelope, event, handler, OPTIMIZER_SCHEDULES.name)


async def requested(scheduling: Scheduling, made: Team, *surgery_ids: uuid.UUID) -> uuid.UUID:
    first = first_day()
    async with scheduling.unit_of_work() as uow:
        request_id = await optimizations.request(
            uow,
            Ask(first, first + timedelta(days=2), (made.room.room_id,), surgery_ids),
            settings=scheduling.settings,
            by=coordinator(),
        )
        await uow.commit()
    return request_id


def assignment(made: Team, case_id: uuid.UUID, start: datetime) -> CaseAssignment:
    return CaseAssignment(
        case_id=case_id,
        room_id=made.room.room_id,
        start=start,
        end=start + timedelta(minutes=90),
        staff_ids=(made.anaesthetist.staff_id,),
        equipment_unit_ids=(made.unit_ids[0],),
    )


def proposal(request_id: uuid.UUID, *placed: CaseAssignment, left_out=()) -> ScheduleOptimized:
    return ScheduleOptimized(
        request_id=request_id,
        run_id=uuid.uuid4(),
        plan=Plan(assignments=placed, unscheduled=tuple(left_out), kpis=KPIS),
        solver=SOLVER,
    )


async def stored(scheduling: Scheduling, request_id: uuid.UUID) -> optimizations.Optimization:
    async with scheduling.unit_of_work() as uow:
        return await optimizations.read(uow.session, request_id)


async def test_a_proposal_is_kept_with_its_plan_solver_and_run(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    request_id = await requested(scheduling, made, case)
    answer = proposal(request_id, assignment(made, case, nine()))

    assert await deliver(scheduling, answer) == "applied"

    found = await stored(scheduling, request_id)
    row = found.row
    assert (row.status, row.run_id, row.version) == ("proposed", answer.run_id, 2)
    assert row.answered_at is not None
    assert Plan.model_validate(row.plan) == answer.plan
    assert SolverReport.model_validate(row.solver) == SOLVER
    assert [(c.case_id, c.change) for c in found.diff.cases] == [(case, "added")]


async def test_a_failure_is_kept_with_its_reason_and_details(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    request_id = await requested(scheduling, made, case)
    detail = FailureDetail(code="no_room", message="nothing fits", case_ids=(case,))
    answer = OptimizationFailed(
        request_id=request_id,
        run_id=uuid.uuid4(),
        reason=FailureReason.INFEASIBLE,
        message="No plan places every mandatory case.",
        details=(detail,),
    )

    await deliver(scheduling, answer)

    row = (await stored(scheduling, request_id)).row
    assert row.status == "failed"
    assert row.failure == {
        "reason": "infeasible",
        "message": "No plan places every mandatory case.",
        "details": [detail.model_dump(mode="json")],
    }
    assert row.plan is None


async def test_a_redelivered_or_second_answer_changes_nothing(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    request_id = await requested(scheduling, made, case)
    first = proposal(request_id, assignment(made, case, nine()))
    envelope = Envelope.wrap(first, producer="optimizer")
    await deliver(scheduling, first, envelope)

    assert await deliver(scheduling, first, envelope) == "duplicate"
    await deliver(
        scheduling, proposal(request_id, assignment(made, case, nine() + timedelta(hours=3)))
    )
    await deliver(
        scheduling,
        OptimizationFailed(
            request_id=request_id,
            run_id=uuid.uuid4(),
            reason=FailureReason.SOLVER_ERROR,
            message="late",
        ),
    )

    row = (await stored(scheduling, request_id)).row
    assert (row.status, row.run_id, row.version) == ("proposed", first.run_id, 2)
    assert Plan.model_validate(row.plan) == first.plan


async def test_an_answer_to_a_request_never_made_here_changes_nothing(
    scheduling: Scheduling,
) -> None:
    stranger = uuid.uuid4()

    assert await deliver(scheduling, proposal(stranger)) == "applied"

    with pytest.raises(Problem) as caught:
        await stored(scheduling, stranger)
    assert caught.value.status == 404


async def test_applying_books_each_added_case_with_the_run_and_leaves_out_cases_alone(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    added, left_out = await request(scheduling, made), await request(scheduling, made)
    request_id = await requested(scheduling, made, added, left_out)
    answer = proposal(
        request_id,
        assignment(made, added, nine()),
        left_out=[UnscheduledCase(case_id=left_out, reason="no_capacity")],
    )
    await deliver(scheduling, answer)

    async with scheduling.unit_of_work() as uow:
        await optimization_decisions.apply(
            uow, request_id, settings=scheduling.settings, by=coordinator()
        )
        await uow.commit()

    async with scheduling.unit_of_work() as uow:
        placed = await cases.booking_of(uow.session, added)
        row = await cases.find(uow.session, added)
        untouched = await cases.find(uow.session, left_out)
    assert (placed.room_id, placed.start) == (made.room.room_id, nine())
    assert row.status == "scheduled"
    assert untouched.status == "requested"
    decided = (await stored(scheduling, request_id)).row
    assert decided.status == "applied" and decided.decided_by is not None


async def test_applying_is_refused_naming_the_conflict_when_the_place_was_taken_since(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    planned, intruder = await request(scheduling, made), await request(scheduling, made)
    request_id = await requested(scheduling, made, planned)
    await deliver(scheduling, proposal(request_id, assignment(made, planned, nine())))
    # A case outside the problem takes the very slot: no case of the problem changed.
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow,
            {intruder: placement(made, nine())},
            settings=scheduling.settings,
            actor=coordinator(),
        )
        await uow.commit()

    with pytest.raises(Problem) as caught:
        async with scheduling.unit_of_work() as uow:
            await optimization_decisions.apply(
                uow, request_id, settings=scheduling.settings, by=coordinator()
            )
            await uow.commit()

    assert caught.value.status == 409
    assert {c["other_surgery_id"] for c in caught.value.extensions["conflicts"]} == {str(intruder)}
    found = await stored(scheduling, request_id)
    assert found.row.status == "proposed"
    async with scheduling.unit_of_work() as uow:
        assert await cases.booking_of(uow.session, planned) is None


async def test_a_failed_optimization_can_be_rejected_but_not_applied(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    request_id = await requested(scheduling, made, await request(scheduling, made))
    await deliver(
        scheduling,
        OptimizationFailed(
            request_id=request_id,
            run_id=uuid.uuid4(),
            reason=FailureReason.INFEASIBLE,
            message="no",
        ),
    )

    with pytest.raises(Problem) as caught:
        async with scheduling.unit_of_work() as uow:
            await optimization_decisions.apply(
                uow, request_id, settings=scheduling.settings, by=coordinator()
            )
    assert caught.value.status == 409
    async with scheduling.unit_of_work() as uow:
        await optimization_decisions.reject(uow, request_id, by=coordinator())
        await uow.commit()
    assert (await stored(scheduling, request_id)).row.status == "rejected"
