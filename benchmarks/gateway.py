"""Where the benchmarks reach the stack of `make up`: the gateway's address, and the one way to
open a client to it (so how it is trusted is decided here, once): HTTPS, verified with the CA
its certificate chains to (deploy/local/certs.sh makes it), never skipped."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
GATEWAY = os.environ.get("BENCH_GATEWAY_URL", "https://127.0.0.1:8443")
GATEWAY_CA = Path(os.environ.get("BENCH_GATEWAY_CA", ROOT / ".run" / "tls" / "ca.crt"))


def gateway_tls() -> ssl.SSLContext:
    """The TLS context of a client of the gateway: the system's defaults, trusting GATEWAY_CA."""
    return ssl.create_default_context(cafile=GATEWAY_CA)


def gateway_client(**options: Any) -> httpx.AsyncClient:
    """An HTTP client whose relative URLs go to the gateway (absolute ones too, trusted alike)."""
    return httpx.AsyncClient(base_url=GATEWAY, verify=gateway_tls(), **options)
