"""One realistic example of every event, for the AsyncAPI document and for tests."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from contracts.envelope import Event
from contracts.examples import (
    optimization,
    resources,
    service_requests,
    siu,
    surgeries,
    users_and_audit,
)

EXAMPLES: Mapping[type[Event], Event] = MappingProxyType(
    {
        type(example): example
        for example in (
            *users_and_audit.EXAMPLES,
            *resources.EXAMPLES,
            *surgeries.EXAMPLES,
            *optimization.EXAMPLES,
            *service_requests.EXAMPLES,
            *siu.EXAMPLES,
        )
    }
)

__all__ = ["EXAMPLES"]
