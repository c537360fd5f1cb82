"""The SIU feed's retention: a message built more than `INTEROP_SIU_RETENTION_DAYS` ago goes,
with its deliveries, once none of them is still to be sent (`pending`) or waits for an
operator (`parked`); a message no endpoint was to get goes too. Nothing else is deleted: the
cases' state (`siu_cases`) stays, the next event of a case needs it.

The default (30 days) matches how long the consumer remembers an event it applied
(`processed_events`): an event older than both is not redelivered, so no message is built twice
for want of its row. The purge runs in every process, at start and then every
`INTEROP_SIU_PURGE_INTERVAL_MINUTES`, in batches (each its own transaction, the rows it takes
locked `SKIP LOCKED`): two processes purging at once delete each message once and never wait
on each other, and a first purge over a long backlog never holds a long lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from servicekit.messaging.relay import sleep_unless
from servicekit.service import Runtime, Worker
from sqlalchemy import Delete, Integer, Interval, bindparam, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from interop_service.db.siu import siu_deliveries, siu_messages
from interop_service.settings import InteropSettings
from interop_service.siu import metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    retention_days: int = 30
    interval_seconds: float = 3600.0
    batch: int = 1000


def _purge_statement() -> Delete:
    m, d = siu_messages.c, siu_deliveries.c
    still_open = exists().where(d.message_id == m.id, d.state.in_(("pending", "parked")))
    doomed = (
        select(m.id)
        .where(m.built_at < func.now() - bindparam("kept", type_=Interval()), ~still_open)
        .order_by(m.id)
        .limit(bindparam("batch", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("doomed")
    )
    return delete(siu_messages).where(m.id.in_(select(doomed.c.id)))


_PURGE = _purge_statement()


async def purge_once(sessions: async_sessionmaker[AsyncSession], config: RetentionConfig) -> int:
    """Deletes every message past the retention that nothing waits for, batch by batch (its
    deliveries go with it, `ON DELETE CASCADE`); answers how many."""
    kept = timedelta(days=config.retention_days)
    purged = 0
    while True:
        async with sessions() as session, session.begin():
            result = await session.execute(_PURGE, {"kept": kept, "batch": config.batch})
        deleted = int(result.rowcount)  # type: ignore[attr-defined]
        purged += deleted
        if deleted < config.batch:
            return purged


class SiuRetention:
    """A background worker: purges at start, then every `interval_seconds`."""

    def __init__(self, config: RetentionConfig, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.config = config
        self._sessions = sessions

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                purged = await purge_once(self._sessions, self.config)
                metrics.PURGED.inc(purged)
                if purged:
                    log.info("purged %d SIU messages past the retention", purged)
            except Exception:
                log.exception("the SIU retention purge failed; trying again next time")
            await sleep_unless(stop, self.config.interval_seconds)


def retention_workers(runtime: Runtime[InteropSettings]) -> Sequence[Worker]:
    settings = runtime.settings
    config = RetentionConfig(
        retention_days=settings.siu_retention_days,
        interval_seconds=settings.siu_purge_interval_minutes * 60,
    )
    return [SiuRetention(config, runtime.sessions)]
