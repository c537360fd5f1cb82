"""The SIU feed through the user stack: a case booked, moved and cancelled through scheduling's
API is told on `interop.siu.v1` as S12, S13 and S15, in order, keyed by the case."""

from __future__ import annotations

import json
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from contracts.topics import INTEROP_SIU
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from tests.conftest import KAFKA
from tests.e2e.scheduling.cases import book, local, moved, request_case
from tests.e2e.scheduling.conftest import SURGERIES, World

NO_BED = {"reason_code": "no_bed"}


async def messages_of(consumer: AIOKafkaConsumer, case_id: str, count: int) -> list[dict[str, Any]]:
    """The first `count` SIU events keyed by `case_id`, in the order they came."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90  # interop may be catching up after a restart
    while len(found) < count:
        assert time.monotonic() < deadline, f"only {len(found)} SIU messages of {case_id}"
        batches = await consumer.getmany(timeout_ms=500)
        for records in batches.values():
            for record in records:
                if record.key == case_id.encode():
                    found.append(json.loads(record.value)["data"])
    return found


async def test_a_booked_moved_and_cancelled_case_is_told_as_s12_s13_s15_in_order(
    gateway, coordinator, world: World
) -> None:
    consumer = AIOKafkaConsumer(**KAFKA.client_options())
    await consumer.start()
    try:
        partitions = [TopicPartition(INTEROP_SIU.name, p) for p in range(INTEROP_SIU.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:  # the ends resolved now, before anything is booked
            await consumer.position(partition)
        case = await request_case(gateway, coordinator, world)
        case = await book(gateway, coordinator, world, case)
        response = await gateway.put(
            f"{SURGERIES}/{case['surgery_id']}/booking",
            json=world.booking_body(local(13)),
            headers=coordinator,
        )
        assert response.status_code == 200, response.text
        await moved(gateway, coordinator, response.json(), "cancel", NO_BED)
        told = await messages_of(consumer, case["surgery_id"], 3)
    finally:
        await consumer.stop()
    assert [m["trigger"] for m in told] == ["S12", "S13", "S15"]
    for message in told:
        parsed = parse_message(
            message["er7"], validation_level=VALIDATION_LEVEL.STRICT, find_groups=True
        )
        parsed.validate()
        assert parsed.msh.msh_10.to_er7() == message["control_id"]
        assert parsed.sch.sch_1.ei_1.to_er7() == case["surgery_id"]
        assert parsed.siu_s12_patient.pid.pid_3.cx_1.to_er7() == case["patient_mrn"]
