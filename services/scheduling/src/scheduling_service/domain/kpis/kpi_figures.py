"""The KPI figures, each with the counts it was computed from (`domain.kpis` computes them).

A figure with nothing to compute it from is None, never a division by zero.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Utilization:
    cases: int
    unrecorded_cases: int
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
    excluded: int
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
class ReasonCount:
    """The bookings given up for one reason code ("unspecified" when none was named)."""

    reason_code: str
    cancelled: int
    postponed: int
    same_day: int


@dataclass(frozen=True, slots=True)
class Cancellations:
    booked: int
    cancelled: int
    postponed: int
    same_day: int
    rate: float | None
    same_day_rate: float | None
    by_reason: tuple[ReasonCount, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseCounts:
    """Bookings of the range by what became of them: planned = done + given_up + unrecorded +
    pending (booked still ahead, or in the room, or wheeled out but not yet completed)."""

    planned: int
    done: int
    given_up: int
    unrecorded: int
    pending: int
    done_share: float | None


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
    cases: CaseCounts


@dataclass(frozen=True, slots=True)
class KpiReport:
    overall: Kpis
    rooms: dict[uuid.UUID, Kpis]
    services: dict[str, Kpis]
    surgeons: dict[uuid.UUID, Kpis] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Week:
    """The figures of the local dates `first` to `last` of one week (Monday to Sunday, cut to
    the range asked for)."""

    first: date
    last: date
    kpis: Kpis
