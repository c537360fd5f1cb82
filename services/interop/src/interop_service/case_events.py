"""A case event in interop: the FHIR read model of cases and the SIU feed, one round trip each way.

Both halves follow `scheduling.surgeries.v1` and neither imports the other (the layers in
`.importlinter`). Registered one after the other, a case event would lock and read the read
model's row, write it, lock and read the feed's state, then store the message: four round
trips. Here, above both, the case's rows of both are locked and read in one statement
(`cases_store.locked_with` around the feed's `LOCKED_STATE`), and the read model's row, when the
event changed it, is written by the feed's own statement (`cases_store.SAVE_CTE` added to it):
what is stored is exactly what the two handlers store one after the other
(tests/integration/interop/test_cases_and_siu.py), in the consumer's transaction.
"""

from __future__ import annotations

import uuid

from contracts.envelope import Envelope, Event
from contracts.events.scheduling_surgeries import EVENTS
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.domain.siu_messages import Sender
from interop_service.fhir import cases_projection, cases_store
from interop_service.siu import projection as siu_projection

_LOCKED_BOTH = cases_store.locked_with(siu_projection.LOCKED_STATE)


def register(
    handlers: HandlerMap, *, topic: str | None = None, sender: Sender | None = None
) -> HandlerMap:
    """Every case event, both effects. `topic` and `sender`: another topic and sender, for
    tests."""

    async def with_cases(session: AsyncSession, event: Event, envelope: Envelope) -> None:
        case_id = uuid.UUID(event.aggregate_id())
        held = (await session.execute(_LOCKED_BOTH, {"case_id": case_id})).one()
        saving = cases_projection.saving(cases_store.held_of(held), event, envelope)
        state = (held.siu_request, held.siu_booking) if held.siu_case_id is not None else None
        await siu_projection.apply_held(
            session,
            event,
            envelope,
            sender or siu_projection.configured_sender(),
            state,
            (cases_store.SAVE_CTE, saving) if saving is not None else None,
        )

    for event_class in EVENTS:
        handlers.on(event_class, with_cases, topic=topic)
    return handlers
