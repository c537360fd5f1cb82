"""The FHIR read model of cases (Appointment, ServiceRequest): fed only by
`scheduling.surgeries.v1`, each event applied to its case by `domain/fhir_cases_record.py`."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.events.scheduling_surgeries import EVENTS
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.domain.fhir_cases_record import apply
from interop_service.fhir import cases_store


async def on_surgery_event(session: AsyncSession, event: Event, envelope: Envelope) -> None:
    """The case locked, the event applied as of when it occurred; stored only if it changed."""
    case_id = uuid.UUID(event.aggregate_id())
    await on_locked(session, await cases_store.find_locked(session, case_id), event, envelope)


async def on_locked(
    session: AsyncSession, held: cases_store.Locked, event: Event, envelope: Envelope
) -> None:
    """`on_surgery_event` with the case already locked and read."""
    after = apply(held.record, event, envelope.occurred_at)
    if after is not None:
        await cases_store.save(session, after, held.placer)


def saving(held: cases_store.Locked, event: Event, envelope: Envelope) -> dict[str, Any] | None:
    """`on_locked` as the parameters of `cases_store.SAVE_CTE`, for a statement that writes
    more; None when the event changes nothing."""
    after = apply(held.record, event, envelope.occurred_at)
    return cases_store.saving(after, held.placer) if after is not None else None


def register(handlers: HandlerMap, *, topic: str | None = None) -> HandlerMap:
    """`topic` reads another topic instead of the contract's, for tests."""
    for event_class in EVENTS:
        handlers.on(event_class, on_surgery_event, topic=topic)
    return handlers
