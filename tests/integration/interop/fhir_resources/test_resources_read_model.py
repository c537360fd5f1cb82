"""The FHIR read model of resources against the real PostgreSQL and Kafka: snapshots applied
once, an older one ignored, retired entities kept inactive, and the searches and Slots the
API answers from it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from contracts.envelope import Envelope, Event
from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted, UnitStatus
from contracts.events.resources_operating_rooms import OperatingRoomUpserted, RoomStatus
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.topics import RESOURCES_OPERATING_ROOMS
from contracts.vocabulary import StaffRole
from interop_service.db import fhir_cases as cases_tables
from interop_service.db import fhir_resources as tables
from interop_service.domain.fhir_resources_codes import practitioner_role_id
from interop_service.fhir import resources_projection, resources_store, slots_api
from interop_service.fhir.common import SearchQuery
from interop_service.fhir.resources_search import (
    device_conditions,
    location_conditions,
    practitioner_role_conditions,
)
from interop_service.fhir.resources_store import Page
from servicekit.db import UnitOfWork
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import KAFKA
from tests.integration.conftest import create_topic, publish_envelopes
from tests.integration.servicekit.effects import wait_until
from tests.unit.interop.fhir_resources.snapshots import block, room, weekdays

pytestmark = pytest.mark.integration
MONDAY = date(2026, 12, 7)


@pytest.fixture
async def model(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        for table in (
            tables.fhir_rooms,
            tables.fhir_staff,
            tables.fhir_equipment,
            tables.fhir_units,
            tables.fhir_blocks,
            cases_tables.fhir_cases,
        ):
            await conn.run_sync(table.create)
    return engine


HANDLERS = resources_projection.register(HandlerMap())


async def apply(engine: AsyncEngine, *events: Event) -> None:
    """Each event in a transaction of its own, through the projection's handler."""
    for event in events:
        handler = HANDLERS.by_topic[event.topic.name][event.event_type]
        async with UnitOfWork(async_sessionmaker(engine), "interop") as uow:
            await handler(uow.session, event, Envelope.wrap(event, producer="resources"))
            await uow.commit()


@asynccontextmanager
async def session_of(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(engine)() as session:
        yield session


def query(resource_type: str, **params: str) -> SearchQuery:
    return SearchQuery(
        resource_type=resource_type,
        params={name: [value] for name, value in params.items()},
        count=50,
        offset=0,
        includes=(),
        raw=tuple(params.items()),
    )


def member(**changes: object) -> StaffMemberUpserted:
    fields: dict[str, object] = {
        "staff_id": uuid.uuid4(),
        "name": "Dr Ada Lovelace",
        "role": StaffRole.SURGEON,
        "working_pattern": weekdays("08:00", "16:00"),
        "timezone": "Europe/Amsterdam",
        "version": 1,
    }
    return StaffMemberUpserted(**{**fields, **changes})  # type: ignore[arg-type]


async def stored_room(engine: AsyncEngine, room_id: uuid.UUID) -> OperatingRoomUpserted | None:
    async with session_of(engine) as session:
        return (await resources_store.rooms_by_id(session, [room_id])).get(room_id)


async def test_the_newest_snapshot_wins_whatever_order_they_arrive_in(model) -> None:
    first = room(name="Theatre 1", version=1)
    newest = first.model_copy(update={"name": "Theatre One", "version": 3})
    older = first.model_copy(update={"name": "Theatre Uno", "version": 2})
    await apply(model, first, newest, older, newest)
    kept = await stored_room(model, first.room_id)
    assert kept is not None and (kept.name, kept.version) == ("Theatre One", 3)


async def test_a_retired_room_stays_readable_as_an_inactive_location(model) -> None:
    theatre = room(version=1)
    retired = theatre.model_copy(
        update={"status": RoomStatus.RETIRED, "retired_at": datetime.now(UTC), "version": 2}
    )
    await apply(model, theatre, retired)
    async with session_of(model) as session:
        found, total = await resources_store.rooms(
            session, location_conditions(query("Location", status="inactive")), Page(0, 50)
        )
    assert total == 1 and found[0].room_id == theatre.room_id


async def test_equipment_units_follow_the_newest_snapshot_and_an_older_one_leaves_them(
    model,
) -> None:
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    units = (
        EquipmentUnit(unit_id=kept, label="Robot 1"),
        EquipmentUnit(unit_id=dropped, label="2"),
    )
    robot = EquipmentUpserted(
        equipment_id=uuid.uuid4(),
        name="Surgical robot",
        equipment_type="surgical_robot",
        units=units,
        mobile=False,
        version=1,
    )
    newer = robot.model_copy(
        update={
            "units": (units[0].model_copy(update={"status": UnitStatus.IN_MAINTENANCE}),),
            "version": 2,
        }
    )
    await apply(model, robot, newer, robot)
    async with session_of(model) as session:
        devices, total = await resources_store.units(
            session, device_conditions(query("Device", type="surgical_robot")), Page(0, 50)
        )
    assert total == 1
    assert [(unit.unit_id, unit.status) for _, unit in devices] == [
        (kept, UnitStatus.IN_MAINTENANCE)
    ]
    async with session_of(model) as session:
        _, active = await resources_store.units(
            session, device_conditions(query("Device", status="active")), Page(0, 50)
        )
    assert active == 0


async def test_names_match_from_the_start_of_any_word_ignoring_case_or_as_asked(model) -> None:
    tag = uuid.uuid4().hex[:8]
    await apply(model, room(name=f"Hybrid theatre {tag}"), room(name=f"Cardiac {tag}"))

    async def names(**params: str) -> list[str]:
        async with session_of(model) as session:
            found, _ = await resources_store.rooms(
                session, location_conditions(query("Location", **params)), Page(0, 50)
            )
        return sorted(r.name for r in found)

    assert await names(name="THEATRE") == [f"Hybrid theatre {tag}"]
    assert await names(name="heatre") == []
    assert await names(**{"name:contains": tag[2:6]}) == [f"Cardiac {tag}", f"Hybrid theatre {tag}"]
    assert await names(**{"name:exact": f"cardiac {tag}"}) == []
    assert await names(**{"name:exact": f"Cardiac {tag}"}) == [f"Cardiac {tag}"]


async def test_a_practitioner_role_is_found_by_its_id_its_practitioner_or_snomed_code(
    model,
) -> None:
    surgeon, nurse = member(), member(role=StaffRole.SCRUB_NURSE, name="Florence N")
    await apply(model, surgeon, nurse)

    async def found(**params: str) -> list[uuid.UUID]:
        async with session_of(model) as session:
            members, _ = await resources_store.staff(
                session,
                practitioner_role_conditions(query("PractitionerRole", **params)),
                Page(0, 50),
            )
        return [m.staff_id for m in members]

    role_id = practitioner_role_id(nurse.staff_id, "scrub_nurse")
    assert await found(_id=str(role_id)) == [nurse.staff_id]
    assert await found(practitioner=f"Practitioner/{surgeon.staff_id}") == [surgeon.staff_id]
    assert await found(role="http://snomed.info/sct|304292004") == [surgeon.staff_id]
    assert await found(role="http://loinc.org|304292004") == []
    assert await found(practitioner=f"Location/{surgeon.staff_id}") == []


async def test_a_booked_case_makes_its_rooms_time_busy_and_a_block_holds_the_rest(model) -> None:
    theatre = room()
    await apply(model, theatre, block(theatre.room_id))
    start = datetime(2026, 12, 7, 8, tzinfo=UTC)  # 09:00 in Amsterdam
    async with model.begin() as conn:
        await conn.execute(
            cases_tables.fhir_cases.insert().values(
                case_id=uuid.uuid4(),
                status="scheduled",
                room_id=theatre.room_id,
                room_from=start,
                room_until=start + timedelta(hours=2),
            )
        )
    async with session_of(model) as session:
        slots = await slots_api._slots(
            session,
            [theatre],
            datetime(2026, 12, 6, 23, tzinfo=UTC),
            datetime(2026, 12, 7, 23, tzinfo=UTC),
        )
    assert [
        (s.status, s.span.start.hour, s.span.end.hour, s.held_by is not None) for s in slots
    ] == [
        ("free", 7, 8, True),
        ("busy", 8, 10, False),
        ("free", 10, 11, True),
        ("free", 11, 16, False),
    ]


class Feed:
    """A topic of the test's own standing in for `resources.operating-rooms.v1`, and a consumer."""

    def __init__(self, engine: AsyncEngine, topic: str) -> None:
        self.engine, self.topic = engine, topic
        self.group = f"tests-{uuid.uuid4().hex[:8]}"

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        await publish_envelopes(self.topic, envelopes, key="room_id", client_id="tests-resources")

    @asynccontextmanager
    async def consuming(self) -> AsyncIterator[None]:
        handlers = resources_projection.register(
            HandlerMap(), topics={RESOURCES_OPERATING_ROOMS.name: self.topic}
        )
        consumer = IdempotentConsumer(
            ConsumerConfig(group_id=self.group, kafka=KAFKA, client_id="tests"),
            handlers,
            async_sessionmaker(self.engine, expire_on_commit=False),
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
        async with self.engine.connect() as conn:
            statement = text("SELECT count(*) FROM processed_events WHERE consumer_group = :g")
            return int((await conn.execute(statement, {"g": self.group})).scalar_one())


async def test_snapshots_redelivered_and_replayed_through_kafka_leave_the_newest(model) -> None:
    feed = Feed(model, await create_topic("fhir-rooms"))
    first = room(version=1)
    second = first.model_copy(update={"name": "Theatre 7 (hybrid)", "version": 2})
    once, twice = (Envelope.wrap(e, producer="resources") for e in (first, second))
    replayed_first = Envelope.wrap(first, producer="resources")
    await feed.publish([once, twice, twice, replayed_first])
    async with feed.consuming():

        async def all_seen() -> bool:
            return await feed.processed() >= 3

        await wait_until(all_seen, timeout=30, what="the three distinct events")
    kept = await stored_room(model, first.room_id)
    assert kept is not None and (kept.name, kept.version) == ("Theatre 7 (hybrid)", 2)
    async with model.connect() as conn:
        rows = await conn.execute(select(tables.fhir_rooms.c.version))
        assert [row.version for row in rows] == [2]
