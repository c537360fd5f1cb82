"""No patient's MRN reaches a log or a dead letter's headers: cases are requested and searched by
MRN through the gateway, the database is made to refuse a search holding one, and a malformed
event carrying one is dead-lettered; then every log of the stack (`.run/logs/*`) and the DLQ
message's headers are searched for those MRNs, and hold none."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from contracts.topics import RESOURCES_STAFF

from tests.conftest import KAFKA, LOGS
from tests.e2e.scheduling.cases import request_case
from tests.e2e.scheduling.conftest import SURGERIES

pytestmark = pytest.mark.e2e


def an_mrn() -> str:
    return f"MRN-LOGCHECK-{uuid.uuid4().hex[:12].upper()}"


def logs_holding(*needles: str) -> dict[str, list[str]]:
    """Which log files of the stack hold which of `needles`."""
    found: dict[str, list[str]] = {}
    for path in sorted(LOGS.glob("*")):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            if hits := [needle for needle in needles if needle in text]:
                found[path.name] = hits
    return found


def staff_event(event_type: str, staff_id: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "event_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": "e2e-test",
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "data": {"staff_id": staff_id, "name": "Log Check", "role": "surgeon", "version": 1},
    }


async def dead_letter(envelope: dict) -> list[tuple[str, bytes]]:
    """Publishes an event scheduling must refuse, waits for its dead letter and returns the dead
    letter's headers (the original headers name a known type: only the value carries the MRN)."""
    event_id = envelope["event_id"]
    reader = AIOKafkaConsumer(**KAFKA.client_options(), enable_auto_commit=False)
    await reader.start()
    try:
        await reader.topics()  # the cluster's metadata, partitions included
        dlq = RESOURCES_STAFF.dlq
        parts = [TopicPartition(dlq, p) for p in reader.partitions_for_topic(dlq) or {0}]
        reader.assign(parts)
        ends = await reader.end_offsets(parts)
        for part in parts:
            reader.seek(part, ends[part])
        producer = AIOKafkaProducer(**KAFKA.client_options(), acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                RESOURCES_STAFF.name,
                json.dumps(envelope).encode(),
                key=envelope["data"]["staff_id"].encode(),
                headers=[("event_type", b"StaffMemberUpserted"), ("event_id", event_id.encode())],
            )
        finally:
            await producer.stop()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for records in (await reader.getmany(timeout_ms=1000)).values():
                for record in records:
                    if dict(record.headers).get("event_id") == event_id.encode():
                        return list(record.headers)
        raise AssertionError(f"event {event_id} never reached {RESOURCES_STAFF.dlq}")
    finally:
        await reader.stop()


async def test_no_mrn_reaches_a_log_or_a_dead_letters_headers(gateway, coordinator, world):
    mrns = [an_mrn() for _ in range(4)]
    for mrn in mrns[:2]:
        await request_case(gateway, coordinator, world, patient_mrn=mrn)
    searched = await gateway.get(SURGERIES, params={"q": mrns[0]}, headers=coordinator)
    assert searched.status_code == 200, searched.text
    assert [case["patient_mrn"] for case in searched.json()["items"]] == [mrns[0]]
    # A NUL makes PostgreSQL refuse the statement that carries the MRN as its parameter.
    refused = await gateway.get(SURGERIES, params={"q": f"{mrns[1]}\x00"}, headers=coordinator)
    assert refused.status_code == 422, refused.text
    # One refused for its data (the staff id is an MRN), one for its type (an MRN as well).
    headers = [
        *await dead_letter(staff_event("StaffMemberUpserted", mrns[2])),
        *await dead_letter(staff_event(mrns[3], str(uuid.uuid4()))),
    ]
    assert {value for name, value in headers if name == "dlq-error-type"} == {
        b"ContractViolation",
        b"UnknownEventType",
    }
    await asyncio.sleep(1)  # the last lines reach the files
    # Positive control: the search's own lines are there, without the MRN.
    request_id = searched.headers["x-request-id"]
    assert {"nginx-access.log", "scheduling.log"} <= set(logs_holding(request_id))
    assert logs_holding(*mrns) == {}
    assert not [name for name, value in headers if any(m.encode() in value for m in mrns)]
