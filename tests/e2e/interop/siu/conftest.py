"""The SIU e2e tests' fixtures: scheduling's `world` (a room, a team, a C-arm of their own)."""

from tests.e2e.scheduling.conftest import world  # noqa: F401  (a fixture, used by name)
