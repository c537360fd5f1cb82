"""Workers that die at the worst moment, run as separate processes by the crash tests.

`relay`: publishes a batch, then the process dies before marking it sent.
`consumer`: commits a batch's effects in PostgreSQL, then dies before committing the offset
(`consumer ... single`: the same with a transaction per message; `consumer ... many`: with a
handler of many).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys

from servicekit.db import create_engine
from servicekit.messaging.consumer import IdempotentConsumer
from servicekit.messaging.relay import OutboxRelay

from tests.conftest import KAFKA
from tests.integration.servicekit.effects import make_consumer, make_relay, record_effects

CRASH_EXIT_CODE = 3


class RelayDyingBeforeMark(OutboxRelay):
    async def mark_sent(self, conn, ids):
        os._exit(CRASH_EXIT_CODE)


class ConsumerDyingBeforeOffsetCommit(IdempotentConsumer):
    async def commit(self, consumer, offsets):
        os._exit(CRASH_EXIT_CODE)


async def main(
    kind: str,
    url: str,
    schema: str,
    kafka: str,
    topic: str = "",
    group: str = "",
    transactions: str = "batch",
) -> None:
    stop = asyncio.Event()
    connection = dataclasses.replace(KAFKA, bootstrap_servers=kafka)
    if kind == "relay":
        await make_relay(url, schema, connection, RelayDyingBeforeMark).run(stop)
    else:
        engine = create_engine(url, pool_size=2, search_path=schema)
        await make_consumer(
            engine,
            topic,
            group,
            connection,
            ConsumerDyingBeforeOffsetCommit,
            transaction_per_batch=transactions in ("batch", "many"),
            many=record_effects if transactions == "many" else None,
        ).run(stop)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
