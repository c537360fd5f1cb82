"""The booking rules about equipment units: in service, of the types needed, free, in reach."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from scheduling_service.domain.booking.booking_facts import CaseNeeds, Held, Proposal, UnitFacts
from scheduling_service.domain.booking.conflict import Conflict, double_booked, known, overlap, when


def units_out_of_service(
    proposal: Proposal, units: Mapping[uuid.UUID, UnitFacts]
) -> list[Conflict]:
    found = []
    for unit_id in proposal.unit_ids:
        unit = units.get(unit_id)
        if unit is None:
            message = f"Equipment unit {unit_id} is not known here."
            found.append(Conflict("unit_unknown", message, "unit", unit_id))
        elif unit.retired:
            found.append(Conflict("unit_retired", f"{unit.label} is retired.", "unit", unit_id))
        elif unit.status != "available":
            message = f"{unit.label} is in maintenance."
            found.append(Conflict("unit_in_maintenance", message, "unit", unit_id))
    return found


def units_in_maintenance_window(
    proposal: Proposal, units: Mapping[uuid.UUID, UnitFacts], tz: ZoneInfo
) -> list[Conflict]:
    """A unit is held for the surgery and its turnaround; no maintenance window may cut in."""
    found = []
    for unit in known(proposal.unit_ids, units):
        if unit.retired or unit.status != "available":
            continue
        held = unit.held_for(proposal.surgery)
        for window in sorted(w for w in unit.maintenance if overlap(held, w)):
            message = f"{unit.label} is in maintenance {when(window, tz)}."
            found.append(Conflict("unit_maintenance_window", message, "unit", unit.unit_id, window))
    return found


def equipment_not_covered(
    case: CaseNeeds, proposal: Proposal, units: Mapping[uuid.UUID, UnitFacts]
) -> list[Conflict]:
    """One unit per equipment type the case needs, and none it does not."""
    reserved = list(known(proposal.unit_ids, units))
    needed = Counter(case.equipment_types)
    given = Counter(unit.equipment_type for unit in reserved)
    found = [
        Conflict(
            "equipment_type_missing",
            f"The case needs a {kind} unit; none is reserved.",
            "case",
            case.surgery_id,
        )
        for kind in needed
        if given[kind] < needed[kind]
    ]
    seen: Counter[str] = Counter()
    for unit in reserved:
        kind = unit.equipment_type
        seen[kind] += 1
        if seen[kind] > needed[kind]:
            message = (
                f"{unit.label} is one {kind} more than the case needs."
                if needed[kind]
                else f"{unit.label} is a {kind}, which the case does not need."
            )
            found.append(Conflict("unit_not_needed", message, "unit", unit.unit_id))
    return found


def units_fixed_elsewhere(
    proposal: Proposal, units: Mapping[uuid.UUID, UnitFacts]
) -> list[Conflict]:
    return [
        Conflict(
            "unit_fixed_elsewhere",
            f"{unit.label} is installed in room {unit.fixed_room_id} and cannot move.",
            "unit",
            unit.unit_id,
        )
        for unit in known(proposal.unit_ids, units)
        if unit.fixed_room_id is not None and unit.fixed_room_id != proposal.room_id
    ]


def units_double_booked(
    proposal: Proposal,
    units: Mapping[uuid.UUID, UnitFacts],
    held: Sequence[Held],
    tz: ZoneInfo,
) -> list[Conflict]:
    """A unit is held for the surgery and its turnaround, by one case at a time."""
    found = []
    for unit in known(proposal.unit_ids, units):
        span = unit.held_for(proposal.surgery)
        found += double_booked("unit", [(unit.unit_id, unit.label)], span, held, tz)
    return found
