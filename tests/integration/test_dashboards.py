"""Every Grafana dashboard panel's query runs on the local Prometheus (make up) after a short load
through the gateway: it parses, and it returns series unless the panel is listed below as one
that is empty until something rare has happened."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import gateway_client

pytestmark = pytest.mark.integration

PROMETHEUS = os.environ.get("TEST_PROMETHEUS_URL", "http://127.0.0.1:9090")
DASHBOARDS = Path(__file__).resolve().parents[2] / "deploy/grafana/dashboards"
# Grafana's variables, as the panels would get them.
VARIABLES = {"$__rate_interval": "1m", "$service": "scheduling"}
# Panels whose series appear only once something happened since the services (or Prometheus)
# started; their queries must still parse.
MAY_BE_EMPTY = {
    ("ss-overview", "Firing alerts"): "no alert fires on a healthy stack",
    ("ss-service", "Events published per second by topic"): "no event published yet",
    ("ss-service", "Events consumed per second by outcome"): "no event consumed yet",
    ("ss-service", "Consumer lag by topic"): "reported once a consumer has an assignment",
    ("ss-service", "Outbox publish time, p95"): "no outbox batch published in the window",
    ("ss-kafka", "Events consumed per second by group and outcome"): "no event consumed yet",
    ("ss-kafka", "Handling failures by group and kind, last hour"): "no handler failed",
    ("ss-kafka", "Consumer restarts by group, last hour"): "no consumer failed",
    ("ss-kafka", "Messages kept in dead-letter topics"): "the DLQ topics exist only once made",
    ("ss-kafka", "Consumer lag by group and topic"): "reported once a consumer has an assignment",
    ("ss-business", "Bookings by outcome, 24 h"): "no booking since scheduling started",
    ("ss-business", "Cases cancelled or postponed by reason, 24 h"): "none since it started",
    ("ss-business", "Conflicts named in refused bookings, 24 h"): "none since it started",
    ("ss-business", "Optimizations by event, 24 h"): "no optimization since it started",
    ("ss-business", "Solve time, p95 over the last hour"): "no solve in the last hour",
    ("ss-business", "Runs by outcome, 24 h"): "no optimization run since it started",
}
DEADLINE_SECONDS = 45


def panel_queries() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for name, value in VARIABLES.items():
                    expr = expr.replace(name, value)
                found.append((board["uid"], panel["title"], expr))
    return found


async def short_load(client: httpx.AsyncClient) -> None:
    """Sign in and read a page of each service, through the gateway, a few times over."""
    signed_in = await client.post(
        "/api/auth/token", data={"username": "viewer@example.org", "password": "demo-password"}
    )
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    paths = ["/api/auth/me", "/api/resources/operating-rooms", "/api/scheduling/optimizations"]
    paths += ["/api/optimizer/runs", "/api/scheduling/no-such-route"]
    for _ in range(5):
        for path in paths:
            answer = await client.get(path, headers=headers)
            assert answer.status_code < 500, (path, answer.text)


async def instant(client: httpx.AsyncClient, expr: str) -> list[dict]:
    answer = await client.get("/api/v1/query", params={"query": expr})
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "success", (expr, body)
    return body["data"]["result"]


def test_every_dashboard_has_panels_with_queries_and_unique_ids():
    queries = panel_queries()
    boards = {uid for uid, _, _ in queries}
    assert boards == {"ss-overview", "ss-service", "ss-kafka", "ss-business"}
    for path in DASHBOARDS.glob("*.json"):
        panels = json.loads(path.read_text())["panels"]
        ids = [p["id"] for p in panels]
        assert len(ids) == len(set(ids)), path.name
    assert set(MAY_BE_EMPTY) <= {(uid, title) for uid, title, _ in queries}


async def test_every_panel_query_parses_and_returns_series_after_a_short_load():
    async with (
        gateway_client(timeout=10) as gateway,
        httpx.AsyncClient(base_url=PROMETHEUS, timeout=10) as prometheus,
    ):
        targets = (await prometheus.get("/api/v1/targets")).json()["data"]["activeTargets"]
        down = {t["scrapeUrl"]: t["lastError"] for t in targets if t["health"] == "down"}
        await short_load(gateway)
        # Rates need a scrape after the load and recorded series a rule evaluation after that.
        pending = panel_queries()
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            empty = []
            for uid, title, expr in pending:
                if not await instant(prometheus, expr) and (uid, title) not in MAY_BE_EMPTY:
                    empty.append((uid, title, expr))
            if not empty or time.monotonic() > deadline:
                break
            pending = empty
            await asyncio.sleep(3)
        assert empty == [], f"panels without series (targets down: {down})"
