"""Shared test settings: where the real PostgreSQL, Kafka and gateway listen.

`make test` runs the suites on a stack of their own (deploy/local/test.sh exports the TEST_*
variables); without them, the defaults are the stack of `make up`.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from servicekit.kafka import KafkaConnection

# One Hypothesis profile for the whole suite. The machine that runs it is shared and has two
# cores, so how long an example takes to generate or run says more about the machine's load than
# about the code: no per-example deadline, and no too_slow health check (it failed the contracts'
# envelope test now and then on a busy machine). What the properties check is unchanged.
# HYPOTHESIS_PROFILE=thorough runs more examples when hunting for a bug.
settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", parent=settings.get_profile("suite"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

ROOT = Path(__file__).resolve().parent.parent
# The broker, as its admin user: the harness creates and deletes topics of its own. Every Kafka
# client a test opens takes KAFKA.client_options() (or KAFKA itself, servicekit's factories).
# Without TEST_KAFKA_*, the broker of `make up`: SASL_SSL on 9092, the admin's development
# password (deploy/local/kafka-users.sh), the local CA.
KAFKA = (
    KafkaConnection.from_env("TEST_")
    if os.environ.get("TEST_KAFKA_BOOTSTRAP_SERVERS")
    else KafkaConnection(
        "127.0.0.1:9092",
        "SASL_SSL",
        username="admin",
        password="dev-only-kafka-admin-password",
        ca_file=str(ROOT / ".run" / "tls" / "ca.crt"),
    )
)
KIT_DATABASE_URL = os.environ.get(
    "TEST_KIT_DATABASE_URL",
    "postgresql+asyncpg://kit_test:dev-only-kit-test-db-password@127.0.0.1:55432/kit_test",
)
GATEWAY = os.environ.get("TEST_GATEWAY_URL", "https://127.0.0.1:8443")
# The CA the gateway's certificate chains to (deploy/local/certs.sh makes it; both stacks share
# it): every client of the gateway trusts it, and none skips verification.
GATEWAY_CA = Path(os.environ.get("TEST_GATEWAY_CA", ROOT / ".run" / "tls" / "ca.crt"))
# Its plain-HTTP port, which only redirects to GATEWAY.
GATEWAY_HTTP = os.environ.get("TEST_GATEWAY_HTTP_URL", "http://127.0.0.1:8080")
# The stack's run directory: its services' and infrastructure's logs are in LOGS.
RUN = Path(os.environ.get("TEST_RUN_DIR", ROOT / ".run"))
LOGS = RUN / "logs"
_DEFAULT_PORTS = {
    "auth": 8001,
    "resources": 8002,
    "scheduling": 8003,
    "optimizer": 8004,
    "interop": 8005,
}


def gateway_tls() -> ssl.SSLContext:
    """The TLS context of a client of the gateway: the system's defaults, trusting GATEWAY_CA."""
    return ssl.create_default_context(cafile=GATEWAY_CA)


def gateway_client(**options: Any) -> httpx.AsyncClient:
    """An HTTP client whose relative URLs go to the gateway, over HTTPS verified with its CA."""
    return httpx.AsyncClient(base_url=GATEWAY, verify=gateway_tls(), **options)


def service_url(name: str) -> str:
    """A service's own address, not the gateway's (its /metrics is served only there): the port
    in <NAME>_PORT, which deploy/local/test.sh exports for the test stack, or the default."""
    port = os.environ.get(f"{name.upper()}_PORT", _DEFAULT_PORTS[name])
    return f"http://127.0.0.1:{port}"
