"""Values a failed statement or a refused message carried never reach a log line or a DLQ header."""

import json
import logging

import pytest
from aiokafka import ConsumerRecord
from contracts.registry import UnknownEventType, resolve
from pydantic import BaseModel, ValidationError
from servicekit.logs import configure_logging, redact_values
from servicekit.messaging.dlq import send_to_dlq

MRN = "MRN-7731-SECRET"

# Error texts exactly as PostgreSQL, asyncpg and SQLAlchemy (without hide_parameters) write them.
DATABASE_ERRORS = [
    f'duplicate key value violates unique constraint "t_pkey"\nDETAIL:  Key (mrn)=({MRN}) already '
    "exists.",
    f'new row for relation "t" violates check constraint "t_n_check"\nDETAIL:  Failing row '
    f"contains ({MRN}, -1).",
    f"invalid input for query argument $1: '{MRN}' (invalid UUID '{MRN}': length must be between "
    "32..36 characters, got 15)",
    f'invalid input syntax for type integer: "{MRN}"',
    f"[SQL: select * from cases where mrn = $1]\n[parameters: ('{MRN}',)]",
]


def test_an_unknown_event_type_taken_from_the_message_is_not_repeated():
    with pytest.raises(UnknownEventType) as unknown:
        resolve(MRN, 1)
    assert MRN in str(unknown.value)
    assert (
        redact_values(str(unknown.value)) == "unknown event [hidden] version 1 (no such event type)"
    )


class Case(BaseModel):
    mrn: int


@pytest.mark.parametrize("text", DATABASE_ERRORS)
def test_a_database_error_loses_the_values_it_quotes_and_keeps_what_failed(text):
    redacted = redact_values(text)
    assert MRN not in redacted
    assert redacted.splitlines()[0].split(":")[0] in text  # what failed is still said


def test_constraint_and_relation_names_stay_readable():
    text = redact_values(DATABASE_ERRORS[0])
    assert 'unique constraint "t_pkey"' in text


def test_a_validation_error_loses_the_input_it_refused():
    with pytest.raises(ValidationError) as refused:
        Case(mrn=MRN)  # type: ignore[arg-type]
    assert MRN in str(refused.value)
    redacted = redact_values(str(refused.value))
    assert MRN not in redacted
    assert "int_parsing" in redacted


def test_a_logged_traceback_of_a_chained_database_error_carries_no_value(capsys):
    configure_logging("scheduling", "INFO")
    try:
        try:
            raise RuntimeError(DATABASE_ERRORS[0])
        except RuntimeError as cause:
            raise ValueError(DATABASE_ERRORS[2]) from cause
    except ValueError:
        logging.getLogger("scheduling_service.cases").exception(
            "unhandled error", extra={"error": DATABASE_ERRORS[3]}
        )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert MRN not in json.dumps(line)
    assert "Traceback" in line["exc_info"]
    assert 'File "' in line["exc_info"]


class SentRecorder:
    """Stands in for the broker's end of `send_and_wait`: keeps what would be written."""

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        self.topic, self.headers = topic, dict(headers or ())


async def test_a_dead_letters_reason_carries_no_value_from_the_message():
    record = ConsumerRecord(
        topic="resources.staff.v1",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=b"{}",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=2,
        headers=[("event_id", b"e1")],
    )
    sent = SentRecorder()
    await send_to_dlq(sent, record, ValueError(DATABASE_ERRORS[2]), attempts=5, group_id="g")
    assert sent.topic == "resources.staff.v1.dlq"
    assert sent.headers["dlq-error-type"] == b"ValueError"
    assert sent.headers["dlq-error-message"].startswith(b"invalid input for query argument $1:")
    assert MRN.encode() not in sent.headers["dlq-error-message"]
