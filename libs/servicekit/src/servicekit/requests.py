"""Per-request context and observation: the request id travels in, into every log line and back
out; the caller's trace context is the request's (with tracing off); every request is timed
under its route template and written to the access log; an error nothing answered is answered
as a problem.

One middleware does all of it, for every request a health check included, so it does per
request only what that request needs: one pass over the headers, one wrapper of `send` that
touches the start message alone, the labelled histogram and the access line's record made
without the work `logging` would otherwise do to find the calling source line (which no line
shows). Each further layer cost every request a few microseconds of a core."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logs import correlation_id_var, request_id_var
from servicekit.metrics import HTTP_REQUEST_SECONDS
from servicekit.problems import answer_unexpected
from servicekit.tracing import attach_caller_trace, detach_caller_trace

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The gateway's own request ids (nginx's $request_id) and ours: 32 lowercase hex digits.
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_REQUEST_ID = b"x-request-id"
_CORRELATION_ID = b"x-correlation-id"
_TRACEPARENT = b"traceparent"
# Probes and scrapes are neither timed nor logged; readiness probes are timed, not logged.
_UNOBSERVED = frozenset({"/metrics", "/healthz"})
_UNLOGGED = "/readyz"
access_log = logging.getLogger("servicekit.access")

# The histogram's child per (method, route template, status): `labels` validates and converts
# its values and takes a lock on every call. As many entries as the histogram has series.
_timers: dict[tuple[str, str, int], Any] = {}


class RequestContextMiddleware:
    """The outermost of a service's own middlewares (`servicekit.app.create_app`): the trace
    context, the ids and the timing hold for everything inside, the answer to an unexpected
    error included (which keeps it from the server: see `servicekit.problems.UnexpectedErrors`,
    whose work this does too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_request_id = raw_correlation_id = traceparent = None
        for name, value in scope["headers"]:
            # The last request or correlation id counts, the first traceparent.
            if name == _REQUEST_ID:
                raw_request_id = value
            elif name == _CORRELATION_ID:
                raw_correlation_id = value
            elif name == _TRACEPARENT and traceparent is None:
                traceparent = value
        trace_token = None if traceparent is None else attach_caller_trace(traceparent)
        request_id = _accept(raw_request_id) or uuid.uuid4().hex
        correlation_id = _accept(raw_correlation_id) or _as_uuid(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        rid_token = request_id_var.set(request_id)
        cid_token = correlation_id_var.set(correlation_id)
        header = (_REQUEST_ID, request_id.encode("latin-1"))
        status = 0  # nothing sent yet
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_header(message.get("headers", ()), header)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if status:  # the answer has started: nothing left to answer
                raise
            await answer_unexpected(exc, scope, receive, send_with_id)
        finally:
            _observe(scope, status or 500, time.perf_counter() - started)
            request_id_var.reset(rid_token)
            correlation_id_var.reset(cid_token)
            if trace_token is not None:
                detach_caller_trace(trace_token)


def _with_header(headers: Any, header: tuple[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    # The response's header list, with `header` in place of any of that name it holds already
    # (a problem answer names the request id too); a new list, the response's own unchanged.
    name = header[0]
    return [*(item for item in headers if item[0] != name), header]


def _observe(scope: Scope, status: int, seconds: float) -> None:
    # Only the route template is a label: raw paths would explode the metric's cardinality.
    template = getattr(scope.get("route"), "path", None) or "unmatched"
    if template in _UNOBSERVED:
        return
    method = scope["method"]
    key = (method, template, status)
    timer = _timers.get(key)
    if timer is None:
        timer = _timers[key] = HTTP_REQUEST_SECONDS.labels(method, template, str(status))
    timer.observe(seconds)
    # Probes would drown the access log.
    if template != _UNLOGGED and access_log.isEnabledFor(logging.INFO):
        extra = {"route": template, "status": status, "duration_ms": round(seconds * 1000, 2)}
        access_log.handle(
            access_log.makeRecord(
                access_log.name,
                logging.INFO,
                "(unknown file)",
                0,
                "%s %s %d",
                (method, scope["path"], status),
                None,
                extra=extra,
            )
        )


def _accept(raw: bytes | None) -> str | None:
    if not raw:
        return None
    value = raw.decode("latin-1")
    return value if _VALID_ID.match(value) else None


def _as_uuid(request_id: str) -> str:
    # Events caused by this request carry a UUID correlation id; derive one when needed.
    if _HEX_ID.fullmatch(request_id):  # what uuid.UUID(request_id) would write, directly
        r = request_id
        return f"{r[:8]}-{r[8:12]}-{r[12:16]}-{r[16:20]}-{r[20:]}"
    try:
        return str(uuid.UUID(request_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, request_id))
