"""One trace id follows the work: from the caller's `traceparent` through the routes and log
lines, into the outbox row, onto the Kafka headers, and into the consumer's span."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import SecretStr, ValidationError
from servicekit import tracing
from servicekit.app import create_app
from servicekit.logs import configure_logging
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData

from tests.unit.servicekit.spans import named, recorded_spans, trace_id_of

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


class _Settings(ServiceSettings):
    database_url: SecretStr = SecretStr("postgresql+asyncpg://u:dev-only@127.0.0.1:1/none")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    yield from recorded_spans()


def _app_answering(route: str, answer) -> TestClient:
    router = APIRouter()
    router.add_api_route(route, answer, methods=["GET"])
    service = ServiceDefinition(
        name="tracing",
        title="Tracing",
        description="A service whose one route reports what the trace looks like inside it.",
        settings=_Settings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[router],
    )
    return TestClient(create_app(service))


def test_a_request_continues_the_callers_trace_in_a_server_span_named_by_its_route(spans):
    async def inside() -> dict:
        return {"traceparent": tracing.current_traceparent()}

    client = _app_answering("/rooms/{code}", inside)

    answer = client.get("/rooms/OR-3", headers={"traceparent": CALLER_TRACEPARENT})

    (server,) = named(spans.get_finished_spans(), "GET /rooms/{code}")
    assert server.kind == SpanKind.SERVER
    assert trace_id_of(server) == CALLER_TRACE
    assert server.parent.span_id == int("00f067aa0ba902b7", 16)
    # What the route's transaction would write to the outbox: its endpoint span, in the request's.
    (endpoint,) = named(spans.get_finished_spans(), "fastapi.endpoint")
    assert endpoint.parent.span_id == server.context.span_id
    assert answer.json()["traceparent"] == f"00-{CALLER_TRACE}-{endpoint.context.span_id:016x}-01"


def test_with_tracing_off_a_request_still_works_in_the_callers_trace_context(spans, monkeypatch):
    async def inside() -> dict:
        return {"traceparent": tracing.current_traceparent()}

    # As before the lifespan installs a provider: FastAPI records nothing then.
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", None)
    client = _app_answering("/rooms/{code}", inside)

    answer = client.get("/rooms/OR-3", headers={"traceparent": CALLER_TRACEPARENT})
    unheaded = client.get("/rooms/OR-3")

    assert answer.json()["traceparent"] == CALLER_TRACEPARENT
    assert unheaded.json()["traceparent"] is None
    assert spans.get_finished_spans() == ()


def test_probes_and_scrapes_are_not_traced(spans):
    client = _app_answering("/rooms", lambda: {})
    for path in ("/healthz", "/metrics"):
        assert client.get(path, headers={"traceparent": CALLER_TRACEPARENT}).status_code == 200
    assert spans.get_finished_spans() == ()


def test_a_query_is_recorded_inside_a_trace_and_dropped_outside_any(spans):
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT) as lone:
        assert not lone.is_recording()
    with (
        tracer.start_as_current_span("PUT /surgeries/{surgery_id}/booking", kind=SpanKind.SERVER),
        tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT) as query,
    ):
        assert query.is_recording()
    assert [span.name for span in spans.get_finished_spans()] == [
        "SELECT",
        "PUT /surgeries/{surgery_id}/booking",
    ]


def test_a_log_line_carries_the_trace_and_span_ids_of_the_work_in_progress(spans, capsys):
    configure_logging("tracing", "INFO")
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("booking") as span:
        logging.getLogger("scheduling_service.booking").info("booked")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["trace_id"] == f"{span.get_span_context().trace_id:032x}"
    assert line["span_id"] == f"{span.get_span_context().span_id:016x}"


def test_a_log_line_outside_any_trace_has_no_trace_id(capsys):
    configure_logging("tracing", "INFO")
    logging.getLogger("scheduling_service.booking").info("idle")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["trace_id"] is None
    assert line["span_id"] is None


def test_work_outside_any_trace_writes_no_traceparent_to_the_outbox():
    assert tracing.current_traceparent() is None


def test_the_relay_sends_an_outbox_rows_trace_on_from_a_producer_span_child_of_its_writer(spans):
    with tracing.publishing("scheduling.bookings.v1", CALLER_TRACEPARENT) as headers:
        pass

    (publish,) = named(spans.get_finished_spans(), "publish scheduling.bookings.v1")
    assert publish.kind == SpanKind.PRODUCER
    assert trace_id_of(publish) == CALLER_TRACE
    assert publish.parent.span_id == int("00f067aa0ba902b7", 16)
    sent = dict(headers)[tracing.TRACEPARENT].decode()
    assert sent == f"00-{CALLER_TRACE}-{publish.context.span_id:016x}-01"


def test_a_row_written_outside_any_trace_is_sent_without_trace_headers_or_span(spans):
    with tracing.publishing("scheduling.bookings.v1", None) as headers:
        pass
    assert headers == []
    assert spans.get_finished_spans() == ()


def test_without_a_tracer_provider_the_relay_and_consumer_still_hand_the_trace_on(monkeypatch):
    # Tracing off: nothing is recorded, but the caller's trace id reaches the next outbox row.
    monkeypatch.setattr(tracing, "_tracer", trace.NoOpTracer())
    with tracing.publishing("scheduling.bookings.v1", CALLER_TRACEPARENT) as headers:
        pass
    assert headers == [(tracing.TRACEPARENT, CALLER_TRACEPARENT.encode())]
    with tracing.consuming("scheduling.bookings.v1", "resources-service", "e-1", headers) as span:
        assert not span.is_recording()
        assert tracing.current_traceparent() == CALLER_TRACEPARENT


def test_the_consumer_applies_an_event_in_a_span_child_of_the_message_it_came_in(spans):
    headers = [("event_type", b"CaseBooked"), ("traceparent", CALLER_TRACEPARENT.encode())]

    with tracing.consuming("scheduling.bookings.v1", "resources-service", "e-1", headers):
        inner_traceparent = tracing.current_traceparent()

    (process,) = named(spans.get_finished_spans(), "process scheduling.bookings.v1")
    assert process.kind == SpanKind.CONSUMER
    assert trace_id_of(process) == CALLER_TRACE
    assert process.parent.span_id == int("00f067aa0ba902b7", 16)
    assert process.attributes["messaging.consumer.group.name"] == "resources-service"
    assert process.attributes["messaging.message.id"] == "e-1"
    # Events the handler writes carry the trace further.
    assert inner_traceparent.split("-")[1] == CALLER_TRACE


@pytest.mark.parametrize(
    "headers",
    [[], None, [("traceparent", b"not-a-traceparent")], [("traceparent", None)]],
    ids=["no-headers", "none", "malformed", "empty-value"],
)
def test_a_message_without_a_usable_traceparent_starts_a_trace_of_its_own(spans, headers):
    with tracing.consuming("auth.users.v1", "scheduling-service", "e-2", headers):
        pass
    (process,) = spans.get_finished_spans()
    assert process.parent is None
    assert process.context.trace_id != int(CALLER_TRACE, 16)


def test_a_dead_lettered_event_ends_its_span_in_error(spans):
    with tracing.consuming("auth.users.v1", "scheduling-service", "e-3", []):
        tracing.mark_failed(ValueError("no such room"))
    (process,) = spans.get_finished_spans()
    assert process.status.status_code == StatusCode.ERROR
    assert process.events[0].name == "exception"


def test_tracing_stays_off_without_an_otlp_endpoint(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    settings = _Settings()
    assert settings.otlp_endpoint is None
    assert tracing.configure_tracing("tracing", settings.otlp_endpoint) is None


def test_the_standard_otlp_endpoint_variable_configures_the_exporter(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert _Settings().otlp_endpoint == "http://collector:4318"


def test_an_otlp_endpoint_that_is_not_an_http_url_is_refused(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")
    with pytest.raises(ValidationError, match="otlp_endpoint"):
        _Settings()
