"""The FHIR cases e2e fixtures: scheduling's `world` (a room, a team, a C-arm of their own)."""

from tests.e2e.scheduling.conftest import world  # noqa: F401  (a fixture, used by name)
