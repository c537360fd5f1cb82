"""Builds the SIU messages from `scheduling.surgeries.v1`, in the consumer's transaction.

Each event moves the case's state (`siu_cases`); when it calls for a message
(`domain/siu_feed.py`), the message is built and validated (`domain/siu_messages.py`) and stored
in `siu_messages`, with one pending delivery per known MLLP endpoint and its `SiuMessageBuilt`
in the outbox, all in the transaction that records the event in `processed_events`: a message
exists if and only if its event was applied, and a redelivered event builds nothing again.
"""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.events.interop_siu import SiuMessageBuilt, SiuTrigger
from contracts.events.scheduling_surgeries import EVENTS, Booking
from contracts.topics import SCHEDULING_SURGERIES
from servicekit.messaging.consumer import Handler, HandlerMap, Unprocessable
from servicekit.messaging.outbox import OutboxWriter
from servicekit.messaging.schema import outbox
from sqlalchemy import Select, Text, bindparam, cast, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.siu import (
    DELIVERIES_CHANNEL,
    siu_cases,
    siu_deliveries,
    siu_endpoints,
    siu_messages,
)
from interop_service.domain import siu_feed
from interop_service.domain import siu_messages as builder
from interop_service.domain.siu_feed import CaseState, Request
from interop_service.settings import InteropSettings
from interop_service.siu.metrics import MESSAGES_BUILT

log = logging.getLogger(__name__)
PRODUCER = "interop"


def sender_of(settings: InteropSettings) -> builder.Sender:
    return builder.Sender(
        application=settings.siu_sending_application,
        facility=settings.siu_sending_facility,
        receiving_application=settings.siu_receiving_application or "",
        receiving_facility=settings.siu_receiving_facility or "",
        filler_contact=settings.siu_filler_contact,
        timezone=settings.hospital_timezone,
    )


@functools.cache
def configured_sender() -> builder.Sender:
    return sender_of(InteropSettings())


def register(
    handlers: HandlerMap, *, topic: str | None = None, sender: builder.Sender | None = None
) -> HandlerMap:
    """Handles every case event; a handler another part registered for the same event type
    runs first, in the same transaction. (The service itself registers the feed with the FHIR
    read model of cases through `case_events`, in one round trip each way.)

    `topic` reads another topic and `sender` names another sender, for tests.
    """
    name = topic or SCHEDULING_SURGERIES.name
    registered = dict(handlers.by_topic.get(name, {}))

    async def handle(session: AsyncSession, event: Event, envelope: Envelope) -> None:
        await apply(session, event, envelope, sender or configured_sender())

    for event_class in EVENTS:
        before = registered.get(event_class.event_type)
        handlers.on(event_class, _both(before, handle) if before else handle, topic=topic)
    return handlers


def _both(first: Handler, then: Handler) -> Handler:
    async def handle(session: AsyncSession, event: Event, envelope: Envelope) -> None:
        await first(session, event, envelope)
        await then(session, event, envelope)

    return handle


async def apply(
    session: AsyncSession, event: Event, envelope: Envelope, sender: builder.Sender
) -> None:
    case_id = uuid.UUID(event.aggregate_id())
    row = (await session.execute(_LOCKED, {"case_id": case_id})).first()
    await apply_held(
        session, event, envelope, sender, (row.request, row.booking) if row is not None else None
    )


# Another part's write, done by the feed's statement: a data-modifying CTE and its parameters.
Also = tuple[Any, dict[str, Any]]


async def apply_held(
    session: AsyncSession,
    event: Event,
    envelope: Envelope,
    sender: builder.Sender,
    held: tuple[dict[str, Any] | None, dict[str, Any] | None] | None,
    also: Also | None = None,
) -> None:
    """`apply` with the case's state row (its request and booking) locked and read (as
    `LOCKED_STATE` reads it), or None when the feed has none yet; `also`, another part's write
    that goes with what this writes, in the same statement (`case_events`: the FHIR read
    model's row)."""
    case_id = uuid.UUID(event.aggregate_id())
    before = _state(*held) if held is not None else CaseState()
    after, change = siu_feed.follow(before, event)
    moved = after != before or held is None
    state = {
        "case_id": case_id,
        "request": _request_json(after.request),
        "booking": after.booking.model_dump(mode="json") if after.booking else None,
    }
    cte, parameters = also if also is not None else (None, {})
    if change is None:
        if moved or cte is not None:
            await session.execute(_write(moved, cte), state | parameters)
        return
    try:
        built = builder.build(
            change, event_id=envelope.event_id, at=envelope.occurred_at, sender=sender
        )
    except builder.SiuMessageInvalid as exc:
        # The same event builds the same message every time: no retry can help. To the DLQ,
        # with hl7apy's reason, where an operator sees it (and replays it once fixed).
        raise Unprocessable(str(exc)) from exc
    _, published = OutboxWriter(session, producer=PRODUCER).row(
        SiuMessageBuilt(
            surgery_id=case_id,
            trigger=SiuTrigger(built.trigger.value),
            control_id=built.control_id,
            source_event_id=envelope.event_id,
            source_occurred_at=envelope.occurred_at,
            er7=built.er7,
        )
    )
    message_id = await session.scalar(
        _store(moved, cte),
        {
            **state,
            **parameters,
            "control_id": built.control_id,
            "source_event_id": envelope.event_id,
            "trigger": built.trigger.value,
            "er7": built.er7,
            "occurred_at": envelope.occurred_at,
            **{f"outbox_{name}": value for name, value in published.items()},
        },
    )
    if message_id is None:
        return  # built before (a replay from the DLQ under a new consumer group): nothing again
    MESSAGES_BUILT.labels(built.trigger.value).inc()
    log.info("SIU^%s %s built for case %s", built.trigger.value, built.control_id, case_id)


# Built once: a statement built per call cost the consumer more than its execution.
_LOCKED = (
    select(siu_cases.c.request, siu_cases.c.booking)
    .where(siu_cases.c.case_id == bindparam("case_id"))
    .with_for_update()
)
# The same, as a subquery for a statement that locks and reads more (`case_events`): its
# columns are None when the feed has no state for the case yet.
LOCKED_STATE = (
    select(
        siu_cases.c.case_id.label("siu_case_id"),
        siu_cases.c.request.label("siu_request"),
        siu_cases.c.booking.label("siu_booking"),
    )
    .where(siu_cases.c.case_id == bindparam("case_id"))
    .with_for_update()
    .subquery("siu_case")
)
_insert_case = insert(siu_cases)
_UPSERT = _insert_case.on_conflict_do_update(
    index_elements=[siu_cases.c.case_id],
    set_={
        "request": _insert_case.excluded.request,
        "booking": _insert_case.excluded.booking,
        "updated_at": func.now(),
    },
)


_OUTBOX_COLUMNS = ("event_id", "topic", "message_key", "event_type", "envelope", "traceparent")


def _store_statement(*, with_state: bool = False) -> Select[tuple[int]]:
    """The message, its `SiuMessageBuilt` in the outbox (`OutboxWriter.row`'s parameters,
    prefixed `outbox_`), a pending delivery of it per registered endpoint and, when there are
    any, a `NOTIFY` (sent on commit, one per transaction however many) that wakes the delivery
    workers: one round trip, which `with_state` also has write the case's state (as `_UPSERT`
    does). Its id, or no row (and no outbox row) when the event's message was built before."""
    messages = siu_messages.c
    message = (
        insert(siu_messages)
        .values(
            control_id=bindparam("control_id"),
            source_event_id=bindparam("source_event_id"),
            case_id=bindparam("case_id"),
            trigger=bindparam("trigger"),
            er7=bindparam("er7"),
            occurred_at=bindparam("occurred_at"),
            built_at=func.clock_timestamp(),  # now(), not the transaction's start
        )
        .on_conflict_do_nothing(index_elements=[messages.source_event_id])
        .returning(messages.id, messages.case_id)
        .cte("message")
    )
    added = (
        insert(siu_deliveries)
        .from_select(
            ["endpoint", "message_id", "case_id"],
            select(siu_endpoints.c.name, message.c.id, message.c.case_id).select_from(
                siu_endpoints.join(message, true())  # every endpoint, the one message
            ),
        )
        .returning(siu_deliveries.c.message_id)
        .cte("added")
    )
    notify = select(func.pg_notify(DELIVERIES_CHANNEL, "")).select_from(added).limit(1)
    # The event goes with the message: one row when the message is new, none when it is not.
    published = insert(outbox).from_select(
        list(_OUTBOX_COLUMNS),
        select(
            *(
                cast(bindparam("outbox_envelope", type_=Text), JSONB)
                if name == "envelope"
                else bindparam(f"outbox_{name}", type_=outbox.c[name].type)
                for name in _OUTBOX_COLUMNS
            )
        ).select_from(message),
    )
    stored = select(message.c.id, notify.scalar_subquery()).add_cte(published.cte("published"))
    if not with_state:
        return stored
    # A data-modifying WITH runs whatever the main query reads of it.
    state = (
        _insert_case.values(
            case_id=bindparam("case_id"),
            request=bindparam("request"),
            booking=bindparam("booking"),
        )
        .on_conflict_do_update(
            index_elements=[siu_cases.c.case_id],
            set_={
                "request": _insert_case.excluded.request,
                "booking": _insert_case.excluded.booking,
                "updated_at": func.now(),
            },
        )
        .cte("state")
    )
    return stored.add_cte(state)


_STORE = _store_statement()
_STORE_WITH_STATE = _store_statement(with_state=True)
_NOTHING: Select[Any] = select(literal_column("1"))


def _store(moved: bool, cte: Any | None) -> Any:
    """What stores a message: with the case's state when it moved, and another part's write."""
    statement = _STORE_WITH_STATE if moved else _STORE
    return statement if cte is None else _with(statement, cte)


def _write(moved: bool, cte: Any | None) -> Any:
    """What writes when there is no message: the state when it moved, and another part's write
    (never asked for neither)."""
    if cte is None:
        return _UPSERT
    return _with(_UPSERT if moved else _NOTHING, cte)


@functools.cache
def _with(statement: Any, cte: Any) -> Any:
    # Built once per pair: a statement built per call cost the consumer more than its execution.
    return statement.add_cte(cte)


def _state(request: dict[str, Any] | None, booking: dict[str, Any] | None) -> CaseState:
    return CaseState(
        request=Request(**{**request, "surgeon_id": uuid.UUID(request["surgeon_id"])})
        if request
        else None,
        booking=Booking.model_validate(booking) if booking else None,
    )


def _request_json(request: Request | None) -> dict[str, Any] | None:
    if request is None:
        return None
    return {
        "patient_mrn": request.patient_mrn,
        "procedure_code": request.procedure_code,
        "procedure_name": request.procedure_name,
        "coding_system": request.coding_system,
        "surgeon_id": str(request.surgeon_id),
        "priority": request.priority,
    }
