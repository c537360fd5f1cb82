"""The operating-room KPIs: plain facts in, plain figures out, by the standard definitions.

A case's *surgery* runs from wheels-in to wheels-out when both are recorded, else from its
booked start to end. Its *occupancy* (the time it holds the room) is the surgery extended by
its setup minutes before and its cleanup minutes after. Spans of one room are merged before
they are measured, so time two cases share is counted once. Minutes are whole minutes.

- Raw utilization = minutes of surgery inside the room's open time ÷ open room minutes.
- Adjusted utilization = minutes of occupancy (surgery + setup + cleanup) inside open time ÷
  open room minutes.
- Block utilization = minutes the block owner's cases (the block's surgeon's, or its service's:
  cases of that specialty) occupy the block's room inside the block's occurrences ÷ block
  minutes. Released dates are no occurrences.
- Turnover time = minutes from a case's wheels-out to the next case's wheels-in in the same room
  on the same local day (cases in booked order); only consecutive pairs with both times
  recorded. Mean and median.
- First-case on-time start = share of room-days whose first case (earliest booked start)
  wheeled in no later than its booked start + the grace minutes; a room-day whose first case
  has no wheels-in yet is not judged.
- Overtime = minutes of occupancy outside the room's open time. Undertime = open minutes of
  room-days with a case (a room-day is a room on the local date of a case's booked start)
  that no occupancy covers.
- Cancellation rate = bookings cancelled or postponed ÷ bookings for dates in the range (the
  current ones and those cancelled or postponed; each booking once). Same-day: cancelled or
  postponed on the booked local date.
- Duration-estimate bias = mean of actual - expected minutes over completed cases (positive:
  cases run longer than expected); also the mean absolute error and the mean of actual ÷
  expected.

Every figure comes with the counts it was computed from; a figure with nothing to compute it
from is None, never a division by zero.

Per room: the room's cases, open time, blocks and room-days. Per service (a case's specialty):
its cases' minutes over the open minutes of all rooms (so the services' utilizations add up
to the overall one), the blocks held by the service, turnovers attributed to the service of
the case that follows, room-days to that of the day's first case; undertime is a room-day's,
no service's (None).
"""

from __future__ import annotations

import itertools
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, intersect, merge, subtract
from contracts.calendar.wallclock import range_span

from scheduling_service.domain.kpi_facts import BlockOccurrence, Cancellation, Case, KpiFacts

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Utilization:
    cases: int
    open_minutes: int
    surgery_minutes: int
    occupied_minutes: int
    raw: float | None
    adjusted: float | None


@dataclass(frozen=True, slots=True)
class BlockUtilization:
    occurrences: int
    block_minutes: int
    used_minutes: int
    utilization: float | None


@dataclass(frozen=True, slots=True)
class Turnover:
    turnovers: int
    mean_minutes: float | None
    median_minutes: float | None


@dataclass(frozen=True, slots=True)
class FirstCaseStarts:
    room_days: int
    on_time: int
    share: float | None


@dataclass(frozen=True, slots=True)
class OverUnderTime:
    room_days: int
    overtime_minutes: int
    undertime_minutes: int | None


@dataclass(frozen=True, slots=True)
class Cancellations:
    booked: int
    cancelled: int
    postponed: int
    same_day: int
    rate: float | None
    same_day_rate: float | None


@dataclass(frozen=True, slots=True)
class DurationEstimates:
    completed_cases: int
    bias_minutes: float | None
    mean_absolute_error_minutes: float | None
    mean_ratio: float | None


@dataclass(frozen=True, slots=True)
class Kpis:
    utilization: Utilization
    block_utilization: BlockUtilization
    turnover: Turnover
    first_case_starts: FirstCaseStarts
    over_under_time: OverUnderTime
    cancellations: Cancellations
    duration_estimates: DurationEstimates


@dataclass(frozen=True, slots=True)
class KpiReport:
    overall: Kpis
    rooms: dict[uuid.UUID, Kpis]
    services: dict[str, Kpis]


@dataclass(frozen=True, slots=True)
class Scope:
    """What a set of figures covers: everything, one room, or one service."""

    room_id: uuid.UUID | None = None
    service: str | None = None

    def covers(self, room_id: uuid.UUID, service: str | None) -> bool:
        return (self.room_id is None or room_id == self.room_id) and (
            self.service is None or service == self.service
        )


def report(facts: KpiFacts, *, tz: ZoneInfo, grace_minutes: int) -> KpiReport:
    """The figures overall, per room (each room with open time, a case, a block or a
    cancellation) and per service (each specialty with a case, a block or a cancellation)."""
    days = _room_days(facts, tz)
    rooms = {r.room_id for r in facts.rooms if r.spans} | {c.room_id for c in facts.cases}
    rooms |= {b.room_id for b in facts.blocks} | {c.room_id for c in facts.cancellations}
    services = {c.service for c in facts.cases} | {c.service for c in facts.cancellations}
    services |= {b.service for b in facts.blocks if b.service is not None}

    def of(scope: Scope) -> Kpis:
        return kpis(facts, days, scope, tz=tz, grace_minutes=grace_minutes)

    return KpiReport(
        overall=of(Scope()),
        rooms={room_id: of(Scope(room_id=room_id)) for room_id in rooms},
        services={service: of(Scope(service=service)) for service in sorted(services)},
    )


@dataclass(frozen=True, slots=True)
class RoomDay:
    """A room on a local date with a case booked to start then, its cases in booked order."""

    room_id: uuid.UUID
    day: date
    open: list[Span]
    cases: list[Case]


def kpis(
    facts: KpiFacts, days: Sequence[RoomDay], scope: Scope, *, tz: ZoneInfo, grace_minutes: int
) -> Kpis:
    """The figures of one scope; `days` are the room-days of all of `facts`."""
    cases = [c for c in facts.cases if scope.covers(c.room_id, c.service)]
    # A service's minutes are measured against every room's open time: its share of capacity.
    opened = {r.room_id: list(r.spans) for r in facts.rooms if scope.room_id in (None, r.room_id)}
    blocks = [b for b in facts.blocks if scope.covers(b.room_id, b.service)]
    cancelled = [c for c in facts.cancellations if scope.covers(c.room_id, c.service)]
    return Kpis(
        utilization=utilization(cases, opened),
        block_utilization=block_utilization(blocks, facts.cases),
        turnover=turnover(days, scope),
        first_case_starts=first_case_starts(days, scope, grace_minutes=grace_minutes),
        over_under_time=over_under_time(cases, opened, days, scope),
        cancellations=cancellations(len(cases), cancelled, tz),
        duration_estimates=duration_estimates(cases),
    )


def utilization(cases: Sequence[Case], opened: dict[uuid.UUID, list[Span]]) -> Utilization:
    open_minutes = sum(minutes(spans) for spans in opened.values())
    surgery = occupied = 0
    for room_id, room_cases in _by_room(cases).items():
        room_open = opened.get(room_id, [])
        surgery += minutes(intersect([c.surgery for c in room_cases], room_open))
        occupied += minutes(intersect([c.occupancy for c in room_cases], room_open))
    return Utilization(
        cases=len(cases),
        open_minutes=open_minutes,
        surgery_minutes=surgery,
        occupied_minutes=occupied,
        raw=ratio(surgery, open_minutes),
        adjusted=ratio(occupied, open_minutes),
    )


def block_utilization(blocks: Sequence[BlockOccurrence], cases: Sequence[Case]) -> BlockUtilization:
    held = used = 0
    for block in blocks:
        held += minutes([block.span])
        owned = [c.occupancy for c in cases if block.owns(c)]
        used += minutes(clip(owned, block.span))
    return BlockUtilization(
        occurrences=len(blocks),
        block_minutes=held,
        used_minutes=used,
        utilization=ratio(used, held),
    )


def turnover(days: Sequence[RoomDay], scope: Scope) -> Turnover:
    gaps = [
        (after.wheels_in - before.wheels_out) / _MINUTE
        for day in days
        for before, after in itertools.pairwise(day.cases)
        if before.wheels_out is not None and after.wheels_in is not None
        if scope.covers(day.room_id, after.service)
    ]
    return Turnover(
        turnovers=len(gaps),
        mean_minutes=statistics.fmean(gaps) if gaps else None,
        median_minutes=statistics.median(gaps) if gaps else None,
    )


def first_case_starts(
    days: Sequence[RoomDay], scope: Scope, *, grace_minutes: int
) -> FirstCaseStarts:
    judged = [
        day.cases[0]
        for day in days
        if day.cases[0].wheels_in is not None and scope.covers(day.room_id, day.cases[0].service)
    ]
    late = grace_minutes * _MINUTE
    on_time = sum(1 for c in judged if c.wheels_in is not None and c.wheels_in <= c.start + late)
    return FirstCaseStarts(
        room_days=len(judged), on_time=on_time, share=ratio(on_time, len(judged))
    )


def over_under_time(
    cases: Sequence[Case],
    opened: dict[uuid.UUID, list[Span]],
    days: Sequence[RoomDay],
    scope: Scope,
) -> OverUnderTime:
    overtime = sum(
        minutes(subtract([c.occupancy for c in room_cases], opened.get(room_id, [])))
        for room_id, room_cases in _by_room(cases).items()
    )
    used = [d for d in days if any(scope.covers(d.room_id, c.service) for c in d.cases)]
    undertime = None
    if scope.service is None:
        undertime = sum(minutes(subtract(d.open, [c.occupancy for c in d.cases])) for d in used)
    return OverUnderTime(
        room_days=len(used), overtime_minutes=overtime, undertime_minutes=undertime
    )


def cancellations(
    still_booked: int, cancelled: Sequence[Cancellation], tz: ZoneInfo
) -> Cancellations:
    booked = still_booked + len(cancelled)
    postponed = sum(1 for c in cancelled if c.postponed)
    same_day = sum(
        1
        for c in cancelled
        if c.cancelled_at.astimezone(tz).date() == c.booked_start.astimezone(tz).date()
    )
    return Cancellations(
        booked=booked,
        cancelled=len(cancelled) - postponed,
        postponed=postponed,
        same_day=same_day,
        rate=ratio(len(cancelled), booked),
        same_day_rate=ratio(same_day, booked),
    )


def duration_estimates(cases: Iterable[Case]) -> DurationEstimates:
    timed = [
        ((c.actual.end - c.actual.start) / _MINUTE, c.expected_minutes)
        for c in cases
        if c.status == "completed" and c.actual is not None
    ]
    if not timed:
        return DurationEstimates(0, None, None, None)
    return DurationEstimates(
        completed_cases=len(timed),
        bias_minutes=statistics.fmean(actual - expected for actual, expected in timed),
        mean_absolute_error_minutes=statistics.fmean(abs(a - e) for a, e in timed),
        mean_ratio=statistics.fmean(actual / expected for actual, expected in timed),
    )


def minutes(spans: Iterable[Span]) -> int:
    """Whole minutes of the time `spans` cover, time they share counted once."""
    return sum((s.end - s.start for s in merge(spans)), timedelta()) // _MINUTE


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _room_days(facts: KpiFacts, tz: ZoneInfo) -> list[RoomDay]:
    opened = {r.room_id: list(r.spans) for r in facts.rooms}
    grouped: defaultdict[tuple[uuid.UUID, date], list[Case]] = defaultdict(list)
    for case in facts.cases:
        grouped[case.room_id, case.start.astimezone(tz).date()].append(case)
    return [
        RoomDay(
            room_id=room_id,
            day=day,
            open=clip(opened.get(room_id, []), range_span(day, day, tz)),
            cases=sorted(cases, key=lambda c: (c.start, c.surgery_id)),
        )
        for (room_id, day), cases in grouped.items()
    ]


def _by_room(cases: Iterable[Case]) -> dict[uuid.UUID, list[Case]]:
    grouped: defaultdict[uuid.UUID, list[Case]] = defaultdict(list)
    for case in cases:
        grouped[case.room_id].append(case)
    return grouped
