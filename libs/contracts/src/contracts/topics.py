"""Every Kafka topic of the platform: names, partition counts and retention, in one place."""

from __future__ import annotations

from dataclasses import dataclass

DLQ_SUFFIX = ".dlq"
# Kafka's default limit on one message (broker `message.max.bytes`), for topics that keep it.
DEFAULT_MAX_MESSAGE_BYTES = 1_048_588
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    partitions: int = 3
    compacted: bool = False
    description: str = ""
    # The topic's `max.message.bytes`, for topics whose events can outgrow Kafka's default: a
    # whole optimization problem, or its plan, for a month of a large hospital. Its DLQ gets the
    # same, so a message that failed can always be parked.
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES

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
    "scheduling.optimization-requests.v1",
    description="Whole optimization problems to solve.",
    max_message_bytes=8 * MIB,
)
OPTIMIZER_SCHEDULES = Topic(
    "optimizer.schedules.v1",
    description="Proposals and failures of optimization runs.",
    max_message_bytes=8 * MIB,
)
AUDIT_EVENTS = Topic(
    "audit.events.v1", partitions=6, description="Who did what to which record, from every service."
)
INTEROP_SIU = Topic(
    "interop.siu.v1",
    partitions=6,
    description="HL7 v2 SIU messages (ER7) of every booking change, keyed by case id.",
)
INTEROP_SERVICE_REQUESTS = Topic(
    "interop.service-requests.v1",
    description=(
        "Surgical orders placed by other systems through FHIR, for scheduling's waiting list."
    ),
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
    INTEROP_SIU,
    INTEROP_SERVICE_REQUESTS,
)


def topic_named(name: str) -> Topic | None:
    """The contract topic called `name`, or whose DLQ is called `name`; None for any other."""
    for topic in ALL_TOPICS:
        if name in (topic.name, topic.dlq):
            return topic
    return None


# The largest message any topic takes: what producers and consumers must be able to carry.
LARGEST_MESSAGE_BYTES = max(topic.max_message_bytes for topic in ALL_TOPICS)
