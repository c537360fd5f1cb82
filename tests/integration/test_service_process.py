"""A service process starts ready and, on SIGTERM, drains its work and exits cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

PORT = 18104


async def _until_ready(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        assert process.returncode is None, "the service exited during start-up"
        try:
            if (await client.get(f"http://127.0.0.1:{PORT}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("the service never became ready")


async def test_a_service_becomes_ready_and_stops_gracefully_on_sigterm():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "optimizer_service",
        "serve",
        cwd=ROOT,
        # One process, as before workers came: test_worker_processes.py stops several.
        env={**os.environ, "OPTIMIZER_PORT": str(PORT), "OPTIMIZER_WORKERS": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            await _until_ready(client, process)
        process.send_signal(signal.SIGTERM)
        signalled = asyncio.get_running_loop().time()
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        shutdown_seconds = asyncio.get_running_loop().time() - signalled
    finally:
        if process.returncode is None:
            process.kill()
    # Uvicorn re-raises the signal once it has shut down, so the exit status still says SIGTERM.
    assert process.returncode in (0, -signal.SIGTERM)
    messages = [json.loads(line)["message"] for line in output.decode().splitlines() if line]
    assert "optimizer service started" in messages
    # The workers stopped and the lifespan closed before the process ended, in that order.
    assert messages.index("optimizer service stopped") < messages.index(
        "Application shutdown complete."
    )
    # Workers that ignored the stop would be cancelled only after the 15 s grace period.
    assert shutdown_seconds < 10, f"shutdown took {shutdown_seconds:.1f}s"
    assert not [m for m in messages if "Traceback" in m or "Cancelled" in m]
