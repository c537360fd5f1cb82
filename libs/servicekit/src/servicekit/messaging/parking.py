"""Which outbox rows the relay may send, and parking a row that keeps failing to publish.

A row is parked after `max_attempts` failures of its own (each sent alone); later rows of its
key wait behind it, so order per key holds, and every other key goes on.
"""

from __future__ import annotations

import logging

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError

from servicekit.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_SECONDS, OUTBOX_PARKED

log = logging.getLogger(__name__)

_MAX_REASON_LENGTH = 2000

# Unpublished, not parked, and no parked row of the same key before it.
FETCH_SQL = """
SELECT id, topic, message_key, event_type, event_id, envelope::text AS envelope, traceparent
FROM outbox o
WHERE published_at IS NULL AND parked_at IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM outbox p
    WHERE p.parked_at IS NOT NULL AND p.published_at IS NULL
      AND p.message_key = o.message_key AND p.id < o.id
  )
ORDER BY id LIMIT $1
"""
MARK_SQL = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
PURGE_SQL = "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)"
_BACKLOG_SQL = """
SELECT count(*) FILTER (WHERE parked_at IS NULL) AS waiting,
       extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))
         AS oldest_seconds,
       count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked
FROM outbox WHERE published_at IS NULL
"""
_FAILED_SQL = """
UPDATE outbox
SET attempts = attempts + 1,
    park_reason = $2,
    parked_at = CASE WHEN attempts + 1 >= $3 THEN now() END
WHERE id = $1
RETURNING attempts, parked_at IS NOT NULL AS parked
"""


def is_broker_outage(exc: BaseException) -> bool:
    """Kafka could not be reached or did not answer: no row's fault, nothing is counted."""
    if isinstance(exc, KafkaConnectionError | KafkaTimeoutError | TimeoutError | ConnectionError):
        return True
    return bool(getattr(exc, "retriable", False))


async def record_failure(
    conn: asyncpg.Connection, row: asyncpg.Record, error: BaseException, max_attempts: int
) -> None:
    """One more failed attempt of `row`, with why; parked when it was the last allowed."""
    reason = f"{type(error).__name__}: {error}"[:_MAX_REASON_LENGTH]
    outcome = await conn.fetchrow(_FAILED_SQL, row["id"], reason, max_attempts)
    if outcome is None:  # the row is gone: released or given up by hand meanwhile
        return
    if outcome["parked"]:
        log.error(
            "outbox row %d (%s to %s) parked after %d attempts: %s",
            row["id"],
            row["event_type"],
            row["topic"],
            outcome["attempts"],
            reason,
        )
    else:
        log.warning(
            "outbox row %d failed to publish (attempt %d): %s",
            row["id"],
            outcome["attempts"],
            reason,
        )


async def report_backlog(conn: asyncpg.Connection) -> None:
    """Rows waiting (parked ones apart), how long the oldest has waited, rows parked."""
    backlog = await conn.fetchrow(_BACKLOG_SQL)
    assert backlog is not None  # an aggregate without GROUP BY always returns one row
    OUTBOX_BACKLOG.set(backlog["waiting"])
    OUTBOX_OLDEST_SECONDS.set(float(backlog["oldest_seconds"] or 0))
    OUTBOX_PARKED.set(backlog["parked"])
