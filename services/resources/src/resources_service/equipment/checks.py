"""What a change of equipment units must pass: the rules, then rooms, labels, serials and limits.

The unique indexes on labels and serial numbers stay the last word; these checks come first only
to name the unit in the way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from servicekit.problems import Problem
from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service.db.tables import (
    equipment,
    equipment_units,
    operating_rooms,
)
from resources_service.domain.equipment_rules import (
    MAX_UNITS,
    placement_problems,
    units_problems,
)

INVALID = "Invalid request"


def ensure_valid_units(
    mobile: bool, units: Sequence[tuple[str, str | None, uuid.UUID | None]]
) -> None:
    if problems := units_problems(mobile, units):
        raise Problem(422, "The units are not valid: " + "; ".join(problems) + ".", title=INVALID)


def ensure_placed(mobile: bool, units: Sequence[tuple[str, uuid.UUID | None]]) -> None:
    if problems := placement_problems(mobile, units):
        raise Problem(422, "The units are not valid: " + "; ".join(problems) + ".", title=INVALID)


async def ensure_rooms_in_service(
    session: AsyncSession, room_ids: Iterable[uuid.UUID | None]
) -> None:
    """Every named room exists and is in service, and stays so until this transaction ends."""
    wanted = {room_id for room_id in room_ids if room_id is not None}
    if not wanted:
        return
    table = operating_rooms
    # FOR SHARE: a room retiring meanwhile waits for this unit and then sees it.
    found = (
        await session.execute(
            select(table.c.room_id, table.c.code, table.c.retired_at)
            .where(table.c.room_id.in_(wanted))
            .with_for_update(read=True)
        )
    ).all()
    problems = [
        f"there is no operating room {r}"
        for r in sorted(wanted - {f.room_id for f in found}, key=str)
    ]
    problems += [
        f"operating room {r.code} ({r.room_id}) was retired on {r.retired_at:%Y-%m-%d}"
        for r in found
        if r.retired_at is not None
    ]
    if problems:
        raise Problem(
            422, "A unit cannot be installed there: " + "; ".join(problems) + ".", title=INVALID
        )


async def ensure_labels_free(
    session: AsyncSession,
    equipment_id: uuid.UUID,
    labels: Iterable[str],
    *,
    besides: uuid.UUID | None = None,
) -> None:
    """No other unit in service of this equipment has one of these labels, ignoring case."""
    units = equipment_units
    clash = (
        await session.execute(
            select(units.c.unit_id, units.c.label)
            .where(
                units.c.equipment_id == equipment_id,
                units.c.retired_at.is_(None),
                func.lower(units.c.label).in_({label.lower() for label in labels}),
                units.c.unit_id != besides if besides else true(),
            )
            .limit(1)
        )
    ).first()
    if clash is not None:
        raise Problem(
            409,
            f"Unit {clash.unit_id} of this equipment is labelled {clash.label!r} already; "
            "labels of units in service are unique within their equipment.",
        )


async def ensure_serials_free(
    session: AsyncSession, serials: Iterable[str | None], *, besides: uuid.UUID | None = None
) -> None:
    """No other unit anywhere, retired ones too, has one of these serial numbers."""
    wanted = {serial.lower() for serial in serials if serial is not None}
    if not wanted:
        return
    units = equipment_units
    clash = (
        await session.execute(
            select(units.c.unit_id, units.c.label, units.c.serial_number, units.c.equipment_id)
            .add_columns(equipment.c.name)
            .select_from(units.join(equipment))
            .where(
                func.lower(units.c.serial_number).in_(wanted),
                units.c.unit_id != besides if besides else true(),
            )
            .limit(1)
        )
    ).first()
    if clash is not None:
        raise Problem(
            409,
            f"The serial number {clash.serial_number} belongs to unit {clash.label!r} "
            f"({clash.unit_id}) of {clash.name} ({clash.equipment_id}) already; one physical item "
            "is one unit.",
        )


async def ensure_room_for_units(
    session: AsyncSession, equipment_id: uuid.UUID, adding: int
) -> None:
    units = equipment_units
    held = await session.scalar(
        select(func.count()).select_from(units).where(units.c.equipment_id == equipment_id)
    )
    if (held or 0) + adding > MAX_UNITS:
        raise Problem(
            409,
            f"The equipment holds {held} units, retired ones included (bookings may still name "
            f"them); it can hold at most {MAX_UNITS}. Add the units as new equipment instead.",
        )
