"""What became of the bookings of a range: cancelled or postponed (by reason), done, pending."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduling_service.domain.kpis.kpi_facts import Cancellation, Case
from scheduling_service.domain.kpis.kpi_figures import Cancellations, CaseCounts, ReasonCount

# The reason of a given-up booking whose history line named none.
UNSPECIFIED = "unspecified"


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def cancellations(
    still_booked: int, cancelled: Sequence[Cancellation], tz: ZoneInfo
) -> Cancellations:
    booked = still_booked + len(cancelled)
    postponed = sum(1 for c in cancelled if c.postponed)
    same_day = sum(1 for c in cancelled if _same_day(c, tz))
    return Cancellations(
        booked=booked,
        cancelled=len(cancelled) - postponed,
        postponed=postponed,
        same_day=same_day,
        rate=ratio(len(cancelled), booked),
        same_day_rate=ratio(same_day, booked),
        by_reason=by_reason(cancelled, tz),
    )


def by_reason(cancelled: Sequence[Cancellation], tz: ZoneInfo) -> tuple[ReasonCount, ...]:
    """The given-up bookings per reason code, the most frequent first."""
    grouped: defaultdict[str, list[Cancellation]] = defaultdict(list)
    for c in cancelled:
        grouped[c.reason_code or UNSPECIFIED].append(c)
    counts = [
        ReasonCount(
            reason_code=code,
            cancelled=sum(1 for c in given_up if not c.postponed),
            postponed=sum(1 for c in given_up if c.postponed),
            same_day=sum(1 for c in given_up if _same_day(c, tz)),
        )
        for code, given_up in grouped.items()
    ]
    return tuple(sorted(counts, key=lambda r: (-(r.cancelled + r.postponed), r.reason_code)))


def _same_day(c: Cancellation, tz: ZoneInfo) -> bool:
    return c.cancelled_at.astimezone(tz).date() == c.booked_start.astimezone(tz).date()


def case_counts(cases: Sequence[Case], given_up: int, now: datetime) -> CaseCounts:
    """`cases` are the current bookings; `given_up` how many more were cancelled or postponed."""
    done = sum(1 for c in cases if c.status == "completed")
    unrecorded = sum(1 for c in cases if c.status != "completed" and c.unrecorded(now))
    planned = len(cases) + given_up
    return CaseCounts(
        planned=planned,
        done=done,
        given_up=given_up,
        unrecorded=unrecorded,
        pending=len(cases) - done - unrecorded,
        done_share=ratio(done, planned),
    )
