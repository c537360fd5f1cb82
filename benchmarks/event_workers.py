"""The relay and the consumer of the latency benchmark, each in its own process as in production.

`python -m benchmarks.event_workers relay <schema> <polling|notify>`
`python -m benchmarks.event_workers consumer <schema> <topic> <timings.json> [batch|many|single]`
The consumer (a transaction per fetched batch; the same with a handler of many, one statement
for a run of events, with `many`; a transaction per event with `single`) writes when each
event's transaction committed (wall clock) on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
import uuid
from collections.abc import Sequence

from contracts.envelope import Envelope
from servicekit.db import create_engine
from servicekit.messaging.consumer import Delivery, IdempotentConsumer
from servicekit.messaging.relay import OutboxRelay

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import make_consumer, make_relay, record_effects


class TimedConsumer(IdempotentConsumer):
    """Notes when each event's transaction has committed."""

    committed: dict[str, float]

    async def apply(self, envelope: Envelope, event, handler, topic: str) -> str:
        outcome = await super().apply(envelope, event, handler, topic)
        self.committed[str(envelope.event_id)] = time.time()
        return outcome

    async def apply_batch(self, deliveries: Sequence[Delivery], **options) -> list[str]:
        outcomes = await super().apply_batch(deliveries, **options)
        now = time.time()
        for delivery in deliveries:
            self.committed[str(delivery.envelope.event_id)] = now
        return outcomes


class PollingOnlyRelay(OutboxRelay):
    """The same relay, deaf to NOTIFY: it finds new rows only on its poll."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake = _NeverSet()


class _NeverSet(asyncio.Event):
    def set(self) -> None:
        pass


async def _until_terminated(worker) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await worker.run(stop)


async def main(kind: str, schema: str, *args: str) -> None:
    if kind == "relay":
        relay_class = PollingOnlyRelay if args[0] == "polling" else OutboxRelay
        await _until_terminated(make_relay(KIT_DATABASE_URL, schema, KAFKA, relay_class))
        return
    topic, out, *transactions = args
    engine = create_engine(KIT_DATABASE_URL, pool_size=2, search_path=schema)
    group = f"bench-{uuid.uuid4().hex[:8]}"
    batches = transactions != ["single"]
    consumer = make_consumer(
        engine,
        topic,
        group,
        KAFKA,
        TimedConsumer,
        transaction_per_batch=batches,
        many=record_effects if transactions == ["many"] else None,
    )
    consumer.committed = {}
    await _until_terminated(consumer)
    with open(out, "w") as file:
        json.dump(consumer.committed, file)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
