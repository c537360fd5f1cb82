"""An audit entry is one statement: its `audit_log` row and its `AuditRecorded` outbox row are
written together, in the transaction of what they record, so neither exists without the other."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from contracts.topics import AUDIT_EVENTS
from scheduling_service.audit import audit_log
from servicekit import audit
from servicekit.db import asyncpg_dsn
from servicekit.messaging.schema import OUTBOX_CHANNEL
from sqlalchemy import text

from tests.conftest import KIT_DATABASE_URL
from tests.integration.scheduling.world import Scheduling

READER = audit.user(str(uuid.uuid4()))


async def _entries(scheduling: Scheduling) -> tuple[list, list]:
    async with scheduling.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM audit_log ORDER BY at"))).all()
        events = (
            await conn.execute(
                text(
                    "SELECT topic, message_key, event_type, jsonb_typeof(envelope) AS kind,"
                    " envelope FROM outbox ORDER BY id"
                )
            )
        ).all()
    return rows, events


async def test_an_entry_is_a_row_and_its_event_both_committed(scheduling: Scheduling) -> None:
    case = uuid.uuid4()
    async with scheduling.unit_of_work() as uow:
        await audit_log.record(
            uow, actor=READER, action="surgery.read", record_id=case, details={"version": 2}
        )
        await audit_log.record(uow, actor=READER, action="surgery.list", record_id="list")
        await uow.commit()
    rows, events = await _entries(scheduling)
    assert [(r.action, r.record_type, r.record_id) for r in rows] == [
        ("surgery.read", "surgery", str(case)),
        ("surgery.list", "surgery", "list"),
    ]
    assert [(e.topic, e.message_key, e.event_type, e.kind) for e in events] == [
        (AUDIT_EVENTS.name, str(case), "AuditRecorded", "object"),
        (AUDIT_EVENTS.name, "list", "AuditRecorded", "object"),
    ]
    for row, event in zip(rows, events, strict=True):
        data = event.envelope["data"]
        assert event.envelope["producer"] == "scheduling"
        assert data["audit_id"] == str(row.audit_id)
        assert (data["actor"], data["action"], data["record_id"], data["details"]) == (
            {"kind": "user", "id": READER.id},
            row.action,
            row.record_id,
            row.details,
        )
        assert data["service"] == "scheduling"
    assert rows[0].details == {"version": 2}


async def test_a_rolled_back_change_leaves_neither(scheduling: Scheduling) -> None:
    async with scheduling.unit_of_work() as uow:
        await audit_log.record(uow, actor=READER, action="surgery.read", record_id=uuid.uuid4())
    assert await _entries(scheduling) == ([], [])


async def test_the_relay_is_woken_when_the_entry_commits(scheduling: Scheduling) -> None:
    """The outbox's statement trigger fires for an insert made in a CTE, too."""
    listener = await asyncpg.connect(asyncpg_dsn(KIT_DATABASE_URL))
    woken: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: woken.put_nowait(args[3]))
    try:
        async with scheduling.unit_of_work() as uow:
            await audit_log.record(uow, actor=READER, action="surgery.read", record_id=uuid.uuid4())
            await uow.commit()
        assert await asyncio.wait_for(woken.get(), timeout=5) == scheduling.schema
    finally:
        await listener.close()
