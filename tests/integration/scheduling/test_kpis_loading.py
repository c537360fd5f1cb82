"""KPIs loaded from PostgreSQL: bookings, history lines and blocks give hand-computed figures.

One January day, 2027-01-13 (Amsterdam = UTC+1; times below in UTC). The team's room R and a
second room R2 are open 07:00-19:00 local = 06:00-18:00Z: 720 minutes each, 1440 together.

    case  service       booked (expected)  setup/cleanup  status     wheels in-out
    c1    orthopaedics  07:00-08:00 (60)   15/15          completed  07:03-08:13 (70)
    c2    orthopaedics  09:00-10:00 (60)   15/15          completed  08:43-09:43 (60)
    c3    cardiac       17:00-18:00 (60)   0/30           scheduled  -
    c4    orthopaedics  12:00-13:00        cancelled on 2027-01-10
    c5    cardiac       14:00-15:00        postponed on the day, 10:00Z
    c6    orthopaedics  the 14th, 07:00    outside the range

Occupancies: c1 06:48-08:28, c2 08:28-09:58 (merged 06:48-09:58 = 190), c3 17:00-18:30.
The figures are computed as of NOW, the 13th 12:00Z (c3 still ahead), unless a test says.
The surgeon holds a block on the 13th, 07:00-13:00 local = 06:00-12:00Z (360 minutes); the
cardiac service's weekly block has the 13th released.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from contracts.events.resources_blocks import BlockAllocated, SingleDate, WeeklyRecurrence
from scheduling_service.domain.kpis.kpi_scope import Scope
from scheduling_service.views import kpis
from scheduling_service.views.kpis import KpiSheet
from servicekit.problems import Problem

from tests.integration.scheduling.schedule_cases import CaseFacts, booked, given_up
from tests.integration.scheduling.world import Scheduling, Team, at, room, team

DAY = date(2027, 1, 13)
NOW = at("2027-01-13T12:00:00Z")


async def _sheet(
    scheduling: Scheduling, first: date = DAY, last: date = DAY, *, now: datetime = NOW
) -> KpiSheet:
    async with scheduling.unit_of_work() as uow:
        return await kpis.kpi_sheet(
            uow.session,
            first,
            last,
            timezone=scheduling.settings.hospital_timezone,
            max_days=scheduling.settings.max_range_days,
            grace_minutes=5,
            now=now,
        )


@pytest.fixture
async def day(scheduling: Scheduling) -> tuple[Team, uuid.UUID]:
    made = await team(scheduling)
    other = room(code="OR-zz")  # after any "OR-" + hex, in any case
    await scheduling.know(
        other,
        BlockAllocated(
            block_id=uuid.uuid4(),
            room_id=made.room.room_id,
            surgeon_id=made.surgeon.staff_id,
            recurrence=SingleDate(date=DAY),
            start_time="07:00",
            end_time="13:00",
            version=1,
        ),
        BlockAllocated(
            block_id=uuid.uuid4(),
            room_id=made.room.room_id,
            service="cardiac",
            recurrence=WeeklyRecurrence(weekdays=("wednesday",), valid_from=date(2027, 1, 1)),
            start_time="13:00",
            end_time="19:00",
            released_dates=(DAY,),
            version=1,
        ),
    )
    for facts in (
        CaseFacts(
            at("2027-01-13T07:00:00Z"), setup=15, cleanup=15, status="completed",
            wheels_in=at("2027-01-13T07:03:00Z"), wheels_out=at("2027-01-13T08:13:00Z"),
        ),
        CaseFacts(
            at("2027-01-13T09:00:00Z"), setup=15, cleanup=15, status="completed",
            wheels_in=at("2027-01-13T08:43:00Z"), wheels_out=at("2027-01-13T09:43:00Z"),
        ),
        CaseFacts(at("2027-01-13T17:00:00Z"), cleanup=30, specialty="cardiac"),
        CaseFacts(at("2027-01-14T07:00:00Z")),
    ):  # fmt: skip
        await booked(scheduling, made, facts)
    await given_up(
        scheduling,
        made,
        CaseFacts(at("2027-01-13T12:00:00Z")),
        at=at("2027-01-10T09:00:00Z"),
        to_status="cancelled",
    )
    await given_up(
        scheduling,
        made,
        CaseFacts(at("2027-01-13T14:00:00Z"), specialty="cardiac"),
        at=at("2027-01-13T10:00:00Z"),
        to_status="postponed",
    )
    return made, other.room_id


async def test_utilization_counts_surgery_and_occupancy_inside_open_time_of_every_room(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    made, other = day
    sheet = await _sheet(scheduling)
    # R: surgery 70 + 60 + 60 = 190 of 720; occupancy 190 + 60 (17:00-18:00) = 250 of 720.
    # R2: nothing of 720. Overall 190 and 250 of 1440. c6 (the 14th) is outside the range.
    mine = sheet.report.rooms[made.room.room_id].utilization
    assert (mine.cases, mine.open_minutes, mine.surgery_minutes, mine.occupied_minutes) == (
        3,
        720,
        190,
        250,
    )
    assert (mine.raw, mine.adjusted) == (190 / 720, 250 / 720)
    assert sheet.report.rooms[other].utilization.raw == 0.0
    overall = sheet.report.overall.utilization
    assert (overall.raw, overall.adjusted) == (190 / 1440, 250 / 1440)
    # Rooms in code order: the team's "OR-" + six hex digits before "OR-zz".
    assert [r.room_id for r in sheet.rooms] == [made.room.room_id, other]


async def test_block_utilization_uses_the_block_occurrences_left_after_releases(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    sheet = await _sheet(scheduling)
    # The surgeon's block 06:00-12:00Z: c1 + c2 occupy 06:48-09:58 = 190 of 360. The cardiac
    # block's only date in the range is released: no occurrence, no minutes.
    blocks = sheet.report.overall.block_utilization
    assert (blocks.occurrences, blocks.block_minutes, blocks.used_minutes) == (1, 360, 190)
    assert blocks.utilization == 190 / 360
    assert sheet.report.services["cardiac"].block_utilization.utilization is None


async def test_turnover_first_case_and_over_under_time_of_the_day(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    made, _ = day
    figures = (await _sheet(scheduling)).report.rooms[made.room.room_id]
    # c1 out 08:13 → c2 in 08:43 = 30; c3 has no wheels-in. First case c1 booked 07:00, in
    # 07:03: on time. Overtime c3's 18:00-18:30 = 30; undertime 720 - 250 = 470.
    assert (figures.turnover.turnovers, figures.turnover.mean_minutes) == (1, 30.0)
    assert figures.turnover.excluded == 0
    assert figures.turnover.median_minutes == 30.0
    first = figures.first_case_starts
    assert (first.room_days, first.on_time, first.share) == (1, 1, 1.0)
    time_ = figures.over_under_time
    assert (time_.room_days, time_.overtime_minutes, time_.undertime_minutes) == (1, 30, 470)


async def test_seen_after_the_day_a_case_never_wheeled_in_is_unrecorded_and_holds_no_time(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    made, _ = day
    sheet = await _sheet(scheduling, now=at("2027-01-14T00:00:00Z"))
    # c3 was booked to end at 18:00Z and never wheeled in: no minutes. R: surgery 70 + 60 = 130
    # and occupancy 190 of 720; no overtime (c3's cleanup was its only); undertime 720 - 190.
    figures = sheet.report.rooms[made.room.room_id]
    used = figures.utilization
    assert (used.cases, used.unrecorded_cases) == (3, 1)
    assert (used.surgery_minutes, used.occupied_minutes) == (130, 190)
    time_ = figures.over_under_time
    assert (time_.room_days, time_.overtime_minutes, time_.undertime_minutes) == (1, 0, 530)
    assert sheet.report.services["cardiac"].utilization.unrecorded_cases == 1
    assert (sheet.as_of, sheet.turnover_cap_minutes) == (at("2027-01-14T00:00:00Z"), 90)


async def test_cancellations_come_from_the_bookings_the_history_kept(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    sheet = await _sheet(scheduling)
    # 3 current bookings on the 13th + c4 cancelled + c5 postponed = 5 booked; 2 given up,
    # c5 on the booked day. Per service: orthopaedics 2 + c4 = 3 → 1/3; cardiac 1 + c5 → 1/2.
    given_up = sheet.report.overall.cancellations
    assert (given_up.booked, given_up.cancelled, given_up.postponed) == (5, 1, 1)
    assert (given_up.same_day, given_up.rate, given_up.same_day_rate) == (1, 2 / 5, 1 / 5)
    assert sheet.report.services["orthopaedics"].cancellations.rate == 1 / 3
    assert sheet.report.services["cardiac"].cancellations.same_day_rate == 1 / 2


async def test_given_up_bookings_keep_their_reason_and_surgeon_and_a_filter_narrows_to_them(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    # c4 and c5 were given up for no bed: one cancelled, one postponed, c5 on the day. All five
    # bookings are the team surgeon's, who is named; narrowed to them and to cardiac: c3 and c5.
    made, _ = day
    surgeon = made.surgeon.staff_id
    sheet = await _sheet(scheduling)
    [reason] = sheet.report.overall.cancellations.by_reason
    assert (reason.reason_code, reason.cancelled, reason.postponed, reason.same_day) == (
        "no_bed",
        1,
        1,
        1,
    )
    assert sheet.report.surgeons[surgeon].cases.planned == 5
    assert sheet.surgeon_names[surgeon] == made.surgeon.name
    async with scheduling.unit_of_work() as uow:
        narrowed = await kpis.kpi_sheet(
            uow.session,
            DAY,
            DAY,
            timezone=scheduling.settings.hospital_timezone,
            max_days=scheduling.settings.max_range_days,
            grace_minutes=5,
            now=NOW,
            within=Scope(service="cardiac", surgeon_id=surgeon),
        )
    counted = narrowed.report.overall.cases
    assert (counted.planned, counted.given_up, counted.pending) == (2, 1, 1)
    assert list(narrowed.report.services) == ["cardiac"]
    assert [(w.first, w.last, w.kpis.cases.planned) for w in narrowed.weeks] == [(DAY, DAY, 2)]


async def test_duration_estimates_of_the_completed_cases(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    # c1 70 - 60 = +10, c2 60 - 60 = 0: bias 5, error 5, ratio (7/6 + 1) / 2 = 13/12.
    estimates = (await _sheet(scheduling)).report.overall.duration_estimates
    assert estimates.completed_cases == 2
    assert (estimates.bias_minutes, estimates.mean_absolute_error_minutes) == (5.0, 5.0)
    assert estimates.mean_ratio == pytest.approx(13 / 12)


async def test_a_range_with_nothing_booked_gives_null_figures(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    # A month later: rooms are open (utilization 0.0), but nothing else can be computed.
    later = date(2027, 2, 10)
    overall = (await _sheet(scheduling, later, later)).report.overall
    assert overall.utilization.raw == 0.0
    assert overall.turnover.mean_minutes is None
    assert overall.first_case_starts.share is None
    assert overall.cancellations.rate is None
    assert overall.duration_estimates.bias_minutes is None


async def test_refuses_a_range_longer_than_allowed_or_backwards(scheduling: Scheduling) -> None:
    for first, last in ((DAY, date(2027, 6, 1)), (DAY, date(2027, 1, 12))):
        with pytest.raises(Problem) as refused:
            await _sheet(scheduling, first, last)
        assert refused.value.status == 422


async def test_a_room_or_block_retired_since_counts_until_its_retirement(
    scheduling: Scheduling,
) -> None:
    # Open 06:00-18:00Z on the 13th and the 14th, retired at 12:00Z on the 13th: 360 minutes.
    # Its weekly block 07:00-13:00 local (06:00-12:00Z, 360 minutes) retired at 00:00Z on the
    # 14th: the 13th's occurrence counts, the 14th's does not.
    serving = room()
    block = BlockAllocated(
        block_id=uuid.uuid4(),
        room_id=serving.room_id,
        service="cardiac",
        recurrence=WeeklyRecurrence(
            weekdays=("wednesday", "thursday"), valid_from=date(2027, 1, 1)
        ),
        start_time="07:00",
        end_time="13:00",
        version=1,
    )
    await scheduling.know(
        serving.model_copy(update={"retired_at": at("2027-01-13T12:00:00Z"), "version": 2}),
        block.model_copy(update={"retired_at": at("2027-01-14T00:00:00Z"), "version": 2}),
    )
    sheet = await _sheet(scheduling, DAY, date(2027, 1, 14))
    figures = sheet.report.rooms[serving.room_id]
    assert figures.utilization.open_minutes == 360
    assert (figures.block_utilization.occurrences, figures.block_utilization.block_minutes) == (
        1,
        360,
    )


async def test_rooms_retired_before_the_range_are_left_out_and_those_retired_in_it_count(
    scheduling: Scheduling, day: tuple[Team, uuid.UUID]
) -> None:
    made, other = day
    long_gone = room(code="OR-gone", retired_at=at("2026-12-01T00:00:00Z"))
    at_noon = room(code="OR-noon", retired_at=at("2027-01-13T12:00:00Z"))
    await scheduling.know(long_gone, at_noon)
    sheet = await _sheet(scheduling)
    # The room retired at noon kept its hours until then: 06:00-12:00Z, 360 minutes more.
    assert sheet.report.overall.utilization.open_minutes == 1440 + 360
    assert sheet.report.rooms[at_noon.room_id].utilization.open_minutes == 360
    assert long_gone.room_id not in sheet.report.rooms
    assert {r.room_id for r in sheet.rooms} == {made.room.room_id, other, at_noon.room_id}
