"""Which services produce and which consume each topic; the AsyncAPI operations come from here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from contracts import topics

SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")

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
        topics.INTEROP_SIU.name: ("interop",),
        topics.INTEROP_SERVICE_REQUESTS.name: ("interop",),
    }
)

# Other hospital systems (EHR, bed management, billing) may consume any topic; these are ours.
CONSUMERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        topics.AUTH_USERS.name: ("resources", "scheduling", "optimizer", "interop"),
        topics.RESOURCES_OPERATING_ROOMS.name: ("scheduling", "interop"),
        topics.RESOURCES_STAFF.name: ("scheduling", "interop"),
        topics.RESOURCES_EQUIPMENT.name: ("scheduling", "interop"),
        topics.RESOURCES_BLOCKS.name: ("scheduling", "interop"),
        topics.SCHEDULING_SURGERIES.name: ("interop",),
        topics.SCHEDULING_OPTIMIZATION_REQUESTS.name: ("optimizer",),
        topics.OPTIMIZER_SCHEDULES.name: ("scheduling",),
        topics.AUDIT_EVENTS.name: ("auth",),  # its durable audit store
        topics.INTEROP_SIU.name: (),  # for other systems that read Kafka
        topics.INTEROP_SERVICE_REQUESTS.name: ("scheduling",),
    }
)
