"""What the KPIs are computed from: booked cases, open time, block dates, given-up bookings.

Plain values, filled by `scheduling_service.kpis` from the database and by tests by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.calendar.spans import Span

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Case:
    """A booked case (scheduled, confirmed, in the room or completed)."""

    surgery_id: uuid.UUID
    room_id: uuid.UUID
    service: str
    surgeon_id: uuid.UUID
    status: str
    start: datetime
    end: datetime
    setup_minutes: int
    cleanup_minutes: int
    expected_minutes: int
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None

    def unrecorded(self, now: datetime) -> bool:
        """Booked to end by `now` yet never seen wheeled in: a gap in the record (the case did
        not happen, or no one recorded it), not surgery."""
        return self.wheels_in is None and self.end <= now

    @property
    def actual(self) -> Span | None:
        if self.wheels_in is None or self.wheels_out is None:
            return None
        return Span(self.wheels_in, self.wheels_out)

    @property
    def surgery(self) -> Span:
        return self.actual or Span(self.start, self.end)

    @property
    def occupancy(self) -> Span:
        surgery = self.surgery
        return Span(
            surgery.start - self.setup_minutes * _MINUTE,
            surgery.end + self.cleanup_minutes * _MINUTE,
        )


@dataclass(frozen=True, slots=True)
class RoomOpen:
    room_id: uuid.UUID
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class BlockOccurrence:
    """One date of a block: its room's time held for a surgeon or a service."""

    block_id: uuid.UUID
    room_id: uuid.UUID
    span: Span
    surgeon_id: uuid.UUID | None = None
    service: str | None = None

    def owns(self, case: Case) -> bool:
        if case.room_id != self.room_id:
            return False
        if self.surgeon_id is not None:
            return case.surgeon_id == self.surgeon_id
        return case.service == self.service


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A booking given up: the case was cancelled, or postponed when `postponed`."""

    surgery_id: uuid.UUID
    room_id: uuid.UUID
    service: str
    booked_start: datetime
    cancelled_at: datetime
    postponed: bool = False
    surgeon_id: uuid.UUID | None = None
    # One of `domain.reasons.REASON_CODES`; None for a history line that named none.
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class KpiFacts:
    rooms: Sequence[RoomOpen]
    cases: Sequence[Case]
    blocks: Sequence[BlockOccurrence] = ()
    cancellations: Sequence[Cancellation] = ()
