"""The production overlay, as the cluster would receive it, keeps the rules a hospital relies on:
replicas and disruption budgets, sized and locked-down containers, probes, pinned images,
network policies, one database per service, and the migrations before the rollout."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from contracts.dataflow import SERVICES
from servicekit.settings import ServiceSettings

from tests.unit.deploy.kube import KUBERNETES, ROOT, of_kind, render

PRODUCTION = "production"
WORKLOADS = ("Deployment", "Job")


def pod_specs(overlay: str = PRODUCTION) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind/name, pod spec) of every Deployment and Job."""
    for kind in WORKLOADS:
        for workload in of_kind(overlay, kind):
            yield f"{kind}/{workload['metadata']['name']}", workload["spec"]["template"]["spec"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def all_containers(overlay: str = PRODUCTION) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, spec in pod_specs(overlay):
        for container in containers(spec):
            yield f"{name}/{container['name']}", container


def named(kind: str, name: str) -> dict[str, Any]:
    (found,) = [doc for doc in of_kind(PRODUCTION, kind) if doc["metadata"]["name"] == name]
    return found


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector with matchLabels only (the only kind these manifests use)."""
    assert set(selector) <= {"matchLabels"}, selector
    return selector.get("matchLabels", {}).items() <= labels.items()


def pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    return deployment["spec"]["template"]["metadata"]["labels"]


def environment(spec: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the process sees it: its ConfigMaps' values, then its own
    entries, each secret a stand-in naming the Secret it comes from and `$(VAR)` expanded."""
    config_maps = {doc["metadata"]["name"]: doc["data"] for doc in of_kind(PRODUCTION, "ConfigMap")}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], entry["value"])
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            env[entry["name"]] = f"from-secret-{ref['name']}-{ref['key']}-padded-to-32-chars"
    return env


def secret_names(spec: dict[str, Any]) -> set[str]:
    names = {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
    for container in containers(spec):
        for entry in container.get("env", []):
            if "valueFrom" in entry:
                names.add(entry["valueFrom"]["secretKeyRef"]["name"])
    return names


def settings_class_of(service: str) -> type[Any]:
    """The service's settings class: the one ServiceSettings its settings module defines (beside
    any models of its values, such as interop's MLLP endpoints)."""
    module = importlib.import_module(f"{service}_service.settings")
    (found,) = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and issubclass(value, ServiceSettings)
    ]
    return found


def service_pod_specs(service: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, spec)
        for name, spec in pod_specs()
        if name in (f"Deployment/{service}", f"Job/{service}-migrate")
    ]


def test_every_deployment_keeps_at_least_two_replicas():
    autoscalers = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"]["minReplicas"]
        for hpa in of_kind(PRODUCTION, "HorizontalPodAutoscaler")
    }
    for deployment in of_kind(PRODUCTION, "Deployment"):
        name = deployment["metadata"]["name"]
        replicas = autoscalers.get(name, deployment["spec"].get("replicas", 1))
        assert replicas >= 2, f"{name} may run {replicas} replica"


def test_every_deployment_has_a_disruption_budget_that_keeps_one_replica():
    budgets = of_kind(PRODUCTION, "PodDisruptionBudget")
    for deployment in of_kind(PRODUCTION, "Deployment"):
        name = deployment["metadata"]["name"]
        covering = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(deployment))]
        assert covering, f"no PodDisruptionBudget selects {name}"
        for budget in covering:
            spec = budget["spec"]
            assert spec.get("maxUnavailable") == 1 or spec.get("minAvailable", 0) >= 1, budget


def test_every_container_requests_and_limits_cpu_and_memory():
    for name, container in all_containers():
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert set(resources.get(bound, {})) >= {"cpu", "memory"}, f"{name}: {bound}"


def test_every_pod_runs_as_a_numeric_non_root_user_under_the_runtime_default_seccomp():
    for name, spec in pod_specs():
        context = spec.get("securityContext", {})
        assert context.get("runAsNonRoot") is True, name
        assert isinstance(context.get("runAsUser"), int) and context["runAsUser"] > 0, name
        assert isinstance(context.get("runAsGroup"), int) and context["runAsGroup"] > 0, name
        assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, name
        assert spec.get("automountServiceAccountToken") is False, name


def test_every_container_is_locked_down():
    for name, container in all_containers():
        context = container.get("securityContext", {})
        assert context.get("runAsNonRoot") is True, name
        assert isinstance(context.get("runAsUser"), int) and context["runAsUser"] > 0, name
        assert isinstance(context.get("runAsGroup"), int) and context["runAsGroup"] > 0, name
        assert context.get("allowPrivilegeEscalation") is False, name
        assert context.get("readOnlyRootFilesystem") is True, name
        assert context.get("capabilities", {}).get("drop") == ["ALL"], name
        assert context.get("privileged") is not True, name
        assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, name


def test_the_services_write_only_to_temporary_volumes():
    """With a read-only root, /tmp and the metrics of the worker processes are emptyDirs."""
    for service in SERVICES:
        for name, spec in service_pod_specs(service):
            scratch = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
            for container in containers(spec):
                mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
                assert mounts.get("/tmp") in scratch, f"{name}/{container['name']}"
                metrics = environment(spec, container).get("PROMETHEUS_MULTIPROC_DIR")
                if container["name"] == service:
                    assert metrics and mounts.get(metrics) in scratch, name


def test_every_service_is_ready_on_readyz_and_alive_on_healthz():
    for service in SERVICES:
        (container,) = named("Deployment", service)["spec"]["template"]["spec"]["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", service
        assert container["startupProbe"]["httpGet"]["path"] == "/readyz", service
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", service


def test_every_long_running_container_is_probed():
    for deployment in of_kind(PRODUCTION, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            name = f"{deployment['metadata']['name']}/{container['name']}"
            assert "readinessProbe" in container and "livenessProbe" in container, name


def test_no_image_is_untagged_or_latest():
    for name, container in all_containers():
        image = container["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert "@sha256:" in image or (tag and tag != "latest"), f"{name}: {image}"


def test_a_default_deny_policy_covers_every_deployment_and_job():
    deny = [
        policy
        for policy in of_kind(PRODUCTION, "NetworkPolicy")
        if set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not policy["spec"].get("ingress")
        and not policy["spec"].get("egress")
    ]
    assert deny, "no default-deny NetworkPolicy"
    for kind in WORKLOADS:
        for workload in of_kind(PRODUCTION, kind):
            labels = workload["spec"]["template"]["metadata"]["labels"]
            assert any(selects(p["spec"]["podSelector"], labels) for p in deny), kind


def test_every_deployment_has_a_network_policy_of_its_own():
    allowing = [p["spec"] for p in of_kind(PRODUCTION, "NetworkPolicy")]
    allowing = [spec for spec in allowing if spec.get("ingress") or spec.get("egress")]
    for deployment in of_kind(PRODUCTION, "Deployment"):
        labels = pod_labels(deployment)
        assert any(selects(spec["podSelector"], labels) for spec in allowing), labels


def test_each_service_reaches_only_its_own_database_cluster():
    for service in SERVICES:
        policy = named("NetworkPolicy", service)
        clusters = {
            peer["podSelector"]["matchLabels"]["cnpg.io/cluster"]
            for rule in policy["spec"]["egress"]
            for peer in rule.get("to", [])
            if "cnpg.io/cluster" in peer.get("podSelector", {}).get("matchLabels", {})
        }
        assert clusters == {f"{service}-db"}, service


def peers(rules: list[dict[str, Any]], direction: str) -> set[tuple[str, int]]:
    """(a peer's pod labels as `key=value,...`, port) for every port a policy's rules open."""
    opened = set()
    for rule in rules:
        for peer in rule.get(direction, []):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            name = ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
            opened |= {(name, port["port"]) for port in rule.get("ports", [])}
    return opened


def test_each_service_is_called_by_the_gateway_and_prometheus_and_calls_kafka_dns_and_the_jwks():
    for service in SERVICES:
        spec = named("NetworkPolicy", service)["spec"]
        (port,) = [p["port"] for p in named("Service", service)["spec"]["ports"]]
        assert peers(spec["ingress"], "from") >= {
            ("app.kubernetes.io/name=gateway", port),
            ("app.kubernetes.io/name=prometheus", port),
        }, service
        assert peers(spec["egress"], "to") >= {
            ("k8s-app=kube-dns", 53),
            ("strimzi.io/cluster=surgery,strimzi.io/kind=Kafka", 9093),
            ("app.kubernetes.io/name=gateway", 8443),
        }, service


def test_each_database_cluster_admits_only_its_own_service():
    for service in SERVICES:
        policy = named("NetworkPolicy", f"{service}-db")
        cluster = {"matchLabels": {"cnpg.io/cluster": f"{service}-db"}}
        assert policy["spec"]["podSelector"] == cluster, service
        admitted = {
            peer["podSelector"]["matchLabels"].get("app.kubernetes.io/name")
            for rule in policy["spec"]["ingress"]
            for peer in rule.get("from", [])
            if "podSelector" in peer and "namespaceSelector" not in peer
        }
        assert admitted - {None} == {service}, service


def test_each_service_names_only_its_own_database():
    databases = re.compile(rf"\b({'|'.join(SERVICES)})-db\b")
    for service in SERVICES:
        for name, spec in service_pod_specs(service):
            named_databases = {m for s in secret_names(spec) for m in databases.findall(s)}
            for container in containers(spec):
                env = environment(spec, container)
                named_databases |= {m for v in env.values() for m in databases.findall(v)}
                url = env[f"{service.upper()}_DATABASE_URL"]
                assert url.endswith(f"@{service}-db-rw:5432/{service}"), name
            assert named_databases == {service}, f"{name} names {named_databases}"


def test_each_service_accepts_its_production_settings(monkeypatch):
    """What the manifests give a service is what its settings read, and production accepts it:
    TLS to PostgreSQL, SASL_SSL to Kafka, the JWKS over HTTPS, no development secret."""
    for service in SERVICES:
        settings_class = settings_class_of(service)
        spec = named("Deployment", service)["spec"]["template"]["spec"]
        env = environment(spec, spec["containers"][0])
        prefix = f"{service.upper()}_"
        for variable in [v for v in os.environ if v.startswith(prefix)]:
            monkeypatch.delenv(variable)
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
        fields = {f"{prefix}{field.upper()}" for field in settings_class.model_fields}
        unknown = {variable for variable in env if variable.startswith(prefix)} - fields
        assert not unknown, f"{service} reads no {unknown}"
        settings = settings_class()
        assert settings.is_production, service
        assert settings.kafka_security_protocol == "SASL_SSL", service
        assert settings.database_sslmode == "verify-full", service


def test_each_service_is_migrated_by_a_job_before_its_replicas_start():
    for service in SERVICES:
        deployment = named("Deployment", service)["spec"]["template"]["spec"]
        job = named("Job", f"{service}-migrate")["spec"]["template"]["spec"]
        (migrate,) = job["containers"]
        assert migrate["command"][-2:] == [f"{service}_service", "migrate"], service
        assert migrate["image"] == deployment["containers"][0]["image"], service
        (wait,) = deployment["initContainers"]
        assert wait["image"] == migrate["image"], service
        assert wait["command"][-1].endswith("wait_for_migrations.py"), service


def test_the_gateway_serves_the_local_gateways_own_configuration():
    copy = KUBERNETES / "base" / "app" / "gateway" / "gateway.conf"
    local = ROOT / "deploy" / "nginx" / "gateway.conf"
    assert copy.read_text() == local.read_text(), f"cp {local} {copy}"
    (rendered,) = [c for c in of_kind(PRODUCTION, "ConfigMap") if "gateway.conf" in c["data"]]
    assert rendered["data"]["gateway.conf"] == local.read_text()


@pytest.mark.parametrize("overlay", ["dev", "pilot"])
def test_the_other_overlays_render_the_whole_application(overlay):
    deployments = {d["metadata"]["name"] for d in of_kind(overlay, "Deployment")}
    jobs = {j["metadata"]["name"] for j in of_kind(overlay, "Job")}
    assert deployments == {*SERVICES, "gateway"}
    assert jobs == {f"{service}-migrate" for service in SERVICES}
    assert all(doc["metadata"].get("namespace", "surgery") == "surgery" for doc in render(overlay))
