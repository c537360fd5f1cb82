"""`python -m servicekit dlq list|replay`: parked messages go back to their topic, each once."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest
from servicekit.__main__ import parser, run
from servicekit.messaging.consumer import Unprocessable

from tests.conftest import KAFKA, KIT_DATABASE_URL, ROOT
from tests.integration.servicekit.effects import (
    commit_events,
    effect_counts,
    make_consumer,
    make_relay,
    outbox_ids,
    record_effect,
    user_registered,
    wait_until,
)
from tests.integration.servicekit.test_database_outages import messages_in
from tests.integration.servicekit.test_delivery_guarantees import all_applied_once, running

pytestmark = pytest.mark.integration


async def dlq_tool(capsys, *args: str) -> list[str]:
    """The command's own code, run in this process (the refusal below runs `python -m`)."""
    capsys.readouterr()
    assert await run(parser().parse_args(["dlq", *args]), KAFKA) == 0
    return capsys.readouterr().out.splitlines()


async def test_parked_messages_are_listed_and_replayed_once_however_often_replay_runs(
    engine, schema, topic, capsys
):
    await commit_events(engine, topic, [user_registered(n) for n in range(3)])
    first, *_ = event_ids = [str(event_id) for event_id in await outbox_ids(engine)]
    refusing = True

    async def refused_until_fixed(session, event, envelope) -> None:
        if refusing:
            raise Unprocessable("the handler had a bug")
        await record_effect(session, event, envelope)

    dlq = topic + ".dlq"
    group = f"g-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(engine, topic, group, KAFKA, handler=refused_until_fixed)
    async with running(make_relay(KIT_DATABASE_URL, schema, KAFKA), consumer):
        await wait_until(lambda: _at_least(dlq, 3), what="three messages parked")
        listed = [line.split("\t") for line in await dlq_tool(capsys, "list", "--topic", dlq)]
        assert [fields[1] for fields in listed] == event_ids
        assert {fields[2] for fields in listed} == {"UserRegistered"}
        assert {fields[4] for fields in listed} == {"parked"}
        assert {fields[5] for fields in listed} == {"Unprocessable: the handler had a bug"}

        refusing = False  # the fix is deployed
        assert await dlq_tool(capsys, "replay", "--topic", dlq, "--id", first) == [
            f"replayed 1 message(s) to {topic}, left 2 not asked for"
        ]
        for expected in (2, 0):  # the rest, then nothing: everything was replayed
            replayed = await dlq_tool(capsys, "replay", "--topic", dlq)
            assert replayed == [f"replayed {expected} message(s) to {topic}"]
        await wait_until(lambda: _effects(engine, 3), what="the replayed messages applied")

    await all_applied_once(engine, {uuid.UUID(event_id) for event_id in event_ids})
    assert await messages_in(topic) == 6  # three published, three replayed, none twice
    listed = [line.split("\t") for line in await dlq_tool(capsys, "list", "--topic", dlq)]
    assert {fields[4] for fields in listed} == {"replayed"}


async def test_a_topic_that_is_not_a_dlq_is_refused():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servicekit",
        "dlq",
        "replay",
        "--topic",
        "scheduling.surgeries.v1",
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    assert "is not a DLQ topic" in err.decode()


async def _at_least(topic: str, count: int) -> bool:
    return await messages_in(topic) >= count


async def _effects(engine, count: int) -> bool:
    return len(await effect_counts(engine)) >= count
