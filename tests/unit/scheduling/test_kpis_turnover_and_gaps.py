"""Turnover pairs as the cases really came in, with a cap; past cases never wheeled in.

Europe/Amsterdam in January (local = UTC+1), times in UTC. Room A is open 06:00-18:00Z on the
13th (720 minutes); the figures are computed as of NOW, the 13th 16:00Z, unless a test says.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from scheduling_service.domain.kpis.kpi_facts import BlockOccurrence, Case, KpiFacts, RoomOpen
from scheduling_service.domain.kpis.kpis import TURNOVER_CAP_MINUTES, Kpis, Rules, report

TZ = ZoneInfo("Europe/Amsterdam")
ROOM_A, S1, SURGEON_BLOCK = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def at(day: int, clock: str) -> datetime:
    hours, minutes = clock.split(":")
    return datetime(2027, 1, day, int(hours), int(minutes), tzinfo=UTC)


NOW = at(13, "16:00")
RULES = Rules(tz=TZ, grace_minutes=5, now=NOW)
OPEN_A = RoomOpen(ROOM_A, (Span(at(13, "06:00"), at(13, "18:00")),))


def case(
    booked: tuple[str, str],
    wheels: tuple[str | None, str | None] = (None, None),
    *,
    setup: int = 0,
    cleanup: int = 0,
    status: str = "completed",
) -> Case:
    """An ortho case of S1 in room A on the 13th, booked and recorded as given."""
    start, end = at(13, booked[0]), at(13, booked[1])
    return Case(
        surgery_id=uuid.uuid4(),
        room_id=ROOM_A,
        service="ortho",
        surgeon_id=S1,
        status=status,
        start=start,
        end=end,
        setup_minutes=setup,
        cleanup_minutes=cleanup,
        expected_minutes=int((end - start).total_seconds() // 60),
        wheels_in=at(13, wheels[0]) if wheels[0] else None,
        wheels_out=at(13, wheels[1]) if wheels[1] else None,
    )


def test_turnover_takes_cases_in_the_order_they_wheeled_in_not_as_booked() -> None:
    # Booked first 08:00 but in at 10:00; booked second 10:00 but in at 08:00. In booked order
    # the pair would be 11:00 → 08:00 = -180; as they came in: out 09:00 → in 10:00 = 60.
    swapped = (
        case(("08:00", "09:00"), ("10:00", "11:00")),
        case(("10:00", "11:00"), ("08:00", "09:00")),
    )
    figures = report(KpiFacts(rooms=(OPEN_A,), cases=swapped), RULES).overall.turnover
    assert (figures.turnovers, figures.excluded, figures.mean_minutes) == (1, 0, 60.0)


def test_turnover_leaves_out_breaks_over_the_cap_and_overlaps_and_counts_them() -> None:
    # out 08:00 → in 08:30 = 30: counted. out 09:30 → in 11:30 = 120 > 90: a break, excluded.
    # out 12:30 → in 12:00 = -30 (the recorded times overlap): excluded. Mean of [30] = 30.
    cases = (
        case(("07:00", "08:00"), ("07:00", "08:00")),
        case(("08:30", "09:30"), ("08:30", "09:30")),
        case(("11:30", "12:30"), ("11:30", "12:30")),
        case(("12:30", "13:30"), ("12:00", "13:00")),
    )
    facts = KpiFacts(rooms=(OPEN_A,), cases=cases)
    figures = report(facts, RULES).overall.turnover
    assert TURNOVER_CAP_MINUTES == 90
    assert (figures.turnovers, figures.excluded) == (1, 2)
    assert (figures.mean_minutes, figures.median_minutes) == (30.0, 30.0)
    # A longer cap takes the 120 in: [30, 120], mean 75; the overlap stays out.
    generous = Rules(tz=TZ, grace_minutes=5, now=NOW, turnover_cap_minutes=120)
    wider = report(facts, generous).overall.turnover
    assert (wider.turnovers, wider.excluded, wider.mean_minutes) == (2, 1, 75.0)


def test_a_case_never_wheeled_in_does_not_split_the_pair_around_it() -> None:
    # Booked between the two, never wheeled in: out 09:00 → in 09:40 = 40, one pair.
    skipped = case(("09:05", "09:35"), status="scheduled")
    cases = (
        case(("08:00", "09:00"), ("08:00", "09:00")),
        skipped,
        case(("09:40", "10:40"), ("09:40", "10:40")),
    )
    figures = report(KpiFacts(rooms=(OPEN_A,), cases=cases), RULES).overall.turnover
    assert (figures.turnovers, figures.excluded, figures.mean_minutes) == (1, 0, 40.0)


def test_a_past_case_never_wheeled_in_holds_no_time_and_is_counted_unrecorded() -> None:
    # As of NOW (16:00Z), room A open 06:00-18:00 (720), S1's block 06:00-12:00 (360):
    #   past      booked 08:00-09:00, 15/15, never wheeled in: unrecorded, no minutes anywhere
    #   recorded  booked 10:00-11:00, ran 10:00-11:00: 60
    #   late      booked 15:30-16:30, not in yet but due to end after NOW: planned, 60
    #   planned   booked 17:30-18:30, 0/0: 60, of which 30 after closing (overtime)
    # Surgery inside open time 60 + 60 + 30 = 150 of 720; occupancy the same (no setup on them).
    # Block: only the recorded case, 60 of 360 (the past one would have added 90).
    # Undertime: 720 - 150 = 570 (the unrecorded case's slot is open time no one is seen using).
    past = case(("08:00", "09:00"), setup=15, cleanup=15, status="scheduled")
    late = case(("15:30", "16:30"), status="confirmed")
    planned = case(("17:30", "18:30"), status="scheduled")
    block = BlockOccurrence(
        SURGEON_BLOCK, ROOM_A, Span(at(13, "06:00"), at(13, "12:00")), surgeon_id=S1
    )
    cases = (past, case(("10:00", "11:00"), ("10:00", "11:00")), late, planned)
    facts = KpiFacts(rooms=(OPEN_A,), cases=cases, blocks=(block,))
    figures = report(facts, RULES).overall
    used = figures.utilization
    assert (used.cases, used.unrecorded_cases) == (4, 1)
    assert (used.surgery_minutes, used.occupied_minutes, used.raw) == (150, 150, 150 / 720)
    assert figures.block_utilization.used_minutes == 60
    assert _time(figures) == (1, 30, 570)
    # Still a booking among the bookings of the range.
    assert figures.cancellations.booked == 4


def test_a_room_day_with_only_unrecorded_cases_is_not_judged_used() -> None:
    # The 13th seen on the 20th: the only case was never wheeled in. Nothing says whether the
    # room was used: no used room-day, no undertime, no first case judged; the gap is counted.
    past = case(("08:00", "09:00"), setup=15, cleanup=15, status="confirmed")
    later = Rules(tz=TZ, grace_minutes=5, now=at(20, "08:00"))
    figures = report(KpiFacts(rooms=(OPEN_A,), cases=(past,)), later).overall
    assert (figures.utilization.unrecorded_cases, figures.utilization.raw) == (1, 0.0)
    assert _time(figures) == (0, 0, 0)
    assert figures.first_case_starts.room_days == 0


def _time(kpis: Kpis) -> tuple[object, ...]:
    t = kpis.over_under_time
    return (t.room_days, t.overtime_minutes, t.undertime_minutes)
