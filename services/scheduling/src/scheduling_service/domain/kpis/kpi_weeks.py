"""The KPIs week by week: a trend over the range, each week Monday to Sunday cut to the range.

A week's facts are the range's cut at the week's local midnights: the open time inside the
week, the cases and given-up bookings booked to start in it, the block dates that start in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from contracts.calendar.spans import Span, clip
from contracts.calendar.wallclock import range_span

from scheduling_service.domain.kpis.kpi_facts import KpiFacts, RoomOpen
from scheduling_service.domain.kpis.kpi_figures import Week
from scheduling_service.domain.kpis.kpi_scope import Scope
from scheduling_service.domain.kpis.kpis import Rules, figures


def weekly(
    facts: KpiFacts,
    rules: Rules,
    first: date,
    last: date,
    within: Scope = Scope(),
) -> list[Week]:
    """The figures of `within` for each week that the local dates `first` to `last` touch."""
    return [
        Week(start, end, figures(week_of(facts, range_span(start, end, rules.tz)), rules, within))
        for start, end in weeks(first, last)
    ]


def weeks(first: date, last: date) -> Iterator[tuple[date, date]]:
    """Monday-to-Sunday weeks from `first` to `last`, the first and the last cut to them."""
    start = first
    while start <= last:
        end = min(start + timedelta(days=6 - start.weekday()), last)
        yield start, end
        start = end + timedelta(days=1)


def week_of(facts: KpiFacts, window: Span) -> KpiFacts:
    def inside(moment: datetime) -> bool:
        return window.start <= moment < window.end

    return replace(
        facts,
        rooms=[RoomOpen(r.room_id, tuple(clip(r.spans, window))) for r in facts.rooms],
        cases=[c for c in facts.cases if inside(c.start)],
        blocks=[b for b in facts.blocks if inside(b.span.start)],
        cancellations=[c for c in facts.cancellations if inside(c.booked_start)],
    )
