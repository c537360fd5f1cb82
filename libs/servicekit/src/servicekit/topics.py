"""Creates every contract topic and its DLQ, explicitly: the broker never auto-creates one."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from contracts.topics import ALL_TOPICS, Topic

DAY_MS = 24 * 3600 * 1000


def topic_configs(topic: Topic) -> dict[str, str]:
    if topic.compacted:
        # Latest snapshot per key forever; tombstones kept a day for slow consumers.
        return {"cleanup.policy": "compact", "delete.retention.ms": str(DAY_MS)}
    return {"cleanup.policy": "delete", "retention.ms": str(14 * DAY_MS)}


def wanted_topics() -> list[NewTopic]:
    wanted = []
    for topic in ALL_TOPICS:
        wanted.append(NewTopic(topic.name, topic.partitions, 1, topic_configs=topic_configs(topic)))
        wanted.append(NewTopic(topic.dlq, 1, 1, topic_configs={"retention.ms": str(30 * DAY_MS)}))
    return wanted


async def ensure_topics(
    bootstrap_servers: str, topics: list[NewTopic], *, deadline_seconds: float = 60
) -> list[str]:
    """Create what is missing and grow partition counts; returns the names created."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await admin.start()
            return await _ensure(admin, topics)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


async def _ensure(admin: AIOKafkaAdminClient, topics: list[NewTopic]) -> list[str]:
    existing = set(await admin.list_topics())
    missing = [t for t in topics if t.name not in existing]
    if missing:
        await admin.create_topics(missing)
    present = [t for t in topics if t.name in existing]
    if present:
        described = await admin.describe_topics([t.name for t in present])
        counts = {d["topic"]: len(d["partitions"]) for d in described}
        grow = {
            t.name: NewPartitions(t.num_partitions)
            for t in present
            if counts.get(t.name, t.num_partitions) < t.num_partitions
        }
        if grow:
            await admin.create_partitions(grow)
    return [t.name for t in missing]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--deadline", type=float, default=60.0)
    args = parser.parse_args()
    created = asyncio.run(
        ensure_topics(args.bootstrap_servers, wanted_topics(), deadline_seconds=args.deadline)
    )
    total = len(wanted_topics())
    print(f"kafka topics: {total} wanted, {len(created)} created", file=sys.stderr)


if __name__ == "__main__":
    main()
