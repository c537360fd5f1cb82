"""Judging a change of many cases at once (a proposal applied): each against the others, fast.

A week of lists in 40 rooms, each room with its own surgeon, anaesthetist and C-arm: five
90-minute cases a day, 130 minutes apart, so they fit exactly; 1000 cases in all.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.values import LocalTimeRange, WeeklyHours
from scheduling_service.booking.placement_facts import Known
from scheduling_service.domain.booking.booking_facts import CaseNeeds, Holdings, Placement, propose
from scheduling_service.domain.booking.conflicts import find_conflicts
from scheduling_service.read_model.resources_view import Unit

TZ = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2027, 3, 8)
DAY = (LocalTimeRange(start="07:00", end="19:00"),)
WEEK = WeeklyHours(monday=DAY, tuesday=DAY, wednesday=DAY, thursday=DAY, friday=DAY)
ROOMS, DAYS, PER_DAY = 40, 5, 5


@dataclass(frozen=True)
class Corner:
    """One room with its surgeon, anaesthetist and C-arm."""

    room: OperatingRoomUpserted
    surgeon: StaffMemberUpserted
    anaesthetist: StaffMemberUpserted
    c_arm: EquipmentUpserted


def corner(n: int) -> Corner:
    def member(role: str) -> StaffMemberUpserted:
        return StaffMemberUpserted(
            staff_id=uuid.uuid4(),
            name=f"{role} {n}",
            role=role,
            specialties=("orthopaedics",) if role == "surgeon" else (),
            working_pattern=WEEK,
            timezone=TZ.key,
            max_minutes_per_day=600,
            version=1,
        )

    return Corner(
        room=OperatingRoomUpserted(
            room_id=uuid.uuid4(),
            code=f"OR-{n}",
            name="Theatre",
            capabilities=("general",),
            weekly_hours=WEEK,
            timezone=TZ.key,
            version=1,
        ),
        surgeon=member("surgeon"),
        anaesthetist=member("anaesthetist"),
        c_arm=EquipmentUpserted(
            equipment_id=uuid.uuid4(),
            name="C-arm",
            equipment_type="c_arm",
            mobile=True,
            turnaround_minutes=30,
            units=(EquipmentUnit(unit_id=uuid.uuid4(), label=f"C-arm {n}"),),
            version=1,
        ),
    )


def case_of(where: Corner) -> CaseNeeds:
    return CaseNeeds(
        surgery_id=uuid.uuid4(),
        status="requested",
        surgeon_id=where.surgeon.staff_id,
        duration_minutes=90,
        setup_minutes=20,
        cleanup_minutes=15,
        required_capabilities=frozenset({"general"}),
        equipment_types=("c_arm",),
        roles_needed={"anaesthetist": 1},
    )


def placed(where: Corner, start: datetime) -> Placement:
    return Placement(
        room_id=where.room.room_id,
        start=start,
        staff=(StaffAssignment(staff_id=where.anaesthetist.staff_id, role="anaesthetist"),),
        equipment_unit_ids=(where.c_arm.units[0].unit_id,),
    )


def a_week() -> tuple[list[Corner], list[CaseNeeds], list[Placement]]:
    corners = [corner(n) for n in range(ROOMS)]
    needs, placements = [], []
    for where in corners:
        for day in range(DAYS):
            first = datetime.combine(MONDAY + timedelta(days=day), clock(7, 20), tzinfo=TZ)
            for n in range(PER_DAY):
                needs.append(case_of(where))
                placements.append(placed(where, first + timedelta(minutes=130 * n)))
    return corners, needs, placements


def known_of(corners: list[Corner]) -> Known:
    return Known(
        rooms={c.room.room_id: c.room for c in corners},
        staff={p.staff_id: p for c in corners for p in (c.surgeon, c.anaesthetist)},
        units={u.unit_id: Unit(c.c_arm, u) for c in corners for u in c.c_arm.units},
        held=Holdings(),
        hospital_tz=TZ,
        now=datetime.combine(MONDAY - timedelta(days=7), clock(12), tzinfo=TZ),
    )


def judge(known: Known, needs: list[CaseNeeds], placements: list[Placement]) -> list[list]:
    proposals = [propose(case, p) for case, p in zip(needs, placements, strict=True)]
    return [
        find_conflicts(case, proposal, facts)
        for case, proposal, facts in zip(needs, proposals, known.facts(proposals), strict=True)
    ]


def test_judges_a_thousand_cases_of_one_change_each_against_the_others() -> None:
    corners, needs, placements = a_week()
    found = judge(known_of(corners), needs, placements)
    assert len(found) == 1000 and not any(found)


def test_judging_time_grows_in_proportion_to_the_cases_not_their_square() -> None:
    # Best of three runs each, and a wide margin: 4 times the cases in well under 12 times
    # the time (n² would be 16 times), robust on a loaded machine.
    corners, needs, placements = a_week()
    known = known_of(corners)

    def best_of_three(n: int) -> float:
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            judge(known, needs[:n], placements[:n])
            runs.append(time.perf_counter() - began)
        return min(runs)

    small, large = best_of_three(250), best_of_three(1000)
    assert large < 12 * small, f"250 cases: {small:.3f}s, 1000 cases: {large:.3f}s"


def test_still_names_both_of_two_cases_of_one_change_that_collide() -> None:
    corners, needs, placements = a_week()
    # The last case moves onto the first one's room, people, unit and time.
    placements[-1] = placed(corners[0], placements[0].start)
    needs[-1] = replace(needs[-1], surgeon_id=corners[0].surgeon.staff_id)
    found = judge(known_of(corners), needs, placements)
    clashing = {n for n, conflicts in enumerate(found) if conflicts}
    assert clashing == {0, len(needs) - 1}
    first, last = needs[0].surgery_id, needs[-1].surgery_id
    assert [(c.code, c.other_surgery_id) for c in found[0]] == [
        ("room_double_booked", last),
        ("staff_double_booked", last),  # the surgeon
        ("staff_double_booked", last),  # the anaesthetist
        ("unit_double_booked", last),
    ]
    assert {c.other_surgery_id for c in found[-1]} == {first}
