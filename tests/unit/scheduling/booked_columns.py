"""A booking as read from `cases._booked()`'s columns, validated afresh: what the list readers
did before they kept each validated booking (`cases._read_booking`), for tests to compare with."""

from __future__ import annotations

from typing import Any

from contracts.events.scheduling_surgeries import Booking


def validated_afresh(booked: tuple[Any, ...]) -> Booking:
    """The booking of `booked` (room, start, end, setup, cleanup, staff ids, their roles, unit
    ids; an array None where the booking has none), validated as `bookings_of` once did."""
    room_id, start, end, setup, cleanup, staff_ids, roles, unit_ids = booked
    return Booking.model_validate(
        {
            "room_id": room_id,
            "start": start,
            "end": end,
            "setup_minutes": setup,
            "cleanup_minutes": cleanup,
            "staff": [
                {"staff_id": s, "role": r}
                for s, r in zip(staff_ids or (), roles or (), strict=True)
            ],
            "equipment_unit_ids": unit_ids or (),
        }
    )
