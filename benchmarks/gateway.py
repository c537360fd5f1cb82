"""Where the benchmarks reach the stack of `make up`: the gateway's address, and the one way to
open a client to it (so how it is trusted is decided here, once)."""

from __future__ import annotations

import os
from typing import Any

import httpx

GATEWAY = os.environ.get("BENCH_GATEWAY_URL", "http://127.0.0.1:8080")


def gateway_client(**options: Any) -> httpx.AsyncClient:
    """An HTTP client whose relative URLs go to the gateway."""
    return httpx.AsyncClient(base_url=GATEWAY, **options)
