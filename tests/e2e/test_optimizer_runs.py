"""What-if planning through the gateway, and the optimizer answering requests on the real topics."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from contracts.envelope import Envelope
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.planning import Plan
from contracts.topics import OPTIMIZER_SCHEDULES, SCHEDULING_OPTIMIZATION_REQUESTS
from optimizer_service.domain.checker import check_plan

from tests.conftest import KAFKA, service_url
from tests.e2e.conftest import bearer
from tests.integration.optimizer.problems import impossible_problem, tiny_problem

pytestmark = pytest.mark.e2e

RUNS = "/api/optimizer/runs"
OPTIMIZER_METRICS = f"{service_url('optimizer')}/metrics"


def _body(problem=None, **fields) -> dict:
    problem = problem or tiny_problem(3, time_limit_seconds=3)
    return {"problem": problem.model_dump(mode="json"), **fields}


async def _until_finished(gateway: httpx.AsyncClient, location: str, token: str) -> dict:
    for _ in range(300):
        run = (await gateway.get(location, headers=bearer(token))).json()
        if run["status"] in ("succeeded", "failed"):
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"{location} never finished")


async def test_a_coordinator_waits_for_a_what_if_plan_that_passes_the_checker(
    gateway, coordinator_token
):
    problem = tiny_problem(3, time_limit_seconds=3)
    response = await gateway.post(
        RUNS, json=_body(problem, mode="wait"), headers=bearer(coordinator_token)
    )

    assert response.status_code == 200, response.text
    run = response.json()
    assert (run["status"], run["source"], run["planner"]) == ("succeeded", "http", "cp_sat")
    assert len(run["plan"]["assignments"]) == 3
    assert check_plan(problem, Plan.model_validate(run["plan"])) == []
    assert run["solver"]["status"] in ("optimal", "feasible")
    assert response.headers["location"] == f"{RUNS}/{run['run_id']}"


async def test_an_asynchronous_run_is_accepted_at_once_and_read_back_when_done(
    gateway, coordinator_token, viewer_token
):
    response = await gateway.post(
        RUNS, json=_body(mode="async", planner="greedy"), headers=bearer(coordinator_token)
    )

    assert response.status_code == 202, response.text
    assert response.json()["status"] in ("queued", "running", "succeeded")
    run = await _until_finished(gateway, response.headers["location"], viewer_token)
    assert (run["status"], run["planner"]) == ("succeeded", "greedy")
    assert run["problem"]["time_limit_seconds"] == 3


async def test_a_problem_that_cannot_be_planned_finishes_failed_with_the_case_named(
    gateway, coordinator_token
):
    problem, case_id = impossible_problem()
    response = await gateway.post(
        RUNS, json=_body(problem, mode="wait"), headers=bearer(coordinator_token)
    )

    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "failed" and run["plan"] is None
    assert run["failure_reason"] == run["failure"]["reason"]
    assert any(str(case_id) in detail["case_ids"] for detail in run["failure"]["details"])


async def test_runs_are_listed_newest_first_filtered_by_source_and_status(
    gateway, coordinator_token, viewer_token
):
    ids = []
    for _ in range(2):
        response = await gateway.post(
            RUNS, json=_body(mode="wait"), headers=bearer(coordinator_token)
        )
        ids.append(response.json()["run_id"])

    response = await gateway.get(
        RUNS,
        params={"source": "http", "status": "succeeded", "limit": 2},
        headers=bearer(viewer_token),
    )

    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["run_id"] for item in page["items"]] == ids[::-1]
    assert page["total"] >= 2 and page["limit"] == 2
    assert all(item["source"] == "http" for item in page["items"])
    assert "problem" not in page["items"][0]


async def test_only_admins_and_coordinators_may_ask_for_a_run(gateway, viewer_token):
    response = await gateway.post(RUNS, json=_body(), headers=bearer(viewer_token))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_runs_are_not_shown_without_a_valid_token(gateway):
    response = await gateway.get(RUNS)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_invalid_problem_is_a_422_problem_naming_the_field(gateway, coordinator_token):
    body = _body()
    body["problem"]["rooms"] = []
    response = await gateway.post(RUNS, json=body, headers=bearer(coordinator_token))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "problem.rooms" in response.json()["detail"]


async def test_an_unknown_run_is_a_404_problem(gateway, viewer_token):
    response = await gateway.get(f"{RUNS}/{uuid.uuid4()}", headers=bearer(viewer_token))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_optimization_requested_on_kafka_is_answered_on_the_schedules_topic(
    gateway, viewer_token
):
    asked = OptimizationRequested(
        request_id=uuid.uuid4(), requested_by=uuid.uuid4(), problem=tiny_problem(2)
    )
    envelope = Envelope.wrap(asked, producer="scheduling")
    consumer = AIOKafkaConsumer(OPTIMIZER_SCHEDULES.name, **KAFKA.client_options())
    await consumer.start()  # at the end of the topic: only answers from now on
    try:
        await consumer.seek_to_end()
        await _publish(envelope)
        key, answer = await _answer_to(consumer, asked.request_id)
    finally:
        await consumer.stop()

    assert key == str(asked.request_id)
    assert answer.event_type == "ScheduleOptimized"
    assert answer.correlation_id == envelope.correlation_id
    run = (
        await gateway.get(f"{RUNS}/{answer.data['run_id']}", headers=bearer(viewer_token))
    ).json()
    assert (run["source"], run["request_id"]) == ("event", str(asked.request_id))


async def test_runs_are_counted_by_source_and_outcome_and_timed_on_the_metrics_endpoint(
    gateway, coordinator_token
):
    await gateway.post(RUNS, json=_body(mode="wait"), headers=bearer(coordinator_token))

    async with httpx.AsyncClient() as direct:  # /metrics is not exposed through the gateway
        text = (await direct.get(OPTIMIZER_METRICS)).text

    assert 'optimizer_runs_total{outcome="succeeded",source="http"}' in text
    assert 'optimizer_solve_duration_seconds_count{planner="cp_sat"}' in text
    assert "optimizer_run_queue_depth" in text


async def _publish(envelope: Envelope) -> None:
    producer = AIOKafkaProducer(**KAFKA.client_options())
    await producer.start()
    try:
        await producer.send_and_wait(
            SCHEDULING_OPTIMIZATION_REQUESTS.name,
            value=envelope.model_dump_json().encode(),
            key=envelope.data["request_id"].encode(),
            headers=[("event_type", envelope.event_type.encode())],
        )
    finally:
        await producer.stop()


async def _answer_to(consumer: AIOKafkaConsumer, request_id: uuid.UUID) -> tuple[str, Envelope]:
    deadline = asyncio.get_running_loop().time() + 60
    while asyncio.get_running_loop().time() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        for record in (r for records in batch.values() for r in records):
            if record.key == str(request_id).encode():
                return record.key.decode(), Envelope.model_validate(json.loads(record.value))
    raise AssertionError(f"no answer to {request_id} on {OPTIMIZER_SCHEDULES.name}")
