"""The SIU feed's delivery workers (placeholder until the feed lands)."""

from collections.abc import Sequence

from servicekit.service import Runtime, Worker

from interop_service.settings import InteropSettings


def delivery_workers(runtime: Runtime[InteropSettings]) -> Sequence[Worker]:
    return []
