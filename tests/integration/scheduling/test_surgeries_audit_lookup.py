"""Who saw a case, against PostgreSQL: the entries about it and the lists that showed it, found
through the audit log's indexes rather than by reading the whole log."""

from __future__ import annotations

import json
import uuid
from typing import Any

from scheduling_service.audit import audit_entries, audit_log
from scheduling_service.audit.audit_entries import AuditFilter
from scheduling_service.db.tables import audit_log as audit_table
from servicekit import audit
from servicekit.pages import PageRequest
from sqlalchemy import select, text

from tests.integration.scheduling.world import Scheduling

READER = audit.user(str(uuid.uuid4()))


async def _recorded(scheduling: Scheduling, entries: list[tuple[str, str, dict[str, Any]]]) -> None:
    async with scheduling.unit_of_work() as uow:
        for action, record_id, details in entries:
            await audit_log.record(
                uow, actor=READER, action=action, record_id=record_id, details=details
            )
        await uow.commit()


async def test_a_cases_entries_include_the_lists_that_showed_it_and_nothing_else(
    scheduling: Scheduling,
) -> None:
    seen, other = str(uuid.uuid4()), str(uuid.uuid4())
    await _recorded(
        scheduling,
        [
            ("surgery.read", seen, {"version": 1}),
            ("surgery.list", "list", {"surgery_ids": [other, seen], "total": 2}),
            ("surgery.list", "list", {"surgery_ids": [other], "total": 1}),
            ("surgery.read", other, {"surgery_ids_note": seen}),
        ],
    )
    async with scheduling.unit_of_work() as uow:
        rows, total = await audit_entries.listed(
            uow.session, AuditFilter(record_id=seen), PageRequest(offset=0, limit=10)
        )
    assert total == 2
    assert sorted(r.action for r in rows) == ["surgery.list", "surgery.read"]


async def test_finding_who_saw_a_case_uses_the_record_and_details_indexes(
    scheduling: Scheduling,
) -> None:
    seen = str(uuid.uuid4())
    await _recorded(
        scheduling,
        [("surgery.list", "list", {"surgery_ids": [str(uuid.uuid4())]}) for _ in range(200)],
    )
    query = select(audit_table.c.audit_id).where(
        *audit_entries.matching(AuditFilter(record_id=seen))
    )
    async with scheduling.engine.connect() as conn:
        compiled = query.compile(dialect=conn.dialect)
        values = compiled.construct_params()
        params = tuple(values[name] for name in compiled.positiontup or ())
        # The details are bound as JSON text, as the driver would send them.
        params = tuple(json.dumps(p) if isinstance(p, dict) else p for p in params)
        await conn.execute(text("ANALYZE audit_log"))
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = await conn.exec_driver_sql(f"EXPLAIN {compiled}", params)
        lines = "\n".join(row[0] for row in plan)
    assert "details @> " in lines, lines
    assert "ix_audit_log_record_id" in lines and "ix_audit_log_details" in lines, lines
    assert "Seq Scan" not in lines, lines
