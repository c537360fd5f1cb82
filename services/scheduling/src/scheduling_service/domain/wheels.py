"""The times a case is really in the room: wheels in and wheels out."""

from __future__ import annotations

from datetime import datetime


class TimesRefused(ValueError):
    """The recorded times cannot be right; the message says why, for a `422`."""


def ensure_wheels_out_after_in(wheels_in: datetime | None, wheels_out: datetime) -> None:
    """A case leaves the room after it came in; a case never seen coming in cannot leave."""
    if wheels_in is None:
        raise TimesRefused("The case has no wheels-in time; record wheels in first.")
    if wheels_out <= wheels_in:
        raise TimesRefused(
            f"wheels_out {wheels_out.isoformat()} must be after wheels_in {wheels_in.isoformat()}."
        )
