"""The schedule's revision moves on with every committed change the board shows, once per
transaction, and with nothing else."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from scheduling_service.db.tables import audit_log, rooms
from scheduling_service.views.schedule_revision import current_revision
from sqlalchemy import delete, insert

from tests.integration.scheduling.world import Scheduling, c_arm, person, room

pytestmark = pytest.mark.integration


async def revision(scheduling: Scheduling) -> str:
    async with scheduling.unit_of_work() as uow:
        return await current_revision(uow.session)


def counter(value: str) -> int:
    return int(value.rsplit("-", 1)[1])


async def test_a_read_model_update_moves_the_revision_on_once_per_transaction(scheduling):
    before = await revision(scheduling)
    await scheduling.know(room(), room(), person(), c_arm(units=3))
    after = await revision(scheduling)
    assert after != before
    assert counter(after) == counter(before) + 1


async def test_a_rolled_back_change_leaves_the_revision_alone(scheduling):
    before = await revision(scheduling)
    async with scheduling.unit_of_work() as uow:
        await uow.session.execute(delete(rooms))
        # No commit: the unit of work rolls back.
    assert await revision(scheduling) == before


async def test_changes_the_board_does_not_show_leave_the_revision_alone(scheduling):
    before = await revision(scheduling)
    async with scheduling.unit_of_work() as uow:
        await uow.session.execute(
            insert(audit_log).values(
                audit_id=uuid.uuid4(),
                at=datetime.now(UTC),
                actor_kind="user",
                actor_id=str(uuid.uuid4()),
                action="schedule.read",
                record_type="schedule",
                record_id="test",
            )
        )
        await uow.commit()
    assert await revision(scheduling) == before


async def test_a_deleted_row_moves_the_revision_on(scheduling):
    await scheduling.know(room())
    before = await revision(scheduling)
    async with scheduling.unit_of_work() as uow:
        await uow.session.execute(delete(rooms))
        await uow.commit()
    assert counter(await revision(scheduling)) == counter(before) + 1
