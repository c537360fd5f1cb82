"""Every Kafka topic of the platform: names, partition counts and retention, in one place."""

from __future__ import annotations

from dataclasses import dataclass

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    partitions: int = 3
    compacted: bool = False
    description: str = ""

    @property
    def dlq(self) -> str:
        return self.name + DLQ_SUFFIX

    def __str__(self) -> str:
        return self.name


AUTH_USERS = Topic("auth.users.v1", description="User accounts: registration, roles, deactivation.")
# Resources topics carry full snapshots keyed by entity id, so compaction keeps the latest
# state of every entity and a new consumer can rebuild its whole read model from the log.
RESOURCES_OPERATING_ROOMS = Topic(
    "resources.operating-rooms.v1", compacted=True, description="Operating rooms, full snapshots."
)
RESOURCES_STAFF = Topic(
    "resources.staff.v1", compacted=True, description="Staff members, full snapshots."
)
RESOURCES_EQUIPMENT = Topic(
    "resources.equipment.v1", compacted=True, description="Equipment and its units, full snapshots."
)
RESOURCES_BLOCKS = Topic(
    "resources.blocks.v1", compacted=True, description="Block allocations of OR time."
)
SCHEDULING_SURGERIES = Topic(
    "scheduling.surgeries.v1",
    partitions=6,
    description="Surgery requests and their bookings' lifecycle.",
)
SCHEDULING_OPTIMIZATION_REQUESTS = Topic(
    "scheduling.optimization-requests.v1", description="Whole optimization problems to solve."
)
OPTIMIZER_SCHEDULES = Topic(
    "optimizer.schedules.v1", description="Proposals and failures of optimization runs."
)
AUDIT_EVENTS = Topic(
    "audit.events.v1", partitions=6, description="Who did what to which record, from every service."
)

ALL_TOPICS: tuple[Topic, ...] = (
    AUTH_USERS,
    RESOURCES_OPERATING_ROOMS,
    RESOURCES_STAFF,
    RESOURCES_EQUIPMENT,
    RESOURCES_BLOCKS,
    SCHEDULING_SURGERIES,
    SCHEDULING_OPTIMIZATION_REQUESTS,
    OPTIMIZER_SCHEDULES,
    AUDIT_EVENTS,
)
