"""A TCP link to the real PostgreSQL that a test can sever and mend, as a database restart would.

Severing closes the listening port (new connections are refused) and has PostgreSQL itself
terminate the backends the link carries (SQLSTATE 57P01 to their clients, then a closed socket),
so only this test's connections are touched, never another test's or the running stack's.
"""

from __future__ import annotations

import asyncio
import contextlib

from servicekit.db import create_engine
from sqlalchemy import make_url, text


class SeverableLink:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url  # to terminate the carried backends with
        url = make_url(database_url)
        self.upstream = (url.host or "127.0.0.1", url.port or 5432)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._upstream_ports: set[int] = set()

    @property
    def severed(self) -> bool:
        return self._server is None

    async def open(self) -> int:
        self._server = await asyncio.start_server(
            self._carry, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def sever(self) -> int:
        """Refuses new connections and ends the carried ones; how many backends were ended."""
        assert self._server is not None
        self._server.close()
        self._server = None
        terminated = await self._terminate_backends()
        await asyncio.wait_for(asyncio.gather(*self._pipes, return_exceptions=True), timeout=10)
        return terminated

    async def mend(self) -> None:
        await self.open()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        # Closing both ends lets each pipe finish by itself (a cancelled one is logged by asyncio).
        for writer in self._writers:
            writer.close()
        await asyncio.wait_for(asyncio.gather(*self._pipes, return_exceptions=True), timeout=10)

    async def _terminate_backends(self) -> int:
        if not self._upstream_ports:
            return 0
        engine = create_engine(self.database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                ended = await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE client_addr = '127.0.0.1' AND client_port = ANY(:ports)"
                    ),
                    {"ports": sorted(self._upstream_ports)},
                )
                return sum(1 for (done,) in ended if done)
        finally:
            await engine.dispose()

    async def _carry(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            server_in, server_out = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_out.close()
            self._pipes.discard(task)
            return
        local_port = server_out.get_extra_info("sockname")[1]
        self._upstream_ports.add(local_port)
        self._writers |= {client_out, server_out}
        try:
            await asyncio.gather(_pump(client_in, server_out), _pump(server_in, client_out))
        finally:
            self._upstream_ports.discard(local_port)
            for writer in (client_out, server_out):
                writer.close()
                self._writers.discard(writer)
            self._pipes.discard(task)


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    # One side ended: end the other, as PostgreSQL closing a terminated backend's socket does.
    with contextlib.suppress(ConnectionError, OSError):
        sink.close()
