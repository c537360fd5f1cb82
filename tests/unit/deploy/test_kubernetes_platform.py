"""The operators' resources in the rendered overlays: Kafka on Strimzi with the contracts' topics
and the services' ACLs, a replicated and backed-up PostgreSQL per service on CloudNativePG, and
the local Prometheus' rules and scrape jobs on the Prometheus Operator. Needs kustomize
(`make install`, or kubectl's)."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType
from typing import Any

import pytest
import yaml
from contracts.dataflow import SERVICES
from contracts.topics import ALL_TOPICS
from servicekit.kafka_access import Grant, Operation, PatternType, ResourceType, wanted_grants
from servicekit.topics import wanted_topics

from tests.unit.deploy.kube import KUBERNETES, OVERLAYS, ROOT, of_kind

RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("*.rules.yml"))
ZONE = "topology.kubernetes.io/zone"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("k8s_generate", KUBERNETES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = load_generator()


def one(overlay: str, kind: str) -> dict[str, Any]:
    [found] = of_kind(overlay, kind)
    return found


def brokers(overlay: str) -> int:
    return sum(
        pool["spec"]["replicas"]
        for pool in of_kind(overlay, "KafkaNodePool")
        if "broker" in pool["spec"]["roles"]
    )


def kafka_config(overlay: str) -> dict[str, Any]:
    return one(overlay, "Kafka")["spec"]["kafka"]["config"]


def test_production_has_a_kafka_topic_for_every_contract_topic_and_dlq_as_the_local_broker():
    rendered = {
        topic["metadata"]["name"]: topic["spec"] for topic in of_kind("production", "KafkaTopic")
    }
    local = {
        topic.name: {"partitions": topic.num_partitions, "config": topic.topic_configs}
        for topic in wanted_topics()
    }
    assert rendered == local
    names = {t.name for t in ALL_TOPICS} | {t.dlq for t in ALL_TOPICS}
    assert set(rendered) == names
    for topic in of_kind("production", "KafkaTopic"):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "surgery"


def test_compacted_and_large_message_topics_keep_their_settings_in_production():
    rendered = {t["metadata"]["name"]: t["spec"] for t in of_kind("production", "KafkaTopic")}
    for topic in ALL_TOPICS:
        config = rendered[topic.name]["config"]
        assert config["cleanup.policy"] == ("compact" if topic.compacted else "delete")
        assert config["max.message.bytes"] == str(topic.max_message_bytes)
        assert rendered[topic.dlq]["config"]["max.message.bytes"] == str(topic.max_message_bytes)
        assert rendered[topic.name]["partitions"] == topic.partitions


def grants_of(user: dict[str, Any]) -> set[Grant]:
    types = {value: key for key, value in generate._RESOURCE_TYPES.items()}
    patterns = {value: key for key, value in generate._PATTERNS.items()}
    operations = {value: key for key, value in generate._OPERATIONS.items()}
    name = user["metadata"]["name"]
    found = set()
    for acl in user["spec"].get("authorization", {}).get("acls", []):
        assert acl["host"] == "*"
        resource = acl["resource"]
        for operation in acl["operations"]:
            found.add(
                Grant(
                    f"User:{name}",
                    types[resource["type"]],
                    resource["name"],
                    patterns[resource.get("patternType", "literal")],
                    operations[operation],
                )
            )
    return found


def test_every_service_has_a_scram_user_with_exactly_the_acls_the_local_broker_gets():
    users = {user["metadata"]["name"]: user for user in of_kind("production", "KafkaUser")}
    assert set(users) == {"admin", *SERVICES}
    for user in users.values():
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "surgery"
    rendered = set().union(*(grants_of(users[service]) for service in SERVICES))
    assert rendered == set(wanted_grants())
    for service in SERVICES:
        assert users[service]["spec"]["authorization"]["type"] == "simple"
    # The scheduling service reads what resources publishes but may not write it.
    scheduling = grants_of(users["scheduling"])
    staff = "resources.staff.v1"
    assert any(g.resource_name == staff and g.operation is Operation.READ for g in scheduling)
    assert not any(g.resource_name == staff and g.operation is Operation.WRITE for g in scheduling)
    assert (
        Grant(
            "User:scheduling",
            ResourceType.GROUP,
            "scheduling-",
            PatternType.PREFIXED,
            Operation.READ,
        )
        in scheduling
    )


def test_production_kafka_runs_three_brokers_replication_3_min_isr_2_across_zones():
    kafka = one("production", "Kafka")["spec"]["kafka"]
    assert brokers("production") == 3
    controllers = [
        p for p in of_kind("production", "KafkaNodePool") if "controller" in p["spec"]["roles"]
    ]
    assert sum(p["spec"]["replicas"] for p in controllers) == 3
    config = kafka["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.min.isr"] == 2
    assert config["auto.create.topics.enable"] is False
    assert kafka["rack"]["topologyKey"] == ZONE
    assert kafka["version"] == "4.1.2"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_listens_only_on_tls_with_scram_and_authorizes_by_acl(overlay):
    kafka = one(overlay, "Kafka")
    assert kafka["metadata"]["name"] == "surgery"
    listeners = kafka["spec"]["kafka"]["listeners"]
    assert [(x["name"], x["port"], x["tls"]) for x in listeners] == [("tls", 9093, True)]
    assert listeners[0]["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple", "superUsers": ["admin"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_fits_the_brokers_of_its_overlay(overlay):
    # Topics take the cluster's default replication factor: it must fit the brokers, and an
    # acks=all write must be able to reach min.insync.replicas with one broker down, but one.
    config = kafka_config(overlay)
    count = brokers(overlay)
    assert 1 <= config["default.replication.factor"] <= count
    assert config["min.insync.replicas"] <= config["default.replication.factor"]
    assert config["offsets.topic.replication.factor"] <= count
    if count > 1:
        assert config["min.insync.replicas"] < config["default.replication.factor"]
    for topic in of_kind(overlay, "KafkaTopic"):
        assert "replicas" not in topic["spec"] or topic["spec"]["replicas"] <= count


def test_dev_runs_one_broker_with_replication_1():
    config = kafka_config("dev")
    assert brokers("dev") == 1
    assert (config["default.replication.factor"], config["min.insync.replicas"]) == (1, 1)


def clusters(overlay: str) -> dict[str, dict[str, Any]]:
    return {c["metadata"]["name"]: c["spec"] for c in of_kind(overlay, "Cluster")}


@pytest.mark.parametrize("overlay", ["pilot", "production"])
def test_every_service_database_has_three_instances_a_sync_standby_and_nightly_backups(overlay):
    found = clusters(overlay)
    assert set(found) == {f"{service}-db" for service in SERVICES}
    backups = {b["spec"]["cluster"]["name"]: b["spec"] for b in of_kind(overlay, "ScheduledBackup")}
    for name, spec in found.items():
        assert spec["instances"] == 3
        sync = spec["postgresql"]["synchronous"]
        assert sync["number"] >= 1 and sync["dataDurability"] == "required"
        assert spec["affinity"]["podAntiAffinityType"] == "required"
        store = spec["backup"]["barmanObjectStore"]
        assert store["destinationPath"].startswith("s3://") and "wal" in store
        assert spec["backup"]["retentionPolicy"]
        assert not backups[name].get("suspend", False)
        assert backups[name]["method"] == "barmanObjectStore"


def test_each_database_is_bootstrapped_as_postgres_init_sql_makes_it_locally():
    init_sql = (ROOT / "deploy" / "docker" / "postgres-init.sql").read_text()
    for name, spec in clusters("production").items():
        initdb = spec["bootstrap"]["initdb"]
        service = name.removesuffix("-db")
        assert (initdb["database"], initdb["owner"]) == (service, f"{service}_svc")
        assert f"('{service}', '{service}_svc')" in init_sql
        assert spec["imageName"].rsplit(":", 1)[1].startswith("15.")


def test_dev_runs_one_postgres_instance_per_service_without_a_backup_schedule():
    for spec in clusters("dev").values():
        assert spec["instances"] == 1
        assert "synchronous" not in spec["postgresql"]
    assert all(b["spec"]["suspend"] for b in of_kind("dev", "ScheduledBackup"))


def test_every_rule_of_the_local_prometheus_is_in_a_prometheus_rule():
    rendered = {
        r["metadata"]["name"]: r["spec"]["groups"] for r in of_kind("production", "PrometheusRule")
    }
    for path in RULE_FILES:
        groups = yaml.safe_load(path.read_text())["groups"]
        assert rendered["surgery-" + path.name.removesuffix(".rules.yml")] == groups
    assert len(rendered) == len(RULE_FILES)


def test_every_service_is_scraped_as_the_rules_expect():
    monitors = {m["metadata"]["name"]: m for m in of_kind("production", "ServiceMonitor")}
    assert set(monitors) == set(SERVICES)
    for service, monitor in monitors.items():
        [endpoint] = monitor["spec"]["endpoints"]
        labels = {r["targetLabel"]: r["replacement"] for r in endpoint["relabelings"]}
        assert labels == {"job": "surgery-scheduling", "service": service}
        assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == service
    jobs = {
        m["metadata"]["name"]: m["spec"]["podMetricsEndpoints"][0]["relabelings"][0]
        for m in of_kind("production", "PodMonitor")
    }
    assert {name: r["replacement"] for name, r in jobs.items()} == {
        "kafka": "kafka",
        "postgres": "postgres",
    }


def test_the_brokers_export_metrics_with_the_local_jmx_exporter_configuration():
    metrics = one("production", "Kafka")["spec"]["kafka"]["metricsConfig"]
    ref = metrics["valueFrom"]["configMapKeyRef"]
    [config_map] = [
        c for c in of_kind("production", "ConfigMap") if c["metadata"]["name"] == ref["name"]
    ]
    local = (ROOT / "deploy" / "kafka" / "jmx-exporter.yml").read_text()
    assert config_map["data"][ref["key"]] == local


def test_the_generated_files_are_up_to_date(capsys):
    assert generate.main(["--check"]) == 0, capsys.readouterr().err


def test_the_check_fails_when_a_generated_file_is_edited_by_hand(tmp_path, monkeypatch, capsys):
    files = generate.expected_files()
    copies = {}
    for path, text in files.items():
        copy = tmp_path / path.relative_to(KUBERNETES)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)
        copies[copy] = text
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    monkeypatch.setattr(generate, "expected_files", lambda: copies)
    assert generate.main(["--check"]) == 0
    edited = tmp_path / "base" / "kafka" / "topics.yaml"
    edited.write_text(edited.read_text().replace("partitions: 6", "partitions: 12"))
    assert generate.main(["--check"]) == 1
    assert "base/kafka/topics.yaml is stale" in capsys.readouterr().err


def test_every_generated_file_says_where_it_comes_from_and_not_to_edit_it():
    for path, text in generate.expected_files().items():
        first, second = text.splitlines()[:2]
        assert first.startswith("# Generated by deploy/kubernetes/generate.py; do not edit"), path
        assert second.startswith("# From "), path


def test_generated_files_are_in_their_kustomizations():
    for path in generate.expected_files():
        kustomization = yaml.safe_load((path.parent / "kustomization.yaml").read_text())
        assert path.name in kustomization["resources"]


def test_topics_users_and_clusters_are_named_as_valid_kubernetes_objects():
    names = [
        doc["metadata"]["name"]
        for kind in ("KafkaTopic", "KafkaUser", "Cluster")
        for doc in of_kind("production", kind)
    ]
    # A DNS subdomain: each topic keeps its own name as the object's, no spec.topicName.
    pattern = r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?"
    assert all(re.fullmatch(pattern, n) and len(n) <= 63 for n in names), names


def test_the_postgres_metrics_the_rules_read_are_exported_under_their_local_names():
    [config_map] = [
        c for c in of_kind("production", "ConfigMap") if c["metadata"]["name"] == "postgres-metrics"
    ]
    queries = yaml.safe_load(config_map["data"]["queries.yaml"])
    # CloudNativePG names a custom query's column cnpg_<query>_<column>.
    exported = {
        f"cnpg_{query}_{column}"
        for query, spec in queries.items()
        for metric in spec["metrics"]
        for column, usage in metric.items()
        if usage["usage"] in ("GAUGE", "COUNTER")
    }
    [rename] = [
        r
        for m in of_kind("production", "PodMonitor")
        if m["metadata"]["name"] == "postgres"
        for r in m["spec"]["podMetricsEndpoints"][0]["metricRelabelings"]
        if r["targetLabel"] == "__name__"
    ]
    scraped = {
        re.sub(f"^(?:{rename['regex']})$", rename["replacement"].replace("$1", r"\1"), name)
        for name in exported
    }
    rules = "\n".join(path.read_text() for path in RULE_FILES)
    read = set(re.findall(r"\bpg_[a-z_]+", rules))
    assert read and read <= scraped, read - scraped
