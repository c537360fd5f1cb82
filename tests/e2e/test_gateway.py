"""The gateway routes each service, tags every response, and keeps internals out of reach."""

from __future__ import annotations

import pytest

from tests.conftest import service_url

pytestmark = pytest.mark.e2e

SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_is_alive_and_ready_through_the_gateway(gateway, service):
    assert (await gateway.get(f"/api/{service}/healthz")).json() == {"status": "ok"}
    ready = await gateway.get(f"/api/{service}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_publishes_its_openapi_under_its_gateway_prefix(gateway, service):
    response = await gateway.get(f"/api/{service}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [{"url": f"/api/{service}"}]
    assert "/readyz" in document["paths"]


@pytest.mark.parametrize("service", SERVICES)
async def test_service_metrics_are_not_exposed_through_the_gateway(gateway, service):
    response = await gateway.get(f"/api/{service}/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "# HELP" not in response.text


async def test_the_fhir_base_url_reaches_interop_whole_and_its_answer_passes_unchanged(gateway):
    # /fhir/... goes to interop with its path (the service's FHIR routes are under /fhir): an
    # unknown resource type is the service's OperationOutcome in FHIR's media type, not the
    # gateway's problem+json, and it carries the gateway's headers like any API answer.
    response = await gateway.get("/fhir/NoSuchType", headers={"Accept": "application/fhir+json"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.headers["x-request-id"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_bare_fhir_path_is_the_gateways_problem_naming_the_fhir_base(gateway):
    response = await gateway.get("/fhir")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "/fhir/" in response.json()["detail"]


async def test_a_request_id_is_passed_on_and_returned(gateway):
    response = await gateway.get("/api/scheduling/healthz", headers={"X-Request-ID": "e2e-trace-1"})
    assert response.headers["x-request-id"] == "e2e-trace-1"


async def test_a_request_id_is_generated_when_missing(gateway):
    first = (await gateway.get("/api/auth/healthz")).headers["x-request-id"]
    second = (await gateway.get("/api/auth/healthz")).headers["x-request-id"]
    assert first and second and first != second


async def test_every_response_carries_the_security_headers(gateway):
    headers = (await gateway.get("/api/resources/healthz")).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in headers


async def test_errors_are_problem_json_with_a_detail(gateway):
    for path in ("/api/nowhere", "/api/scheduling/no-such-route"):
        response = await gateway.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json"), path
        assert response.json()["detail"], path


async def test_an_oversized_body_is_refused_with_a_problem(gateway):
    response = await gateway.post("/api/scheduling/anything", content=b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_services_time_requests_by_route_template_on_their_own_metrics_port(gateway):
    import httpx

    await gateway.get("/api/scheduling/readyz")
    async with httpx.AsyncClient() as direct:
        text = (await direct.get(f"{service_url('scheduling')}/metrics")).text
    assert 'http_request_duration_seconds_count{method="GET",route="/readyz",status="200"}' in text
    for family in ("events_published_total", "outbox_backlog", "events_consumed_total"):
        assert family in text


async def test_a_long_filter_list_passes_and_an_overlong_request_line_is_a_problem(gateway):
    # 600 repeated filters (~10 KB) fit the gateway's 16 KB request head, as they fit uvicorn's.
    fits = "&".join(["status=requested"] * 600)
    response = await gateway.get(f"/api/scheduling/surgeries?{fits}")
    assert response.status_code == 401  # reached the service, which wants a token
    overlong = "&".join(["status=requested"] * 1200)
    response = await gateway.get(f"/api/scheduling/surgeries?{overlong}")
    assert response.status_code == 414
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 414
