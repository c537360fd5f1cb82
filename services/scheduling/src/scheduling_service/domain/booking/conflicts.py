"""Every rule a booking must keep, run together: `find_conflicts` names all that it breaks.

A refused booking tells the coordinator everything in its way at once: which resource, over
which interval, held by which other case. The database's exclusion constraints refuse any double
booking regardless; these rules are what name it. The case's and the room's rules live here,
the people's in `staff_conflicts`, the equipment units' in `unit_conflicts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scheduling_service.domain import lifecycle
from scheduling_service.domain.booking.booking_facts import (
    CaseNeeds,
    Facts,
    Held,
    Proposal,
    RoomFacts,
)
from scheduling_service.domain.booking.conflict import (
    Conflict,
    double_booked,
    stamp,
    when,
    within_one,
)
from scheduling_service.domain.booking.staff_conflicts import (
    roles_not_covered,
    staff_double_booked,
    staff_in_wrong_role,
    staff_listed_twice,
    staff_out_of_service,
    staff_over_daily_maximum,
    staff_unavailable,
    too_many_staff,
)
from scheduling_service.domain.booking.unit_conflicts import (
    equipment_not_covered,
    units_double_booked,
    units_fixed_elsewhere,
    units_in_maintenance_window,
    units_out_of_service,
)

__all__ = ["Conflict", "find_conflicts"]

# How far before now a case may still start: the coordinator's form took a moment to send.
PAST_GRACE = timedelta(minutes=5)


def find_conflicts(case: CaseNeeds, proposal: Proposal, facts: Facts) -> list[Conflict]:
    """Every conflict of `proposal`: the case's first, then the room's, the people's, the units'.

    Within each rule, resources come in the order the placement lists them (the surgeon first)
    and other cases earliest first, so the same proposal always reads the same.
    """
    tz, held = facts.hospital_tz, facts.held
    return [
        *case_not_bookable(case),
        *starts_in_past(case, proposal, facts.now, tz),
        *before_earliest_date(case, proposal, tz),
        *room_out_of_service(proposal, facts.room),
        *room_closed(proposal, facts.room, tz),
        *room_lacks_capabilities(case, facts.room),
        *room_double_booked(proposal, facts.room, held.rooms, tz),
        *staff_out_of_service(proposal, facts.staff),
        *staff_in_wrong_role(proposal, facts.staff),
        *staff_listed_twice(proposal),
        *too_many_staff(case),
        *roles_not_covered(case, proposal),
        *staff_unavailable(proposal, facts.staff, tz),
        *staff_double_booked(proposal, facts.staff, held.staff, tz),
        *staff_over_daily_maximum(proposal, facts.staff, held.staff),
        *units_out_of_service(proposal, facts.units),
        *units_in_maintenance_window(proposal, facts.units, tz),
        *equipment_not_covered(case, proposal, facts.units),
        *units_fixed_elsewhere(proposal, facts.units),
        *units_double_booked(proposal, facts.units, held.units, tz),
    ]


# --- The case


def case_not_bookable(case: CaseNeeds) -> list[Conflict]:
    """Only a waiting case is booked and only a booked one moved (`lifecycle`)."""
    if lifecycle.Status(case.status) in lifecycle.WAITING | lifecycle.BOOKED:
        return []
    message = (
        f"The case is {case.status}; only a requested, postponed, scheduled or confirmed case "
        "can be booked or moved."
    )
    return [Conflict("case_not_bookable", message, "case", case.surgery_id)]


def starts_in_past(
    case: CaseNeeds, proposal: Proposal, now: datetime | None, tz: ZoneInfo
) -> list[Conflict]:
    """No case is booked into time already gone (give or take `PAST_GRACE`); `now` is None
    only for the demo seed, which books last week's cases on purpose."""
    if now is None or proposal.surgery.start >= now - PAST_GRACE:
        return []
    message = (
        f"Case {case.surgery_id} starts {stamp(proposal.surgery.start.astimezone(tz))} "
        f"({tz.key}), before now ({stamp(now.astimezone(tz))}); a case cannot be booked "
        "into the past."
    )
    return [Conflict("starts_in_past", message, "case", case.surgery_id, proposal.surgery)]


def before_earliest_date(case: CaseNeeds, proposal: Proposal, tz: ZoneInfo) -> list[Conflict]:
    """The earliest date is a local date of the hospital."""
    day = proposal.surgery.start.astimezone(tz).date()
    if case.earliest_date is None or day >= case.earliest_date:
        return []
    message = f"The case would start on {day}, before its earliest date {case.earliest_date}."
    return [Conflict("before_earliest_date", message, "case", case.surgery_id, proposal.surgery)]


# --- The room


def room_out_of_service(proposal: Proposal, room: RoomFacts | None) -> list[Conflict]:
    if room is None:
        message = f"Room {proposal.room_id} is not known here."
        return [Conflict("room_unknown", message, "room", proposal.room_id)]
    if room.retired:
        return [Conflict("room_retired", f"{room.code} is retired.", "room", room.room_id)]
    return []


def room_closed(proposal: Proposal, room: RoomFacts | None, tz: ZoneInfo) -> list[Conflict]:
    """The room is held from setup to cleanup, all of it inside one open interval."""
    if room is None or room.retired or within_one(proposal.room_span, room.open):
        return []
    why = "it is in maintenance" if room.status == "maintenance" else "it is not open all that time"
    message = (
        f"{room.code} would be held {when(proposal.room_span, tz)} (setup to cleanup), but {why}."
    )
    return [Conflict("room_closed", message, "room", room.room_id, proposal.room_span)]


def room_lacks_capabilities(case: CaseNeeds, room: RoomFacts | None) -> list[Conflict]:
    if room is None:
        return []
    return [
        Conflict(
            "room_lacks_capability",
            f"{room.code} is not equipped for {capability}, which the case requires.",
            "room",
            room.room_id,
        )
        for capability in sorted(case.required_capabilities - room.capabilities)
    ]


def room_double_booked(
    proposal: Proposal, room: RoomFacts | None, held: Sequence[Held], tz: ZoneInfo
) -> list[Conflict]:
    """The room is held from setup to cleanup, by one case at a time."""
    name = room.code if room else f"Room {proposal.room_id}"
    return double_booked("room", [(proposal.room_id, name)], proposal.room_span, held, tz)
