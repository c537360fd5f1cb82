"""The load generator's HTTP client (`benchmarks.keepalive`) against a small server of raw
HTTP/1.1 answers: sized and chunked bodies on one kept connection, a connection the server
closes, an answer that never comes, connections from several client addresses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from benchmarks import keepalive


class Server:
    """Answers each request with the next of `answers` (raw bytes); counts connections."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.connections = 0
        self.requests: list[bytes] = []
        self.peers: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.peers.append(writer.get_extra_info("peername")[0])
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                if answer == b"silence":
                    await asyncio.sleep(1)
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass
        writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[object]:
    servers: list[asyncio.Server] = []

    async def start(answers: list[bytes]) -> tuple[Server, str]:
        server = Server(answers)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(listening)
        port = listening.sockets[0].getsockname()[1]
        return server, f"http://127.0.0.1:{port}"

    yield start
    for listening in servers:
        listening.close()


SIZED = b'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}'
CHUNKED = (
    b'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"b\r\n4\r\n":2}\r\n0\r\n\r\n'
)
CLOSING = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


async def test_answers_on_one_kept_connection(serve) -> None:
    server, origin = await serve([SIZED, CHUNKED, SIZED])
    client = keepalive.Client(origin, None, connections=1)
    assert await client.request("GET", "/x", [("a", "1 2")], headers={"X-T": "t"}) == (
        200,
        b'{"a":1}',
    )
    assert await client.request("POST", "/y", body={"k": "v"}) == (201, b'{"b":2}')
    assert await client.request("GET", "/z") == (200, b'{"a":1}')
    await client.close()
    assert server.connections == 1
    first, second, _ = server.requests
    assert first.startswith(b"GET /x?a=1+2 HTTP/1.1\r\n") and b"\r\nX-T: t\r\n" in first
    assert b"\r\nContent-Type: application/json\r\n" in second
    assert second.endswith(b'Content-Length: 10\r\n\r\n{"k": "v"}')


async def test_a_connection_the_server_closes_is_not_reused(serve) -> None:
    server, origin = await serve([CLOSING, SIZED])
    client = keepalive.Client(origin, None, connections=1)
    assert (await client.request("GET", "/gone"))[0] == 404
    assert (await client.request("GET", "/again"))[0] == 200
    await client.close()
    assert server.connections == 2


async def test_an_answer_that_never_comes_times_out(serve) -> None:
    server, origin = await serve([b"silence", SIZED])
    client = keepalive.Client(origin, None, connections=1, timeout=0.2)
    with pytest.raises(TimeoutError):
        await client.request("GET", "/slow")
    assert (await client.request("GET", "/next"))[0] == 200
    await client.close()
    assert server.connections == 2


async def test_new_connections_come_from_each_client_address_in_turn(serve) -> None:
    """The load generator's way past the gateway's limit per client address."""
    server, origin = await serve([SIZED] * 3)
    client = keepalive.Client(
        origin, None, connections=3, local_addresses=["127.0.0.21", "127.0.0.22"]
    )
    answers = await asyncio.gather(*(client.request("GET", f"/{n}") for n in range(3)))
    await client.close()
    assert [status for status, _ in answers] == [200, 200, 200]
    assert sorted(server.peers) == ["127.0.0.21", "127.0.0.21", "127.0.0.22"]
