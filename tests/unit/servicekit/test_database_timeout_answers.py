"""A statement the database cancelled for running or waiting on a lock too long is a 503 to
retry, told apart from an outage and from a bug however it is wrapped."""

from __future__ import annotations

import logging

import asyncpg.exceptions as pg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from servicekit.db_errors import (
    LOCK_TIMEOUT,
    STATEMENT_TIMEOUT,
    database_timeout,
    is_connection_failure,
)
from servicekit.problems import install_problem_handlers
from servicekit.requests import RequestContextMiddleware
from sqlalchemy.exc import DBAPIError

from tests.unit.servicekit.test_db_errors import server_error, wrap

STATEMENT = "UPDATE surgery_requests SET status = $1 WHERE mrn = $2"


def _cancelled(sqlstate: str) -> DBAPIError:
    """How SQLAlchemy hands over asyncpg's error for a statement PostgreSQL cancelled."""
    driver = server_error(sqlstate)
    error = DBAPIError(STATEMENT, ("booked", "MRN-0042"), driver)  # type: ignore[arg-type]
    error.__cause__ = driver
    return error


@pytest.mark.parametrize("sqlstate", [STATEMENT_TIMEOUT, LOCK_TIMEOUT])
@pytest.mark.parametrize("how", ["dbapi", "dbapi-orig-only", "raised-from", "during-handling"])
def test_a_timeout_is_recognised_under_any_wrapping_and_is_no_outage(sqlstate, how):
    error = wrap(server_error(sqlstate), how)
    assert database_timeout(error) == sqlstate
    assert not is_connection_failure(error)


@pytest.mark.parametrize("sqlstate", ["57P01", "40P01", "55000", "23505", "42601"])
def test_other_database_errors_are_no_timeouts(sqlstate):
    assert database_timeout(_cancelled(sqlstate)) is None


def test_asyncpgs_own_timeout_errors_are_recognised():
    assert database_timeout(pg.QueryCanceledError("canceling statement")) == STATEMENT_TIMEOUT
    assert database_timeout(pg.LockNotAvailableError("lock timeout")) == LOCK_TIMEOUT


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    @app.post("/cases/{sqlstate}")
    async def book(sqlstate: str) -> dict:
        raise _cancelled(sqlstate)

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("sqlstate", "title", "retry_after"),
    [
        (STATEMENT_TIMEOUT, "The database did not answer in time", "5"),
        (LOCK_TIMEOUT, "A record is being changed elsewhere", "2"),
    ],
)
def test_a_cancelled_statement_is_a_503_problem_to_retry_without_the_statement(
    client, caplog, sqlstate, title, retry_after
):
    with caplog.at_level(logging.INFO):
        response = client.post(f"/cases/{sqlstate}")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == retry_after
    body = response.json()
    assert (body["title"], body["status"]) == (title, 503)
    assert "nothing was changed" in body["detail"]
    assert body["request_id"]
    logged = caplog.text + response.text
    assert "MRN-0042" not in logged
    assert "UPDATE" not in logged
    assert sqlstate in caplog.text
