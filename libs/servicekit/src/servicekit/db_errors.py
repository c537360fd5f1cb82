"""Telling a database outage, or a statement the database gave up on, from a bad statement:
one rule for consumers and for HTTP answers."""

from __future__ import annotations

import errno
import socket

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# 08: connection exception; 53: insufficient resources (too many connections, disk full, ...).
_OUTAGE_SQLSTATE_CLASSES = ("08", "53")
# admin_shutdown, crash_shutdown, cannot_connect_now ("the database system is starting up").
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.EADDRNOTAVAIL,
    }
)
# query_canceled (statement_timeout) and lock_not_available (lock_timeout): PostgreSQL gave up
# on a statement that ran, or waited for a lock, longer than the connection allows.
STATEMENT_TIMEOUT = "57014"
LOCK_TIMEOUT = "55P03"
# asyncpg's words for using a connection the server or the pool already dropped.
_CLOSED_CONNECTION_WORDS = ("connection is closed", "connection was closed")


def is_connection_failure(exc: BaseException) -> bool:
    """Whether `exc`, or anything it was raised from, says the database could not be reached.

    Such a failure is the infrastructure's, not the request's or the message's: retrying later
    helps. Anything else (a constraint, a syntax error, a handler's bug) is not one.
    """
    return _fails_to_connect(exc, frozenset())


def _fails_to_connect(exc: BaseException, open_groups: frozenset[int]) -> bool:
    """`is_connection_failure`, inside the exception groups of `open_groups` (by id): a member
    raised from within its own group has that group in its chain, and the group is judged by
    its members, so there it says nothing (judging it again would never end)."""
    return any(_is_connection_failure_itself(link, open_groups) for link in _chain(exc))


def database_timeout(exc: BaseException) -> str | None:
    """STATEMENT_TIMEOUT or LOCK_TIMEOUT when `exc`, or anything it was raised from, is the
    database cancelling a statement for taking too long; None otherwise. Nothing was changed:
    the transaction is aborted. Retrying later may well succeed."""
    for link in _chain(exc):
        code = _sqlstate(link)
        if code in (STATEMENT_TIMEOUT, LOCK_TIMEOUT):
            return code
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception behind it (causes, contexts, a DBAPI error's original)."""
    seen: dict[int, BaseException] = {}
    waiting = [exc]
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue
        seen[id(current)] = current
        behind = (current.__cause__, current.__context__, getattr(current, "orig", None))
        waiting.extend(link for link in behind if isinstance(link, BaseException))
    return list(seen.values())


def _is_connection_failure_itself(exc: BaseException, open_groups: frozenset[int]) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        if id(exc) in open_groups:
            return False
        inside = open_groups | {id(exc)}
        return bool(exc.exceptions) and all(_fails_to_connect(e, inside) for e in exc.exceptions)
    if _has_outage_sqlstate(exc):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, PoolTimeoutError | DisconnectionError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, socket.gaierror | socket.herror):
        return True
    if type(exc) is OSError:
        # From connect: one errno, or none when asyncio tried several addresses and all failed.
        return exc.errno is None or exc.errno in _NETWORK_ERRNOS
    return _is_closed_connection_interface_error(exc)


def _sqlstate(exc: BaseException) -> str | None:
    code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return code if isinstance(code, str) else None


def _has_outage_sqlstate(exc: BaseException) -> bool:
    code = _sqlstate(exc)
    if code is None:
        return False
    return code.startswith(_OUTAGE_SQLSTATE_CLASSES) or code in _OUTAGE_SQLSTATES


def _is_closed_connection_interface_error(exc: BaseException) -> bool:
    if type(exc).__name__ != "InterfaceError":
        return False  # asyncpg's, SQLAlchemy's adapted one, or the DBAPI wrapper's
    message = str(exc).lower()
    return any(words in message for words in _CLOSED_CONNECTION_WORDS)
