"""Traces across HTTP, PostgreSQL and Kafka: OpenTelemetry, exported by OTLP when configured.

One request is followed from the gateway's `traceparent` through the service's routes and
queries, into the outbox row its transaction wrote, onto the Kafka message the relay sends, and
into the consumer that applies it. Without an endpoint no provider is installed and nothing is
recorded or exported, but an incoming `traceparent` is still handed on (`attach_caller_trace`
and the API's no-op spans), so log lines and events keep the caller's trace id.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from contextvars import Token
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import Attributes
from starlette.routing import get_route_path  # type: ignore[attr-defined]  # no public home

TRACEPARENT = "traceparent"
_UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_tracer = trace.get_tracer("servicekit")

KafkaHeaders = Sequence[tuple[str, bytes | None]]


def configure_tracing(service: str, otlp_endpoint: str | None) -> TracerProvider | None:
    """Export this process's spans to `otlp_endpoint` (an OTLP/HTTP base URL); none: stay off."""
    if not otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    install(provider)
    return provider


def install(provider: TracerProvider) -> None:
    """Make `provider` the process's own and trace every PostgreSQL query (once per process)."""
    provider.sampler = WithoutLoneQueries(provider.sampler)
    trace.set_tracer_provider(provider)
    # The instrumentation package ships no type information for its constructor.
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


class WithoutLoneQueries(Sampler):
    """Drops a query outside any trace (the relay's poll, the access guard's refresh, a probe's
    check), which would otherwise be a trace of one span every second or so; the rest is left
    to the SDK's sampler (`OTEL_TRACES_SAMPLER`, every trace by default)."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if kind == SpanKind.CLIENT and not parent.is_valid:
            return SamplingResult(Decision.DROP)
        return self._sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"WithoutLoneQueries{{{self._sampler.get_description()}}}"


def fastapi_telemetry() -> TelemetryConfig:
    """FastAPI's own spans: a SERVER span per request, parented by the caller's `traceparent`
    (the gateway's) and named by its route template, with spans for its dependencies, endpoint
    and serialization. FastAPI records them once a tracer provider is installed and costs next
    to nothing before. Metrics stay Prometheus's (`metrics.py`) and log lines ours (`logs.py`)."""
    return {"metrics": False, "logs": False, "exclude": _is_probe_or_scrape}


def _is_probe_or_scrape(scope: MutableMapping[str, Any]) -> bool:
    # Probes and scrapes every few seconds would bury the traces worth reading.
    return get_route_path(scope) in _UNTRACED_PATHS


def attach_caller_trace(traceparent: bytes) -> Token[Context] | None:
    """With tracing off, the caller's `traceparent` becomes the context of the request's work, so
    its log lines and outbox rows keep the caller's trace id, for the price of a header look-up
    (`servicekit.requests.RequestContextMiddleware` calls this when a request carries one). With
    tracing on, FastAPI's server span is already that context: nothing is attached (None).
    Returns the token that `detach_caller_trace` takes."""
    if trace.get_current_span().get_span_context().is_valid:
        return None
    return context.attach(propagate.extract({TRACEPARENT: traceparent.decode("latin-1")}))


def detach_caller_trace(token: Token[Context]) -> None:
    context.detach(token)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the work in progress, for the outbox row it writes."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def log_ids() -> tuple[str | None, str | None]:
    """The current trace id and span id in the hex form every tracing backend shows."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None, None
    return trace.format_trace_id(span_context.trace_id), trace.format_span_id(span_context.span_id)


@contextmanager
def publishing(topic: str, traceparent: str | None) -> Iterator[list[tuple[str, bytes]]]:
    """The relay's span for sending one outbox row, a child of the transaction that wrote it.

    Yields the Kafka headers that carry the trace on (none for a row written outside a trace).
    """
    if not traceparent:
        yield []
        return
    parent = propagate.extract({TRACEPARENT: traceparent})
    with _tracer.start_as_current_span(
        f"publish {topic}", context=parent, kind=SpanKind.PRODUCER, attributes=_on(topic)
    ):
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        yield [(key, value.encode()) for key, value in carrier.items()]


@contextmanager
def consuming(topic: str, group: str, event_id: str, headers: KafkaHeaders) -> Iterator[Span]:
    """The consumer's span around applying one event, continuing the trace its message carries."""
    attributes = {
        **_on(topic),
        "messaging.operation.type": "process",
        "messaging.consumer.group.name": group,
        "messaging.message.id": event_id,
    }
    with _tracer.start_as_current_span(
        f"process {topic}",
        context=_from_headers(headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span


def mark_failed(error: BaseException) -> None:
    """The current span ends in error (a message parked in the DLQ, say) without raising."""
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))


def _from_headers(headers: KafkaHeaders) -> Context | None:
    carrier = {
        key: value.decode("latin-1")
        for key, value in headers or ()
        if key == TRACEPARENT and value is not None
    }
    return propagate.extract(carrier) if carrier else None


def _on(topic: str) -> dict[str, str]:
    return {"messaging.system": "kafka", "messaging.destination.name": topic}
