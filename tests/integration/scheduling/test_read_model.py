"""The read model keeps the newest snapshot of each resource, whatever order snapshots come in."""

from __future__ import annotations

from scheduling_service.read_model import resources_view

from tests.integration.scheduling.world import Scheduling, room, team


async def test_keeps_the_newest_snapshot_and_ignores_an_older_one_redelivered(
    scheduling: Scheduling,
) -> None:
    first = room(name="First name")
    newer = first.model_copy(update={"name": "Second name", "version": 2})
    await scheduling.know(first, newer, first)
    async with scheduling.unit_of_work() as uow:
        known = await resources_view.rooms_by_id(uow.session, [first.room_id])
    assert known[first.room_id].name == "Second name"


async def test_replaces_the_units_of_equipment_with_those_of_its_newest_snapshot(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    fewer = made.c_arms.model_copy(update={"units": made.c_arms.units[:1], "version": 2})
    await scheduling.know(fewer)
    async with scheduling.unit_of_work() as uow:
        units = await resources_view.units_by_id(uow.session)
    assert set(units) & set(made.unit_ids) == {made.unit_ids[0]}
