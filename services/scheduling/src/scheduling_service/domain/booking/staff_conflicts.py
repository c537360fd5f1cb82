"""The booking rules about people: who they are, the roles they fill, when and how long."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from contracts.calendar.wallclock import range_span

from scheduling_service.domain.booking.booking_facts import (
    MOST_STAFF,
    SURGEON,
    CaseNeeds,
    Held,
    PersonFacts,
    Proposal,
)
from scheduling_service.domain.booking.conflict import (
    Conflict,
    double_booked,
    known,
    when,
    within_one,
)


def staff_out_of_service(
    proposal: Proposal, staff: Mapping[uuid.UUID, PersonFacts]
) -> list[Conflict]:
    found = []
    for staff_id in proposal.staff_ids:
        person = staff.get(staff_id)
        if person is None:
            message = f"Staff member {staff_id} is not known here."
            found.append(Conflict("staff_unknown", message, "staff", staff_id))
        elif person.retired:
            found.append(Conflict("staff_retired", f"{person.name} is retired.", "staff", staff_id))
        elif not person.active:
            message = f"{person.name} is inactive."
            found.append(Conflict("staff_inactive", message, "staff", staff_id))
    return found


def staff_in_wrong_role(
    proposal: Proposal, staff: Mapping[uuid.UUID, PersonFacts]
) -> list[Conflict]:
    """A person fills only the role resources gives them."""
    return [
        Conflict(
            "staff_wrong_role",
            f"{staff[staff_id].name} is a {staff[staff_id].role}, not a {role}.",
            "staff",
            staff_id,
        )
        for staff_id, role in proposal.staff
        if staff_id in staff and staff[staff_id].role != role
    ]


def staff_listed_twice(proposal: Proposal) -> list[Conflict]:
    counts = Counter(staff_id for staff_id, _ in proposal.staff)
    return [
        Conflict(
            "staff_listed_twice",
            f"Staff member {staff_id} fills more than one place in the case "
            f"({', '.join(role for s, role in proposal.staff if s == staff_id)}).",
            "staff",
            staff_id,
        )
        for staff_id in proposal.staff_ids
        if counts[staff_id] > 1
    ]


def too_many_staff(case: CaseNeeds) -> list[Conflict]:
    """A case needing more people than one booking holds can never be booked as it stands."""
    needed = sum(case.roles_needed.values())
    if 1 + needed <= MOST_STAFF:
        return []
    message = (
        f"The case needs {needed} people besides its surgeon; a booking holds at most "
        f"{MOST_STAFF - 1}. Correct the roles it needs."
    )
    return [Conflict("too_many_staff", message, "case", case.surgery_id)]


def roles_not_covered(case: CaseNeeds, proposal: Proposal) -> list[Conflict]:
    """The people besides the surgeon fill the roles needed exactly: none missing, none extra."""
    given: dict[str, list[uuid.UUID]] = {}
    for staff_id, role in proposal.staff[1:]:
        given.setdefault(role, []).append(staff_id)
    found = [
        Conflict(
            "staff_role_missing",
            f"The case needs {count} {role}(s) besides its surgeon; "
            f"{len(given.get(role, []))} assigned.",
            "case",
            case.surgery_id,
        )
        for role, count in case.roles_needed.items()
        if len(given.get(role, [])) < count
    ]
    for role, people in given.items():
        for staff_id in people[case.roles_needed.get(role, 0) :]:
            found.append(_not_needed(case, staff_id, role))
    return found


def _not_needed(case: CaseNeeds, staff_id: uuid.UUID, role: str) -> Conflict:
    if role == SURGEON:
        message = (
            f"Staff member {staff_id} is not the case's surgeon ({case.surgeon_id}), and the "
            "case needs no other surgeon."
        )
        return Conflict("not_the_cases_surgeon", message, "staff", staff_id)
    message = f"The case needs no more {role}s; staff member {staff_id} is one too many."
    return Conflict("staff_not_needed", message, "staff", staff_id)


def staff_unavailable(
    proposal: Proposal, staff: Mapping[uuid.UUID, PersonFacts], tz: ZoneInfo
) -> list[Conflict]:
    """A person is in the case for the surgery itself, all of it inside their working time."""
    return [
        Conflict(
            "staff_unavailable",
            f"{person.name} is not working or is absent during {when(proposal.surgery, tz)}.",
            "staff",
            person.staff_id,
            proposal.surgery,
        )
        for person in known(proposal.staff_ids, staff)
        if person.active and not person.retired
        if not within_one(proposal.surgery, person.available)
    ]


def staff_double_booked(
    proposal: Proposal,
    staff: Mapping[uuid.UUID, PersonFacts],
    held: Sequence[Held],
    tz: ZoneInfo,
) -> list[Conflict]:
    """A person is in one surgery at a time."""
    people = [(s, staff[s].name if s in staff else f"Staff member {s}") for s in proposal.staff_ids]
    return double_booked("staff", people, proposal.surgery, held, tz)


def staff_over_daily_maximum(
    proposal: Proposal, staff: Mapping[uuid.UUID, PersonFacts], held: Sequence[Held]
) -> list[Conflict]:
    """Surgery minutes on the person's local date the case starts: this case and their others,
    within that date's maximum (its own, else its weekday's, else every day's).

    Each case counts whole on the day it starts, as the optimizer counts it.
    """
    found = []
    for person in known(proposal.staff_ids, staff):
        day = proposal.surgery.start.astimezone(person.timezone).date()
        limit = person.max_minutes_on(day)
        others = sum(
            h.span.minutes
            for h in held
            if h.resource_id == person.staff_id
            and h.surgery_id != proposal.surgery_id
            and h.span.start.astimezone(person.timezone).date() == day
        )
        total = others + proposal.surgery.minutes
        if limit is not None and total > limit:
            message = (
                f"{person.name} would operate {total} minutes on {day}, over their daily "
                f"maximum of {limit}."
            )
            whole_day = range_span(day, day, person.timezone)
            found.append(
                Conflict("staff_over_daily_maximum", message, "staff", person.staff_id, whole_day)
            )
    return found
