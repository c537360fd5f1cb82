"""`ServiceRequestPlaced`: an order placed through interop's FHIR API joins the waiting list.

The case is created by the same use case as `POST /surgeries` (`surgeries.stage_create`), under
the case id interop chose, so it is listed, audited and announced on `scheduling.surgeries.v1`
like any other. Applied once: a redelivery is dropped by the consumer's record of processed
event ids, and a second event for a case that exists changes nothing. An order scheduling
refuses (the surgeon retired, or is not the placer's own, since interop checked) is
`Unprocessable`: it goes to `interop.service-requests.v1.dlq` with the reason in its headers.
"""

from __future__ import annotations

import logging

from contracts.envelope import Envelope
from contracts.events.interop_service_requests import ServiceRequestPlaced
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.consumer import HandlerMap, Unprocessable
from servicekit.messaging.outbox import OutboxWriter
from servicekit.problems import Problem
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.cases import surgeries
from scheduling_service.cases.case_request import CaseRequest
from scheduling_service.db.tables import surgery_requests

log = logging.getLogger(__name__)
PRODUCER = "scheduling"


class _ConsumerTransaction(UnitOfWork):
    """The consumer's transaction, seen as a unit of work by a `stage_…` use case: the change
    and its events are written there and committed by the consumer with the event's record."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.producer = PRODUCER
        self.outbox = OutboxWriter(session, producer=PRODUCER)

    async def commit(self) -> None:
        raise RuntimeError("a handler never commits: the consumer does")


async def on_service_request_placed(
    session: AsyncSession, event: ServiceRequestPlaced, envelope: Envelope
) -> None:
    known = await session.scalar(
        select(surgery_requests.c.surgery_id).where(
            surgery_requests.c.surgery_id == event.surgery_id
        )
    )
    if known is not None:
        log.info("order for case %s already applied", event.surgery_id)
        return
    placer = Principal(
        user_id=str(event.placed_by),
        roles=frozenset(role.value for role in event.placed_by_roles),
        token_id=f"order-{envelope.event_id}",
        expires_at=0,
    )
    try:
        await surgeries.stage_create(
            _ConsumerTransaction(session),
            CaseRequest.of(event.request),
            requester=placer,
            surgery_id=event.surgery_id,
        )
    except Problem as refusal:
        if refusal.status not in (403, 422):
            raise
        raise Unprocessable(
            f"order {event.placer_identifier.value} (case {event.surgery_id}) refused: "
            f"{refusal.detail}"
        ) from None


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers.on(ServiceRequestPlaced, on_service_request_placed)
