"""RFC 9457 problem details: every error a service answers is `application/problem+json`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.db_errors import (
    LOCK_TIMEOUT,
    STATEMENT_TIMEOUT,
    database_timeout,
    is_connection_failure,
)
from servicekit.logs import request_id_var

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

# Answers a problem in another format: the request, the problem's fields as `problem_response`
# made them, and the headers to send.
ProblemRenderer = Callable[[Request, dict[str, Any], dict[str, str]], Response]


@dataclass(frozen=True)
class ProblemFormat:
    """The errors under one path prefix in another format than problem+json (interop's FHIR API
    answers an OperationOutcome under /fhir): how they are answered, and how the OpenAPI
    document describes them (`media_type`, a JSON Schema put in its components as `name`)."""

    render: ProblemRenderer
    media_type: str
    name: str
    schema: dict[str, Any]


class Problem(Exception):
    """An error meant for the client, with a detail a person can act on."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    # Unexpected errors are answered outside the request-context middleware: use the scope.
    request_id = request_id_var.get() or request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
        headers = {**(headers or {}), "X-Request-ID": request_id}
    body.update(extensions)
    render = _renderer_for(request)
    if render is not None:
        return render(request, body, headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _renderer_for(request: Request) -> ProblemRenderer | None:
    app = request.scope.get("app")
    formats = getattr(getattr(app, "state", None), "problem_formats", None)
    found = format_for(_route_path(request), formats or {})
    return found.render if found else None


def format_for(path: str, formats: Mapping[str, ProblemFormat]) -> ProblemFormat | None:
    """The format of the problems of a route's `path`, or None for problem+json."""
    for prefix, found in formats.items():
        if path == prefix or path.startswith(f"{prefix}/"):
            return found
    return None


def _route_path(request: Request) -> str:
    # The path as routes see it: behind the gateway it starts with the root path (/api/<svc>).
    path: str = request.scope.get("path", "")
    root: str = request.scope.get("root_path", "")
    return path.removeprefix(root) if root and path.startswith(root) else path


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(
        request,
        exc.status,
        exc.detail,
        title=exc.title,
        type_=exc.type,
        headers=exc.headers,
        **exc.extensions,
    )


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return problem_response(request, exc.status_code, detail, headers=headers)


def _allowed_methods(request: Request) -> str:
    # Starlette names only the methods of the first route matching the path; a path served by
    # several routes (GET and POST /users) allows all of theirs.
    path = _route_path(request)
    routes = getattr(request.app.state, "routes_by_path", ())
    methods = {m for pattern, allowed in routes if pattern.match(path) for m in allowed}
    return ", ".join(sorted(methods))


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
    return problem_response(
        request, 422, f"The request is not valid: {summary}", title="Invalid request", errors=errors
    )


# What the database refused because another change got there first: the client may retry.
_CONFLICTS = {
    "23505": "it would repeat a value that must be unique",
    "23P01": "it would overlap another record in time",
    "23503": "it refers to a record that does not exist (any more)",
}


async def _on_integrity_error(request: Request, exc: Exception) -> Response:
    # The services check their rules first and name the record in the way; this is the
    # database's backstop when two requests race past those checks at the same moment.
    assert isinstance(exc, IntegrityError)
    reason = _CONFLICTS.get(getattr(exc.orig, "sqlstate", None) or "")
    if reason is None:
        return await _on_unexpected(request, exc)
    constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    log.info("database refused a change: %s", constraint)
    return problem_response(
        request,
        409,
        f"The change was refused because {reason}; another change probably came first. "
        "Read the record again and retry.",
        constraint=constraint,
    )


async def _on_database_error(request: Request, exc: Exception) -> Response:
    # Class 22 is "data exception": a value PostgreSQL cannot store or compare, such as a NUL
    # character or a date outside its range, that got past validation. The client's to fix.
    assert isinstance(exc, DBAPIError)
    if not str(getattr(exc.orig, "sqlstate", None) or "").startswith("22"):
        return await _on_unexpected(request, exc)
    log.info("database refused a value: %s", getattr(exc.orig, "sqlstate", None))
    return problem_response(
        request,
        422,
        "The request holds a value that cannot be stored, such as a NUL character or a date "
        "outside the years the schedule keeps.",
        title="Invalid request",
    )


# How long a client should wait before trying again while the database is away: a restart of
# PostgreSQL or a failover usually takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    if is_connection_failure(exc):
        return _database_unreachable(request, exc)
    timeout = database_timeout(exc)
    if timeout is not None:
        return _database_timed_out(request, timeout)
    log.exception("unhandled error", exc_info=exc)
    return problem_response(
        request, 500, "An unexpected error occurred; it has been logged with this request id."
    )


def _database_unreachable(request: Request, exc: Exception) -> Response:
    # An outage, not a bug: no stack trace, and only the type, since a DBAPI error's text
    # carries the statement and its parameters. The unit of work has rolled back.
    log.warning("database unreachable during a request: %s", type(exc).__name__)
    return problem_response(
        request,
        503,
        "The service cannot reach its database for the moment; try again in a few seconds. "
        "A change under way was not made, unless the connection broke while it was being "
        "committed: read the record again before repeating a write.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


# The database cancelled a statement that ran (statement_timeout) or waited for a lock
# (lock_timeout) longer than the service's connections allow: its title, detail, Retry-After.
_TIMED_OUT: dict[str, tuple[str, str, int]] = {
    STATEMENT_TIMEOUT: (
        "The database did not answer in time",
        "The database took too long over this request, so it was stopped and nothing was "
        "changed; try again in a few seconds.",
        DATABASE_RETRY_AFTER_SECONDS,
    ),
    LOCK_TIMEOUT: (
        "A record is being changed elsewhere",
        "A record this request needs is held by another change that has not finished, so "
        "nothing was changed; try again in a moment.",
        2,
    ),
}


def _database_timed_out(request: Request, sqlstate: str) -> Response:
    # Not a bug of this request: no stack trace, and only the SQLSTATE (never the statement or
    # its parameters). The unit of work has rolled back.
    log.warning("database cancelled a statement during a request: %s", sqlstate)
    title, detail, retry_after = _TIMED_OUT[sqlstate]
    return problem_response(
        request, 503, detail, title=title, headers={"Retry-After": str(retry_after)}
    )


class UnexpectedErrors:
    """Answers an unhandled error as a problem and keeps it from the server.

    Starlette re-raises such an error after its handler answered, and uvicorn then drops the
    keep-alive connection, which nginx may be about to reuse (a 502 for another request). Errors
    after the answer has started still propagate: there is nothing left to answer then.
    `servicekit.requests.RequestContextMiddleware` does the same in the same layer (a service's
    app has that one, not this).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started:
                raise
            await answer_unexpected(exc, scope, receive, send)


async def answer_unexpected(exc: Exception, scope: Scope, receive: Receive, send: Send) -> None:
    """Answers `exc`, raised before any answer started, as the problem it is (a 500, or a 503
    for a database away or too slow)."""
    response = await _on_unexpected(Request(scope, receive), exc)
    await response(scope, receive, send)


def install_problem_handlers(
    app: FastAPI,
    formats: Mapping[str, ProblemFormat] | None = None,
    *,
    catch_unexpected: bool = True,
) -> None:
    """Every error becomes a problem; under a prefix of `formats`, in that prefix's format.

    `catch_unexpected=False` leaves out `UnexpectedErrors`, for an app whose
    `RequestContextMiddleware` answers unexpected errors itself (`servicekit.app.create_app`)."""
    app.state.problem_formats = dict(formats or {})
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
    if catch_unexpected:
        # Innermost of the middlewares added after this, so the request context is still set.
        app.add_middleware(UnexpectedErrors)
