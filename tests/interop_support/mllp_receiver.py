"""A real MLLP receiver for tests and the benchmark: an asyncio TCP server that answers ACKs.

Test support, not product. Each message received is recorded (when, its MSH-10, its trigger,
its text); what it answers is a script: a function of the message's number (from 1) giving
"AA", "AE", "AR" or "drop" (close the connection without answering).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"

Script = Callable[[int], str]


def always(code: str) -> Script:
    return lambda _n: code


def first_then(first: str, count: int, then: str) -> Script:
    """`first` to the first `count` messages, `then` to every later one."""
    return lambda n: first if n <= count else then


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the whole frame was read
    control_id: str
    trigger: str
    case_id: str
    er7: str
    answer: str


@dataclass
class MllpReceiver:
    script: Script = field(default_factory=lambda: always("AA"))
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _clients: set[asyncio.StreamWriter] = field(default_factory=set)
    _arrived: asyncio.Condition | None = None

    async def start(self) -> MllpReceiver:
        self._arrived = asyncio.Condition()
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._clients):  # a stopped receiver drops its connections too
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> MllpReceiver:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def accepted(self) -> list[Received]:
        """What it answered AA, in the order received."""
        return [r for r in self.received if r.answer == "AA"]

    async def wait_for(self, count: int, *, timeout: float = 20.0) -> list[Received]:
        """Until `count` messages were answered AA."""
        assert self._arrived is not None
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.accepted) >= count)
        return self.accepted

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while True:
                data = await reader.readuntil(END_BLOCK)
                er7 = data[data.index(START_BLOCK) + 1 : -2].decode("utf-8")
                msh = er7.split("\r", 1)[0].split("|")
                sch = next((s for s in er7.split("\r") if s.startswith("SCH|")), "SCH||")
                answer = self.script(len(self.received) + 1)
                record = Received(
                    at=time.time(),
                    control_id=msh[9],
                    trigger=msh[8].split("^")[1],
                    case_id=sch.split("|")[1].split("^")[0],
                    er7=er7,
                    answer=answer,
                )
                assert self._arrived is not None
                async with self._arrived:
                    self.received.append(record)
                    self._arrived.notify_all()
                if answer == "drop":
                    return
                writer.write(START_BLOCK + ack(msh, answer).encode("utf-8") + END_BLOCK)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            self._clients.discard(writer)
            writer.close()


def ack(msh: list[str], code: str) -> str:
    """An original-mode ACK of the message whose MSH fields are `msh`."""
    text = {"AA": "", "AE": "try again later", "AR": "unknown location"}.get(code, "")
    return "\r".join(
        (
            f"MSH|^~\\&|{msh[4]}|{msh[5]}|{msh[2]}|{msh[3]}|20261203000000||ACK^{msh[8].split('^')[1]}"
            f"^ACK|ACK{msh[9][:17]}|P|2.5",
            f"MSA|{code}|{msh[9]}|{text}",
            "",
        )
    )
