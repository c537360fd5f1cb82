"""The FHIR orders e2e fixtures: scheduling's `world` (a surgeon of its own, retired after)."""

from tests.e2e.scheduling.conftest import world  # noqa: F401  (a fixture, used by name)
