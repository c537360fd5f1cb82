"""The operators' resources that have a single source elsewhere, generated from it.

- base/kafka/topics.yaml: a Strimzi `KafkaTopic` per contract topic and its DLQ, from
  servicekit.topics (partitions and configuration exactly as the local broker gets them).
- base/kafka/users.yaml: a `KafkaUser` (SCRAM-SHA-512) per service with the ACLs of
  servicekit.kafka_access (the same the local broker gets), and the admin, a super user.
- base/kafka/metrics.yaml: the broker's JMX exporter configuration, deploy/kafka/jmx-exporter.yml,
  so the brokers' metrics have the names the rules and dashboards read.
- base/postgres/clusters.yaml: a CloudNativePG `Cluster` per service database and its daily
  `ScheduledBackup`, with the database and owner of deploy/docker/postgres-init.sql.
- base/monitoring/rules.yaml: a `PrometheusRule` per deploy/prometheus/*.rules.yml, the rule
  files of the local Prometheus as they are.

`.venv/bin/python deploy/kubernetes/generate.py --write` (make k8s-generate) writes them;
`--check` (make contracts-check) exits 1 when what is committed differs.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from contracts.dataflow import SERVICES
from servicekit.kafka_access import Grant, Operation, PatternType, ResourceType, wanted_grants
from servicekit.topics import wanted_topics

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("*.rules.yml"))
JMX_EXPORTER = ROOT / "deploy" / "kafka" / "jmx-exporter.yml"

CLUSTER = "surgery"  # the Strimzi Kafka cluster's name
ADMIN_USER = "admin"  # as deploy/local/kafka-users.sh: the super user that runs the tools
PART_OF = {"app.kubernetes.io/part-of": "surgery-scheduling"}
METRICS_CONFIG_MAP = "kafka-metrics"
METRICS_KEY = "jmx-exporter.yml"

_RESOURCE_TYPES = {
    ResourceType.TOPIC: "topic",
    ResourceType.GROUP: "group",
    ResourceType.CLUSTER: "cluster",
    ResourceType.TRANSACTIONAL_ID: "transactionalId",
}
_PATTERNS = {PatternType.LITERAL: "literal", PatternType.PREFIXED: "prefix"}
_OPERATIONS = {
    Operation.ALL: "All",
    Operation.READ: "Read",
    Operation.WRITE: "Write",
    Operation.CREATE: "Create",
    Operation.DELETE: "Delete",
    Operation.ALTER: "Alter",
    Operation.DESCRIBE: "Describe",
    Operation.IDEMPOTENT_WRITE: "IdempotentWrite",
}


def _labels(**more: str) -> dict[str, str]:
    return {"strimzi.io/cluster": CLUSTER, **PART_OF, **more}


def kafka_topics() -> list[dict[str, Any]]:
    """Every topic the local broker gets, as KafkaTopics. No `replicas`: each takes the
    cluster's default.replication.factor, which the overlay sets (1 in dev, 3 in production)."""
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": topic.name, "labels": _labels()},
            "spec": {"partitions": topic.num_partitions, "config": dict(topic.topic_configs)},
        }
        for topic in wanted_topics()
    ]


def user_acls(grants: Sequence[Grant]) -> list[dict[str, Any]]:
    """Strimzi's `simple` ACLs of one user: the grants on each resource, operations together."""
    by_resource: dict[tuple[ResourceType, str, PatternType], set[Operation]] = defaultdict(set)
    for grant in grants:
        by_resource[(grant.resource_type, grant.resource_name, grant.pattern_type)].add(
            grant.operation
        )
    return [
        {
            "resource": {
                "type": _RESOURCE_TYPES[rtype],
                "name": name,
                "patternType": _PATTERNS[pattern],
            },
            "operations": sorted(_OPERATIONS[operation] for operation in operations),
            "host": "*",
        }
        for (rtype, name, pattern), operations in sorted(by_resource.items())
    ]


def kafka_users() -> list[dict[str, Any]]:
    """A SCRAM-SHA-512 user per service, with exactly its derived ACLs, and the admin (a super
    user in the Kafka resource: no ACLs). Strimzi keeps each password in a Secret named as the
    user, key `password`."""
    grants = sorted(wanted_grants())
    users = [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaUser",
            "metadata": {"name": ADMIN_USER, "labels": _labels()},
            "spec": {"authentication": {"type": "scram-sha-512"}},
        }
    ]
    for service in SERVICES:
        mine = [grant for grant in grants if grant.principal == f"User:{service}"]
        users.append(
            {
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaUser",
                "metadata": {"name": service, "labels": _labels()},
                "spec": {
                    "authentication": {"type": "scram-sha-512"},
                    "authorization": {"type": "simple", "acls": user_acls(mine)},
                },
            }
        )
    return users


def kafka_metrics() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": METRICS_CONFIG_MAP, "labels": _labels()},
            "data": {METRICS_KEY: JMX_EXPORTER.read_text()},
        }
    ]


def rule_name(path: Path) -> str:
    """alerts.rules.yml -> surgery-alerts."""
    return "surgery-" + path.name.removesuffix(".rules.yml")


def prometheus_rules() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": {"name": rule_name(path), "labels": dict(PART_OF)},
            "spec": {"groups": yaml.safe_load(path.read_text())["groups"]},
        }
        for path in RULE_FILES
    ]


# The PostgreSQL of docker-compose and the local stack; CloudNativePG's image of that major.
POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:15.14"
# Databases whose migrations create btree_gist (exclusion constraints: no double booking); the
# owner is no superuser, so the extension is made at bootstrap, as postgres-init.sql does.
BTREE_GIST = frozenset({"resources", "scheduling"})


def postgres_clusters() -> list[dict[str, Any]]:
    """Per service: `<service>-db`, three instances, one synchronous standby, TLS (the
    operator's default), WAL archived to object storage and a base backup every night."""
    docs: list[dict[str, Any]] = []
    for service in SERVICES:
        name = f"{service}-db"
        labels = {**PART_OF, "app.kubernetes.io/name": name}
        initdb: dict[str, Any] = {
            "database": service,
            "owner": f"{service}_svc",
            "encoding": "UTF8",
            "dataChecksums": True,
        }
        if service in BTREE_GIST:
            initdb["postInitApplicationSQL"] = ["CREATE EXTENSION IF NOT EXISTS btree_gist"]
        docs.append(
            {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "Cluster",
                "metadata": {"name": name, "labels": labels},
                "spec": {
                    "description": f"The {service} service's database",
                    "instances": 3,
                    "imageName": POSTGRES_IMAGE,
                    "primaryUpdateStrategy": "unsupervised",
                    "postgresql": {
                        # A commit waits for one standby (either): with three instances one
                        # may be lost without losing a committed write or blocking writes.
                        "synchronous": {
                            "method": "any",
                            "number": 1,
                            "dataDurability": "required",
                        },
                        "parameters": {
                            "max_connections": "200",
                            "archive_timeout": "300s",
                            "log_min_duration_statement": "1s",
                        },
                    },
                    "bootstrap": {"initdb": initdb},
                    "storage": {"size": "20Gi"},
                    "resources": {
                        "requests": {"cpu": "500m", "memory": "1Gi"},
                        "limits": {"cpu": "2", "memory": "1Gi"},
                    },
                    "affinity": {
                        "enablePodAntiAffinity": True,
                        "podAntiAffinityType": "required",
                        "topologyKey": "kubernetes.io/hostname",
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": {"cnpg.io/cluster": name}},
                        }
                    ],
                    "monitoring": {
                        "customQueriesConfigMap": [
                            {"name": "postgres-metrics", "key": "queries.yaml"}
                        ]
                    },
                    "backup": {
                        "barmanObjectStore": {
                            "destinationPath": f"s3://surgery-postgres-backups/{name}",
                            "s3Credentials": {
                                "accessKeyId": {
                                    "name": "postgres-backup-store",
                                    "key": "ACCESS_KEY_ID",
                                },
                                "secretAccessKey": {
                                    "name": "postgres-backup-store",
                                    "key": "SECRET_ACCESS_KEY",
                                },
                            },
                            "wal": {"compression": "gzip", "maxParallel": 2},
                            "data": {"compression": "gzip", "jobs": 2},
                        },
                        # As the local backups (BACKUP_KEEP_DAYS): a week of base backups and WAL.
                        "retentionPolicy": "7d",
                    },
                },
            }
        )
        docs.append(
            {
                "apiVersion": "postgresql.cnpg.io/v1",
                "kind": "ScheduledBackup",
                "metadata": {"name": f"{name}-nightly", "labels": labels},
                "spec": {
                    # CloudNativePG's cron has seconds: every day at 02:00 UTC.
                    "schedule": "0 0 2 * * *",
                    "immediate": True,
                    "backupOwnerReference": "self",
                    "method": "barmanObjectStore",
                    "cluster": {"name": name},
                },
            }
        )
    return docs


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (PromQL, descriptions, the exporter's file) as literal blocks."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _string)


def render(docs: list[dict[str, Any]], source: str) -> str:
    header = (
        "# Generated by deploy/kubernetes/generate.py; do not edit: run `make k8s-generate`.\n"
        f"# From {source}.\n"
    )
    body = "---\n".join(yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=100) for doc in docs)
    return header + body


def expected_files() -> dict[Path, str]:
    return {
        KUBERNETES / "base" / "kafka" / "topics.yaml": render(
            kafka_topics(), "libs/contracts (servicekit.topics)"
        ),
        KUBERNETES / "base" / "kafka" / "users.yaml": render(
            kafka_users(), "contracts.dataflow (servicekit.kafka_access)"
        ),
        KUBERNETES / "base" / "kafka" / "metrics.yaml": render(
            kafka_metrics(), "deploy/kafka/jmx-exporter.yml"
        ),
        KUBERNETES / "base" / "postgres" / "clusters.yaml": render(
            postgres_clusters(), "contracts.dataflow.SERVICES and deploy/docker/postgres-init.sql"
        ),
        KUBERNETES / "base" / "monitoring" / "rules.yaml": render(
            prometheus_rules(), "deploy/prometheus/*.rules.yml"
        ),
    }


def stale(files: dict[Path, str]) -> list[Path]:
    return [path for path, text in files.items() if not path.exists() or path.read_text() != text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploy/kubernetes/generate.py", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the generated files")
    mode.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    args = parser.parse_args(argv)
    files = expected_files()
    if args.write:
        for path in stale(files):
            path.write_text(files[path])
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if outdated := stale(files):
        for path in outdated:
            print(f"{path.relative_to(ROOT)} is stale", file=sys.stderr)
        print("run `make k8s-generate` and commit the result", file=sys.stderr)
        return 1
    print(f"deploy/kubernetes: {len(files)} generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
