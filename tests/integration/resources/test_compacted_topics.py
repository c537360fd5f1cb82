"""The resources topics are compacted logs of whole snapshots: a new consumer rebuilds from them."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime

import pytest
from contracts.envelope import Envelope, Event
from resources_service import block_release, blocks, rooms, staff
from resources_service.api.schemas.blocks import BlockCreate, BlockReleaseCreate
from resources_service.api.schemas.equipment import (
    EquipmentCreate,
    EquipmentUpdate,
    MaintenanceCreate,
    UnitCreate,
    UnitUpdate,
)
from resources_service.api.schemas.rooms import RoomCreate, RoomExceptionCreate
from resources_service.api.schemas.staff import AbsenceCreate, StaffCreate
from resources_service.commands import BlockState, RoomState, StaffState
from resources_service.equipment import pieces as equipment
from resources_service.equipment import units as equipment_units

from tests.integration.resources.world import (
    RESOURCES_TOPICS,
    SNAPSHOT_EVENTS,
    Resources,
    compacted,
    create_quickly_compacted_topic,
    fold,
    produce,
    read_whole_topics,
    topic_configs,
)

pytestmark = pytest.mark.integration

HOURS = {"monday": [{"start": "08:00", "end": "16:00"}]}
RELEASED = [date(2027, 4, 12), date(2027, 4, 19)]


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def room(code: str, **changes) -> RoomState:
    body = {"code": code, "name": f"Room {code}", "weekly_hours": HOURS}
    return RoomCreate.model_validate(body | changes).command()


def person(name: str, **changes) -> StaffState:
    body = {"name": name, "role": "surgeon", "working_pattern": HOURS}
    return StaffCreate.model_validate(body | changes).command()


def block(room_id: uuid.UUID, recurrence: dict, **changes) -> BlockState:
    body = {"room_id": room_id, "service": "cardiac", "recurrence": recurrence}
    times = {"start_time": "08:00", "end_time": "12:00"}
    return BlockCreate.model_validate(body | times | changes).command()


async def change_rooms(resources: Resources, prefix: str) -> list[uuid.UUID]:
    """A room changed several times, one retired after a removed window, one left as created."""
    changed = (await resources.change(rooms.create, room(f"{prefix}-A"))).row.room_id
    renamed = room(f"{prefix}-A", name="Renamed", capabilities=["neuro"])
    await resources.change(rooms.replace, changed, renamed, if_match='"1"')
    for kind, start, end in [
        ("closure", "2027-03-29T08:00:00+02:00", "2027-03-29T12:00:00+02:00"),
        ("extended_hours", "2027-03-30T16:00:00+02:00", "2027-03-30T19:00:00+02:00"),
    ]:
        window = RoomExceptionCreate(kind=kind, start=at(start), end=at(end)).command()
        await resources.change(rooms.add_exception, changed, window, if_match=None)
    retired = (
        await resources.change(rooms.create, room(f"{prefix}-B", status="maintenance"))
    ).row.room_id
    window = RoomExceptionCreate(
        kind="maintenance", start=at("2027-04-01T08:00:00+02:00"), end=at("2027-04-01T09:00+02:00")
    ).command()
    (added,) = (
        await resources.change(rooms.add_exception, retired, window, if_match=None)
    ).exceptions
    maintenance = added.exception_id
    await resources.change(rooms.remove_exception, retired, maintenance, if_match=None)
    await resources.change(rooms.retire, retired, if_match='"3"')
    untouched = (await resources.change(rooms.create, room(f"{prefix}-C"))).row.room_id
    return [changed, retired, untouched]


async def change_staff(resources: Resources, prefix: str) -> list[uuid.UUID]:
    """A surgeon changed and away twice, one retired, one left as created."""
    changed = (await resources.change(staff.create, person(f"{prefix} Anna"))).row.staff_id
    moved = person(f"{prefix} Anna", specialties=["cardiac"], max_minutes_per_day=300)
    await resources.change(staff.replace, changed, moved, if_match='"1"')
    for start, end in [
        ("2027-03-27T00:00:00+01:00", "2027-03-29T00:00:00+02:00"),
        ("2027-04-05T00:00:00+02:00", "2027-04-06T00:00:00+02:00"),
    ]:
        absence = AbsenceCreate(start=at(start), end=at(end)).command()
        await resources.change(staff.add_absence, changed, absence, if_match=None)
    bram = person(f"{prefix} Bram", status="inactive")
    retired = (await resources.change(staff.create, bram)).row.staff_id
    await resources.change(staff.retire, retired, if_match=None)
    untouched = (await resources.change(staff.create, person(f"{prefix} Cor"))).row.staff_id
    return [changed, retired, untouched]


async def unit_ids(resources: Resources, equipment_id: uuid.UUID) -> list[uuid.UUID]:
    async def query(session):
        return [u.unit_id for u in (await equipment.get(session, equipment_id)).units]

    return await resources.read(query)


async def change_equipment(
    resources: Resources, prefix: str, room_id: uuid.UUID
) -> list[uuid.UUID]:
    """Mobile equipment whose units are added, changed, serviced and retired; fixed equipment
    retired whole; equipment left as created."""
    units = [UnitCreate(label="One", serial_number=f"{prefix}-1"), UnitCreate(label="Two")]
    body = EquipmentCreate(name=f"{prefix} C-arm", equipment_type="c_arm", mobile=True, units=units)
    changed = (await resources.change(equipment.create, body.command())).row.equipment_id
    update = EquipmentUpdate(
        name=f"{prefix} C-arm", equipment_type="c_arm", mobile=True, turnaround_minutes=20
    ).command()
    await resources.change(equipment.replace, changed, update, if_match='"1"')
    third = UnitCreate(label="Three").command()
    await resources.change(equipment_units.add, changed, third, if_match=None)
    one, two, three = await unit_ids(resources, changed)
    serviced = UnitUpdate(
        label="Two", serial_number=f"{prefix}-2", status="in_maintenance"
    ).command()
    await resources.change(equipment_units.replace, changed, two, serviced, if_match=None)
    windows = [
        MaintenanceCreate(
            start=at(f"2027-04-0{d}T08:00:00+02:00"), end=at(f"2027-04-0{d}T12:00:00+02:00")
        ).command()
        for d in (6, 7)
    ]
    await resources.change(equipment_units.add_maintenance, changed, one, windows[0], if_match=None)
    serviced_twice = await resources.change(
        equipment_units.add_maintenance, changed, one, windows[1], if_match=None
    )
    later = serviced_twice.maintenance[one][-1].window_id
    await resources.change(equipment_units.remove_maintenance, changed, one, later, if_match=None)
    await resources.change(equipment_units.retire, changed, three, if_match=None)
    fixed = EquipmentCreate(
        name=f"{prefix} Robot",
        equipment_type="surgical_robot",
        mobile=False,
        units=[UnitCreate(label="Robot", fixed_room_id=room_id)],
    )
    retired = (await resources.change(equipment.create, fixed.command())).row.equipment_id
    await resources.change(equipment.retire, retired, if_match=None)
    scope = EquipmentCreate(name=f"{prefix} Scope", equipment_type="endoscope", mobile=True)
    untouched = (await resources.change(equipment.create, scope.command())).row.equipment_id
    return [changed, retired, untouched]


async def change_blocks(
    resources: Resources, room_ids: list[uuid.UUID], surgeon_id: uuid.UUID
) -> list[uuid.UUID]:
    """A weekly block with two occurrences released, a surgeon's date moved and then retired,
    and a date left as allocated."""
    mondays = {"kind": "weekly", "weekdays": ["monday"], "valid_from": "2027-04-05"}
    weekly = (await resources.change(blocks.allocate, block(room_ids[0], mondays))).row.block_id
    for day in RELEASED:
        await resources.change(
            block_release.release,
            weekly,
            BlockReleaseCreate(date=day, reason="Congress").command(),
            user_id=resources.actor_id,
            if_match=None,
        )
    single = {"kind": "date", "date": "2027-04-13"}
    owned = {"service": None, "surgeon_id": surgeon_id}
    surgeons = block(room_ids[1], single, **owned)
    retired = (await resources.change(blocks.allocate, surgeons)).row.block_id
    moved = block(room_ids[1], single, **owned, start_time="13:00", end_time="17:00")
    await resources.change(blocks.replace, retired, moved, if_match='"1"')
    await resources.change(blocks.retire, retired, if_match='"2"')
    untouched = (await resources.change(blocks.allocate, block(room_ids[0], single))).row.block_id
    return [weekly, retired, untouched]


async def snapshots_now(resources: Resources, ids: dict[str, list[uuid.UUID]]) -> dict[str, Event]:
    """What the database holds now, as each entity's snapshot event, by message key."""
    zone = resources.settings.hospital_timezone

    async def query(session):
        found: dict[str, Event] = {}
        for i in ids["rooms"]:
            found[str(i)] = rooms.snapshot(await rooms.get(session, i), zone)
        for i in ids["staff"]:
            found[str(i)] = staff.snapshot(await staff.get(session, i), zone)
        for i in ids["equipment"]:
            found[str(i)] = equipment.snapshot(await equipment.get(session, i))
        for i in ids["blocks"]:
            found[str(i)] = blocks.snapshot(await blocks.get(session, i))
        return found

    return await resources.read(query)


async def test_a_fresh_consumer_rebuilds_the_same_state_from_the_compacted_topics(resources):
    prefix = uuid.uuid4().hex[:8]
    async with resources.relaying():
        ids = {"rooms": await change_rooms(resources, prefix)}
        ids["staff"] = await change_staff(resources, prefix)
        ids["equipment"] = await change_equipment(resources, prefix, ids["rooms"][0])
        ids["blocks"] = await change_blocks(
            resources, [ids["rooms"][0], ids["rooms"][2]], ids["staff"][2]
        )

    messages = await read_whole_topics(*RESOURCES_TOPICS)
    rebuilt = fold(messages)

    expected = await snapshots_now(resources, ids)
    assert {key: rebuilt.get(key) for key in expected} == expected
    # What the scenario did is in the state compared, not only equal on both sides.
    for kind in ("rooms", "staff", "equipment", "blocks"):
        changed, retired, untouched = (expected[str(i)] for i in ids[kind])
        assert changed.version > 1 and untouched.version == 1
        assert retired.retired_at is not None
        assert changed.retired_at is None and untouched.retired_at is None
    assert len(expected[str(ids["rooms"][0])].exceptions) == 2
    assert len(expected[str(ids["staff"][0])].absences) == 2
    units = expected[str(ids["equipment"][0])].units
    assert [(u.label, u.status, len(u.maintenance_windows)) for u in units] == [
        ("One", "available", 1),
        ("Two", "in_maintenance", 0),
        ("Three", "retired", 0),
    ]
    assert [u.status for u in expected[str(ids["equipment"][1])].units] == ["retired"]
    assert expected[str(ids["blocks"][0])].released_dates == tuple(RELEASED)
    assert expected[str(ids["blocks"][1])].start_time == "13:00"
    assert_retirements_and_releases_end_in_snapshots(messages, ids)


def assert_retirements_and_releases_end_in_snapshots(
    messages: list[tuple[str, Envelope]], ids: dict[str, list[uuid.UUID]]
) -> None:
    """A retirement or a release is announced, then the whole new snapshot follows it at once."""
    story = defaultdict(list)
    for key, envelope in messages:
        story[key].append((envelope.event_type, envelope.data["version"]))
    for kind, retired_event, snapshot_event in [
        ("rooms", "OperatingRoomRetired", "OperatingRoomUpserted"),
        ("staff", "StaffMemberRetired", "StaffMemberUpserted"),
        ("equipment", "EquipmentRetired", "EquipmentUpserted"),
    ]:
        retired = story[str(ids[kind][1])]
        version = retired[-1][1]
        assert retired[-2:] == [(retired_event, version), (snapshot_event, version)]
    released = story[str(ids["blocks"][0])]
    assert released == [
        ("BlockAllocated", 1),
        ("BlockReleased", 2),
        ("BlockAllocated", 2),
        ("BlockReleased", 3),
        ("BlockAllocated", 3),
    ]


async def test_every_resources_topic_is_compacted():
    configs = await topic_configs(*RESOURCES_TOPICS)

    assert {name: c["cleanup.policy"] for name, c in configs.items()} == {
        name: "compact" for name in RESOURCES_TOPICS
    }


async def test_once_kafka_has_compacted_the_log_one_whole_snapshot_per_entity_is_left(
    resources,
):
    # The events of this test's entities, copied in their order to a topic of the test's own
    # that Kafka compacts within seconds (the resources topics themselves roll segments weekly).
    prefix = uuid.uuid4().hex[:8]
    async with resources.relaying():
        ids = {"rooms": await change_rooms(resources, prefix)}
        ids["staff"] = await change_staff(resources, prefix)
        ids["equipment"] = await change_equipment(resources, prefix, ids["rooms"][0])
        ids["blocks"] = await change_blocks(
            resources, [ids["rooms"][0], ids["rooms"][2]], ids["staff"][2]
        )
    ours = {str(i) for group in ids.values() for i in group}
    messages = [(k, e) for k, e in await read_whole_topics(*RESOURCES_TOPICS) if k in ours]
    topic = await create_quickly_compacted_topic()
    await produce(topic, messages)

    left = await compacted(topic, keys=ours, timeout=90)

    assert len(messages) > len(left) == len(ours)
    assert {envelope.event_type for _, envelope in left} <= SNAPSHOT_EVENTS
    assert fold(left) == await snapshots_now(resources, ids)
