"""Optimistic concurrency for updates: `ETag` on reads, `If-Match` on writes, `412` when stale."""

from __future__ import annotations

from servicekit.problems import Problem


def etag(version: int) -> str:
    return f'"{version}"'


def ensure_fresh(if_match: str | None, version: int) -> None:
    """Refuses a write whose `If-Match` names another version; no `If-Match` means unconditional."""
    if if_match is None:
        return
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in wanted or etag(version) in wanted:
        return
    raise Problem(
        412,
        f"The record changed since you read it (it is now at version {version}); "
        "read it again and retry.",
        current_etag=etag(version),
    )
