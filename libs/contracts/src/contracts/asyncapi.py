"""The AsyncAPI 3 document of every topic, built from the models: `python -m contracts.asyncapi`."""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from contracts.dataflow import CONSUMERS, PRODUCERS
from contracts.envelope import Envelope, Event
from contracts.examples import EXAMPLES
from contracts.examples.ids import at, example_id
from contracts.generated_docs import check, expected_files, write
from contracts.registry import EVENTS, events_on
from contracts.schemas import definitions
from contracts.topics import ALL_TOPICS, DEFAULT_MAX_MESSAGE_BYTES, Topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
DEAD_LETTER = "DeadLetter"
DLQ_HEADERS = {
    "dlq-error-type": "Class name of the error that made the consumer give up.",
    "dlq-error-message": "The error message, at most 2000 characters.",
    "dlq-original-topic": "The topic the message was consumed from.",
    "dlq-original-partition": "Its partition, as a decimal string.",
    "dlq-original-offset": "Its offset, as a decimal string.",
    "dlq-attempts": "How many times the consumer tried, as a decimal string.",
    "dlq-consumer-group": "The consumer group that gave up.",
}
DESCRIPTION = """\
Every Kafka topic of the surgery scheduling platform. Generated from `libs/contracts`
(`python -m contracts.asyncapi --write`); do not edit by hand.

Every message value is a JSON envelope (UTF-8) whose `data` is the event; the headers repeat
`event_type` and `event_id`, and the message key is the id of the aggregate the event is about.
A version only ever gains optional fields: consumers must ignore properties they do not know.
A breaking change is a new `event_version`, and if needed a new `.v2` topic.

Producers write events to an outbox in the same transaction as the change; consumers record
each `event_id` with its effect, so an event is applied once. A message a consumer cannot
process goes to `<topic>.dlq` with the error in its headers, and never blocks the partition.
"""


def build_document() -> dict[str, Any]:
    names, schemas = definitions([Envelope, *EVENTS.values()], "#/components/schemas/{model}")
    messages = {message_id(cls): event_message(cls, names) for cls in EVENTS.values()}
    messages[DEAD_LETTER] = dead_letter_message()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        channels[topic.name] = topic_channel(topic)
        channels[topic.dlq] = dlq_channel(topic)
        operations.update(topic_operations(topic))
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Surgery scheduling platform events",
            "version": metadata.version("surgery-contracts"),
            "description": DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka-secure",
                "description": (
                    "The one-node KRaft broker that `make up` starts: SASL_SSL only (TLS with "
                    "the local CA, .run/tls/ca.crt), a SCRAM-SHA-512 user per service whose "
                    "ACLs allow the operations below and nothing else."
                ),
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            }
        },
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {
            "securitySchemes": {
                "scram": {
                    "type": "scramSha512",
                    "description": "Each service signs in as its own user (deploy/README.md).",
                }
            },
            "messages": dict(sorted(messages.items())),
            "schemas": dict(sorted(schemas.items())),
        },
    }


def message_id(event_class: type[Event]) -> str:
    return f"{event_class.event_type}.v{event_class.event_version}"


def event_message(event_class: type[Event], schema_names: dict[str, str]) -> dict[str, Any]:
    doc = inspect.getdoc(event_class) or event_class.event_type
    summary, _, details = doc.partition("\n")
    data_ref = f"#/components/schemas/{schema_names[event_class.__name__]}"
    return {
        "name": event_class.event_type,
        "title": f"{event_class.event_type} v{event_class.event_version}",
        "summary": summary,
        **({"description": details.strip()} if details.strip() else {}),
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "required": ["event_type", "event_id"],
            "properties": {
                "event_type": {"type": "string", "const": event_class.event_type},
                "event_id": {"type": "string", "format": "uuid"},
            },
        },
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{schema_names['Envelope']}"},
                {
                    "type": "object",
                    "properties": {
                        "event_type": {"const": event_class.event_type},
                        "event_version": {"const": event_class.event_version},
                        "data": {"$ref": data_ref},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"`data.{event_class.key_field}` of the event.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "examples": [example(event_class)],
    }


def example(event_class: type[Event]) -> dict[str, Any]:
    event = EXAMPLES[event_class]
    envelope = Envelope.wrap(
        event,
        producer=PRODUCERS[event_class.topic.name][0],
        event_id=example_id(f"event {event_class.event_type}"),
        correlation_id=example_id(f"correlation {event_class.event_type}"),
        occurred_at=at(1, 8),
    )
    return {
        "name": event_class.event_type,
        "headers": {"event_type": envelope.event_type, "event_id": str(envelope.event_id)},
        "payload": envelope.model_dump(mode="json"),
    }


def dead_letter_message() -> dict[str, Any]:
    headers = {name: {"type": "string", "description": text} for name, text in DLQ_HEADERS.items()}
    return {
        "name": DEAD_LETTER,
        "title": "Dead letter",
        "summary": "A message a consumer could not process, parked with the reason in headers.",
        "description": "Key, value and headers of the original message are kept as they were "
        "(the value may be malformed, which may be why it is here); the `dlq-` headers say why "
        "and where from. Replaying means producing the value again to the original topic.",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "required": sorted(DLQ_HEADERS),
            "properties": {
                "event_type": {"type": "string", "description": "As on the original, if any."},
                "event_id": {"type": "string", "description": "As on the original, if any."},
                **headers,
            },
        },
        "payload": {"description": "The original message value, byte for byte."},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original message key."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def topic_channel(topic: Topic) -> dict[str, Any]:
    events = events_on(topic)
    keys = sorted({f"`{cls.key_field}`" for cls in events})
    policy = "compact" if topic.compacted else "delete"
    configuration: dict[str, Any] = {"cleanup.policy": [policy]}
    size = ""
    if topic.max_message_bytes != DEFAULT_MAX_MESSAGE_BYTES:
        configuration["max.message.bytes"] = topic.max_message_bytes
        size = f" Messages up to {topic.max_message_bytes:,} bytes."
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description} Message key: {', '.join(keys)}. "
        f"{topic.partitions} partitions, cleanup policy `{policy}`.{size}",
        "messages": {
            message_id(cls): {"$ref": f"#/components/messages/{message_id(cls)}"} for cls in events
        },
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": configuration,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def dlq_channel(topic: Topic) -> dict[str, Any]:
    return {
        "address": topic.dlq,
        "title": topic.dlq,
        "description": f"Messages of `{topic.name}` that a consumer could not process.",
        "messages": {DEAD_LETTER: {"$ref": f"#/components/messages/{DEAD_LETTER}"}},
        "bindings": {"kafka": dlq_binding(topic)},
    }


def dlq_binding(topic: Topic) -> dict[str, Any]:
    binding: dict[str, Any] = {"topic": topic.dlq, "bindingVersion": KAFKA_BINDING_VERSION}
    if topic.max_message_bytes != DEFAULT_MAX_MESSAGE_BYTES:
        binding["topicConfiguration"] = {"max.message.bytes": topic.max_message_bytes}
    return binding


def topic_operations(topic: Topic) -> dict[str, Any]:
    message_refs = [
        {"$ref": f"#/channels/{topic.name}/messages/{message_id(cls)}"} for cls in events_on(topic)
    ]
    dlq_refs = [{"$ref": f"#/channels/{topic.dlq}/messages/{DEAD_LETTER}"}]
    operations = {}
    for service in PRODUCERS[topic.name]:
        operations[f"{service}.send.{topic.name}"] = operation(
            "send", service, topic.name, message_refs, f"{service} publishes {topic.name}."
        )
    for service in CONSUMERS[topic.name]:
        operations[f"{service}.receive.{topic.name}"] = operation(
            "receive", service, topic.name, message_refs, f"{service} consumes {topic.name}."
        )
        operations[f"{service}.send.{topic.dlq}"] = operation(
            "send", service, topic.dlq, dlq_refs, f"{service} parks what it cannot process."
        )
    return operations


def operation(
    action: str, service: str, channel: str, messages: list[dict[str, str]], summary: str
) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": summary,
        "messages": messages,
        "tags": [{"name": service}],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`--write` regenerates `docs/`; `--check` fails when what is committed differs."""
    parser = argparse.ArgumentParser(prog="python -m contracts.asyncapi", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the generated files")
    mode.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="default: ./docs")
    args = parser.parse_args(argv)
    files = expected_files(build_document())
    if args.write:
        for line in write(args.docs, files):
            print(line)
        return 0
    report = check(args.docs, files)
    if report:
        print(report, file=sys.stderr)
        print("run `python -m contracts.asyncapi --write` and commit the result", file=sys.stderr)
        return 1
    print(f"{args.docs}: asyncapi.yaml and {len(files) - 1} event schemas are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
