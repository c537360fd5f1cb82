"""The KPIs' breakdowns and their totals on any hospital: shares within [0, 1], rooms, services,
surgeons and weeks adding up to the whole, a filter giving the breakdown's own figures.

Hypothesis draws a few days of January 2027 (Europe/Amsterdam, local = UTC+1; the 11th is a
Monday, so the days cross a week), up to three rooms open 06:00-18:00Z, each room's cases in
slots of two hours that never overlap (booked and recorded times both inside the slot), and
bookings given up for any reason; `now` falls anywhere in those days.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_service.domain.kpis.kpi_facts import (
    BlockOccurrence,
    Cancellation,
    Case,
    KpiFacts,
    RoomOpen,
)
from scheduling_service.domain.kpis.kpi_scope import Scope
from scheduling_service.domain.kpis.kpi_weeks import weekly, weeks
from scheduling_service.domain.kpis.kpis import Kpis, Rules, report
from scheduling_service.domain.reasons import REASON_CODES

TZ = ZoneInfo("Europe/Amsterdam")
FIRST, LAST = 8, 13
ROOMS = [uuid.UUID(int=i) for i in range(1, 4)]
SURGEONS = [uuid.UUID(int=i) for i in range(10, 13)]
SERVICES = ["ortho", "cardiac", "general"]
STATUSES = ["scheduled", "confirmed", "in_room", "completed"]
FEW = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def at(day: int, minute: int) -> datetime:
    return datetime(2027, 1, day, 6, tzinfo=UTC) + timedelta(minutes=minute)


@st.composite
def cases_of(draw: st.DrawFn, room: uuid.UUID, day: int) -> list[Case]:
    found = []
    for slot in draw(st.sets(st.integers(0, 5), max_size=4)):
        start = at(day, slot * 120)
        booked = draw(st.integers(30, 90))
        status = draw(st.sampled_from(STATUSES))
        wheels_in = wheels_out = None
        if status in ("in_room", "completed") or draw(st.booleans()):
            wheels_in = start + timedelta(minutes=draw(st.integers(0, 20)))
            if status != "in_room":
                wheels_out = wheels_in + timedelta(minutes=draw(st.integers(20, 95)))
        found.append(
            Case(
                surgery_id=uuid.uuid4(),
                room_id=room,
                service=draw(st.sampled_from(SERVICES)),
                surgeon_id=draw(st.sampled_from(SURGEONS)),
                status=status,
                start=start,
                end=start + timedelta(minutes=booked),
                setup_minutes=draw(st.integers(0, 15)),
                cleanup_minutes=draw(st.integers(0, 15)),
                expected_minutes=booked,
                wheels_in=wheels_in,
                wheels_out=wheels_out,
            )
        )
    return found


@st.composite
def given_up(draw: st.DrawFn) -> Cancellation:
    booked = at(draw(st.integers(FIRST, LAST)), draw(st.integers(0, 700)))
    return Cancellation(
        surgery_id=uuid.uuid4(),
        room_id=draw(st.sampled_from(ROOMS)),
        service=draw(st.sampled_from(SERVICES)),
        booked_start=booked,
        cancelled_at=booked - timedelta(hours=draw(st.integers(0, 60))),
        postponed=draw(st.booleans()),
        surgeon_id=draw(st.sampled_from(SURGEONS)),
        reason_code=draw(st.none() | st.sampled_from(REASON_CODES)),
    )


@st.composite
def hospitals(draw: st.DrawFn) -> tuple[KpiFacts, Rules]:
    days = range(FIRST, LAST + 1)
    rooms = ROOMS[: draw(st.integers(1, len(ROOMS)))]
    opened = [RoomOpen(r, tuple(Span(at(d, 0), at(d, 720)) for d in days)) for r in rooms]
    cases = [c for r in rooms for d in days for c in draw(cases_of(r, d))]
    blocks = [
        BlockOccurrence(uuid.uuid4(), r, Span(at(d, 0), at(d, 360)), surgeon_id=SURGEONS[0])
        for r in rooms[:1]
        for d in days
    ]
    blocks += [
        BlockOccurrence(uuid.uuid4(), rooms[-1], Span(at(d, 360), at(d, 720)), service="ortho")
        for d in days
    ]
    cancelled = draw(st.lists(given_up(), max_size=8))
    now = at(draw(st.integers(FIRST, LAST)), draw(st.integers(0, 1439)))
    facts = KpiFacts(rooms=opened, cases=cases, blocks=blocks, cancellations=cancelled)
    return facts, Rules(tz=TZ, grace_minutes=5, now=now)


def shares(figures: Kpis) -> list[float | None]:
    return [
        figures.utilization.raw,
        figures.utilization.adjusted,
        figures.block_utilization.utilization,
        figures.first_case_starts.share,
        figures.cancellations.rate,
        figures.cancellations.same_day_rate,
        figures.cases.done_share,
    ]


@FEW
@given(hospitals())
def test_every_share_of_every_breakdown_lies_between_zero_and_one(hospital) -> None:
    facts, rules = hospital
    kpis = report(facts, rules)
    every = [kpis.overall, *kpis.rooms.values(), *kpis.services.values(), *kpis.surgeons.values()]
    for figures in every:
        assert all(0 <= share <= 1 for share in shares(figures) if share is not None)


@FEW
@given(hospitals())
def test_rooms_services_and_surgeons_each_add_up_to_the_whole(hospital) -> None:
    facts, rules = hospital
    kpis = report(facts, rules)
    whole = kpis.overall
    for parts in (kpis.rooms, kpis.services, kpis.surgeons):
        assert sum(p.utilization.cases for p in parts.values()) == whole.utilization.cases
        assert sum(p.utilization.surgery_minutes for p in parts.values()) == (
            whole.utilization.surgery_minutes
        )
        assert sum(p.cases.planned for p in parts.values()) == whole.cases.planned
        assert sum(p.cases.done for p in parts.values()) == whole.cases.done
        assert sum(p.cancellations.same_day for p in parts.values()) == (
            whole.cancellations.same_day
        )
    assert sum(p.utilization.open_minutes for p in kpis.rooms.values()) == (
        whole.utilization.open_minutes
    )


@FEW
@given(hospitals())
def test_bookings_split_into_done_given_up_unrecorded_and_pending_and_reasons_add_up(
    hospital,
) -> None:
    facts, rules = hospital
    whole = report(facts, rules).overall
    counted = whole.cases
    assert counted.planned == whole.cancellations.booked
    assert counted.done + counted.given_up + counted.unrecorded + counted.pending == counted.planned
    assert min(counted.done, counted.given_up, counted.unrecorded, counted.pending) >= 0
    reasons = whole.cancellations.by_reason
    assert sum(r.cancelled for r in reasons) == whole.cancellations.cancelled
    assert sum(r.postponed for r in reasons) == whole.cancellations.postponed
    assert sum(r.same_day for r in reasons) == whole.cancellations.same_day
    assert len({r.reason_code for r in reasons}) == len(reasons)


@FEW
@given(hospitals())
def test_the_weeks_add_up_to_the_range(hospital) -> None:
    facts, rules = hospital
    whole = report(facts, rules).overall
    trend = weekly(facts, rules, date(2027, 1, FIRST), date(2027, 1, LAST))
    assert [(w.first, w.last) for w in trend] == [
        (date(2027, 1, 8), date(2027, 1, 10)),
        (date(2027, 1, 11), date(2027, 1, 13)),
    ]
    for count in ("cases", "surgery_minutes", "occupied_minutes", "open_minutes"):
        assert sum(getattr(w.kpis.utilization, count) for w in trend) == getattr(
            whole.utilization, count
        )
    assert sum(w.kpis.cases.planned for w in trend) == whole.cases.planned
    assert sum(w.kpis.block_utilization.block_minutes for w in trend) == (
        whole.block_utilization.block_minutes
    )


@FEW
@given(hospitals(), st.sampled_from(SERVICES), st.sampled_from(SURGEONS))
def test_a_filter_gives_the_figures_its_breakdown_shows(hospital, service, surgeon) -> None:
    facts, rules = hospital
    kpis = report(facts, rules)
    if service in kpis.services:
        assert report(facts, rules, Scope(service=service)).overall == kpis.services[service]
    if surgeon in kpis.surgeons:
        assert report(facts, rules, Scope(surgeon_id=surgeon)).overall == kpis.surgeons[surgeon]
    both = report(facts, rules, Scope(service=service, surgeon_id=surgeon))
    assert set(both.services) <= {service}
    assert set(both.surgeons) <= {surgeon}


def test_weeks_run_monday_to_sunday_cut_to_the_range() -> None:
    # 2027-01-08 is a Friday, 2027-01-20 a Wednesday.
    assert list(weeks(date(2027, 1, 8), date(2027, 1, 20))) == [
        (date(2027, 1, 8), date(2027, 1, 10)),
        (date(2027, 1, 11), date(2027, 1, 17)),
        (date(2027, 1, 18), date(2027, 1, 20)),
    ]
    assert list(weeks(date(2027, 1, 11), date(2027, 1, 11))) == [
        (date(2027, 1, 11), date(2027, 1, 11))
    ]


def test_given_up_bookings_are_counted_per_reason_with_same_day_ones_apart() -> None:
    # Two for no bed (one cancelled the same day, one postponed two days before), one without
    # a reason: unspecified. The most frequent reason first.
    room, surgeon = ROOMS[0], SURGEONS[0]
    booked = at(12, 120)

    def gone(reason: str | None, hours_before: int, postponed: bool = False) -> Cancellation:
        return Cancellation(
            uuid.uuid4(),
            room,
            "ortho",
            booked,
            booked - timedelta(hours=hours_before),
            postponed=postponed,
            surgeon_id=surgeon,
            reason_code=reason,
        )

    cancelled = (gone("no_bed", 1), gone("no_bed", 48, postponed=True), gone(None, 2))
    facts = KpiFacts(rooms=(), cases=(), cancellations=cancelled)
    rules = Rules(tz=TZ, grace_minutes=5, now=at(13, 0))
    reasons = report(facts, rules).overall.cancellations.by_reason
    assert [(r.reason_code, r.cancelled, r.postponed, r.same_day) for r in reasons] == [
        ("no_bed", 1, 1, 1),
        ("unspecified", 1, 0, 1),
    ]
    assert report(facts, rules).surgeons[surgeon].cases.given_up == 3
