"""Creates every contract topic and its DLQ, explicitly: the broker never auto-creates one.

Run again, it brings topics that already exist to the configuration the contracts give them
(retention, compaction, message size) and grows their partition counts.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from contracts.topics import ALL_TOPICS, Topic

from servicekit.kafka import KafkaConnection, with_admin

DAY_MS = 24 * 3600 * 1000
# DescribeConfigs' source of a value set on the topic itself (as opposed to a broker default).
_DYNAMIC_TOPIC_CONFIG = 1


def topic_configs(topic: Topic) -> dict[str, str]:
    size = {"max.message.bytes": str(topic.max_message_bytes)}
    if topic.compacted:
        # Latest snapshot per key forever; tombstones kept a day for slow consumers.
        return {"cleanup.policy": "compact", "delete.retention.ms": str(DAY_MS), **size}
    return {"cleanup.policy": "delete", "retention.ms": str(14 * DAY_MS), **size}


def dlq_configs(topic: Topic) -> dict[str, str]:
    # A message parked here came from the topic, so it takes messages as large.
    return {"retention.ms": str(30 * DAY_MS), "max.message.bytes": str(topic.max_message_bytes)}


def wanted_topics() -> list[NewTopic]:
    wanted = []
    for topic in ALL_TOPICS:
        wanted.append(NewTopic(topic.name, topic.partitions, 1, topic_configs=topic_configs(topic)))
        wanted.append(NewTopic(topic.dlq, 1, 1, topic_configs=dlq_configs(topic)))
    return wanted


async def ensure_topics(
    kafka: KafkaConnection, topics: list[NewTopic], *, deadline_seconds: float = 60
) -> list[str]:
    """Create what is missing, reconfigure and grow what exists; returns the names created.
    Creating and altering topics needs the admin user."""

    async def ensure(admin: AIOKafkaAdminClient) -> list[str]:
        return await _ensure(admin, topics)

    return await with_admin(kafka, ensure, deadline_seconds=deadline_seconds)


async def _ensure(admin: AIOKafkaAdminClient, topics: list[NewTopic]) -> list[str]:
    existing = set(await admin.list_topics())
    missing = [t for t in topics if t.name not in existing]
    if missing:
        await admin.create_topics(missing)
    present = [t for t in topics if t.name in existing]
    if present:
        await _reconfigure(admin, present)
        described = await admin.describe_topics([t.name for t in present])
        counts = {d["topic"]: len(d["partitions"]) for d in described}
        grow = {
            t.name: NewPartitions(t.num_partitions)
            for t in present
            if counts.get(t.name, t.num_partitions) < t.num_partitions
        }
        if grow:
            await admin.create_partitions(grow)
    return [t.name for t in missing]


async def _reconfigure(admin: AIOKafkaAdminClient, topics: list[NewTopic]) -> list[str]:
    """Gives existing topics the configuration wanted of them; returns the names changed.

    A topic made before a contract changed (say, a larger message size) keeps its old settings
    until told. aiokafka's admin client has only the old AlterConfigs, which replaces a topic's
    whole set of overrides (no IncrementalAlterConfigs), so each topic's current overrides are
    read first and sent back with ours: a setting an operator gave a topic by hand survives.
    Only topics where some wanted value differs are altered.
    """
    wanted = {t.name: t.topic_configs for t in topics}
    described = await _described(admin, list(wanted))
    stale = [
        name
        for name, configs in wanted.items()
        if any(
            described.get(name, {}).get(key, (None, False))[0] != value
            for key, value in configs.items()
        )
    ]
    if stale:
        answers = await admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC, name, merged(described[name], wanted[name])
                )
                for name in stale
            ]
        )
        for answer in answers:
            for error_code, message, _type, name in answer.resources:
                if error_code:
                    raise RuntimeError(f"altering topic {name} failed ({error_code}): {message}")
    return stale


# Per topic, each configuration key's value and whether the topic itself sets it (None: the
# broker's answer cannot tell).
Described = dict[str, dict[str, tuple[str | None, bool | None]]]


def merged(
    described: dict[str, tuple[str | None, bool | None]], ours: dict[str, str]
) -> dict[str, str]:
    """The full set of overrides to send: the topic's own overrides now, ours over them.

    A sensitive override is described without its value; sending the set without it would
    wipe it, so that is refused rather than done.

    DescribeConfigs v0 says only whether a value is the default, so a value that is not may be
    the topic's own override or a broker's static setting. Copying it would pin a broker setting
    on the topic; leaving it out could wipe an operator's override. Neither is safe, so when
    such a value exists besides ours this refuses; ours alone are set only when the topic has
    no other value that is not the default.
    """
    if unsure := sorted(
        key for key, (_, override) in described.items() if override is None and key not in ours
    ):
        raise RuntimeError(
            f"the broker cannot tell whether {', '.join(unsure)} are the topic's own overrides "
            "or broker settings (DescribeConfigs v0); altering its configuration could wipe "
            "or pin them"
        )
    kept = {key: value for key, (value, override) in described.items() if override}
    if hidden := sorted(key for key, value in kept.items() if value is None and key not in ours):
        raise RuntimeError(
            f"the topic has sensitive overrides ({', '.join(hidden)}) that cannot be read back; "
            "altering its configuration would wipe them"
        )
    return {**{k: v for k, v in kept.items() if v is not None}, **ours}


async def _described(admin: AIOKafkaAdminClient, names: list[str]) -> Described:
    """Each topic's configuration values, and whether each is an override of the topic's own."""
    answers = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    found: Described = {}
    for answer in answers:
        found |= described_configs(answer.API_VERSION, answer.resources)
    return found


def described_configs(api_version: int, resources: list[tuple[Any, ...]]) -> Described:
    """A DescribeConfigs answer's topics; a topic the broker failed to describe raises, since
    taking it for one without overrides would wipe the operator's."""
    found: Described = {}
    for error_code, message, _type, name, entries in resources:
        if error_code:
            raise RuntimeError(f"describing topic {name} failed ({error_code}): {message}")
        found[name] = {
            entry[0]: (entry[1], _is_override(api_version, entry[3])) for entry in entries
        }
    return found


def _is_override(api_version: int, source_or_default: int | bool) -> bool | None:
    # Version 0 says only whether a value is the default: one that is not may be the topic's
    # own or a broker's static setting (None). Later versions name the source.
    if api_version == 0:
        return False if source_or_default else None
    return source_or_default == _DYNAMIC_TOPIC_CONFIG


async def topic_config_values(
    admin: AIOKafkaAdminClient, names: list[str]
) -> dict[str, dict[str, str]]:
    """Every configuration value of each topic of `names`, defaults included."""
    described = await _described(admin, names)
    return {
        name: {key: value for key, (value, _) in entries.items() if value is not None}
        for name, entries in described.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--bootstrap-servers", default=None, help="instead of KAFKA_BOOTSTRAP_SERVERS"
    )
    parser.add_argument("--deadline", type=float, default=60.0)
    args = parser.parse_args()
    # The admin's credentials come from KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, KAFKA_PASSWORD
    # and KAFKA_SSL_CA_FILE.
    kafka = KafkaConnection.from_env()
    if args.bootstrap_servers:
        kafka = dataclasses.replace(kafka, bootstrap_servers=args.bootstrap_servers)
    created = asyncio.run(ensure_topics(kafka, wanted_topics(), deadline_seconds=args.deadline))
    total = len(wanted_topics())
    print(f"kafka topics: {total} wanted, {len(created)} created", file=sys.stderr)


if __name__ == "__main__":
    main()
