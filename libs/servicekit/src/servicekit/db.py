"""The database engine, the unit of work every change goes through, and the sessions of reads."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, Self

from sqlalchemy import URL, Executable, TextClause, event, make_url, text
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from servicekit.db_connections import ConnectOptions
from servicekit.group_commit import GroupCommit
from servicekit.messaging.outbox import OutboxWriter

__all__ = [
    "AuditedRead",
    "ConnectOptions",
    "UnitOfWork",
    "asyncpg_dsn",
    "audited_read_sessions",
    "create_engine",
    "read_sessions",
    "repeatable_read",
]

# A pooled connection idle longer than this is pinged before it is handed out; one used since
# is not (docs/performance.md): under load every connection is back in use within milliseconds.
IDLE_BEFORE_PING_SECONDS = 10.0
# No connection lives longer: a server-side idle timeout or a silently dropped route ends no
# request, and a replaced server certificate or setting reaches every connection within it.
RECYCLE_SECONDS = 1800


def create_engine(
    url: str | URL,
    *,
    pool_size: int = 10,
    search_path: str | None = None,
    options: ConnectOptions | None = None,
    leave: int = 0,
) -> AsyncEngine:
    """The engine of a worker: its pool holds up to 2 x `pool_size` connections, less the
    `leave` of them that the worker holds elsewhere (its direct reads and group commit)."""
    if 2 * pool_size - leave < 1:
        # SQLAlchemy reads a pool size of 0 as no limit at all.
        raise ValueError(f"a pool of {pool_size} cannot leave {leave} connections elsewhere")
    options = options or ConnectOptions()
    engine = create_async_engine(
        url,
        # Up to twice `pool_size` connections, each kept once opened. Not `pool_size` plus as
        # many overflow: SQLAlchemy closes an overflow connection as it comes back, so a burst
        # past `pool_size` concurrent requests opened and closed a connection (TLS, SCRAM and a
        # new backend process) per request: 104 in six seconds of reads at saturation
        # (docs/performance.md). Nor `pool_size` alone: the requests past it then queue for a
        # connection, which cost more CPU per request than the connections it saves. Last in,
        # first out: a quiet service reuses its few warm connections and leaves the rest idle
        # (pinged before their next use, `_check_on_checkout`).
        pool_size=2 * pool_size - leave,
        max_overflow=0,
        pool_use_lifo=True,
        # No `pool_pre_ping`: the asyncpg dialect's ping is BEGIN, `;` and ROLLBACK, three round
        # trips on every checkout, a fifth of a read by id over TLS. `_check_on_checkout` does
        # the part of it that a restart needs, mostly without a round trip.
        pool_recycle=RECYCLE_SECONDS,
        # A failed statement's parameters (an MRN, a name) never reach an error's text or a log.
        hide_parameters=True,
        connect_args=options.asyncpg_arguments(search_path),
    )
    event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
    event.listen(engine.sync_engine.pool, "checkout", _check_on_checkout)
    return engine


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _check_on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Hands out no connection that a database restart or a cut link has ended.

    A restart ends every backend: PostgreSQL says so and closes the socket, which asyncpg sees
    while the connection waits in the pool, so a closed one is known here without a round trip.
    It is then replaced, and every connection pooled before it too (a restart ended them all):
    the first read after a restart is served, not answered 503. A connection idle for
    IDLE_BEFORE_PING_SECONDS is pinged first (a link cut without a word). Raising
    InvalidatePoolError makes the pool connect anew and check again; if the database is away,
    connecting fails and the request is answered 503 with Retry-After as before. A connection
    ended while a request uses it still fails that request: a transaction cut halfway is the
    client's to retry (docs/servicekit.md).
    """
    idle_since = record.info.pop("idle_since", None)  # a new connection is not checked twice
    if dbapi_connection.driver_connection.is_closed():
        raise InvalidatePoolError("the pooled connection was closed")
    if idle_since is not None and time.monotonic() - idle_since > IDLE_BEFORE_PING_SECONDS:
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise InvalidatePoolError("the pooled connection did not answer a ping") from exc


class _ReadOnlySession(Session):
    pass


@event.listens_for(_ReadOnlySession, "before_flush")
def _refuse_to_write(session: Session, flush_context: Any, instances: Any) -> None:
    raise RuntimeError("a read session writes nothing: take a unit of work to change")


def read_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for a route that only reads, without a transaction: no `BEGIN` before its first
    statement and no `ROLLBACK` after its last, two of a read by id's three round trips.

    Each statement is its own snapshot, as it would be in a transaction under READ COMMITTED
    (PostgreSQL's default, and this project's): a read sees nothing less consistent. A route
    that audits what it read takes an `AuditedRead`; one that needs one snapshot for several
    statements (REPEATABLE READ) or writes, a `UnitOfWork`. The session flushes nothing; a
    statement it executes is committed by itself, so one that writes does not belong here.
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=_ReadOnlySession,
    )


async def repeatable_read(session: AsyncSession, *, read_only: bool = False) -> None:
    """Makes the session's transaction REPEATABLE READ (and READ ONLY if asked): one snapshot for
    every statement of a read that must add up. Said with its BEGIN (asyncpg begins at the first
    statement), a statement and a round trip less than a SET TRANSACTION after it; when the
    transaction has begun already (a connection taken), the SET TRANSACTION. The pooled
    connection's next transaction is READ COMMITTED and read-write again."""
    options = _READ_ONLY_SNAPSHOT if read_only else _SNAPSHOT
    taken = (await session.connection(execution_options=options)).sync_connection
    said = {} if taken is None else taken.get_execution_options()
    if any(said.get(name) != value for name, value in options.items()):
        mode = ", READ ONLY" if read_only else ""
        await session.execute(text(f"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ{mode}"))


_SNAPSHOT = {"isolation_level": "REPEATABLE READ"}
_READ_ONLY_SNAPSHOT = _SNAPSHOT | {"postgresql_readonly": True}


def asyncpg_dsn(url: str | URL) -> str:
    """The plain libpq URL of a SQLAlchemy asyncpg URL, for connections asyncpg opens itself."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class UnitOfWork:
    """One transaction: the change and the events it causes commit together, or neither does."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str) -> None:
        self._sessions = sessions
        self.producer = producer

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        self.outbox = OutboxWriter(self.session, producer=self.producer)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def write(self, statement: Executable, params: dict[str, Any]) -> None:
        """One writing statement, in the unit's transaction (an audit entry's, beside what it
        records)."""
        await self.session.execute(statement, params)


class AuditedRead(UnitOfWork):
    """A read that audits itself, without a transaction of its own: its reads are a read
    session's (each statement its own snapshot, as under READ COMMITTED in a transaction), and
    its one write, the audit entry (the row and its event's outbox row, one statement), is
    committed before the route answers: with a group commit (every service's runtime gives it
    one), in a transaction shared with the entries of other reads waiting then; without, by
    itself as it runs.

    A `UnitOfWork` in shape, so an audit writes through it as through any (`uow.write`,
    `uow.outbox`), but for nothing else: its session refuses to flush and refuses a second
    writing statement (`audited_read_sessions`), and `commit()` has nothing left to commit. A
    read that raises before its entry (a 404) has written nothing; a change takes a
    `UnitOfWork`, and a read that needs one snapshot for all its statements too.

    Its entry goes through `write`: with the entries of the worker's other reads waiting at
    that moment, in one transaction (`servicekit.group_commit`), and `write` returns once that
    has committed. So the read still answers only after its entry is durable, at one WAL flush
    for many reads.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        producer: str,
        writes: GroupCommit | None = None,
    ) -> None:
        super().__init__(sessions, producer)
        self._writes = writes

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        if not isinstance(self.session.sync_session, _AuditedReadSession):
            # A transactional session's entry would never be committed: `commit()` is none.
            await self.session.close()
            raise TypeError("an audited read takes `audited_read_sessions`")
        self.outbox = OutboxWriter(self.session, producer=self.producer)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.close()

    async def commit(self) -> None:
        """The entry was committed as it ran. Writes nothing more after: a unit of work's
        write after its commit would never be committed either."""
        self.session.info[_WRITTEN] = True

    async def write(self, statement: Executable, params: dict[str, Any]) -> None:
        """The read's one write, its audit entry: committed (with the worker's other reads'
        entries, when it has a group commit) before this returns."""
        if not _writes(statement):
            raise TypeError("an audited read's write is an INSERT, UPDATE or DELETE")
        if self.session.info.get(_WRITTEN):
            raise RuntimeError(
                "an audited read writes one statement, its audit entry, and has written it: "
                "take a unit of work to change"
            )
        if self._writes is None:
            await self.session.execute(statement, params)  # committed by itself
        else:
            self.session.info[_WRITTEN] = True
            await self._writes.write(statement, params)


_WRITTEN = "audited_read_written"


class _AuditedReadSession(Session):
    pass


@event.listens_for(_AuditedReadSession, "before_flush")
def _refuse_to_flush(session: Session, flush_context: Any, instances: Any) -> None:
    raise RuntimeError(
        "an audited read writes one statement, its audit entry, and flushes nothing: "
        "take a unit of work to change"
    )


@event.listens_for(_AuditedReadSession, "do_orm_execute")
def _allow_one_write(state: ORMExecuteState) -> None:
    """The first writing statement is the audit entry; a second one is refused before it runs
    (each would be committed by itself, so two would be a change without its transaction)."""
    if not _writes(state.statement):
        return
    if state.session.info.get(_WRITTEN):
        raise RuntimeError(
            "an audited read writes one statement, its audit entry, and has written it: "
            "take a unit of work to change"
        )
    state.session.info[_WRITTEN] = True


def _writes(statement: Executable) -> bool:
    """An INSERT, UPDATE or DELETE; as text, anything but a SELECT. A guard against a mistake:
    a SELECT calling a function that writes, or a statement run on the session's connection
    rather than through the session, is not seen."""
    if isinstance(statement, TextClause):
        return statement.text.lstrip()[:6].upper() != "SELECT"
    return bool(getattr(statement, "is_dml", False))


def audited_read_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The sessions of `AuditedRead`: autocommit, as `read_sessions`, allowing one write."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=_AuditedReadSession,
    )
