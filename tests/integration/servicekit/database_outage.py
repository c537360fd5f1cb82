"""A TCP hop in front of the real PostgreSQL that can play a restart, for the outage tests.

`up`: bytes pass both ways. `starting`: open connections are cut and every new one gets the
server's own refusal while it recovers (FATAL 57P03, "the database system is starting up").
`down`: nothing listens; connecting is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator

from sqlalchemy import make_url

_SSL_REQUEST_CODE = 80877103


def _starting_up_error() -> bytes:
    fields = b"SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0"
    return b"E" + struct.pack("!I", len(fields) + 4) + fields


class DatabaseHop:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.mode = "up"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    def url(self, database_url: str) -> str:
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def set(self, mode: str) -> None:
        if mode != "up":
            for writer in list(self._pipes):
                writer.transport.abort()
            self._pipes.clear()
        if mode == "down" and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if mode != "down" and self._server is None:
            await self.start()
        self.mode = mode

    async def close(self) -> None:
        await self.set("down")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "starting":
            await self._refuse_while_starting(reader, writer)
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._pipes.update((writer, upstream_writer))
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )
        self._pipes.difference_update((writer, upstream_writer))

    async def _refuse_while_starting(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            length, code = struct.unpack("!II", await reader.readexactly(8))
            if code == _SSL_REQUEST_CODE:
                writer.write(b"N")  # no TLS here; the startup packet follows
                length, _ = struct.unpack("!II", await reader.readexactly(8))
            await reader.readexactly(length - 8)
            writer.write(_starting_up_error())
            await writer.drain()
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


@contextlib.asynccontextmanager
async def database_hop(database_url: str) -> AsyncIterator[DatabaseHop]:
    target = make_url(database_url)
    hop = DatabaseHop(target.host or "127.0.0.1", target.port or 5432)
    await hop.start()
    try:
        yield hop
    finally:
        await hop.close()
