"""The shipped alert rules speak of metrics the services really expose."""

import re
from pathlib import Path

import yaml
from auth_service import metrics as auth_metrics  # noqa: F401 - registers auth's own
from optimizer_service import metrics as optimizer_metrics  # noqa: F401 - and the optimizer's
from prometheus_client import REGISTRY
from servicekit import metrics  # noqa: F401 - registers the metrics

RULES = Path(__file__).resolve().parents[2] / "deploy/prometheus/alerts.yml"
PROMQL_WORDS = {
    "min_over_time",
    "max",
    "by",
    "increase",
    "sum",
    "rate",
    "histogram_quantile",
    "service",
    "group",
    "topic",
    "le",
    "kind",
    "status",
    "job",
    "m",
    "outcome",
}


def exposed_sample_names() -> set[str]:
    # A labelled metric has no sample until first used: derive the names from the families.
    suffixes = {"counter": ("_total",), "histogram": ("_count", "_sum", "_bucket"), "gauge": ("",)}
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def test_every_alert_expression_names_an_exposed_metric():
    exposed = exposed_sample_names() | {"up"}
    rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert rules
    for rule in rules:
        expr = re.sub(r'"[^"]*"|\[[^\]]*\]', "", rule["expr"])
        names = set(re.findall(r"[a-z_][a-z0-9_]*", expr)) - PROMQL_WORDS
        assert names, rule["alert"]
        assert names <= exposed, f"{rule['alert']} names unknown metrics {names - exposed}"
