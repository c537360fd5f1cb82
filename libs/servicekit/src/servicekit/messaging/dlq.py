"""Parking a message that cannot be processed in `<topic>.dlq`, with the reason in its headers."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer, ConsumerRecord
from contracts.topics import DLQ_SUFFIX

from servicekit.logs import redact_values

# Kafka headers are bytes; keep the message readable but bounded.
_MAX_ERROR_LENGTH = 2000


async def send_to_dlq(
    producer: AIOKafkaProducer,
    record: ConsumerRecord,
    error: BaseException,
    *,
    attempts: int,
    group_id: str,
) -> None:
    """Waits for the broker's acknowledgement: the offset may be committed only after it."""
    headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq-")]
    headers += [
        ("dlq-error-type", type(error).__name__.encode()),
        # Never a value the message or a statement carried (an MRN): see logs.redact_values.
        ("dlq-error-message", _reason(error).encode("utf-8", "replace")),
        ("dlq-original-topic", record.topic.encode()),
        ("dlq-original-partition", str(record.partition).encode()),
        ("dlq-original-offset", str(record.offset).encode()),
        ("dlq-attempts", str(attempts).encode()),
        ("dlq-consumer-group", group_id.encode()),
    ]
    await producer.send_and_wait(
        record.topic + DLQ_SUFFIX, value=record.value, key=record.key, headers=headers
    )


def _reason(error: BaseException) -> str:
    return redact_values(str(error))[:_MAX_ERROR_LENGTH]
