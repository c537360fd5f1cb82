"""Shared test settings: where the real PostgreSQL and Kafka of `make infra-up` listen."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KAFKA = os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
KIT_DATABASE_URL = os.environ.get(
    "TEST_KIT_DATABASE_URL",
    "postgresql+asyncpg://kit_test:dev-only-kit-test-db-password@127.0.0.1:55432/kit_test",
)
GATEWAY = os.environ.get("TEST_GATEWAY_URL", "http://127.0.0.1:8080")
