"""A consumer reads every compression codec Kafka accepts from a producer.

Other hospital systems feed the platform through Kafka with clients of their own, and a client
may compress with snappy, lz4 or zstd where ours use gzip. The broker stores a batch as its
producer compressed it, so a consumer that lacks a codec cannot even read the batch to dead-letter
it: it fails on every poll and restarts, and the partition stops there for good.
"""

from __future__ import annotations

import uuid

import pytest
from contracts.envelope import Envelope

from tests.conftest import KAFKA
from tests.integration.conftest import publish_envelopes
from tests.integration.servicekit.effects import (
    effect_counts,
    make_consumer,
    user_registered,
    wait_until,
)
from tests.integration.servicekit.test_delivery_guarantees import running

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
async def test_events_compressed_with_any_codec_kafka_takes_are_applied(engine, topic, codec):
    envelopes = [
        Envelope.wrap(user_registered(n), producer="ward-system", correlation_id=uuid.uuid4())
        for n in range(3)
    ]
    await publish_envelopes(
        topic, envelopes, key="user_id", client_id="tests-outside-system", compression=codec
    )
    consumer = make_consumer(engine, topic, f"g-{uuid.uuid4().hex[:8]}", KAFKA)

    async with running(consumer):
        await wait_until(lambda: _applied(engine, 3), what=f"the {codec} batch applied")

    assert await effect_counts(engine) == {e.event_id: 1 for e in envelopes}


async def _applied(engine, count: int) -> bool:
    return len(await effect_counts(engine)) >= count
