"""A connection failure is found however deep it is wrapped; nothing else is taken for one."""

from __future__ import annotations

import errno

import asyncpg.exceptions as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from servicekit.db_errors import is_connection_failure
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

SQLSTATE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OUTAGE_STATES = ("57P01", "57P02", "57P03")


def server_error(sqlstate: str) -> pg.PostgresError:
    """What asyncpg raises for an ErrorResponse carrying `sqlstate`."""
    return pg.PostgresError.new({"C": sqlstate, "M": f"server said {sqlstate}", "S": "FATAL"})


sqlstate_tails = st.text(SQLSTATE_CHARS, min_size=3, max_size=3)
outage_sqlstates = st.one_of(
    st.sampled_from(OUTAGE_STATES),
    st.builds(lambda cls, tail: cls + tail, st.sampled_from(["08", "53"]), sqlstate_tails),
)
other_sqlstates = st.text(SQLSTATE_CHARS, min_size=5, max_size=5).filter(
    lambda code: not code.startswith(("08", "53")) and code not in OUTAGE_STATES
)

connection_failures = st.one_of(
    outage_sqlstates.map(server_error),
    st.sampled_from(
        [
            lambda: ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
            lambda: ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
            lambda: OSError(errno.EHOSTUNREACH, "No route to host"),
            lambda: OSError("Multiple exceptions: [Errno 111] Connect call failed, [Errno 99] ..."),
            lambda: TimeoutError(),
            lambda: PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached"),
            lambda: pg.ConnectionDoesNotExistError("connection was closed in the middle"),
            lambda: pg.InterfaceError("cannot perform operation: connection is closed"),
            lambda: DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True),
        ]
    ).map(lambda make: make()),
)
other_failures = st.one_of(
    other_sqlstates.map(server_error),
    st.sampled_from(
        [
            lambda: ValueError("bad envelope"),
            lambda: KeyError("room_id"),
            lambda: FileNotFoundError(errno.ENOENT, "No such file"),
            lambda: PermissionError(errno.EACCES, "Permission denied"),
            lambda: pg.InterfaceError("cannot perform operation: another operation is in progress"),
            lambda: IntegrityError("INSERT", None, Exception("duplicate key")),
        ]
    ).map(lambda make: make()),
)


def wrap(inner: BaseException, how: str) -> BaseException:
    """`inner` behind one more layer, the ways drivers, SQLAlchemy and our code chain them."""
    match how:
        case "dbapi":
            outer: BaseException = DBAPIError("SELECT 1", None, inner)  # type: ignore[arg-type]
            outer.__cause__ = inner
        case "dbapi-orig-only":
            outer = DBAPIError("SELECT 1", None, inner)  # type: ignore[arg-type]
        case "raised-from":
            outer = RuntimeError("handler failed")
            outer.__cause__ = inner
        case _:
            outer = ValueError("while handling it, another failure")
            outer.__context__ = inner
    return outer


wrappings = st.lists(
    st.sampled_from(["dbapi", "dbapi-orig-only", "raised-from", "during-handling"]), max_size=5
)


def wrapped(root: BaseException, layers: list[str], cycle: bool) -> BaseException:
    outer = root
    for how in layers:
        outer = wrap(outer, how)
    if cycle and outer is not root:
        root.__context__ = outer  # chains can loop; the walk must still end
    return outer


@settings(max_examples=150)
@given(connection_failures, wrappings, st.booleans())
def test_a_connection_failure_is_recognised_under_any_wrapping(root, layers, cycle):
    assert is_connection_failure(wrapped(root, layers, cycle))


@settings(max_examples=150)
@given(other_failures, wrappings, st.booleans())
def test_no_other_failure_is_taken_for_an_outage_however_it_is_wrapped(root, layers, cycle):
    assert not is_connection_failure(wrapped(root, layers, cycle))


@pytest.mark.parametrize("sqlstate", ["57P03", "57P01", "08006", "53300"])
def test_the_servers_own_refusals_during_a_restart_are_outages(sqlstate):
    assert is_connection_failure(server_error(sqlstate))


@pytest.mark.parametrize("sqlstate", ["23505", "40P01", "57014", "55000", "42601"])
def test_constraint_deadlock_cancel_and_syntax_errors_are_not_outages(sqlstate):
    assert not is_connection_failure(server_error(sqlstate))


def test_a_group_of_failures_is_an_outage_only_when_each_is_one():
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    assert is_connection_failure(ExceptionGroup("connect", [refused, TimeoutError()]))
    assert not is_connection_failure(ExceptionGroup("mixed", [refused, ValueError("bad")]))


@pytest.mark.parametrize("outage", [True, False])
def test_a_group_whose_member_was_raised_inside_it_is_judged_by_its_members(outage):
    """A member whose context is its own group (an error raised while a task group unwinds, as
    a streaming response's is) once made the judgement recurse until RecursionError."""
    member = ConnectionRefusedError(errno.ECONNREFUSED, "refused") if outage else ValueError("x")
    group = ExceptionGroup("streaming", [member])
    member.__context__ = group
    assert is_connection_failure(group) is outage
    assert is_connection_failure(member) is outage
