"""The operating-room KPIs: plain facts in, plain figures out, by the standard definitions.

A case's *surgery* runs from wheels-in to wheels-out when both are recorded, else from its
booked start to end. Its *occupancy* (the time it holds the room) is the surgery extended by
its setup minutes before and its cleanup minutes after. Spans of one room are merged before
they are measured, so time two cases share is counted once. Minutes are whole minutes.

A case booked to end by `now` (when the figures are computed) with no wheels-in recorded is
*unrecorded*: it did not happen or no one recorded it, so it holds no time in any figure below
(no surgery, no occupancy) and is counted as `unrecorded_cases` instead, for the coordinator to
see the gap. A case still ahead (planned) counts at its booked times: the plan's utilization.

- Raw utilization = minutes of surgery inside the room's open time ÷ open room minutes.
- Adjusted utilization = minutes of occupancy (surgery + setup + cleanup) inside open time ÷
  open room minutes.
- Block utilization = minutes the block owner's cases (the block's surgeon's, or its service's:
  cases of that specialty) occupy the block's room inside the block's occurrences ÷ block
  minutes. Released dates are no occurrences.
- Turnover time = minutes from a case's wheels-out to the next case's wheels-in in the same
  room-day, the cases taken in the order they wheeled in (those never wheeled in skipped); a
  pair counts when the first's wheels-out is recorded. A pair under 0 minutes (recorded times
  that overlap: a slip) or over the cap (a break such as lunch, not a turnover) is excluded
  from the mean and median and counted as `excluded`. The cap is `TURNOVER_CAP_MINUTES` (90),
  standing in for a `SCHEDULING_TURNOVER_CAP_MINUTES` setting; `report` takes it as an argument.
- First-case on-time start = share of room-days whose first case (earliest booked start)
  wheeled in no later than its booked start + the grace minutes; a room-day whose first case
  has no wheels-in yet is not judged.
- Overtime = minutes of occupancy outside the room's open time. Undertime = open minutes of
  used room-days that no occupancy covers (a room-day is a room on the local date of a case's
  booked start; it is used when one of its cases is not unrecorded).
- Cancellation rate = bookings cancelled or postponed ÷ bookings for dates in the range (the
  current ones and those cancelled or postponed; each booking once). Same-day: cancelled or
  postponed on the booked local date.
- Duration-estimate bias = mean of actual - expected minutes over completed cases (positive:
  cases run longer than expected); also the mean absolute error and the mean of actual ÷
  expected.

Every figure comes with the counts it was computed from; a figure with nothing to compute it
from is None, never a division by zero.

- Cases done against planned: the bookings for dates in the range (as for cancellations) by
  what became of them: done (completed), given up, unrecorded, pending (the rest).
- Cancellations by reason: the given-up bookings per reason code, same-day ones apart.

Per room: the room's cases, open time, blocks and room-days. Per service (a case's specialty)
and per surgeon: their cases' minutes over the open minutes of all rooms (so the services' and
the surgeons' utilizations add up to the overall one), the blocks held by the service or the
surgeon, turnovers attributed to the case that follows, room-days to the day's first case;
undertime is a room-day's, no service's or surgeon's (None).

Every figure can be narrowed first (`report`'s `within`): to a room, a service, a surgeon or
any of them together; the breakdowns are then of the narrowed cases.
"""

from __future__ import annotations

import itertools
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, intersect, merge, subtract
from contracts.calendar.wallclock import range_span

from scheduling_service.domain.kpis.kpi_bookings import cancellations, case_counts, ratio
from scheduling_service.domain.kpis.kpi_facts import BlockOccurrence, Cancellation, Case, KpiFacts
from scheduling_service.domain.kpis.kpi_figures import (
    BlockUtilization,
    DurationEstimates,
    FirstCaseStarts,
    KpiReport,
    Kpis,
    OverUnderTime,
    Turnover,
    Utilization,
)
from scheduling_service.domain.kpis.kpi_scope import Scope

_MINUTE = timedelta(minutes=1)
# Longer than this from wheels-out to the next wheels-in is a break, not a turnover.
TURNOVER_CAP_MINUTES = 90


@dataclass(frozen=True, slots=True)
class Rules:
    """What the figures are measured with: the time zone of local dates, the first case's grace
    minutes, the turnover cap and the moment a case without wheels-in is past."""

    tz: ZoneInfo
    grace_minutes: int
    now: datetime
    turnover_cap_minutes: int = TURNOVER_CAP_MINUTES


def report(facts: KpiFacts, rules: Rules, within: Scope = Scope()) -> KpiReport:
    """The figures of `within` (everything unless narrowed), and of it per room (each room with
    open time, a case, a block or a cancellation), per service and per surgeon (each with a
    case, a block or a cancellation)."""
    days = _room_days(facts, rules.tz)
    given: list[Case | Cancellation] = [*facts.cases, *facts.cancellations]
    booked = [b for b in given if within.covers(b)]
    blocks = [b for b in facts.blocks if within.covers_block(b)]
    rooms = {r.room_id for r in facts.rooms if r.spans and within.covers_room(r.room_id)}
    rooms |= {b.room_id for b in booked} | {b.room_id for b in blocks}
    services = {b.service for b in booked} | {b.service for b in blocks if b.service}
    surgeons = {b.surgeon_id for b in booked} | {b.surgeon_id for b in blocks}

    def of(scope: Scope) -> Kpis:
        return kpis(facts, days, scope, rules)

    return KpiReport(
        overall=of(within),
        rooms={room_id: of(within.narrowed(room_id=room_id)) for room_id in rooms},
        services={s: of(within.narrowed(service=s)) for s in sorted(services)},
        surgeons={s: of(within.narrowed(surgeon_id=s)) for s in surgeons if s is not None},
    )


def figures(facts: KpiFacts, rules: Rules, within: Scope = Scope()) -> Kpis:
    """The figures of `within` alone, without breakdowns."""
    return kpis(facts, _room_days(facts, rules.tz), within, rules)


@dataclass(frozen=True, slots=True)
class RoomDay:
    """A room on a local date with a case booked to start then, its cases in booked order."""

    room_id: uuid.UUID
    day: date
    open: list[Span]
    cases: list[Case]


def kpis(facts: KpiFacts, days: Sequence[RoomDay], scope: Scope, rules: Rules) -> Kpis:
    """The figures of one scope; `days` are the room-days of all of `facts`."""
    cases = [c for c in facts.cases if scope.covers(c)]
    # Only the cases that hold time are measured in minutes; the unrecorded are counted apart.
    timed = [c for c in cases if not c.unrecorded(rules.now)]
    # A service's minutes are measured against every room's open time: its share of capacity.
    opened = {r.room_id: list(r.spans) for r in facts.rooms if scope.covers_room(r.room_id)}
    blocks = [b for b in facts.blocks if scope.covers_block(b)]
    owners = [c for c in facts.cases if not c.unrecorded(rules.now)]
    cancelled = [c for c in facts.cancellations if scope.covers(c)]
    return Kpis(
        utilization=utilization(cases, timed, opened),
        block_utilization=block_utilization(blocks, owners),
        turnover=turnover(days, scope, cap_minutes=rules.turnover_cap_minutes),
        first_case_starts=first_case_starts(days, scope, grace_minutes=rules.grace_minutes),
        over_under_time=over_under_time(timed, opened, days, scope, now=rules.now),
        cancellations=cancellations(len(cases), cancelled, rules.tz),
        duration_estimates=duration_estimates(cases),
        cases=case_counts(cases, len(cancelled), rules.now),
    )


def utilization(
    cases: Sequence[Case], timed: Sequence[Case], opened: dict[uuid.UUID, list[Span]]
) -> Utilization:
    """`cases` are every booked case, `timed` those of them that hold time."""
    open_minutes = sum(minutes(spans) for spans in opened.values())
    surgery = occupied = 0
    for room_id, room_cases in _by_room(timed).items():
        room_open = opened.get(room_id, [])
        surgery += minutes(intersect([c.surgery for c in room_cases], room_open))
        occupied += minutes(intersect([c.occupancy for c in room_cases], room_open))
    return Utilization(
        cases=len(cases),
        unrecorded_cases=len(cases) - len(timed),
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


def turnover(days: Sequence[RoomDay], scope: Scope, *, cap_minutes: int) -> Turnover:
    gaps = [gap for day in days for after, gap in _gaps(day) if scope.covers(after)]
    kept = [gap for gap in gaps if 0 <= gap <= cap_minutes]
    return Turnover(
        turnovers=len(kept),
        excluded=len(gaps) - len(kept),
        mean_minutes=statistics.fmean(kept) if kept else None,
        median_minutes=statistics.median(kept) if kept else None,
    )


def _gaps(day: RoomDay) -> Iterator[tuple[Case, float]]:
    """Each case of the day that followed another out of the room, with the minutes between
    the other's wheels-out and its wheels-in, in the order the cases really came in."""
    came_in = sorted(
        ((c.wheels_in, c.surgery_id, c) for c in day.cases if c.wheels_in is not None),
        key=lambda entry: entry[:2],
    )
    for (_, _, before), (came, _, after) in itertools.pairwise(came_in):
        if before.wheels_out is not None:
            yield after, (came - before.wheels_out) / _MINUTE


def first_case_starts(
    days: Sequence[RoomDay], scope: Scope, *, grace_minutes: int
) -> FirstCaseStarts:
    judged = [
        day.cases[0]
        for day in days
        if day.cases[0].wheels_in is not None and scope.covers(day.cases[0])
    ]
    late = grace_minutes * _MINUTE
    on_time = sum(1 for c in judged if c.wheels_in is not None and c.wheels_in <= c.start + late)
    return FirstCaseStarts(
        room_days=len(judged), on_time=on_time, share=ratio(on_time, len(judged))
    )


def over_under_time(
    timed: Sequence[Case],
    opened: dict[uuid.UUID, list[Span]],
    days: Sequence[RoomDay],
    scope: Scope,
    *,
    now: datetime,
) -> OverUnderTime:
    """`timed` are the scope's cases that hold time; a room-day whose cases are all unrecorded
    is not judged used (nothing says whether the room was)."""
    overtime = sum(
        minutes(subtract([c.occupancy for c in room_cases], opened.get(room_id, [])))
        for room_id, room_cases in _by_room(timed).items()
    )
    used = [d for d in days if any(scope.covers(c) and not c.unrecorded(now) for c in d.cases)]
    undertime = None
    if not scope.of_whom():
        undertime = sum(
            minutes(subtract(d.open, [c.occupancy for c in d.cases if not c.unrecorded(now)]))
            for d in used
        )
    return OverUnderTime(
        room_days=len(used), overtime_minutes=overtime, undertime_minutes=undertime
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
