"""Per-request context and observation: the request id travels in, into every log line and back
out; every request is timed under its route template and written to the access log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.routing import get_route_path  # type: ignore[attr-defined]  # no public home
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logs import correlation_id_var, request_id_var
from servicekit.metrics import HTTP_REQUEST_SECONDS

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("servicekit.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = _accept(headers.get(b"x-request-id")) or uuid.uuid4().hex
        correlation_id = _accept(headers.get(b"x-correlation-id")) or _as_uuid(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        rid_token = request_id_var.set(request_id)
        cid_token = correlation_id_var.set(correlation_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _observe(scope, status, time.perf_counter() - started)
            request_id_var.reset(rid_token)
            correlation_id_var.reset(cid_token)


def _observe(scope: Scope, status: int, seconds: float) -> None:
    # Only the route template is a label: raw paths would explode the metric's cardinality.
    template = getattr(scope.get("route"), "path", None) or "unmatched"
    path = get_route_path(scope)
    if path in ("/metrics", "/healthz"):
        return
    HTTP_REQUEST_SECONDS.labels(scope["method"], template, str(status)).observe(seconds)
    # Probes would drown the access log.
    if path != "/readyz":
        access_log.info(
            "%s %s %d",
            scope["method"],
            scope["path"],
            status,
            extra={"route": template, "status": status, "duration_ms": round(seconds * 1000, 2)},
        )


def _accept(raw: bytes | None) -> str | None:
    if not raw:
        return None
    value = raw.decode("latin-1")
    return value if _VALID_ID.match(value) else None


def _as_uuid(request_id: str) -> str:
    # Events caused by this request carry a UUID correlation id; derive one when needed.
    try:
        return str(uuid.UUID(request_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, request_id))
