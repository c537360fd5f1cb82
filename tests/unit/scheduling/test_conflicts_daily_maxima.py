"""The daily-maximum booking rule with part days and on-call days: a person's maximum on the
local date a case starts is that date's own, else its weekday's, else their every-day one."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.examples.resources import EXAMPLES
from contracts.values import Weekday
from contracts.vocabulary import StaffRole
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduling_service.booking.placement_facts import person_facts
from scheduling_service.domain.booking.booking_facts import (
    Held,
    Holdings,
    Placement,
    propose,
)
from scheduling_service.domain.booking.staff_conflicts import staff_over_daily_maximum

from tests.unit.scheduling.booking_world import DAY, TZ, Ward, person

# DAY is a Wednesday.
THURSDAY = DAY + timedelta(days=1)


def over_the_maximum(ward: Ward, start: str) -> list[tuple[str, uuid.UUID | None]]:
    """The daily-maximum conflicts of the ward's case at local `start` with its anaesthetist."""
    proposal = propose(ward.case, ward.placement(start))
    staff = {ward.anaesthetist.staff_id: ward.anaesthetist}
    found = staff_over_daily_maximum(proposal, staff, ward.held.staff)
    return [(c.code, c.resource_id) for c in found]


def test_refuses_a_person_over_their_maximum_of_that_weekday() -> None:
    # 60 minutes earlier on the Wednesday and 90 more: 150 > Wednesday's 120, though < 600.
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_by_weekday={Weekday.WEDNESDAY: 120})
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "07:00", "08:00")
    conflicts = ward.conflicts(ward.placement("09:00"))
    assert [(c.code, c.resource_id) for c in conflicts] == [
        ("staff_over_daily_maximum", ward.anaesthetist.staff_id)
    ]
    assert "150 minutes on 2027-03-10" in conflicts[0].message
    assert "maximum of 120" in conflicts[0].message


def test_a_weekday_maximum_leaves_the_other_weekdays_at_the_usual_one() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_by_weekday={Weekday.THURSDAY: 60})
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "07:00", "08:00")
    assert ward.codes(ward.placement("09:00")) == []


def test_a_dated_maximum_above_the_usual_one_allows_a_longer_day() -> None:
    # 300 minutes earlier and 90 more: 390, over every day's 240 and Wednesday's 120, within the
    # date's own 400 (an on-call day).
    ward = Ward()
    ward.anaesthetist = replace(
        ward.anaesthetist,
        max_minutes_per_day=240,
        max_minutes_by_weekday={Weekday.WEDNESDAY: 120},
        max_minutes_by_date={DAY: 400},
    )
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "11:00", "16:00")
    assert ward.codes(ward.placement("09:00")) == []
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_by_date={DAY: 389})
    assert ward.codes(ward.placement("09:00")) == ["staff_over_daily_maximum"]


def test_a_dated_maximum_counts_on_that_date_only() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_by_date={THURSDAY: 30})
    assert ward.codes(ward.placement("09:00")) == []


def test_the_maximum_is_the_one_of_the_persons_local_date() -> None:
    # 03:00 on Wednesday in Amsterdam is 21:00 on Tuesday in New York: Tuesday's maximum counts.
    new_york = ZoneInfo("America/New_York")
    ward = Ward()
    ward.anaesthetist = replace(
        ward.anaesthetist,
        timezone=new_york,
        max_minutes_by_weekday={Weekday.TUESDAY: 60, Weekday.WEDNESDAY: 600},
    )
    assert over_the_maximum(ward, "03:00") == [
        ("staff_over_daily_maximum", ward.anaesthetist.staff_id)
    ]
    assert over_the_maximum(ward, "09:00") == []


def test_the_facts_of_a_person_carry_resources_part_days_and_on_call_days() -> None:
    member = next(e for e in EXAMPLES if isinstance(e, StaffMemberUpserted))
    # The example: 600 every day, 240 on Fridays, 120 on one date.
    on_call = next(iter(member.max_minutes_by_date))
    facts = person_facts(member, on_call - timedelta(days=7), on_call + timedelta(days=7))
    friday = next(
        on_call + timedelta(days=n)
        for n in range(1, 8)
        if (on_call + timedelta(days=n)).weekday() == 4
    )
    assert facts.max_minutes_on(on_call) == 120
    assert facts.max_minutes_on(friday) == 240
    assert facts.max_minutes_on(friday + timedelta(days=1)) == 600


# --- The rule against its own statement, for random maps ----------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A week either side of 2027-03-28, when Amsterdam's clocks go forward (a 23-hour day).
DATES = st.dates(min_value=date(2027, 3, 21), max_value=date(2027, 4, 4))
MAXIMA = st.integers(min_value=15, max_value=720)
CLOCKS = st.tuples(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
OTHERS = st.lists(st.tuples(DATES, CLOCKS, st.integers(min_value=5, max_value=300)), max_size=6)


def local(day: date, clock: tuple[int, int]) -> datetime:
    """That wall-clock time as an instant in UTC, so adding minutes adds real minutes (a wall
    time in the hour the clocks skip lands on its instant after the change, as the API's do)."""
    return datetime(day.year, day.month, day.day, *clock, tzinfo=TZ).astimezone(UTC)


@settings(max_examples=80, deadline=None)
@given(
    usual=st.none() | MAXIMA,
    by_weekday=st.dictionaries(st.sampled_from(list(Weekday)), MAXIMA, max_size=7),
    by_date=st.dictionaries(DATES, MAXIMA, max_size=8),
    day=DATES,
    clock=CLOCKS,
    duration=st.integers(min_value=15, max_value=480),
    others=OTHERS,
)
def test_refuses_exactly_when_the_local_date_s_minutes_exceed_that_date_s_maximum(
    usual, by_weekday, by_date, day, clock, duration, others
):
    anaesthetist = person(
        "anaesthetist",
        max_minutes_per_day=usual,
        max_minutes_by_weekday=by_weekday,
        max_minutes_by_date=by_date,
    )
    case = replace(Ward().case, duration_minutes=duration)
    placement = Placement(
        room_id=uuid.uuid4(),
        start=local(day, clock),
        staff=(StaffAssignment(staff_id=anaesthetist.staff_id, role=StaffRole.ANAESTHETIST),),
    )
    held = Holdings(
        staff=tuple(
            Held(uuid.uuid4(), anaesthetist.staff_id, Span(start, start + timedelta(minutes=m)))
            for other_day, other_clock, m in others
            for start in [local(other_day, other_clock)]
        )
    )

    found = staff_over_daily_maximum(
        propose(case, placement), {anaesthetist.staff_id: anaesthetist}, held.staff
    )

    # The rule as resources states it: the date's own, else its weekday's, else every day's.
    # (The local date the case starts: a wall time the clocks skip moves on by their change.)
    day = placement.start.astimezone(TZ).date()
    weekday = Weekday(WEEKDAYS[day.weekday()])
    most = by_date[day] if day in by_date else by_weekday.get(weekday, usual)
    booked = duration + sum(
        m
        for other_day, other_clock, m in others
        if local(other_day, other_clock).astimezone(TZ).date() == day
    )
    assert bool(found) == (most is not None and booked > most)
    if found:
        assert f"{booked} minutes on {day}" in found[0].message
        assert f"maximum of {most}." in found[0].message
