"""The rules of the audit store: which filters make sense, and when an entry may be purged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

# The shapes `AuditRecorded` gives an action and a service: a filter of another shape could
# never match, so it is refused rather than answered with an empty page.
ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
SERVICE = re.compile(r"^[a-z][a-z0-9-]{0,49}$")


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor_id: str | None = None
    action: str | None = None
    record_type: str | None = None
    record_id: str | None = None  # the subject: the record acted on, or a list that showed it
    service: str | None = None
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before


def query_problems(query: AuditQuery) -> list[str]:
    """What is wrong with `query`, one sentence each; none when it can be answered."""
    problems = []
    if query.action is not None and not ACTION.fullmatch(query.action):
        problems.append(f"`action` {query.action!r} is no action's name (like `session.login`).")
    if query.service is not None and not SERVICE.fullmatch(query.service):
        problems.append(f"`service` {query.service!r} is no service's name (like `auth`).")
    if query.since is not None and query.until is not None and query.until <= query.since:
        problems.append(
            f"`to` {query.until.isoformat()} is not after `from` {query.since.isoformat()}; "
            "the range includes `from` and ends before `to`."
        )
    return problems


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Entries that happened before this instant are past the retention and may be purged."""
    if retention_days < 1:
        raise ValueError("the audit retention is at least one day")
    return now - timedelta(days=retention_days)


def past_retention(at: datetime, now: datetime, retention_days: int) -> bool:
    return at < retention_cutoff(now, retention_days)
