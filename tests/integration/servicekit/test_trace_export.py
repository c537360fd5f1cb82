"""With an OTLP endpoint configured, a service's spans leave the process by OTLP/HTTP."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

# A separate process: a process installs its tracer provider once, and this one holds the
# in-memory provider of the other tracing tests.
_SERVICE = """
import sys
from opentelemetry import trace
from servicekit.tracing import configure_tracing

provider = configure_tracing("exporting", sys.argv[1])
with trace.get_tracer("tests").start_as_current_span("booked"):
    pass
provider.shutdown()
"""


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list]]:
    """An OTLP/HTTP receiver on a free port that keeps what it was sent."""
    received: list[tuple[str, str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


async def test_spans_are_exported_by_otlp_http_named_by_their_service(collector):
    endpoint, received = collector
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SERVICE, endpoint, cwd=ROOT
    )
    assert await asyncio.wait_for(process.wait(), timeout=60) == 0

    ((path, content_type, body),) = received
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    request = ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "exporting"
    assert [s.name for scope in resource_spans.scope_spans for s in scope.spans] == ["booked"]
