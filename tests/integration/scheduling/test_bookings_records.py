"""What a booking leaves besides its rows, written in ONE statement: the case's new status and
version, its history line, its events and its audit entry, all in the request's transaction,
the events in order before the audit entry's; and a move's previous booking read as it frees it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from contracts.topics import AUDIT_EVENTS, SCHEDULING_SURGERIES
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.db.tables import audit_log, case_history
from servicekit.db import asyncpg_dsn
from servicekit.messaging.schema import OUTBOX_CHANNEL, outbox
from servicekit.problems import Problem
from sqlalchemy import event, select, text

from tests.conftest import KIT_DATABASE_URL
from tests.integration.scheduling.booking_cases import (
    START,
    coordinator,
    placement,
    request,
)
from tests.integration.scheduling.world import Scheduling, team

HOUR = timedelta(hours=1)


async def _book(scheduling: Scheduling, surgery_id: uuid.UUID, where: Any, **options: Any) -> Any:
    """`booking.book`, the booking request's own transaction; the case's row as answered."""
    async with scheduling.unit_of_work() as uow:
        row, _ = await booking.book(
            uow,
            surgery_id,
            where,
            settings=scheduling.settings,
            actor=options.pop("actor", coordinator()),
            **options,
        )
    return row


async def _published(scheduling: Scheduling, key: uuid.UUID) -> list[tuple[str, dict]]:
    """The case's events and audit entries in the outbox, in the order the relay sends them."""
    async with scheduling.unit_of_work() as uow:
        query = (
            select(outbox.c.event_type, outbox.c.envelope)
            .where(
                outbox.c.topic.in_([SCHEDULING_SURGERIES.name, AUDIT_EVENTS.name]),
                outbox.c.message_key == str(key),
            )
            .order_by(outbox.c.id)
        )
        return [(row.event_type, row.envelope["data"]) for row in await uow.session.execute(query)]


async def test_the_trail_of_a_booking_is_one_statement(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    seen: list[str] = []

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(scheduling.engine.sync_engine, "before_cursor_execute", executed)
    try:
        row = await _book(scheduling, surgery_id, placement(made))
    finally:
        event.remove(scheduling.engine.sync_engine, "before_cursor_execute", executed)
    [trail] = [s for s in seen if "UPDATE surgery_requests" in s]
    for insert in ("INSERT INTO case_history", "INSERT INTO outbox", "INSERT INTO audit_log"):
        assert insert in trail
        assert sum(insert in s for s in seen) == 1, insert
    # The answer is the case as written: the update's `RETURNING`.
    assert (row.surgery_id, row.status, row.version) == (surgery_id, "scheduled", 2)


async def test_a_booking_s_events_then_its_audit_entry_naming_the_new_version(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await _book(scheduling, surgery_id, placement(made, START))
    async with scheduling.unit_of_work() as uow:
        await cases.bump(uow.session, surgery_id, status="confirmed")  # version 3
        await uow.commit()
    row = await _book(scheduling, surgery_id, placement(made, START + HOUR), reason_code="no_bed")
    assert (row.status, row.version) == ("scheduled", 4)
    published = await _published(scheduling, surgery_id)
    assert [(kind, data.get("action")) for kind, data in published[-3:]] == [
        ("SurgeryRescheduled", None),
        ("SurgeryStatusChanged", None),
        ("AuditRecorded", "booking.reschedule"),
    ]
    moved, changed, audited = (data for _, data in published[-3:])
    # The previous booking is the one the move freed, read in the statement that freed it.
    [scheduled] = [data for kind, data in published if kind == "SurgeryScheduled"]
    before = moved["previous_booking"]
    assert datetime.fromisoformat(before["start"]) == START
    assert datetime.fromisoformat(scheduled["booking"]["start"]) == START
    assert {a["staff_id"] for a in moved["previous_booking"]["staff"]} == {
        str(made.surgeon.staff_id),
        str(made.anaesthetist.staff_id),
    }
    assert moved["previous_booking"]["equipment_unit_ids"] == [str(made.unit_ids[0])]
    assert moved["reason_code"] == "no_bed"
    assert (changed["from_status"], changed["to_status"]) == ("confirmed", "scheduled")
    assert audited["details"]["version"] == 4
    async with scheduling.unit_of_work() as uow:
        entry = (
            await uow.session.execute(
                select(audit_log).where(audit_log.c.audit_id == uuid.UUID(audited["audit_id"]))
            )
        ).one()
        line = (
            await uow.session.execute(
                select(case_history)
                .where(case_history.c.surgery_id == surgery_id)
                .order_by(case_history.c.entry_id.desc())
                .limit(1)
            )
        ).one()
        people = await uow.session.scalar(
            text("SELECT count(*) FROM staff_assignments WHERE surgery_id = :id"),
            {"id": surgery_id},
        )
    assert entry.details == audited["details"]
    assert (line.from_status, line.to_status, line.reason_code) == (
        "confirmed",
        "scheduled",
        "no_bed",
    )
    assert line.booking["start"] == moved["new_booking"]["start"]
    assert people == 2  # the old booking's people went with it; the new one's are there


async def test_a_refused_booking_leaves_no_trail_but_its_refusal(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    first, second = await request(scheduling, made), await request(scheduling, made)
    await _book(scheduling, first, placement(made, START))
    with pytest.raises(Problem):
        await _book(scheduling, second, placement(made, START))
    published = [(kind, data.get("action")) for kind, data in await _published(scheduling, second)]
    assert published[-1] == ("AuditRecorded", "booking.refused")
    assert ("SurgeryScheduled", None) not in published
    assert ("AuditRecorded", "booking.book") not in published
    async with scheduling.unit_of_work() as uow:
        row = await cases.find(uow.session, second)
    assert (row.status, row.version) == ("requested", 1)


async def test_the_relay_is_woken_when_a_booking_commits(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    listener = await asyncpg.connect(asyncpg_dsn(KIT_DATABASE_URL))
    woken: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: woken.put_nowait(args[3]))
    try:
        await _book(scheduling, surgery_id, placement(made))
        assert await asyncio.wait_for(woken.get(), timeout=5) == scheduling.schema
    finally:
        await listener.close()
