"""Events of `interop.siu.v1`: the HL7 v2 SIU messages interop built from a case's bookings.

For systems that read Kafka rather than MLLP: the same message, byte for byte, that interop
delivers to its MLLP endpoints, keyed by case id so a case's messages stay in order.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from contracts.envelope import Event
from contracts.topics import INTEROP_SIU


class SiuTrigger(StrEnum):
    S12 = "S12"
    S13 = "S13"
    S14 = "S14"
    S15 = "S15"
    S26 = "S26"


class SiuMessageBuilt(Event):
    """One SIU message (HL7 v2.5, structure SIU_S12), validated before it was stored.

    `er7` is the message in HL7's ER7 encoding, segments ended by a carriage return.
    `control_id` (MSH-10) is derived from the scheduling event the message answers, so a
    replay is the same message and a receiver may deduplicate by it.
    """

    topic = INTEROP_SIU
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    trigger: SiuTrigger = Field(
        description="S12 new booking, S13 rescheduled, S14 modified, S15 cancelled, S26 no-show."
    )
    control_id: Annotated[str, StringConstraints(pattern=r"^[A-Z2-7]{20}$")]
    source_event_id: uuid.UUID = Field(description="The scheduling event the message answers.")
    source_occurred_at: AwareDatetime = Field(
        description="When that event happened: the change's commit in scheduling."
    )
    er7: Annotated[str, StringConstraints(min_length=8, max_length=200_000)]


EVENTS: tuple[type[Event], ...] = (SiuMessageBuilt,)
