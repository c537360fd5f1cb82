"""The times a case is really in the room: wheels in and wheels out, and whether they can be true.

A time is recorded as it happens or soon after, so it is never in the future (a few minutes of
leeway for clocks that differ); a case comes in near its booked start (no earlier than half a
day before it) and no case lasts more than a day. Anything else is a typing slip, and a slip
would skew every KPI built on these times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

CLOCK_LEEWAY = timedelta(minutes=5)
EARLIEST_BEFORE_START = timedelta(hours=12)
LONGEST_CASE = timedelta(hours=24)


class TimesRefused(ValueError):
    """The recorded times cannot be right; the message says why, for a `422`."""


def ensure_plausible_wheels_in(
    wheels_in: datetime, *, booked_start: datetime | None, now: datetime
) -> None:
    """A case comes in by now (give or take the leeway), and not long before its booked start."""
    _ensure_not_ahead("wheels_in", wheels_in, now)
    if booked_start is not None and wheels_in < booked_start - EARLIEST_BEFORE_START:
        raise TimesRefused(
            f"wheels_in {wheels_in.isoformat()} is more than {_hours(EARLIEST_BEFORE_START)} "
            f"before the booked start {booked_start.isoformat()}; book the case at the time "
            "it really takes place first."
        )


def ensure_plausible_wheels_out(
    wheels_in: datetime | None, wheels_out: datetime, *, now: datetime
) -> None:
    """A case leaves the room by now, after it came in, and within a day of coming in; a case
    never seen coming in cannot leave."""
    if wheels_in is None:
        raise TimesRefused("The case has no wheels-in time; record wheels in first.")
    _ensure_not_ahead("wheels_out", wheels_out, now)
    if wheels_out <= wheels_in:
        raise TimesRefused(
            f"wheels_out {wheels_out.isoformat()} must be after wheels_in {wheels_in.isoformat()}."
        )
    if wheels_out - wheels_in > LONGEST_CASE:
        raise TimesRefused(
            f"wheels_out {wheels_out.isoformat()} is more than {_hours(LONGEST_CASE)} after "
            f"wheels_in {wheels_in.isoformat()}; no case lasts that long."
        )


def _ensure_not_ahead(name: str, moment: datetime, now: datetime) -> None:
    if moment > now + CLOCK_LEEWAY:
        minutes = int(CLOCK_LEEWAY.total_seconds() // 60)
        raise TimesRefused(
            f"{name} {moment.isoformat()} is in the future: it may be at most {minutes} minutes "
            f"after now ({now.isoformat()})."
        )


def _hours(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 3600)} hours"
