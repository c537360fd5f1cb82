"""Every overlay renders, and every object in it is what its schema allows: Kubernetes' own kinds
and the operators' custom resources (Strimzi, CloudNativePG, Prometheus Operator), strict, against
the pinned schemas of deploy/kubernetes/schemas. And docker-compose.yml is a valid Compose file.
No cluster runs here: this is what `kubectl apply --dry-run=server` would refuse first."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import jsonschema_rs
import pytest
import yaml

from tests.unit.deploy.kube import OVERLAYS, ROOT, of_kind, render, validate, validate_sets

COMPOSE_SCHEMA = ROOT / "deploy" / "docker" / "compose-spec.json"


def failures(results: list[dict[str, str]]) -> list[str]:
    return [
        f"{r['kind']} {r['name']}: {r['status']}: {r['msg']}"
        for r in results
        if r["status"] != "statusValid"
    ]


@functools.cache
def verdicts() -> dict[str, list[dict[str, str]]]:
    """Every overlay's objects validated in one kubeconform run."""
    return validate_sets({overlay: render(overlay) for overlay in OVERLAYS})


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_the_overlay_is_valid_against_its_vendored_schema(overlay: str) -> None:
    objects = render(overlay)
    assert objects, f"{overlay} renders no object"

    results = verdicts()[overlay]

    assert failures(results) == []
    assert len(results) == len(objects)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_uses_every_operator_it_is_validated_for(overlay: str) -> None:
    # A CRD-backed kind that vanished from the render would leave its schema untested.
    kinds = {doc["kind"] for doc in render(overlay)}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"} <= kinds
    assert {"Cluster", "ScheduledBackup"} <= kinds
    assert {"ServiceMonitor", "PrometheusRule"} <= kinds


def broken(overlay: str, kind: str, damage: Any) -> dict[str, Any]:
    obj = copy.deepcopy(of_kind(overlay, kind)[0])
    damage(obj)
    return obj


def misspell_a_container_field(deployment: dict[str, Any]) -> None:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["imagePullPolcy"] = container.pop("imagePullPolicy", "IfNotPresent")


def add_an_unknown_topic_setting(topic: dict[str, Any]) -> None:
    topic["spec"]["replica"] = 3


def give_instances_as_a_word(cluster: dict[str, Any]) -> None:
    cluster["spec"]["instances"] = "three"


def misname_the_endpoints(monitor: dict[str, Any]) -> None:
    monitor["spec"]["endpoint"] = monitor["spec"].pop("endpoints")


def put_a_field_at_the_top(kafka: dict[str, Any]) -> None:
    kafka["replicas"] = 3


@pytest.mark.parametrize(
    ("kind", "damage"),
    [
        ("Deployment", misspell_a_container_field),
        ("KafkaTopic", add_an_unknown_topic_setting),
        ("Cluster", give_instances_as_a_word),
        ("ServiceMonitor", misname_the_endpoints),
        ("Kafka", put_a_field_at_the_top),
    ],
)
def test_a_broken_object_of_the_production_overlay_is_refused(kind: str, damage: Any) -> None:
    obj = broken("production", kind, damage)

    [result] = validate([obj])

    assert result["status"] == "statusInvalid", result


def test_a_kind_without_a_vendored_schema_is_an_error_not_skipped() -> None:
    unknown = {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}}

    [result] = validate([unknown])

    assert result["status"] == "statusError"
    assert "could not find schema" in result["msg"]


def compose_validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(COMPOSE_SCHEMA.read_text()))


def compose_errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in compose_validator().iter_errors(document)
    ]


def test_docker_compose_yml_is_valid_against_the_compose_specification() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert compose_errors(compose) == []


def test_a_compose_file_with_a_misspelled_service_key_is_refused() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    compose["services"]["auth"]["healtcheck"] = compose["services"]["auth"].pop("healthcheck")

    assert any("healtcheck" in error for error in compose_errors(compose))
