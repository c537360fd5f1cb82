"""Spans recorded in memory: the process's tracer provider, installed once, with an exporter
per test. The exporter is not what is under test; what reaches it is."""

from __future__ import annotations

from collections.abc import Iterator

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from servicekit import tracing


def recorded_spans() -> Iterator[InMemorySpanExporter]:
    """A pytest fixture body: every span ended while the test runs, in the order they ended."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        # A process installs its provider once; later tests add their exporter to it.
        provider = TracerProvider()
        tracing.install(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def trace_id_of(span: ReadableSpan) -> str:
    return trace.format_trace_id(span.context.trace_id)


def named(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]
