"""Docker gives every service container longer to stop than the service takes to shut down, so
a `docker compose stop` never SIGKILLs a relay or consumer before it commits what it holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from servicekit.settings import ServiceSettings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")


def seconds(duration: str) -> float:
    """A compose duration such as `45s`, `1m30s` or `1m`."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def shutdown_seconds() -> float:
    # uvicorn's graceful drain, then the lifespan's wait for the workers: each the grace period.
    return 2 * ServiceSettings.model_fields["shutdown_grace_seconds"].default


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_container_may_take_longer_to_stop_than_its_shutdown(service):
    definition = yaml.safe_load(COMPOSE.read_text())["services"][service]
    assert seconds(definition["stop_grace_period"]) > shutdown_seconds() + 5


@pytest.mark.parametrize("infrastructure", ["postgres", "kafka"])
def test_the_database_and_broker_are_not_killed_before_a_clean_stop(infrastructure):
    definition = yaml.safe_load(COMPOSE.read_text())["services"][infrastructure]
    assert seconds(definition["stop_grace_period"]) >= 30
