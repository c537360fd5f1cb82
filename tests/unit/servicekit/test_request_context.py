"""What every request gets from the request-context middleware: its ids in and out, one access
line with its route template, status and duration, and its time in the histogram (probes and
scrapes neither timed nor logged); the caller's trace as its context with tracing off; an
unexpected error answered as a problem, not left to the server."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from servicekit import tracing
from servicekit.logs import configure_logging, correlation_id_var
from servicekit.problems import Problem, install_problem_handlers
from servicekit.requests import RequestContextMiddleware, _as_uuid

SHARED_HEADERS = [(b"x-shared", b"1")]


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str | None]:
        if thing_id == "missing":
            raise Problem(404, "No such thing.")
        return {"thing": thing_id, "correlation_id": correlation_id_var.get()}

    @app.get("/shared")
    async def shared() -> Response:
        # A response whose header list outlives the request: the request id is not added to it.
        response = Response(b"shared")
        response.raw_headers = SHARED_HEADERS
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    return TestClient(app)


def _access_lines(out: str) -> list[dict]:
    lines = [json.loads(raw) for raw in out.strip().splitlines() if raw.startswith("{")]
    return [line for line in lines if line["logger"] == "servicekit.access"]


def test_a_request_is_logged_once_with_its_template_status_duration_and_ids(client, capsys):
    configure_logging("resources", "INFO")
    capsys.readouterr()
    response = client.get("/things/t-1?x=1", headers={"X-Request-ID": "req-7"})
    assert response.status_code == 200
    [line] = _access_lines(capsys.readouterr().out)
    assert line["message"] == "GET /things/t-1 200"
    assert line["route"] == "/things/{thing_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "req-7"
    assert line["service"] == "resources"
    assert list(line) == [
        "ts", "level", "logger", "message",
        "service", "request_id", "correlation_id", "trace_id", "span_id",
        "route", "status", "duration_ms",
    ]  # fmt: skip


def test_probes_and_scrapes_are_not_logged_and_health_checks_not_timed(client, capsys):
    configure_logging("resources", "INFO")
    capsys.readouterr()
    labels = {"method": "GET", "route": "/readyz", "status": "200"}
    before = REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0
    client.get("/healthz")
    client.get("/readyz")
    assert _access_lines(capsys.readouterr().out) == []
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) == before + 1
    health = {**labels, "route": "/healthz"}
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", health) is None


def test_each_status_of_a_route_is_its_own_series(client):
    labels = {"method": "GET", "route": "/things/{thing_id}", "status": "404"}
    ok = {**labels, "status": "200"}
    before = REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0
    before_ok = REGISTRY.get_sample_value("http_request_duration_seconds_count", ok) or 0
    client.get("/things/missing")
    client.get("/things/missing")
    client.get("/things/there")
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) == before + 2
    assert REGISTRY.get_sample_value("http_request_duration_seconds_count", ok) == before_ok + 1


def test_a_problem_answer_names_the_request_id_once(client):
    response = client.get("/things/missing", headers={"X-Request-ID": "req-9"})
    assert response.status_code == 404
    assert response.headers.get_list("x-request-id") == ["req-9"]
    assert response.json()["request_id"] == "req-9"


def test_the_request_id_is_not_added_to_a_header_list_the_response_shares(client):
    for _ in range(2):
        response = client.get("/shared", headers={"X-Request-ID": "req-3"})
        assert response.headers.get_list("x-request-id") == ["req-3"]
    assert SHARED_HEADERS == [(b"x-shared", b"1")]


def test_the_last_of_repeated_id_headers_counts(client):
    response = client.get(
        "/things/t", headers=[("X-Request-ID", "first"), ("X-Request-ID", "second")]
    )
    assert response.headers["x-request-id"] == "second"


def test_a_correlation_id_is_taken_or_derived_from_the_request_id(client):
    given = client.get("/things/t", headers={"X-Correlation-ID": "corr-1"}).json()
    assert given["correlation_id"] == "corr-1"
    nginx_id = uuid.uuid4().hex
    derived = client.get("/things/t", headers={"X-Request-ID": nginx_id}).json()
    assert derived["correlation_id"] == str(uuid.UUID(nginx_id))
    generated = client.get("/things/t")
    assert generated.json()["correlation_id"] == str(uuid.UUID(generated.headers["x-request-id"]))


@pytest.mark.parametrize(
    "request_id",
    [
        uuid.uuid4().hex,
        uuid.uuid4().hex.upper(),
        str(uuid.uuid4()),
        "req-42",
        "0" * 32,
        "g" * 32,
        "urn:uuid:" + uuid.uuid4().hex,
    ],
)
def test_the_derived_correlation_id_is_what_uuid_writes(request_id):
    try:
        expected = str(uuid.UUID(request_id))
    except ValueError:
        expected = str(uuid.uuid5(uuid.NAMESPACE_URL, request_id))
    assert _as_uuid(request_id) == expected


def test_an_access_line_is_not_built_when_the_access_log_is_off(client, capsys):
    configure_logging("resources", "INFO")
    logging.getLogger("servicekit.access").setLevel(logging.WARNING)
    try:
        capsys.readouterr()
        client.get("/things/t-2")
        assert _access_lines(capsys.readouterr().out) == []
    finally:
        logging.getLogger("servicekit.access").setLevel(logging.NOTSET)


@pytest.fixture
def one_layer() -> FastAPI:
    # As create_app builds it: the request-context middleware answers unexpected errors itself.
    app = FastAPI()
    install_problem_handlers(app, catch_unexpected=False)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/boom")
    async def boom() -> dict:
        raise RuntimeError("secret internals")

    @app.get("/database-away")
    async def database_away() -> dict:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 55432)")

    @app.get("/late")
    async def late() -> StreamingResponse:
        async def body():
            yield b"started"
            raise RuntimeError("after the answer began")

        return StreamingResponse(body())

    @app.get("/traced")
    async def traced() -> dict[str, str | None]:
        logging.getLogger("tests.traced").info("inside")
        return {"traceparent": tracing.current_traceparent()}

    return app


def test_an_unexpected_error_is_answered_once_logged_and_timed_as_a_500(one_layer, capsys):
    configure_logging("resources", "INFO")
    capsys.readouterr()
    client = TestClient(one_layer, raise_server_exceptions=True)
    response = client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get_list("x-request-id") == ["req-500"]
    assert response.json()["request_id"] == "req-500"
    assert "secret" not in response.text
    lines = [json.loads(raw) for raw in capsys.readouterr().out.strip().splitlines()]
    [error] = [line for line in lines if line["message"] == "unhandled error"]
    assert error["request_id"] == "req-500"
    assert "RuntimeError" in error["exc_info"]
    [access] = [line for line in lines if line["logger"] == "servicekit.access"]
    assert (access["status"], access["route"], access["request_id"]) == (500, "/boom", "req-500")


def test_a_database_out_of_reach_is_a_503_with_retry_after(one_layer):
    response = TestClient(one_layer, raise_server_exceptions=True).get("/database-away")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


async def test_an_error_after_the_answer_started_still_reaches_the_server(one_layer):
    sent: list[dict] = []
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if requested:  # the client waits for the answer
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/late", "raw_path": b"/late", "root_path": "", "query_string": b"",
        "headers": [], "server": ("testserver", 80), "client": ("client", 1),
    }  # fmt: skip
    with pytest.raises(Exception):  # noqa: B017  # whatever Starlette's handler makes of it
        await one_layer(scope, receive, send)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [200]  # no second answer after the first began


def test_with_tracing_off_the_callers_trace_is_the_requests_context(one_layer, capsys):
    configure_logging("resources", "INFO")
    capsys.readouterr()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    caller = f"00-{trace_id}-00f067aa0ba902b7-01"
    client = TestClient(one_layer)
    answer = client.get("/traced", headers=[("traceparent", caller), ("traceparent", "junk")])
    assert answer.json()["traceparent"] == caller
    lines = [json.loads(raw) for raw in capsys.readouterr().out.strip().splitlines()]
    ours = [line for line in lines if line["logger"] in ("tests.traced", "servicekit.access")]
    assert [line["trace_id"] for line in ours] == [trace_id, trace_id]
    assert client.get("/traced").json()["traceparent"] is None
    assert tracing.current_traceparent() is None  # nothing left attached
