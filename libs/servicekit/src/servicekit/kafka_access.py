"""Who may do what on the broker: each service's Kafka ACLs, derived from the contracts.

`contracts.dataflow` says which services produce and which consume each topic; from that alone
each service's user gets WRITE on the topics it produces, READ on the topics it consumes, WRITE
on the DLQs of those (its consumer parks what it cannot process there), and READ on its own
consumer groups (the prefix `<service>-`). Nothing else: the broker refuses everyone with no ACL
(`allow.everyone.if.no.acl.found=false`), and the admin user, a super user, runs the tools.

`python -m servicekit.kafka_access` (run by deploy/local/kafka.sh with the admin's credentials)
makes the broker's ACLs for the services' users exactly these: missing ones are created, ones
no longer derived (a contract that dropped a consumer) are deleted. Run again, it changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest
from contracts.dataflow import CONSUMERS, PRODUCERS, SERVICES
from contracts.topics import DLQ_SUFFIX

from servicekit.kafka import KafkaConnection, with_admin


class ResourceType(IntEnum):
    """Kafka's resource type codes (org.apache.kafka.common.resource.ResourceType)."""

    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class PatternType(IntEnum):
    ANY = 1
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    IDEMPOTENT_WRITE = 12


_ANY_PERMISSION = 1
_ALLOW = 3
_ALL_HOSTS = "*"


def principal(service: str) -> str:
    """A service's Kafka principal: its SCRAM user is named after it."""
    return f"User:{service}"


def group_prefix(service: str) -> str:
    """Every consumer group of a service starts with this (servicekit's `<service>-service`,
    and any later group of its own)."""
    return f"{service}-"


@dataclass(frozen=True, order=True, slots=True)
class Grant:
    """One ALLOW ACL: `principal` may do `operation` on the resource, from any host."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern_type: PatternType
    operation: Operation

    def __str__(self) -> str:
        prefix = "*" if self.pattern_type is PatternType.PREFIXED else ""
        return (
            f"{self.principal} {self.operation.name} "
            f"{self.resource_type.name} {self.resource_name}{prefix}"
        )


def _topic(service: str, name: str, *operations: Operation) -> list[Grant]:
    return [
        Grant(principal(service), ResourceType.TOPIC, name, PatternType.LITERAL, operation)
        for operation in operations
    ]


def wanted_grants(
    producers: Mapping[str, tuple[str, ...]] = PRODUCERS,
    consumers: Mapping[str, tuple[str, ...]] = CONSUMERS,
    services: Iterable[str] = SERVICES,
) -> frozenset[Grant]:
    """Every ACL the services' users hold, from who produces and who consumes each topic."""
    grants: set[Grant] = set()
    for topic, writers in producers.items():
        for service in writers:
            grants.update(_topic(service, topic, Operation.WRITE, Operation.DESCRIBE))
    for topic, readers in consumers.items():
        for service in readers:
            grants.update(_topic(service, topic, Operation.READ, Operation.DESCRIBE))
            grants.update(_topic(service, topic + DLQ_SUFFIX, Operation.WRITE, Operation.DESCRIBE))
    for service in services:
        if any(service in readers for readers in consumers.values()):
            grants.add(
                Grant(
                    principal(service),
                    ResourceType.GROUP,
                    group_prefix(service),
                    PatternType.PREFIXED,
                    Operation.READ,
                )
            )
    return frozenset(grants)


@dataclass(frozen=True, slots=True)
class Changes:
    created: list[Grant]
    deleted: list[Grant]


def changes(wanted: frozenset[Grant], present: frozenset[Grant]) -> Changes:
    """What to create and what to delete so the services' users hold exactly `wanted`."""
    return Changes(created=sorted(wanted - present), deleted=sorted(present - wanted))


async def apply_grants(
    kafka: KafkaConnection,
    wanted: frozenset[Grant],
    principals: Iterable[str],
    *,
    deadline_seconds: float = 60,
) -> Changes:
    """Makes the ALLOW ACLs of `principals` on the broker exactly `wanted`; needs an admin."""

    async def reconcile(admin: AIOKafkaAdminClient) -> Changes:
        present = frozenset[Grant]()
        for name in principals:
            present |= frozenset(await _described(admin, name))
        todo = changes(wanted, present)
        for grant in todo.created:
            await _create(admin, grant)
        for grant in todo.deleted:
            await _delete(admin, grant)
        return todo

    return await with_admin(kafka, reconcile, deadline_seconds=deadline_seconds)


async def _described(admin: AIOKafkaAdminClient, name: str) -> list[Grant]:
    request = DescribeAclsRequest(
        ResourceType.ANY, None, PatternType.ANY, name, None, Operation.ANY, _ANY_PERMISSION
    )  # None: the protocol's "any" for a nullable string
    response = await admin._send_request(request)  # aiokafka has no ACL API
    if response.error_code:
        raise RuntimeError(f"describing the ACLs of {name} failed: {response.error_message}")
    return [
        Grant(acl_principal, ResourceType(rtype), rname, PatternType(ptype), Operation(op))
        for rtype, rname, ptype, acls in response.resources
        for acl_principal, _host, op, permission in acls
        if permission == _ALLOW
    ]


def _acl_args(grant: Grant) -> tuple[int, str, int, str, str, int, int]:
    return (
        grant.resource_type,
        grant.resource_name,
        grant.pattern_type,
        grant.principal,
        _ALL_HOSTS,
        grant.operation,
        _ALLOW,
    )


async def _create(admin: AIOKafkaAdminClient, grant: Grant) -> None:
    response = await admin._send_request(CreateAclsRequest(*_acl_args(grant)))
    for error_code, message in response.creation_responses:
        if error_code:
            raise RuntimeError(f"creating the ACL {grant} failed ({error_code}): {message}")


async def _delete(admin: AIOKafkaAdminClient, grant: Grant) -> None:
    response = await admin._send_request(DeleteAclsRequest(*_acl_args(grant)))
    for error_code, message, *_ in response.filter_responses:
        if error_code:
            raise RuntimeError(f"deleting the ACL {grant} failed ({error_code}): {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadline", type=float, default=60.0)
    args = parser.parse_args()
    kafka = KafkaConnection.from_env()
    done = asyncio.run(
        apply_grants(
            kafka,
            wanted_grants(),
            [principal(service) for service in SERVICES],
            deadline_seconds=args.deadline,
        )
    )
    for grant in done.created:
        print(f"kafka acl created: {grant}", file=sys.stderr)
    for grant in done.deleted:
        print(f"kafka acl deleted: {grant}", file=sys.stderr)
    print(
        f"kafka acls: {len(wanted_grants())} wanted, {len(done.created)} created, "
        f"{len(done.deleted)} deleted",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
