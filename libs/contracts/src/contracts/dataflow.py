"""Which services produce and which consume each topic; the AsyncAPI operations come from here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from contracts import topics

SERVICES = ("auth", "resources", "scheduling", "optimizer")

PRODUCERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        topics.AUTH_USERS.name: ("auth",),
        topics.RESOURCES_OPERATING_ROOMS.name: ("resources",),
        topics.RESOURCES_STAFF.name: ("resources",),
        topics.RESOURCES_EQUIPMENT.name: ("resources",),
        topics.RESOURCES_BLOCKS.name: ("resources",),
        topics.SCHEDULING_SURGERIES.name: ("scheduling",),
        topics.SCHEDULING_OPTIMIZATION_REQUESTS.name: ("scheduling",),
        topics.OPTIMIZER_SCHEDULES.name: ("optimizer",),
        topics.AUDIT_EVENTS.name: SERVICES,
    }
)

# Other hospital systems (EHR, bed management, billing) may consume any topic; these are ours.
CONSUMERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        topics.AUTH_USERS.name: ("resources", "scheduling", "optimizer"),
        topics.RESOURCES_OPERATING_ROOMS.name: ("scheduling",),
        topics.RESOURCES_STAFF.name: ("scheduling",),
        topics.RESOURCES_EQUIPMENT.name: ("scheduling",),
        topics.RESOURCES_BLOCKS.name: ("scheduling",),
        topics.SCHEDULING_SURGERIES.name: (),
        topics.SCHEDULING_OPTIMIZATION_REQUESTS.name: ("optimizer",),
        topics.OPTIMIZER_SCHEDULES.name: ("scheduling",),
        topics.AUDIT_EVENTS.name: ("auth",),  # its durable audit store
    }
)
