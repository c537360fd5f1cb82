"""How an emergency insertion's problem is built: which booked cases stay or move (confirmed ones
at a heavier price), over which days, with which weights; and a kept case shown with its booked
people. No I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from contracts.calendar.spans import Span
from contracts.planning import CaseAssignment, ObjectiveWeights, Plan, PlanKpis, UnscheduledCase
from pydantic import ValidationError
from scheduling_service.api.schemas.optimizations import OptimizationCreate
from scheduling_service.domain.emergency_insertion import (
    CONFIRMED_MOVE_WEIGHT,
    LADDER,
    START_DELAY_PER_MINUTE,
    TIME_LIMIT_SECONDS,
    WEIGHTS,
    Booked,
    Busy,
    Need,
    Room,
    Step,
    first_step,
    fits,
    keep_booked_people,
    split,
)
from scheduling_service.domain.proposals import Placement
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.planning.planning_emergency import EmergencyAsk

NOW = datetime(2031, 3, 5, 9, 45, tzinfo=UTC)  # 10:45 in Amsterdam
NOT_BEFORE = NOW + timedelta(minutes=15)
MIDNIGHT = datetime(2031, 3, 5, 23, tzinfo=UTC)
TODAY = Span(NOT_BEFORE, MIDNIGHT)
BOTH_DAYS = Span(NOT_BEFORE, MIDNIGHT + timedelta(days=1))
ROOM, SURGEON = uuid.uuid4(), uuid.uuid4()
OPEN = (Span(NOW - timedelta(hours=3), NOW + timedelta(days=2)),)  # around the clock


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def booked(start: float, hours: float = 1.0, status: str = "scheduled", room=ROOM) -> Booked:
    return Booked(uuid.uuid4(), status, room, at(start), Span(at(start), at(start + hours)))


def need(minutes: int = 60, **changes) -> Need:
    values = {
        "case_id": uuid.uuid4(),
        "surgeon_id": SURGEON,
        "capabilities": frozenset({"general"}),
        "room_minutes": minutes,
    }
    return Need(**(values | changes))


ROOMS = [Room(ROOM, frozenset({"general"}), OPEN)]
SURGEONS = {SURGEON: ([Span(at(-3), at(48))], [])}


def full_today(**statuses: str) -> list[Booked]:
    """Hour-long bookings back to back from 10 minutes before now to past midnight."""
    hours = int((MIDNIGHT - at(-1 / 6)).total_seconds() // 3600) + 1
    return [booked(h - 1 / 6, status=statuses.get(str(h), "scheduled")) for h in range(hours)]


def test_started_and_imminent_cases_stay_and_the_rest_are_re_planned_confirmed_ones_dearer() -> (
    None
):
    in_room = booked(-0.5, status="in_room")
    imminent = booked(0.1)  # 09:51, before now plus the margin
    confirmed = booked(2, status="confirmed")
    planned = booked(4)
    tomorrow = booked(20)

    sides = split([tomorrow, planned, confirmed, imminent, in_room], TODAY)

    assert sides.kept == (in_room.case_id, imminent.case_id)
    assert sides.replanned == (confirmed.case_id, planned.case_id)
    assert sides.confirmed == (confirmed.case_id,)
    assert sides.move_weights() == {confirmed.case_id: CONFIRMED_MOVE_WEIGHT}


def test_with_two_days_tomorrow_s_bookings_are_re_planned_too() -> None:
    confirmed, tomorrow = booked(2, status="confirmed"), booked(20, status="confirmed")

    today = split([confirmed, tomorrow], TODAY)
    both = split([confirmed, tomorrow], BOTH_DAYS)

    assert today.replanned == (confirmed.case_id,)
    assert both.replanned == both.confirmed == (confirmed.case_id, tomorrow.case_id)


def test_an_emergency_fits_a_free_stretch_as_long_as_its_room_time_and_not_a_shorter_one() -> None:
    bookings = [booked(0.25, 3), booked(4.25, 20)]  # free: 13:00-14:00 local, an hour

    assert fits(need(60), TODAY, ROOMS, bookings, SURGEONS, frozenset())
    assert not fits(need(61), TODAY, ROOMS, bookings, SURGEONS, frozenset())
    assert fits(need(61), TODAY, ROOMS, bookings, SURGEONS, frozenset({bookings[0].case_id}))


def test_an_emergency_does_not_fit_a_room_without_its_capability_or_while_its_surgeon_is_busy() -> (
    None
):
    cardiac = need(60, capabilities=frozenset({"cardiac"}))
    elsewhere = Busy(uuid.uuid4(), Span(at(0), at(24)))
    busy_surgeon = {SURGEON: ([Span(at(-3), at(48))], [elsewhere])}

    assert not fits(cardiac, TODAY, ROOMS, [], SURGEONS, frozenset())
    assert not fits(need(60), TODAY, ROOMS, [], busy_surgeon, frozenset())
    assert fits(need(60), TODAY, ROOMS, [], busy_surgeon, frozenset({elsewhere.case_id}))


def test_nothing_is_placed_before_now_plus_the_margin_or_before_the_emergency_s_earliest_day() -> (
    None
):
    # Free only from now until the margin ends, then the room is booked to past midnight.
    bookings = [booked(0.25, 24)]
    tomorrow_only = need(60, not_before=MIDNIGHT)

    assert not fits(need(10), TODAY, ROOMS, bookings, SURGEONS, frozenset())
    assert not fits(tomorrow_only, TODAY, ROOMS, [], SURGEONS, frozenset())
    assert fits(tomorrow_only, BOTH_DAYS, ROOMS, [], SURGEONS, frozenset())


@pytest.mark.parametrize(
    "confirmed_hours",
    [
        (),  # a planned case can give way today
        tuple(str(h) for h in range(16)),  # only confirmed cases today: one of them, dearly
    ],
)
def test_today_is_planned_alone_while_it_can_take_the_emergency(confirmed_hours) -> None:
    bookings = full_today(**dict.fromkeys(confirmed_hours, "confirmed"))
    windows = {1: TODAY, 2: BOTH_DAYS}

    assert first_step([need()], windows, ROOMS, bookings, SURGEONS) == Step(1)


def test_tomorrow_is_added_only_when_today_cannot_take_the_emergency() -> None:
    bookings = [booked(-0.5, 14, status="in_room")]  # one long case in the room all day
    windows = {1: TODAY, 2: BOTH_DAYS}

    assert first_step([need()], windows, ROOMS, bookings, SURGEONS) == Step(2)
    assert first_step([need(60 * 30)], windows, ROOMS, bookings, SURGEONS) == LADDER[-1]


def test_an_emergency_ask_weighs_a_move_below_unbooking_and_waiting_a_day_above_both() -> None:
    body = OptimizationCreate(mode="emergency", emergency_surgery_ids=[uuid.uuid4()])

    asked = body.ask(default_time_limit=30)

    assert isinstance(asked, EmergencyAsk)
    assert asked.time_limit_seconds == TIME_LIMIT_SECONDS <= 5
    assert not asked.respect_blocks
    w = asked.objective_weights
    assert w == WEIGHTS
    # A move costs at most two `moved_case` (room or day, then start); unbooking adds more
    # than a dozen moves; an emergency a day later costs more than moving every case of a day.
    assert w.unscheduled_elective > 12 * 2 * w.moved_case
    assert w.waiting_day_emergency > 3 * w.unscheduled_elective
    # A confirmed case moves only when pushing a planned one out would not do, and before the
    # emergency waits a day; the emergency's start is worth a planned move per 50 minutes.
    assert w.unscheduled_elective + 2 * w.moved_case < CONFIRMED_MOVE_WEIGHT
    assert w.waiting_day_emergency > 2 * CONFIRMED_MOVE_WEIGHT
    assert w.moved_case == START_DELAY_PER_MINUTE * 50
    assert START_DELAY_PER_MINUTE * 24 * 60 < CONFIRMED_MOVE_WEIGHT


def test_the_default_mode_is_unchanged_and_the_modes_refuse_each_other_s_fields() -> None:
    day = {"start_date": "2031-03-05", "end_date": "2031-03-05"}

    default = OptimizationCreate(horizon=day).ask(default_time_limit=30)

    assert isinstance(default, Ask)
    assert default.respect_blocks and default.time_limit_seconds == 30
    assert default.objective_weights == ObjectiveWeights()
    for wrong in (
        {},
        {"horizon": day, "emergency_surgery_ids": [str(uuid.uuid4())]},
        {"mode": "emergency"},
        {"mode": "emergency", "emergency_surgery_ids": [str(uuid.uuid4())], "horizon": day},
        {"mode": "emergency", "emergency_surgery_ids": [str(uuid.uuid4())], "surgery_ids": []},
    ):
        with pytest.raises(ValidationError):
            OptimizationCreate.model_validate(wrong)


def _assignment(case_id, start: float, staff, units=()) -> CaseAssignment:
    return CaseAssignment(
        case_id=case_id,
        room_id=ROOM,
        start=at(start),
        end=at(start + 1),
        staff_ids=tuple(staff),
        equipment_unit_ids=tuple(units),
    )


def _plan(*assignments: CaseAssignment, out: tuple[uuid.UUID, ...] = ()) -> Plan:
    kpis = PlanKpis(
        scheduled_cases=len(assignments),
        unscheduled_cases=0,
        utilization=0.5,
        idle_minutes=0,
        overtime_minutes=0,
    )
    unscheduled = tuple(UnscheduledCase(case_id=i, reason="no_capacity") for i in out)
    return Plan(assignments=assignments, unscheduled=unscheduled, kpis=kpis)


def test_a_case_kept_in_place_gets_its_booked_people_back_when_they_are_free() -> None:
    nurse, stranger = uuid.uuid4(), uuid.uuid4()
    kept, emergency = uuid.uuid4(), uuid.uuid4()
    was = Placement(ROOM, at(2), at(3), frozenset({nurse}), frozenset())
    plan = _plan(_assignment(kept, 2, [stranger]), _assignment(emergency, 1, [nurse]))

    shown = {a.case_id: a for a in keep_booked_people(plan, {kept: was}).assignments}

    assert shown[kept].staff_ids == (nurse,)
    assert shown[emergency].staff_ids == (nurse,)


def test_a_case_keeps_the_plan_s_people_when_its_booked_ones_are_busy_then_or_it_moved() -> None:
    nurse, stranger = uuid.uuid4(), uuid.uuid4()
    kept, moved, emergency = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    plan = _plan(
        _assignment(kept, 2, [stranger]),
        _assignment(emergency, 2.5, [nurse]),  # overlaps: the nurse is busy then
        _assignment(moved, 6, [stranger]),
    )
    booked = {
        kept: Placement(ROOM, at(2), at(3), frozenset({nurse}), frozenset()),
        moved: Placement(ROOM, at(4), at(5), frozenset({nurse}), frozenset()),
    }

    shown = {a.case_id: a for a in keep_booked_people(plan, booked).assignments}

    assert shown[kept].staff_ids == (stranger,)
    assert shown[moved].staff_ids == (stranger,)
