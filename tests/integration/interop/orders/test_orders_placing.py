"""Placing orders against the real PostgreSQL: one case per placer number, stored with its
event in one transaction, also when the same order is posted twice at once."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.registry import parse_envelope
from contracts.vocabulary import StaffRole
from interop_service.db.fhir_resources import fhir_staff
from interop_service.db.orders import service_requests
from interop_service.domain.orders_mapping import read_order
from interop_service.fhir import orders_placing
from interop_service.fhir.orders_placing import NoStaffReadModel, ReadModelStaff
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.schema import outbox
from servicekit.problems import Problem
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.integration.scheduling.world import person
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


@pytest.fixture
async def staff(orders: AsyncEngine) -> AsyncEngine:
    async with orders.begin() as conn:
        await conn.run_sync(fhir_staff.create)
    return orders


async def _know(engine: AsyncEngine, member: StaffMemberUpserted) -> None:
    """The member in the FHIR read model of staff, as its projection keeps a snapshot."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(fhir_staff).values(
                staff_id=member.staff_id,
                name=member.name,
                role=member.role.value,
                role_id=uuid.uuid4(),
                active=member.retired_at is None,
                version=member.version,
                retired_at=member.retired_at,
                snapshot=member.model_dump(mode="json"),
            )
        )


async def _place_for(engine: AsyncEngine, surgeon_id: uuid.UUID, who: Principal):
    document = order(performer=[{"reference": f"Practitioner/{surgeon_id}"}])
    document["identifier"] = [{"value": f"ORD-{uuid.uuid4().hex[:8]}"}]
    async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
        return await orders_placing.place(
            uow, read_order(document), placer=who, staff=ReadModelStaff()
        )


async def test_an_order_keeps_the_surgeon_rules_of_post_surgeries(staff: AsyncEngine) -> None:
    surgeon, nurse = person(StaffRole.SURGEON), person(StaffRole.SCRUB_NURSE)
    retired = person(StaffRole.SURGEON, retired_at=datetime.now(UTC))
    for member in (surgeon, nurse, retired):
        await _know(staff, member)
    assert (await _place_for(staff, surgeon.staff_id, COORDINATOR)).created
    for refused, says in (
        (uuid.uuid4(), "not a staff member"),
        (nurse.staff_id, "not surgeon"),
        (retired.staff_id, "is retired"),
    ):
        with pytest.raises(Problem) as refusal:
            await _place_for(staff, refused, COORDINATOR)
        assert refusal.value.status == 422 and says in refusal.value.detail
        assert refusal.value.extensions["errors"][0]["loc"] == [
            "ServiceRequest.performer[0].reference"
        ]
    assert await _count(staff, service_requests) == 1


async def test_a_surgeon_places_orders_only_for_themselves(staff: AsyncEngine) -> None:
    user_id = uuid.uuid4()
    own, other = person(StaffRole.SURGEON, user_id=user_id), person(StaffRole.SURGEON)
    for member in (own, other):
        await _know(staff, member)
    surgeon = Principal(
        user_id=str(user_id), roles=frozenset({"surgeon"}), token_id="t", expires_at=0
    )
    assert (await _place_for(staff, own.staff_id, surgeon)).created
    with pytest.raises(Problem) as refusal:
        await _place_for(staff, other.staff_id, surgeon)
    assert refusal.value.status == 403 and "only for themselves" in refusal.value.detail
