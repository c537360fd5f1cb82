"""Two worker processes of one service, on one database and broker: every event it commits is
relayed once, every event it consumes is applied once, and SIGTERM stops both.

The service (`servicekit/kit_service.py`) is served by the kit's own `serve` with
`KIT_WORKERS=2`: a supervisor and two workers, each running the API, an outbox relay (one
publishes at a time: an advisory lock) and a consumer of the same group (the partitions are
split between them).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.envelope import Envelope
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import KAFKA, KIT_DATABASE_URL, ROOT
from tests.integration.servicekit.effects import effect_counts, outbox_ids, wait_until

pytestmark = pytest.mark.integration

PARTITIONS = 4
ROUND = 25  # events per request


@pytest.fixture
async def partitioned_topic() -> AsyncIterator[str]:
    name = f"test.workers.{uuid.uuid4().hex[:12]}.v1"
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1), NewTopic(name + ".dlq", 1, 1)])
        yield name
        await admin.delete_topics([name, name + ".dlq"])
    finally:
        await admin.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _messages(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(line)["message"] for line in lines if line.startswith("{")]


async def _published(topic: str) -> list[Envelope]:
    """Every message on the topic, from its beginning to its end now."""
    consumer = AIOKafkaConsumer(**KAFKA.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Envelope] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                found.extend(Envelope.model_validate_json(record.value) for record in records)
        return found
    finally:
        await consumer.stop()


def _sample(metrics: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


async def test_two_worker_processes_relay_and_apply_every_event_exactly_once(
    schema: str, engine: AsyncEngine, partitioned_topic: str, tmp_path: Path
) -> None:
    name = f"kit{uuid.uuid4().hex[:8]}"
    port = _free_port()
    log = tmp_path / "service.log"
    (tmp_path / "metrics").mkdir()
    env = {
        **os.environ,
        **KAFKA.environment("KIT_"),
        "KIT_SERVICE_NAME": name,
        "KIT_TOPIC": partitioned_topic,
        "KIT_DATABASE_URL": KIT_DATABASE_URL,
        "KIT_DATABASE_SCHEMA": schema,
        "KIT_PORT": str(port),
        "KIT_WORKERS": "2",
        "KIT_OUTBOX_POLL_SECONDS": "0.2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.servicekit.kit_service",
            "serve",
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await wait_until(_both_started(log, name, process), timeout=240, what="two workers started")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            committed = 0

            async def both_processes_applied() -> bool:
                """Another round of events once the last one is applied, until both applied some
                (the group's second member may join after the first took every partition)."""
                nonlocal committed
                if len(await effect_counts(engine)) < committed:
                    return False
                if await _appliers(engine) == 2:
                    return True
                answer = await client.post("/registrations", params={"count": ROUND})
                assert answer.status_code == 200, answer.text
                committed += ROUND
                return False

            await wait_until(both_processes_applied, timeout=120, interval=0.2, what="2 appliers")
            outbox = await outbox_ids(engine)
            assert len(outbox) == committed

            async def all_applied() -> bool:
                return len(await effect_counts(engine)) == committed

            await wait_until(all_applied, timeout=60, what="every event applied")
            metrics = (await client.get("/metrics")).text

        assert await outbox_ids(engine, published=False) == []
        published = await _published(partitioned_topic)
        assert sorted(e.event_id for e in published) == sorted(outbox), "relayed exactly once"
        counts = await effect_counts(engine)
        assert set(counts) == set(outbox)
        assert set(counts.values()) == {1}, "applied exactly once"
        # /metrics on either worker adds up both processes' counters.
        group, topic = f"{name}-service", partitioned_topic
        assert _sample(metrics, "events_published_total", topic=topic) == committed
        applied = _sample(
            metrics, "events_consumed_total", group=group, topic=topic, outcome="applied"
        )
        assert applied == committed

        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=45)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode in (0, -signal.SIGTERM)
    messages = _messages(log)
    assert messages.count(f"{name} service stopped") == 2, "both workers drained and stopped"
    assert not [m for m in messages if "Traceback" in m or "died" in m]


def _both_started(log: Path, name: str, process: asyncio.subprocess.Process):
    async def started() -> bool:
        assert process.returncode is None, log.read_text()[-3000:]
        return _messages(log).count(f"{name} service started") == 2

    return started


async def _appliers(engine: AsyncEngine) -> int:
    """How many processes have applied events (each effect notes its applier's pid)."""
    async with engine.connect() as conn:
        return int(await conn.scalar(_APPLIERS) or 0)


_APPLIERS = text("SELECT count(DISTINCT note) FROM effects")
