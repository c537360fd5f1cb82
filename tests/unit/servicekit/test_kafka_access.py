"""Each service's Kafka ACLs follow from who produces and who consumes each contract topic."""

from __future__ import annotations

import importlib

import pytest
from contracts.dataflow import CONSUMERS, PRODUCERS, SERVICES
from contracts.topics import ALL_TOPICS, DLQ_SUFFIX
from hypothesis import given, settings
from hypothesis import strategies as st
from servicekit.kafka_access import (
    Grant,
    Operation,
    PatternType,
    ResourceType,
    changes,
    group_prefix,
    principal,
    wanted_grants,
)

GRANTS = wanted_grants()
FEW = settings(max_examples=60, derandomize=True)


def _ops(service: str, topic: str) -> set[Operation]:
    return {
        g.operation
        for g in GRANTS
        if g.principal == principal(service)
        and g.resource_type is ResourceType.TOPIC
        and g.resource_name == topic
    }


def test_scheduling_writes_its_own_topics_reads_what_it_consumes_and_nothing_else():
    topics = {
        g.resource_name: set()
        for g in GRANTS
        if g.principal == "User:scheduling" and g.resource_type is ResourceType.TOPIC
    }
    for name in topics:
        topics[name] = {op.name for op in _ops("scheduling", name)}
    assert topics == {
        "scheduling.surgeries.v1": {"WRITE", "DESCRIBE"},
        "scheduling.optimization-requests.v1": {"WRITE", "DESCRIBE"},
        "audit.events.v1": {"WRITE", "DESCRIBE"},
        **{
            name: {"READ", "DESCRIBE"}
            for name in (
                "auth.users.v1",
                "resources.operating-rooms.v1",
                "resources.staff.v1",
                "resources.equipment.v1",
                "resources.blocks.v1",
                "optimizer.schedules.v1",
                "interop.service-requests.v1",
            )
        },
        **{
            name + DLQ_SUFFIX: {"WRITE", "DESCRIBE"}
            for name in (
                "auth.users.v1",
                "resources.operating-rooms.v1",
                "resources.staff.v1",
                "resources.equipment.v1",
                "resources.blocks.v1",
                "optimizer.schedules.v1",
                "interop.service-requests.v1",
            )
        },
    }


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=str)
@pytest.mark.parametrize("service", SERVICES)
def test_a_service_writes_a_topic_only_if_it_produces_it_and_reads_it_only_if_it_consumes_it(
    service, topic
):
    ops = _ops(service, topic.name)
    assert (Operation.WRITE in ops) == (service in PRODUCERS[topic.name])
    assert (Operation.READ in ops) == (service in CONSUMERS[topic.name])
    assert (Operation.WRITE in _ops(service, topic.dlq)) == (service in CONSUMERS[topic.name])
    assert Operation.READ not in _ops(service, topic.dlq)  # replaying a DLQ is the admin's


def test_no_service_may_create_delete_alter_or_touch_the_cluster():
    assert {g.operation for g in GRANTS} == {Operation.READ, Operation.WRITE, Operation.DESCRIBE}
    assert {g.resource_type for g in GRANTS} == {ResourceType.TOPIC, ResourceType.GROUP}
    assert all(
        g.pattern_type is PatternType.LITERAL
        for g in GRANTS
        if g.resource_type is ResourceType.TOPIC
    )


def test_each_consuming_service_reads_only_its_own_groups():
    groups = {
        (g.principal, g.resource_name, g.pattern_type)
        for g in GRANTS
        if g.resource_type is ResourceType.GROUP
    }
    consuming = {s for s in SERVICES if any(s in readers for readers in CONSUMERS.values())}
    assert groups == {(principal(s), group_prefix(s), PatternType.PREFIXED) for s in consuming}


@pytest.mark.parametrize("service", SERVICES)
def test_the_contracts_name_exactly_the_topics_each_service_subscribes_to(service):
    """The ACLs come from contracts.dataflow: it must say what the services really consume."""
    definition = importlib.import_module(f"{service}_service.bootstrap").service
    subscribed = set(definition.handlers().topics) if definition.handlers else set()
    assert subscribed == {t for t, readers in CONSUMERS.items() if service in readers}
    assert definition.consumer_group.startswith(group_prefix(service))


_services = st.sampled_from(["a", "b", "c"])
_flows = st.dictionaries(
    st.sampled_from(["t1.v1", "t2.v1", "t3.v1"]), st.lists(_services, unique=True).map(tuple)
)


@FEW
@given(producers=_flows, consumers=_flows)
def test_any_dataflow_grants_writes_to_producers_and_reads_to_consumers_only(producers, consumers):
    grants = wanted_grants(producers, consumers, services=("a", "b", "c"))
    for grant in grants:
        service = grant.principal.removeprefix("User:")
        name = grant.resource_name
        if grant.resource_type is ResourceType.GROUP:
            assert name == group_prefix(service)
            assert any(service in readers for readers in consumers.values())
        elif grant.operation is Operation.READ:
            assert service in consumers[name]
        elif grant.operation is Operation.WRITE:
            topic = name.removesuffix(DLQ_SUFFIX)
            owners = consumers if name.endswith(DLQ_SUFFIX) else producers
            assert service in owners[topic]


_grants = st.frozensets(
    st.builds(
        Grant,
        st.sampled_from(["User:a", "User:b"]),
        st.sampled_from([ResourceType.TOPIC, ResourceType.GROUP]),
        st.sampled_from(["x", "y"]),
        st.sampled_from([PatternType.LITERAL, PatternType.PREFIXED]),
        st.sampled_from([Operation.READ, Operation.WRITE]),
    )
)


@FEW
@given(wanted=_grants, present=_grants)
def test_applying_the_changes_leaves_exactly_the_wanted_grants(wanted, present):
    todo = changes(wanted, present)
    assert (present | set(todo.created)) - set(todo.deleted) == wanted
    assert not set(todo.created) & present  # nothing made twice
