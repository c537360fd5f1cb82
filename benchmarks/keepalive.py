"""A lean HTTP/1.1 client for the load generator: keep-alive connections over TLS, one request at
a time on each, the answer parsed by httptools, on uvloop's event loop.

Why not aiohttp: the generator shares the machine's two cores with the stack it measures, and at
saturation aiohttp on asyncio's own loop spent 0.45-0.6 ms of CPU per request (a fifth of what the
machine spent on a room read), so the generator took a core's worth of CPU from the services it
was meant to measure. Here a request is a few bytes written and a C parser fed; TLS is uvloop's
(Cython over OpenSSL), not asyncio's Python `sslproto`. Only what the generator needs: GET and
POST with a JSON body, any status, chunked or sized answers, a timeout per request; a connection
the gateway closes is dropped and a new one opened for the next request.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import ssl
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools


class ConnectionLost(Exception):
    """The connection closed before the answer was complete."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport's subclasses
        self.parser = httptools.HttpResponseParser(self)
        self.answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []
        self.reusable = True

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ConnectionLost(f"unreadable answer: {error}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._fail(ConnectionLost("the connection closed"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if not self.parser.should_keep_alive():
            self.reusable = False
        answer, self.answer = self.answer, None
        if answer is not None and not answer.done():
            answer.set_result((self.parser.get_status_code(), b"".join(self.body)))
        self.body = []

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.answer

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: Exception) -> None:
        self.reusable = False
        answer, self.answer = self.answer, None
        if answer is not None and not answer.done():
            answer.set_exception(error)


class Client:
    """Requests to one origin (`https://host:port`; plain HTTP when `tls` is None) over up to
    `connections` kept-alive connections, each new one opened from the next of
    `local_addresses` in turn when given. Use inside the loop that made it."""

    def __init__(
        self,
        origin: str,
        tls: ssl.SSLContext | None,
        connections: int = 32,
        timeout: float = 60,
        local_addresses: Sequence[str] = (),
    ) -> None:
        parts = urlsplit(origin)
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if tls else 80)
        self._host_header = parts.netloc.encode()
        self._tls = tls
        self._locals = itertools.cycle([(address, 0) for address in local_addresses] or [None])
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def request(
        self,
        method: str,
        path: str,
        params: Iterable[tuple[str, str]] = (),
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """The answer's status and body. Raises ConnectionLost, TimeoutError or OSError."""
        wire = self._wire(method, path, params, body, headers or {})
        async with self._slots:
            connection = await self._connection()
            try:
                async with asyncio.timeout(self._timeout):
                    answer = await connection.send(wire)
            except BaseException:
                connection.close()
                raise
            if connection.reusable:
                self._idle.append(connection)
            else:
                connection.close()
            return answer

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports close

    async def _connection(self) -> _Connection:
        """An idle connection still open, else a new one."""
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            _Connection,
            self._host,
            self._port,
            ssl=self._tls,
            server_hostname=self._host if self._tls else None,
            local_addr=next(self._locals),
        )
        return connection

    def _wire(
        self,
        method: str,
        path: str,
        params: Iterable[tuple[str, str]],
        body: Any,
        headers: dict[str, str],
    ) -> bytes:
        query = urlencode(list(params))
        target = f"{path}?{query}" if query else path
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header.decode()}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        payload = b""
        if body is not None:
            payload = json.dumps(body).encode()
            lines.append("Content-Type: application/json")
        if payload or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
