"""Every KPI formula on one small hand-computed hospital, and nothing to compute giving null.

The fixture: Europe/Amsterdam in January (local = UTC+1), times below in UTC. Both rooms are
open 07:00-19:00 local = 06:00-18:00Z, 720 minutes a day: room A on the 13th and 14th (1440
minutes), room B on the 13th only (720). All together 2160 open minutes.

    case  room day  service   surgeon booked (exp.)     setup/cleanup  status     wheels in-out
    a1    A    13   ortho     S1      07:00-08:00 (60)  30/30          completed  07:10-08:20 (70)
    a2    A    13   ortho     S1      09:00-10:30 (90)  15/15          completed  09:00-10:00 (60)
    a3    A    13   cardiac   S2      17:00-18:00 (60)  20/20          scheduled  -
    a4    A    14   ortho     S1      06:00-07:00 (60)  10/0           in_room    06:05-
    b1    B    13   cardiac   S2      08:00-10:00 (120) 0/0            completed  08:00-10:30 (150)
    b2    B    13   cardiac   S2      11:00-12:00 (60)  0/0            completed  10:50-11:40 (50)
    b3    B    13   ortho     S1      13:00-14:00 (60)  0/0            completed  13:10-14:40 (90)

The figures are computed as of NOW, the 13th 16:00Z: a3 is still ahead (planned), so it counts
at its booked times. (a4's times on the 14th lie after NOW; the formulas take recorded times as
they come and ask NOW only whether a case never wheeled in is past.)

Surgery spans (actual when both times are recorded, else booked) and occupancies (surgery
extended by setup and cleanup):
    a1 07:10-08:20 (70)   occupancy 06:40-08:50
    a2 09:00-10:00 (60)   occupancy 08:45-10:15  (overlaps a1's by 5: merged 06:40-10:15 = 215)
    a3 17:00-18:00 (60)   occupancy 16:40-18:20  (80 inside open, 20 after closing)
    a4 06:00-07:00 (60)   occupancy 05:50-07:00  (60 inside open, 10 before opening)
    b1 08:00-10:30 (150), b2 10:50-11:40 (50), b3 13:10-14:40 (90): occupancy = surgery
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from contracts.calendar.spans import Span
from scheduling_service.domain.kpis.kpi_facts import (
    BlockOccurrence,
    Cancellation,
    Case,
    KpiFacts,
    RoomOpen,
)
from scheduling_service.domain.kpis.kpis import KpiReport, Kpis, Rules, report

TZ = ZoneInfo("Europe/Amsterdam")
ROOM_A, ROOM_B = uuid.uuid4(), uuid.uuid4()
S1, S2 = uuid.uuid4(), uuid.uuid4()
SURGEON_BLOCK, SERVICE_BLOCK = uuid.uuid4(), uuid.uuid4()


def at(day: int, clock: str) -> datetime:
    hours, minutes = clock.split(":")
    return datetime(2027, 1, day, int(hours), int(minutes), tzinfo=UTC)


NOW = at(13, "16:00")
RULES = Rules(tz=TZ, grace_minutes=5, now=NOW)


def case(
    room: uuid.UUID,
    service: str,
    surgeon: uuid.UUID,
    day: int,
    booked: tuple[str, str],
    expected: int,
    setup: int,
    cleanup: int,
    status: str,
    wheels: tuple[str | None, str | None] = (None, None),
) -> Case:
    return Case(
        surgery_id=uuid.uuid4(),
        room_id=room,
        service=service,
        surgeon_id=surgeon,
        status=status,
        start=at(day, booked[0]),
        end=at(day, booked[1]),
        setup_minutes=setup,
        cleanup_minutes=cleanup,
        expected_minutes=expected,
        wheels_in=at(day, wheels[0]) if wheels[0] else None,
        wheels_out=at(day, wheels[1]) if wheels[1] else None,
    )


CASES = (
    case(ROOM_A, "ortho", S1, 13, ("07:00", "08:00"), 60, 30, 30, "completed", ("07:10", "08:20")),
    case(ROOM_A, "ortho", S1, 13, ("09:00", "10:30"), 90, 15, 15, "completed", ("09:00", "10:00")),
    case(ROOM_A, "cardiac", S2, 13, ("17:00", "18:00"), 60, 20, 20, "scheduled"),
    case(ROOM_A, "ortho", S1, 14, ("06:00", "07:00"), 60, 10, 0, "in_room", ("06:05", None)),
    case(ROOM_B, "cardiac", S2, 13, ("08:00", "10:00"), 120, 0, 0, "completed", ("08:00", "10:30")),
    case(ROOM_B, "cardiac", S2, 13, ("11:00", "12:00"), 60, 0, 0, "completed", ("10:50", "11:40")),
    case(ROOM_B, "ortho", S1, 13, ("13:00", "14:00"), 60, 0, 0, "completed", ("13:10", "14:40")),
)
ROOMS = (
    RoomOpen(
        ROOM_A, (Span(at(13, "06:00"), at(13, "18:00")), Span(at(14, "06:00"), at(14, "18:00")))
    ),
    RoomOpen(ROOM_B, (Span(at(13, "06:00"), at(13, "18:00")),)),
)
BLOCKS = (
    # S1's block in room A on the 13th, 06:00-12:00Z (360 minutes).
    BlockOccurrence(SURGEON_BLOCK, ROOM_A, Span(at(13, "06:00"), at(13, "12:00")), surgeon_id=S1),
    # The cardiac service's block in room B on the 13th, 10:00-16:00Z (360 minutes).
    BlockOccurrence(
        SERVICE_BLOCK, ROOM_B, Span(at(13, "10:00"), at(13, "16:00")), service="cardiac"
    ),
)
CANCELLATIONS = (
    # Booked for the 13th 12:00Z, cancelled the same local day.
    Cancellation(uuid.uuid4(), ROOM_A, "ortho", at(13, "12:00"), at(13, "07:30")),
    # Booked for the 14th, postponed on the 10th.
    Cancellation(uuid.uuid4(), ROOM_B, "cardiac", at(14, "09:00"), at(10, "09:00"), postponed=True),
    # Booked 23:30Z on the 13th = 00:30 local on the 14th, cancelled 23:45Z = 00:45 local on the
    # 14th: the same local day, though not the same UTC date.
    Cancellation(uuid.uuid4(), ROOM_A, "ortho", at(13, "23:30"), at(13, "23:45")),
)


@pytest.fixture
def kpis() -> KpiReport:
    facts = KpiFacts(rooms=ROOMS, cases=CASES, blocks=BLOCKS, cancellations=CANCELLATIONS)
    return report(facts, RULES)


def test_raw_utilization_is_surgery_minutes_inside_open_time_over_open_minutes(
    kpis: KpiReport,
) -> None:
    # Room A: 70 + 60 + 60 + 60 = 250 of 1440. Room B: 150 + 50 + 90 = 290 of 720.
    # Overall 540 of 2160. Ortho (a1, a2, a4, b3): 70 + 60 + 60 + 90 = 280 of all 2160;
    # cardiac (a3, b1, b2): 60 + 150 + 50 = 260 of 2160; the shares add up: 280 + 260 = 540.
    assert _utilization(kpis.rooms[ROOM_A]) == (4, 1440, 250, 250 / 1440)
    assert _utilization(kpis.rooms[ROOM_B]) == (3, 720, 290, 290 / 720)
    assert _utilization(kpis.overall) == (7, 2160, 540, 540 / 2160)
    assert _utilization(kpis.services["ortho"]) == (4, 2160, 280, 280 / 2160)
    assert _utilization(kpis.services["cardiac"]) == (3, 2160, 260, 260 / 2160)


def test_adjusted_utilization_adds_setup_and_cleanup_inside_open_time_counting_overlaps_once(
    kpis: KpiReport,
) -> None:
    # Room A: 06:40-10:15 (215, a1 and a2 merged) + 16:40-18:00 (80; a3's last 20 minutes are
    # after closing) + 06:00-07:00 (60; a4's 10 setup minutes are before opening) = 355.
    # Room B: occupancy = surgery = 290. Overall 645. Ortho: 215 + 60 + 90 = 365;
    # cardiac: 80 + 150 + 50 = 280.
    assert kpis.rooms[ROOM_A].utilization.occupied_minutes == 355
    assert kpis.rooms[ROOM_A].utilization.adjusted == 355 / 1440
    assert kpis.rooms[ROOM_B].utilization.adjusted == 290 / 720
    assert kpis.overall.utilization.adjusted == 645 / 2160
    assert kpis.services["ortho"].utilization.adjusted == 365 / 2160
    assert kpis.services["cardiac"].utilization.adjusted == 280 / 2160


def test_block_utilization_counts_only_the_owners_cases_inside_the_block(
    kpis: KpiReport,
) -> None:
    # S1's block 06:00-12:00Z in A: a1 + a2 occupy 06:40-10:15 = 215 of 360 (a3 is S2's).
    # Cardiac's block 10:00-16:00Z in B: b1 10:00-10:30 (30) + b2 10:50-11:40 (50) = 80 of 360;
    # b3 (13:10-14:40) is ortho's, not the block owner's. Overall 295 of 720.
    # Ortho holds no service block: nothing to measure.
    assert _blocks(kpis.rooms[ROOM_A]) == (1, 360, 215, 215 / 360)
    assert _blocks(kpis.rooms[ROOM_B]) == (1, 360, 80, 80 / 360)
    assert _blocks(kpis.overall) == (2, 720, 295, 295 / 720)
    assert _blocks(kpis.services["cardiac"]) == (1, 360, 80, 80 / 360)
    assert _blocks(kpis.services["ortho"]) == (0, 0, 0, None)


def test_turnover_is_wheels_out_to_next_wheels_in_for_recorded_consecutive_pairs(
    kpis: KpiReport,
) -> None:
    # Room A on the 13th: a1 out 08:20 → a2 in 09:00 = 40; a3 has no wheels-in: no pair.
    # Room B: b1 out 10:30 → b2 in 10:50 = 20; b2 out 11:40 → b3 in 13:10 = 90, exactly the
    # cap: counted.
    # Overall [40, 20, 90]: mean 50, median 40. Room B [20, 90]: mean = median = 55.
    # Per service, the case that follows: ortho a2, b3 [40, 90] → 65; cardiac b2 [20] → 20.
    assert _turnover(kpis.overall) == (3, 50.0, 40.0)
    assert kpis.overall.turnover.excluded == 0
    assert _turnover(kpis.rooms[ROOM_A]) == (1, 40.0, 40.0)
    assert _turnover(kpis.rooms[ROOM_B]) == (2, 55.0, 55.0)
    assert _turnover(kpis.services["ortho"]) == (2, 65.0, 65.0)
    assert _turnover(kpis.services["cardiac"]) == (1, 20.0, 20.0)


def test_first_case_is_on_time_within_the_grace_minutes(kpis: KpiReport) -> None:
    # A on the 13th: a1 booked 07:00, in 07:10 → 10 late, more than 5: late (ortho).
    # A on the 14th: a4 booked 06:00, in 06:05 → exactly 5 late: on time (ortho).
    # B on the 13th: b1 booked 08:00, in 08:00: on time (cardiac). Overall 2 of 3.
    first = kpis.overall.first_case_starts
    assert (first.room_days, first.on_time, first.share) == (3, 2, 2 / 3)
    assert kpis.rooms[ROOM_A].first_case_starts.share == 1 / 2
    assert kpis.rooms[ROOM_B].first_case_starts.share == 1.0
    assert kpis.services["ortho"].first_case_starts.share == 1 / 2
    assert kpis.services["cardiac"].first_case_starts.share == 1.0


def test_overtime_is_occupancy_outside_open_time_and_undertime_open_time_left_unused(
    kpis: KpiReport,
) -> None:
    # Overtime: a3's 18:00-18:20 (20) + a4's 05:50-06:00 (10) = 30, all in room A.
    # Undertime of used room-days: A 13th 720 - (215 + 80) = 425; A 14th 720 - 60 = 660;
    # B 13th 720 - 290 = 430. Overall 1515. A service has overtime (ortho a4 10, cardiac a3
    # 20) and room-days (ortho: A13, A14, B13; cardiac: A13, B13) but no undertime.
    assert _time(kpis.overall) == (3, 30, 1515)
    assert _time(kpis.rooms[ROOM_A]) == (2, 30, 1085)
    assert _time(kpis.rooms[ROOM_B]) == (1, 0, 430)
    assert _time(kpis.services["ortho"]) == (3, 10, None)
    assert _time(kpis.services["cardiac"]) == (2, 20, None)


def test_cancellation_rate_counts_given_up_bookings_among_all_bookings_of_the_range(
    kpis: KpiReport,
) -> None:
    # Booked: 7 current + 3 given up = 10; given up 3 (2 cancelled, 1 postponed) → 3/10.
    # Same local day: the first (13th, 13th) and the third (14th local, 14th local) → 2/10.
    # Room A: 4 + 2 = 6, 2 given up, both the same day. Room B: 3 + 1 = 4, 1, none the same day.
    # Ortho: 4 + 2 = 6 → 2/6 and 2/6; cardiac: 3 + 1 = 4 → 1/4 and 0/4.
    overall = kpis.overall.cancellations
    assert (overall.booked, overall.cancelled, overall.postponed, overall.same_day) == (10, 2, 1, 2)
    assert (overall.rate, overall.same_day_rate) == (3 / 10, 2 / 10)
    assert (
        kpis.rooms[ROOM_A].cancellations.rate,
        kpis.rooms[ROOM_A].cancellations.same_day_rate,
    ) == (2 / 6, 2 / 6)
    assert (
        kpis.rooms[ROOM_B].cancellations.rate,
        kpis.rooms[ROOM_B].cancellations.same_day_rate,
    ) == (1 / 4, 0.0)
    assert kpis.services["ortho"].cancellations.rate == 2 / 6
    assert kpis.services["cardiac"].cancellations.rate == 1 / 4


def test_duration_bias_compares_actual_with_expected_minutes_of_completed_cases(
    kpis: KpiReport,
) -> None:
    # Completed: a1 70-60 = +10, a2 60-90 = -30, b1 150-120 = +30, b2 50-60 = -10,
    # b3 90-60 = +30 (a3 is scheduled, a4 still in the room). Bias 30/5 = 6; absolute error
    # 110/5 = 22; ratios 7/6 + 2/3 + 5/4 + 5/6 + 3/2 = 65/12, mean 65/60 = 13/12.
    # Room B: +30, -10, +30 → bias 50/3, error 70/3, ratios (5/4 + 5/6 + 3/2)/3 = 43/36.
    overall = kpis.overall.duration_estimates
    assert overall.completed_cases == 5
    assert overall.bias_minutes == pytest.approx(6)
    assert overall.mean_absolute_error_minutes == pytest.approx(22)
    assert overall.mean_ratio == pytest.approx(13 / 12)
    room_b = kpis.rooms[ROOM_B].duration_estimates
    assert (room_b.bias_minutes, room_b.mean_absolute_error_minutes) == pytest.approx(
        (50 / 3, 70 / 3)
    )
    assert room_b.mean_ratio == pytest.approx(43 / 36)


def test_nothing_to_compute_gives_null_figures_and_zero_counts() -> None:
    empty = report(KpiFacts(rooms=(), cases=()), RULES)
    figures = empty.overall
    assert (empty.rooms, empty.services) == ({}, {})
    assert (figures.utilization.raw, figures.utilization.adjusted) == (None, None)
    assert figures.block_utilization.utilization is None
    assert (figures.turnover.mean_minutes, figures.turnover.median_minutes) == (None, None)
    assert figures.first_case_starts.share is None
    assert (
        figures.over_under_time.overtime_minutes,
        figures.over_under_time.undertime_minutes,
    ) == (0, 0)
    assert (figures.cancellations.rate, figures.cancellations.same_day_rate) == (None, None)
    assert figures.duration_estimates.bias_minutes is None
    assert figures.duration_estimates.mean_ratio is None
    assert figures.utilization.cases == figures.cancellations.booked == 0


def test_an_open_room_without_cases_is_used_zero_percent_not_null() -> None:
    # Open 720 minutes, nothing booked: 0/720 = 0.0; no case, so no first case to judge.
    room = RoomOpen(ROOM_A, (Span(at(13, "06:00"), at(13, "18:00")),))
    figures = report(KpiFacts(rooms=(room,), cases=()), RULES).rooms[ROOM_A]
    assert (figures.utilization.raw, figures.utilization.adjusted) == (0.0, 0.0)
    assert figures.first_case_starts.share is None
    assert figures.over_under_time.room_days == 0


def test_cases_still_ahead_count_their_booked_span_and_are_not_judged() -> None:
    # Booked 08:00-09:30 with 15/15, seen at 07:00: raw 90 of 720, adjusted 120 of 720; no
    # wheels-in, so the room-day's first case is not judged, no turnover pair and no completed
    # case.
    room = RoomOpen(ROOM_A, (Span(at(13, "06:00"), at(13, "18:00")),))
    booked = case(ROOM_A, "ortho", S1, 13, ("08:00", "09:30"), 90, 15, 15, "confirmed")
    early = Rules(tz=TZ, grace_minutes=5, now=at(13, "07:00"))
    figures = report(KpiFacts(rooms=(room,), cases=(booked,)), early).overall
    assert (figures.utilization.raw, figures.utilization.adjusted) == (90 / 720, 120 / 720)
    assert figures.utilization.unrecorded_cases == 0
    assert figures.first_case_starts.room_days == 0
    assert figures.turnover.turnovers == 0
    assert figures.duration_estimates.completed_cases == 0
    assert figures.over_under_time.undertime_minutes == 720 - 120


def _utilization(kpis: Kpis) -> tuple[object, ...]:
    u = kpis.utilization
    return (u.cases, u.open_minutes, u.surgery_minutes, u.raw)


def _blocks(kpis: Kpis) -> tuple[object, ...]:
    b = kpis.block_utilization
    return (b.occurrences, b.block_minutes, b.used_minutes, b.utilization)


def _turnover(kpis: Kpis) -> tuple[object, ...]:
    t = kpis.turnover
    return (t.turnovers, t.mean_minutes, t.median_minutes)


def _time(kpis: Kpis) -> tuple[object, ...]:
    t = kpis.over_under_time
    return (t.room_days, t.overtime_minutes, t.undertime_minutes)


def test_cases_done_are_counted_against_every_booking_planned_for_the_range(
    kpis: KpiReport,
) -> None:
    # Planned: 7 current + 3 given up = 10. Done: a1, a2, b1, b2, b3 = 5. Pending: a3 (ahead)
    # and a4 (in the room) = 2. Per surgeon: S1 has a1, a2, a4, b3 (3 done); S2 a3, b1, b2 (2).
    counted = kpis.overall.cases
    assert (counted.planned, counted.done, counted.given_up) == (10, 5, 3)
    assert (counted.unrecorded, counted.pending, counted.done_share) == (0, 2, 5 / 10)
    assert (kpis.surgeons[S1].cases.done, kpis.surgeons[S2].cases.done) == (3, 2)
    assert kpis.surgeons[S1].utilization.surgery_minutes == 280
