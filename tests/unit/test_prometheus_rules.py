"""The Prometheus configuration, recording rules and alerts in deploy/prometheus are valid, and
every rule has promtool unit tests that pass: each alert firing and staying quiet, each
recording rule in two situations. Needs promtool and amtool (Debian's prometheus and
prometheus-alertmanager packages, installed by `make install`)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from auth_service import metrics as auth_metrics  # noqa: F401 - registers auth's own
from interop_service.siu import metrics as interop_metrics  # noqa: F401 - interop's SIU feed's
from optimizer_service import metrics as optimizer_metrics  # noqa: F401 - and the optimizer's
from prometheus_client import REGISTRY
from scheduling_service import metrics as scheduling_metrics  # noqa: F401 - and scheduling's
from servicekit import metrics  # noqa: F401 - registers the metrics every service has

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy/prometheus"
RULE_FILES = sorted(PROMETHEUS.glob("*.rules.yml"))
TEST_FILES = sorted((PROMETHEUS / "tests").glob("*.test.yml"))
OPERATIONS = ROOT / "docs/operations.md"
# Metric name prefixes the services define in Python; the exporters' names are checked against
# a running Prometheus by tests/integration/test_dashboards.py.
SERVICE_PREFIXES = ("http_", "events_", "outbox_", "consumer_")
SERVICE_PREFIXES += ("auth_", "scheduling_", "optimizer_", "interop_")
# Beside the broker's own kafka_* series (the JMX exporter's), the one every service sets.
SERVICE_PREFIXES += ("kafka_broker_reachable",)


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: run 'make install' (Debian's Prometheus packages)"
    return path


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def rules() -> list[dict]:
    return [
        r for f in RULE_FILES for g in yaml.safe_load(f.read_text())["groups"] for r in g["rules"]
    ]


def promtool_cases() -> list[dict]:
    return [case for f in TEST_FILES for case in yaml.safe_load(f.read_text())["tests"]]


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_the_prometheus_config_passes_promtool_check_config(config):
    out = run(tool("promtool"), "check", "config", config)
    assert f"SUCCESS: {len(RULE_FILES)} rule files found" in out


def test_the_rule_files_pass_promtool_check_rules():
    run(tool("promtool"), "check", "rules", *map(str, RULE_FILES))


def test_the_alertmanager_config_passes_amtool():
    run(tool("amtool"), "check-config", "alertmanager.yml")


def test_the_rules_pass_their_promtool_unit_tests():
    assert TEST_FILES
    out = run(tool("promtool"), "test", "rules", *map(str, TEST_FILES))
    assert out.count("SUCCESS") == len(TEST_FILES), out


def test_every_alert_is_tested_firing_and_staying_quiet():
    firing, quiet = set(), set()
    for case in promtool_cases():
        for check in case.get("alert_rule_test", []):
            (firing if check["exp_alerts"] else quiet).add(check["alertname"])
    alerts = {r["alert"] for r in rules() if "alert" in r}
    assert alerts
    assert alerts - firing == set(), "alerts never tested firing"
    assert alerts - quiet == set(), "alerts never tested staying quiet"


def test_every_recording_rule_is_tested_in_two_situations():
    seen: dict[str, set[str]] = {}
    for case in promtool_cases():
        for check in case.get("promql_expr_test", []):
            values = tuple(sorted((s["labels"], s["value"]) for s in check["exp_samples"]))
            seen.setdefault(check["expr"], set()).add(repr(values))
    records = {r["record"] for r in rules() if "record" in r}
    assert records
    untested = {r for r in records if len(seen.get(r, ())) < 2}
    assert untested == set(), "recording rules not tested with two different outcomes"


def test_every_alert_has_a_summary_a_description_and_a_runbook_section():
    anchors = {
        re.sub(r"[^a-z0-9-]", "", line[4:].strip().lower().replace(" ", "-"))
        for line in OPERATIONS.read_text().splitlines()
        if line.startswith("### ")
    }
    for rule in (r for r in rules() if "alert" in r):
        notes = rule["annotations"]
        assert notes.get("summary") and notes.get("description"), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        path, _, anchor = notes["runbook_url"].partition("#")
        assert path == "docs/operations.md" and anchor in anchors, rule["alert"]


def exposed_sample_names() -> set[str]:
    # A labelled metric has no sample until first used: derive the names from the families.
    suffixes = {"counter": ("_total",), "histogram": ("_count", "_sum", "_bucket"), "gauge": ("",)}
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def test_every_rule_names_only_service_metrics_that_exist():
    exposed = exposed_sample_names()
    for rule in rules():
        expr = re.sub(r'"[^"]*"|\[[^\]]*\]', "", rule["expr"])
        names = set(re.findall(r"[a-z_:][a-z0-9_:]*", expr))
        # Recorded series (level:metric:operation) are checked by their own rules.
        ours = {n for n in names if n.startswith(SERVICE_PREFIXES) and ":" not in n}
        assert ours <= exposed, f"{rule.get('alert') or rule['record']}: {ours - exposed}"
