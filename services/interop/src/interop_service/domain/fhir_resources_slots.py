"""A room's Slots per local day: its open time from the availability rules, free or held by a
block, and the time its bookings take it, busy.

Pure: the room's snapshot, its live blocks and the spans its bookings take in, Slots out. A
Slot's id names its room and its span, so a read by id recomputes that day and finds it (or
finds it gone, once the room's time changed).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

from contracts.calendar.availability import HoursException, room_open_spans
from contracts.calendar.blocks import BlockPattern, occurrences
from contracts.calendar.spans import Span, clip, intersect, merge, subtract
from contracts.calendar.wallclock import days, range_span
from contracts.events.resources_blocks import BlockAllocated, SingleDate
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from fhir.resources.R4B.slot import Slot

from interop_service.domain.fhir_resources_codes import SPECIALTY_SYSTEM, display

SlotStatus = Literal["free", "busy"]


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose block holds free time: a service (a specialty) or one surgeon."""

    service: str | None
    surgeon_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class RoomSlot:
    room_id: uuid.UUID
    span: Span
    status: SlotStatus
    held_by: Holder | None = None

    @property
    def id(self) -> str:
        return slot_id(self.room_id, self.span)


def slot_id(room_id: uuid.UUID, span: Span) -> str:
    """`<room id>-<start>-<end>`, UTC to the minute: 62 characters, within FHIR's 64."""
    return f"{room_id}-{span.start:%Y%m%d%H%M}-{span.end:%Y%m%d%H%M}"


_SLOT_ID = re.compile(r"^(?P<room>[0-9a-f-]{36})-(?P<start>\d{12})-(?P<end>\d{12})$")


def parse_slot_id(text: str) -> tuple[uuid.UUID, datetime] | None:
    """The room and the start a Slot id names, or None when it is no id of ours."""
    match = _SLOT_ID.match(text)
    if match is None:
        return None
    try:
        room_id = uuid.UUID(match["room"])
        start = datetime.strptime(match["start"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return room_id, start


def room_slots(
    room: OperatingRoomUpserted,
    first: date,
    last: date,
    booked: Iterable[Span],
    blocks: Sequence[BlockAllocated] = (),
) -> list[RoomSlot]:
    """The room's Slots on its local dates `first` to `last`, each within one local day, in
    order: busy where a booking takes the room (in its hours or not), free in its open time
    otherwise, held by a block where one holds it. A retired room has none."""
    if room.retired_at is not None:
        return []
    tz = ZoneInfo(room.timezone)
    busy = clip(merge(booked), range_span(first, last, tz))
    free = subtract(_open(room, tz, first, last), busy)
    held = [(span, holder) for block in blocks for span, holder in _held(block, tz, first, last)]
    slots = [RoomSlot(room.room_id, span, "busy") for span in busy]
    slots += [RoomSlot(room.room_id, s, "free") for s in subtract(free, [s for s, _ in held])]
    slots += [
        RoomSlot(room.room_id, piece, "free", holder)
        for span, holder in held
        for piece in intersect(free, [span])
    ]
    midnights = [range_span(day, day, tz).start for day in days(first, last)]
    by_day = [piece for slot in slots for piece in _per_day(slot, midnights)]
    return sorted(by_day, key=lambda slot: slot.span.start)


def _open(room: OperatingRoomUpserted, tz: ZoneInfo, first: date, last: date) -> list[Span]:
    exceptions = [HoursException(e.kind.value, e.start, e.end) for e in room.exceptions]
    return room_open_spans(
        room.weekly_hours, exceptions, status=room.status.value, tz=tz, first=first, last=last
    )


def _held(
    block: BlockAllocated, tz: ZoneInfo, first: date, last: date
) -> list[tuple[Span, Holder]]:
    if block.retired_at is not None:
        return []
    recurrence = block.recurrence
    if isinstance(recurrence, SingleDate):
        pattern = BlockPattern.on_date(
            recurrence.date, block.start_time, block.end_time, released=block.released_dates
        )
    else:
        pattern = BlockPattern.weekly(
            recurrence.weekdays,
            block.start_time,
            block.end_time,
            valid_from=recurrence.valid_from,
            valid_to=recurrence.valid_to,
            released=block.released_dates,
        )
    holder = Holder(block.service, block.surgeon_id)
    return [(span, holder) for _, span in occurrences(pattern, tz, first, last)]


def _per_day(slot: RoomSlot, midnights: list[datetime]) -> list[RoomSlot]:
    """The slot cut at each local midnight inside it."""
    span = slot.span
    edges = [span.start, *(m for m in midnights if span.start < m < span.end), span.end]
    return [
        RoomSlot(slot.room_id, Span(start, end), slot.status, slot.held_by)
        for start, end in pairwise(edges)
    ]


def slot_of(slot: RoomSlot) -> Slot:
    holder = slot.held_by
    comment = None
    specialty = None
    if holder is not None and holder.service is not None:
        specialty = [
            {
                "coding": [
                    {
                        "system": SPECIALTY_SYSTEM,
                        "code": holder.service,
                        "display": display(holder.service),
                    }
                ]
            }
        ]
        comment = f"Held by the {display(holder.service).lower()} service's block"
    elif holder is not None:
        comment = "Held by a surgeon's block"
    return Slot.model_validate(
        {
            "id": slot.id,
            "schedule": {"reference": f"Schedule/{slot.room_id}"},
            "status": slot.status,
            "start": slot.span.start.isoformat(),
            "end": slot.span.end.isoformat(),
            "specialty": specialty,
            "comment": comment,
        }
    )
