"""Where the benchmarks reach the stack of `make up`: the gateway's address, and the ways to open
a client to it (so how it is trusted is decided here, once): HTTPS, verified with the CA its
certificate chains to (deploy/local/certs.sh makes it), never skipped.

Clients. `gateway_client` (httpx) sets a benchmark up and tidies after it. The traffic a
benchmark times goes through `gateway_session` (aiohttp), or, for the load benchmark's many
thousands, `benchmarks.keepalive` with `gateway_tls()`: the generator shares the machine's two
cores with the stack it measures, and httpx spends ~3.6 ms of CPU on a request through TLS where
aiohttp spends ~0.3-0.6 ms and keepalive ~0.2 ms (process CPU time), so with httpx a generator at
50 requests/s took a tenth of the machine from the services."""

from __future__ import annotations

import ipaddress
import os
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
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


def gateway_session(
    connections: int = 100, timeout: float = 60, local_address: str | None = None
) -> aiohttp.ClientSession:
    """An aiohttp session on the gateway (relative URLs), at most `connections` kept alive, each
    request failing after `timeout` seconds, its connections from `local_address` if given (a
    loopback address of its own: the gateway limits each client address); open it inside the
    event loop that uses it."""
    local = None if local_address is None else (local_address, 0)
    return aiohttp.ClientSession(
        base_url=GATEWAY,
        connector=aiohttp.TCPConnector(ssl=gateway_tls(), limit=connections, local_addr=local),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


def own_loopback_addresses(n: int, count: int = 1) -> list[str]:
    """`count` loopback addresses of its own for the `n`-th of several generators (127.0.0.10,
    .11, ...), so the gateway's limit per client address applies to each, as to a department's
    workstations; none when the gateway is not on this machine's loopback (a connection from a
    loopback address would not reach it)."""
    host = urlsplit(GATEWAY).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host) in ipaddress.ip_network(
            "127.0.0.0/8"
        )
    except ValueError:
        local = False
    first = 10 + n * count
    return [f"127.0.0.{first + k}" for k in range(count)] if local else []
