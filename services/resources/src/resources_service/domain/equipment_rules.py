"""Rules of equipment units that need no database: where units may stand, unique names."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

# What one `EquipmentUpserted` snapshot carries: every unit, retired ones too.
MAX_UNITS = 500


def placement_problems(mobile: bool, units: Sequence[tuple[str, uuid.UUID | None]]) -> list[str]:
    """What is wrong with where units (label, fixed room) stand: fixed ones need a room each."""
    if mobile:
        return [
            f"unit {label!r} names a fixed room, but mobile equipment moves between rooms"
            for label, room in units
            if room is not None
        ]
    return [
        f"unit {label!r} needs a fixed_room_id: fixed equipment is installed in one room"
        for label, room in units
        if room is None
    ]


def repeated(values: Iterable[str | None], what: str) -> list[str]:
    """One message per value given more than once, ignoring case; absent values never clash."""
    first: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for value in values:
        if value is not None:
            first.setdefault(value.lower(), value)
            counts[value.lower()] += 1
    return [f"{what} {first[key]!r} is given more than once" for key, n in counts.items() if n > 1]


def units_problems(
    mobile: bool, units: Sequence[tuple[str, str | None, uuid.UUID | None]]
) -> list[str]:
    """Everything wrong within a list of new units (label, serial number, fixed room)."""
    return (
        repeated((label for label, _, _ in units), "label")
        + repeated((serial for _, serial, _ in units), "serial number")
        + placement_problems(mobile, [(label, room) for label, _, room in units])
    )


def rooms_after(
    mobile: bool,
    in_service: Mapping[uuid.UUID, uuid.UUID | None],
    unit_rooms: Mapping[uuid.UUID, uuid.UUID],
) -> dict[uuid.UUID, uuid.UUID | None]:
    """Where each unit in service stands once the equipment is mobile or fixed.

    Units of mobile equipment leave their rooms; `unit_rooms` installs the units it names, and
    the others of fixed equipment stay where they are.
    """
    return {
        unit_id: unit_rooms.get(unit_id, None if mobile else room)
        for unit_id, room in in_service.items()
    }
