"""The KPIs of a range of local dates, each figure with its definition and its counts.

A case's *surgery* is wheels-in to wheels-out when both are recorded, else its booked start to
end; its *occupancy* adds its setup minutes before and cleanup minutes after. A case booked to
end before `as_of` with no wheels-in recorded is *unrecorded*: it holds no time in any figure
(it is counted in `unrecorded_cases`); a case still ahead counts at its booked times. A figure
with nothing to compute it from is null, never a division by zero.
"""

from __future__ import annotations

import datetime as dt
import uuid

from contracts.values import UtcDatetime
from pydantic import BaseModel, ConfigDict, Field

from scheduling_service.domain.kpis import kpi_figures
from scheduling_service.views.kpis import KpiSheet

Share = float | None


class Utilization(BaseModel):
    cases: int = Field(description="Booked cases (scheduled, confirmed, in room, completed).")
    unrecorded_cases: int = Field(
        description="Of those, cases booked to end before `as_of` with no wheels-in recorded: a "
        "gap in the record, counted in no minutes below (nor in blocks, overtime or undertime)."
    )
    open_minutes: int = Field(
        description="Open room minutes over the range (for a service: of all rooms)."
    )
    surgery_minutes: int = Field(
        description="Minutes of surgery inside open time: recorded wheels-in to wheels-out, "
        "else the booked times of cases still ahead."
    )
    occupied_minutes: int = Field(
        description="Minutes of occupancy (surgery + setup + cleanup) inside open time."
    )
    raw: Share = Field(description="Raw utilization = surgery_minutes ÷ open_minutes.")
    adjusted: Share = Field(
        description="Adjusted utilization = occupied_minutes ÷ open_minutes (turnover counted)."
    )


class BlockUtilization(BaseModel):
    occurrences: int = Field(description="Block dates in the range; released dates excluded.")
    block_minutes: int = Field(description="Minutes of those block occurrences.")
    used_minutes: int = Field(
        description="Minutes the block owner's cases (the block's surgeon's, or its service's: "
        "cases of that specialty) occupy the block's room inside its occurrences."
    )
    utilization: Share = Field(description="Block utilization = used_minutes ÷ block_minutes.")


class Turnover(BaseModel):
    turnovers: int = Field(
        description="Consecutive pairs of cases in one room-day, in the order they wheeled in, "
        "with the first's wheels-out recorded, from 0 to `turnover_cap_minutes` apart; per "
        "service, the pairs whose second case is of the service."
    )
    excluded: int = Field(
        description="Pairs left out: under 0 minutes (recorded times that overlap) or over "
        "`turnover_cap_minutes` (a break, not a turnover)."
    )
    mean_minutes: float | None = Field(
        description="Mean minutes from wheels-out to the next wheels-in of the pairs counted."
    )
    median_minutes: float | None = Field(description="Median of the same.")


class FirstCaseStarts(BaseModel):
    room_days: int = Field(
        description="Room-days whose first case (earliest booked start) has wheeled in; per "
        "service, those whose first case is of the service."
    )
    on_time: int = Field(
        description="Of those, first cases wheeled in no later than booked start + the grace "
        "minutes."
    )
    share: Share = Field(description="First-case on-time start = on_time ÷ room_days.")


class OverUnderTime(BaseModel):
    room_days: int = Field(
        description="Used room-days: a room on a local date with a case booked to start then "
        "that is not unrecorded (per service: such a case of the service)."
    )
    overtime_minutes: int = Field(description="Minutes of occupancy outside the room's open time.")
    undertime_minutes: int | None = Field(
        description="Open minutes of used room-days that no occupancy covers; a room-day's, "
        "so null per service."
    )


class ReasonCount(BaseModel):
    reason_code: str = Field(
        description="The reason code the booking was given up for; `unspecified` when none."
    )
    cancelled: int = Field(description="Bookings given up by cancelling the case.")
    postponed: int = Field(description="Bookings given up by postponing the case.")
    same_day: int = Field(description="Of those, given up on the booked local date.")


class Cancellations(BaseModel):
    booked: int = Field(
        description="Bookings for dates in the range: current ones plus those given up."
    )
    cancelled: int = Field(description="Bookings given up by cancelling the case.")
    postponed: int = Field(description="Bookings given up by postponing the case.")
    same_day: int = Field(description="Given up on the booked local date.")
    rate: Share = Field(description="Cancellation rate = (cancelled + postponed) ÷ booked.")
    same_day_rate: Share = Field(description="Same-day cancellation rate = same_day ÷ booked.")
    by_reason: list[ReasonCount] = Field(
        description="The given-up bookings per reason code, the most frequent first; their "
        "cancelled, postponed and same-day counts add up to the totals above."
    )


class CaseCounts(BaseModel):
    planned: int = Field(
        description="Bookings for dates in the range: current ones plus those given up "
        "(= done + given_up + unrecorded + pending)."
    )
    done: int = Field(description="Completed cases.")
    given_up: int = Field(description="Bookings given up: the case cancelled or postponed.")
    unrecorded: int = Field(
        description="Cases booked to end before `as_of` with no wheels-in recorded."
    )
    pending: int = Field(
        description="The rest: booked still ahead, in the room, or out but not yet completed."
    )
    done_share: Share = Field(description="Cases done against planned = done ÷ planned.")


class DurationEstimates(BaseModel):
    completed_cases: int = Field(description="Completed cases with wheels-in and wheels-out.")
    bias_minutes: float | None = Field(
        description="Mean of actual - expected minutes (positive: longer than expected)."
    )
    mean_absolute_error_minutes: float | None = Field(
        description="Mean of |actual - expected| minutes."
    )
    mean_ratio: float | None = Field(description="Mean of actual ÷ expected minutes.")


class Kpis(BaseModel):
    utilization: Utilization
    block_utilization: BlockUtilization
    turnover: Turnover
    first_case_starts: FirstCaseStarts
    over_under_time: OverUnderTime
    cancellations: Cancellations
    duration_estimates: DurationEstimates
    cases: CaseCounts

    @classmethod
    def of(cls, figures: kpi_figures.Kpis) -> Kpis:
        return cls.model_validate(figures, from_attributes=True)


class _Room(BaseModel):
    room_id: uuid.UUID
    code: str
    name: str


class _Service(BaseModel):
    service: str = Field(description="A specialty: the cases of that specialty.")


class _Surgeon(BaseModel):
    surgeon_id: uuid.UUID
    name: str | None = Field(description="The surgeon's name; null when not known here.")


class _Week(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", description="The week's first local date in the range.")
    to: dt.date = Field(description="The week's last local date in the range.")


# The bases' order puts who the figures are of before the figures.
class RoomKpis(Kpis, _Room):
    pass


class ServiceKpis(Kpis, _Service):
    pass


class SurgeonKpis(Kpis, _Surgeon):
    pass


class WeekKpis(Kpis, _Week):
    pass


class KpiFilters(BaseModel):
    room_id: uuid.UUID | None = Field(description="Only this room's figures.")
    specialty: str | None = Field(description="Only this service's cases and blocks.")
    surgeon_id: uuid.UUID | None = Field(description="Only this surgeon's cases and blocks.")


class KpiSheetPublic(BaseModel):
    """Overall, per room (each with open time, a case, a block or a cancellation in the range,
    in code order), per service (a specialty's cases against all rooms' open time, so the
    services' utilizations add up to the overall one; the blocks the service holds), per
    surgeon (the same, by surgeon, in name order) and per week; all narrowed by `filters`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", description="The first local date, included.")
    to: dt.date = Field(description="The last local date, included.")
    timezone: str = Field(description="The hospital's time zone the dates are local to.")
    as_of: UtcDatetime = Field(
        description="When the figures were computed: a case booked to end before then without "
        "wheels-in is unrecorded; later ones count at their booked times (the plan)."
    )
    grace_minutes: int = Field(description="How late a first case may wheel in and be on time.")
    turnover_cap_minutes: int = Field(
        description="The longest wheels-out to next wheels-in counted as a turnover."
    )
    filters: KpiFilters
    overall: Kpis
    rooms: list[RoomKpis]
    services: list[ServiceKpis]
    surgeons: list[SurgeonKpis]
    weeks: list[WeekKpis]

    @classmethod
    def of(cls, sheet: KpiSheet, grace_minutes: int) -> KpiSheetPublic:
        report = sheet.report
        return cls(
            from_=sheet.first,
            to=sheet.last,
            timezone=sheet.timezone,
            as_of=sheet.as_of,
            grace_minutes=grace_minutes,
            turnover_cap_minutes=sheet.turnover_cap_minutes,
            overall=Kpis.of(report.overall),
            rooms=[
                RoomKpis(
                    room_id=room.room_id,
                    code=room.code,
                    name=room.name,
                    **dict(Kpis.of(report.rooms[room.room_id])),
                )
                for room in sheet.rooms
            ],
            services=[
                ServiceKpis(service=service, **dict(Kpis.of(figures)))
                for service, figures in report.services.items()
            ],
            surgeons=sorted(
                (
                    SurgeonKpis(
                        surgeon_id=surgeon_id,
                        name=sheet.surgeon_names.get(surgeon_id),
                        **dict(Kpis.of(figures)),
                    )
                    for surgeon_id, figures in report.surgeons.items()
                ),
                key=lambda s: (s.name is None, s.name or "", str(s.surgeon_id)),
            ),
            weeks=[
                WeekKpis(from_=week.first, to=week.last, **dict(Kpis.of(week.kpis)))
                for week in sheet.weeks
            ],
            filters=KpiFilters(
                room_id=sheet.within.room_id,
                specialty=sheet.within.service,
                surgeon_id=sheet.within.surgeon_id,
            ),
        )
