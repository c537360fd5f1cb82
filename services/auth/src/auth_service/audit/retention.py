"""The retention purge: entries older than `AUTH_AUDIT_RETENTION_DAYS` go, and nothing else.

Only the database function `purge_audit_entries` may delete from `audit_entries` (its trigger
refuses every other UPDATE or DELETE). It deletes in batches, each its own transaction, so a
first purge over years of entries never holds a long lock. Every replica purges on its own
schedule; two purges at once delete each entry once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from servicekit.db import UnitOfWork
from servicekit.messaging.relay import sleep_unless
from servicekit.service import Runtime
from sqlalchemy import func, select

from auth_service.domain.audit import retention_cutoff
from auth_service.metrics import AUDIT_ENTRIES_PURGED
from auth_service.settings import AuthSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    retention_days: int
    interval_seconds: float
    batch: int = 5_000


async def purge_once(
    unit_of_work: Callable[[], UnitOfWork], retention_days: int, batch: int = 5_000
) -> int:
    """Deletes every entry past the retention, batch by batch; answers how many."""
    cutoff = retention_cutoff(datetime.now(UTC), retention_days)
    purged = 0
    while True:
        async with unit_of_work() as uow:
            purge = select(func.purge_audit_entries(cutoff, batch))
            deleted = int((await uow.session.execute(purge)).scalar_one())
            await uow.commit()
        purged += deleted
        if deleted < batch:
            return purged


class AuditRetention:
    """A background worker: purges at start, then every `interval_seconds`."""

    def __init__(self, config: RetentionConfig, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self.config = config
        self._unit_of_work = unit_of_work

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                purged = await purge_once(
                    self._unit_of_work, self.config.retention_days, self.config.batch
                )
                AUDIT_ENTRIES_PURGED.inc(purged)
                if purged:
                    log.info("purged %d audit entries past the retention", purged)
            except Exception:
                log.exception("the audit retention purge failed; trying again next time")
            await sleep_unless(stop, self.config.interval_seconds)


def retention_workers(runtime: Runtime[AuthSettings]) -> list[AuditRetention]:
    """The service's background worker (see `ServiceDefinition.workers`)."""
    settings = runtime.settings
    config = RetentionConfig(
        retention_days=settings.audit_retention_days,
        interval_seconds=settings.audit_purge_interval_minutes * 60,
    )
    return [AuditRetention(config, runtime.unit_of_work)]
