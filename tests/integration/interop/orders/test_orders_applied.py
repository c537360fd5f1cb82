"""Scheduling applying orders placed through FHIR, against the real PostgreSQL and Kafka: the
case joins the waiting list as POST /surgeries makes it, once however often the order comes,
and an order the rules refuse is parked in the DLQ with the reason."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from contracts.envelope import Envelope
from contracts.events.auth_users import Role
from contracts.events.interop_service_requests import PlacerIdentifier, ServiceRequestPlaced
from contracts.events.surgery_request import SurgeryRequestFields
from contracts.registry import parse_envelope
from contracts.vocabulary import StaffRole
from scheduling_service.db.tables import audit_log, surgery_requests
from scheduling_service.handlers import interop_orders
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from servicekit.messaging.schema import outbox
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.conftest import KAFKA
from tests.integration.conftest import create_topic, publish_envelopes
from tests.integration.scheduling.world import Scheduling, person, scheduling_engine
from tests.integration.servicekit.effects import wait_until

PLACER = uuid.uuid4()


@pytest.fixture
async def scheduling(schema: str) -> AsyncIterator[Scheduling]:
    engine = await scheduling_engine(schema)
    yield Scheduling(engine=engine, schema=schema)
    await engine.dispose()


def placed(surgeon_id: uuid.UUID, case_id: uuid.UUID | None = None) -> ServiceRequestPlaced:
    return ServiceRequestPlaced(
        surgery_id=case_id or uuid.uuid4(),
        placer_identifier=PlacerIdentifier(value=f"ORD-{uuid.uuid4().hex[:8]}"),
        request=SurgeryRequestFields.model_validate(
            {
                "patient_mrn": "MRN-0012345",
                "procedure": {"code": "80146002", "name": "Appendectomy"},
                "surgeon_id": surgeon_id,
                "specialty": "general_surgery",
                "expected_duration_minutes": 60,
                "priority": "urgent",
                "anaesthesia_type": "general",
                "notes": "Latex allergy",
            }
        ),
        placed_by=PLACER,
        placed_by_roles=(Role.COORDINATOR,),
    )


class Orders:
    """A topic of the test's own standing in for interop.service-requests.v1, and scheduling's
    consumer of it."""

    def __init__(self, scheduling: Scheduling, topic: str) -> None:
        self.scheduling, self.topic = scheduling, topic
        self.group = f"tests-scheduling-{uuid.uuid4().hex[:8]}"

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        await publish_envelopes(self.topic, envelopes, key="surgery_id", client_id="tests-interop")

    @asynccontextmanager
    async def consuming(self) -> AsyncIterator[None]:
        handlers = HandlerMap().on(
            ServiceRequestPlaced, interop_orders.on_service_request_placed, topic=self.topic
        )
        consumer = IdempotentConsumer(
            ConsumerConfig(
                group_id=self.group, kafka=KAFKA, client_id="tests", backoff_seconds=0.01
            ),
            handlers,
            async_sessionmaker(self.scheduling.engine, expire_on_commit=False),
            lambda: create_consumer(KAFKA, self.topic, group_id=self.group, client_id="tests"),
            lambda: create_producer(KAFKA, client_id="tests"),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    async def processed(self) -> int:
        async with self.scheduling.engine.connect() as conn:
            query = text("SELECT count(*) FROM processed_events")
            return (await conn.execute(query)).scalar_one()


def _envelope(event: ServiceRequestPlaced) -> Envelope:
    return Envelope.wrap(event, producer="interop")


async def _cases(scheduling: Scheduling, case_id: uuid.UUID) -> list:
    async with scheduling.engine.connect() as conn:
        query = select(surgery_requests).where(surgery_requests.c.surgery_id == case_id)
        return list((await conn.execute(query)).all())


async def _requested_events(scheduling: Scheduling) -> list:
    async with scheduling.engine.connect() as conn:
        query = select(outbox.c.envelope).where(outbox.c.event_type == "SurgeryRequested")
        return [
            parse_envelope(json.dumps(r.envelope).encode())[1] for r in await conn.execute(query)
        ]


async def test_an_order_joins_the_waiting_list_as_a_requested_case(scheduling) -> None:
    surgeon = person(StaffRole.SURGEON)
    await scheduling.know(surgeon)
    order = placed(surgeon.staff_id)
    async with scheduling.unit_of_work() as uow:
        await interop_orders.on_service_request_placed(uow.session, order, _envelope(order))
        await uow.commit()
    [case] = await _cases(scheduling, order.surgery_id)
    assert (case.status, case.version, case.requested_by) == ("requested", 1, PLACER)
    assert (case.patient_mrn, case.procedure_code, case.priority) == (
        "MRN-0012345",
        "80146002",
        "urgent",
    )
    assert case.notes == "Latex allergy"
    [announced] = await _requested_events(scheduling)
    assert (announced.surgery_id, announced.requested_by) == (order.surgery_id, PLACER)
    async with scheduling.engine.connect() as conn:
        actions = (await conn.execute(select(audit_log.c.action))).scalars().all()
    assert list(actions) == ["surgery.create"]


async def test_an_order_redelivered_or_sent_again_makes_one_case(scheduling) -> None:
    surgeon = person(StaffRole.SURGEON)
    await scheduling.know(surgeon)
    order = placed(surgeon.staff_id)
    first = _envelope(order)
    again = _envelope(order)  # the same order, announced a second time under a new event id
    orders = Orders(scheduling, await create_topic("interop-orders"))
    await orders.publish([first, first, again, first])
    async with orders.consuming():
        await wait_until(lambda: _at_least(orders, 2), timeout=30, what="both event ids")
    assert await orders.processed() == 2
    assert len(await _cases(scheduling, order.surgery_id)) == 1
    assert len(await _requested_events(scheduling)) == 1


async def test_an_order_for_a_retired_surgeon_is_parked_with_the_reason(scheduling) -> None:
    surgeon = person(StaffRole.SURGEON, retired_at=datetime.now(UTC))
    await scheduling.know(surgeon)
    refused = placed(surgeon.staff_id)
    fine = person(StaffRole.SURGEON)
    await scheduling.know(fine)
    accepted = placed(fine.staff_id)
    orders = Orders(scheduling, await create_topic("interop-orders"))
    await orders.publish([_envelope(refused), _envelope(accepted)])
    async with orders.consuming():
        await wait_until(lambda: _known(scheduling, accepted.surgery_id), timeout=30, what="next")
    assert await _cases(scheduling, refused.surgery_id) == []
    [parked] = await _parked(orders.topic + ".dlq")
    headers = {k: v.decode() for k, v in parked.headers}
    assert "is retired" in headers["dlq-error-message"]
    assert str(refused.surgery_id) in headers["dlq-error-message"]


async def _at_least(orders: Orders, wanted: int) -> bool:
    return await orders.processed() >= wanted


async def _known(scheduling: Scheduling, case_id: uuid.UUID) -> bool:
    return bool(await _cases(scheduling, case_id))


async def _parked(topic: str) -> list:
    consumer = AIOKafkaConsumer(
        topic, **KAFKA.client_options(), auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []
    try:
        for _ in range(20):
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(messages)
            if records:
                break
    finally:
        await consumer.stop()
    return records
