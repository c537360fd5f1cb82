"""Placing orders against the real PostgreSQL: one case per placer number, stored with its
event in one transaction, also when the same order is posted twice at once."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from contracts.registry import parse_envelope
from interop_service.db.orders import service_requests
from interop_service.domain.orders_mapping import read_order
from interop_service.fhir import orders_placing
from interop_service.fhir.orders_placing import NoStaffReadModel
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.schema import outbox
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.unit.interop.orders.orders import order

COORDINATOR = Principal(
    user_id=str(uuid.uuid4()), roles=frozenset({"coordinator"}), token_id="t", expires_at=0
)


@pytest.fixture
async def orders(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        await conn.run_sync(service_requests.create)
    return engine


async def _place(engine: AsyncEngine, number: str) -> orders_placing.Placed:
    placed = read_order(order(identifier=[{"system": "urn:oid:1.2.3.4", "value": number}]))
    async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
        return await orders_placing.place(uow, placed, placer=COORDINATOR, staff=NoStaffReadModel())


async def _count(engine: AsyncEngine, table, *where) -> int:
    async with engine.connect() as conn:
        return (
            await conn.execute(select(func.count()).select_from(table).where(*where))
        ).scalar_one()


async def test_an_order_is_stored_with_its_event_and_its_audit_entry(orders: AsyncEngine) -> None:
    placed = await _place(orders, "ORD-A")
    assert placed.created and placed.resource.id == str(placed.case_id)
    assert placed.resource.status == "active"
    async with orders.connect() as conn:
        rows = (await conn.execute(select(outbox.c.envelope, outbox.c.topic))).all()
    topics = sorted(row.topic for row in rows)
    assert topics == ["audit.events.v1", "interop.service-requests.v1"]
    envelope = next(r.envelope for r in rows if r.topic == "interop.service-requests.v1")
    _, event = parse_envelope(json.dumps(envelope).encode())
    assert event.surgery_id == placed.case_id
    assert event.placer_identifier.value == "ORD-A"
    assert event.request.patient_mrn == "MRN-0012345"
    assert (str(event.placed_by), [r.value for r in event.placed_by_roles]) == (
        COORDINATOR.user_id,
        ["coordinator"],
    )


async def test_the_same_placer_number_again_answers_the_first_order(orders: AsyncEngine) -> None:
    first = await _place(orders, "ORD-B")
    again = await _place(orders, "ORD-B")
    assert (again.created, again.case_id) == (False, first.case_id)
    assert await _count(orders, service_requests) == 1
    assert await _count(orders, outbox, outbox.c.topic == "interop.service-requests.v1") == 1


async def test_the_same_order_posted_twice_at_once_places_one_case(orders: AsyncEngine) -> None:
    results = await asyncio.gather(*(_place(orders, "ORD-C") for _ in range(4)))
    assert len({r.case_id for r in results}) == 1
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert await _count(orders, outbox, outbox.c.topic == "interop.service-requests.v1") == 1
