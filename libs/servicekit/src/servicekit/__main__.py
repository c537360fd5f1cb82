"""`python -m servicekit dlq list|replay --topic <topic>.dlq`: an operator's look at a DLQ.

`list` prints every parked message (partition@offset, event id, type, when it was parked,
whether it was replayed, why it was parked). `replay` sends the messages not yet replayed back
to their topic with their own ids and keys; run twice, it sends nothing twice.
The broker and the credentials come from KAFKA_BOOTSTRAP_SERVERS (or --bootstrap-servers),
KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, KAFKA_PASSWORD and KAFKA_SSL_CA_FILE, as for the
services; replaying writes to the producing service's topic, so it runs as the Kafka admin user.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import uuid

from servicekit.kafka import KafkaConnection
from servicekit.messaging.dlq_replay import DlqReader


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m servicekit", description=__doc__)
    tools = root.add_subparsers(dest="tool", required=True)
    dlq = tools.add_parser("dlq", help="list or replay a dead-letter topic")
    actions = dlq.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("list", "print every parked message"),
        ("replay", "send parked messages back to their topic, each once"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--topic", required=True, help="the DLQ topic, <topic>.dlq")
        action.add_argument("--bootstrap-servers", default=None)
    actions.choices["replay"].add_argument(
        "--id",
        dest="ids",
        action="append",
        type=uuid.UUID,
        help="replay only this event id (repeatable)",
    )
    return root


async def run(args: argparse.Namespace, kafka: KafkaConnection | None = None) -> int:
    """`kafka`: the connection to use instead of the one the environment names."""
    kafka = kafka or KafkaConnection.from_env()
    if args.bootstrap_servers:
        kafka = dataclasses.replace(kafka, bootstrap_servers=args.bootstrap_servers)
    async with DlqReader(kafka, args.topic) as dlq:
        if args.action == "list":
            for message in await dlq.parked():
                print(message.line())
            return 0
        only = {str(event_id) for event_id in args.ids} if args.ids else None
        outcome = await dlq.replay(only)
        print(f"replayed {outcome.replayed} message(s) to {outcome.topic}", end="")
        print(f", left {outcome.skipped} not asked for" if outcome.skipped else "")
        return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return asyncio.run(run(args))
    except (ValueError, LookupError) as refused:
        print(f"python -m servicekit: {refused}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
