"""The counters the pilot reads move with what happens: cases requested and cancelled by
reason, optimizations requested, proposed and rejected, and a late answer not counted."""

from __future__ import annotations

from prometheus_client import REGISTRY
from scheduling_service.cases import case_moves
from scheduling_service.planning import optimization_decisions

from tests.integration.scheduling.booking_cases import coordinator, request
from tests.integration.scheduling.test_optimizations_answers import (
    assignment,
    deliver,
    nine,
    proposal,
    requested,
)
from tests.integration.scheduling.world import Scheduling, team


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def optimizations(event: str) -> float:
    return counted("scheduling_optimizations_total", event=event)


async def test_a_requested_case_and_its_cancellation_are_counted_by_reason(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    asked_before = counted("scheduling_cases_requested_total")
    stopped = {"action": "cancelled", "reason_code": "no_bed"}
    cancelled_before = counted("scheduling_cases_stopped_total", **stopped)

    case = await request(scheduling, made)
    async with scheduling.unit_of_work() as uow:
        await case_moves.cancel(uow, case, "no_bed", None, by=coordinator(), if_match='"1"')
        await uow.commit()

    assert counted("scheduling_cases_requested_total") == asked_before + 1
    assert counted("scheduling_cases_stopped_total", **stopped) == cancelled_before + 1


async def test_an_optimization_rejected_while_waiting_counts_no_late_proposal(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    before = {e: optimizations(e) for e in ("requested", "proposed", "rejected")}

    request_id = await requested(scheduling, made, case)
    async with scheduling.unit_of_work() as uow:
        await optimization_decisions.reject(uow, request_id, by=coordinator())
        await uow.commit()
    await deliver(scheduling, proposal(request_id, assignment(made, case, nine())))

    after = {e: optimizations(e) - before[e] for e in before}
    assert after == {"requested": 1, "proposed": 0, "rejected": 1}


async def test_an_answered_optimization_counts_as_proposed(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    before = optimizations("proposed")

    request_id = await requested(scheduling, made, case)
    await deliver(scheduling, proposal(request_id, assignment(made, case, nine())))

    assert optimizations("proposed") == before + 1
