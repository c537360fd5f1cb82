"""A minimal MLLP client: one framed message out, its framed ACK back, over one TCP connection.

MLLP (HL7's Minimal Lower Layer Protocol) frames a message as 0x0B <message> 0x1C 0x0D. The
answer is an ACK whose MSA-1 says AA (accepted), AE (error: try again) or AR (rejected), and
whose MSA-2 names the control id it answers (enhanced mode's CA, CE, CR read the same).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
MAX_ACK_BYTES = 1024 * 1024


class MllpUnavailable(Exception):
    """The endpoint could not be reached, dropped the connection, or did not answer in time."""


class MllpProtocolError(MllpUnavailable):
    """The endpoint answered something that is no ACK of the message sent."""


@dataclass(frozen=True, slots=True)
class Ack:
    code: str  # MSA-1: AA, AE, AR (or CA, CE, CR)
    control_id: str  # MSA-2
    text: str  # MSA-3, and ERR's text where there is one

    @property
    def accepted(self) -> bool:
        return self.code in ("AA", "CA")

    @property
    def rejected(self) -> bool:
        return self.code in ("AR", "CR")


def frame(er7: str) -> bytes:
    return START_BLOCK + er7.encode("utf-8") + END_BLOCK


def unframe(data: bytes) -> bytes:
    """The message inside one frame read up to and including END_BLOCK."""
    start = data.find(START_BLOCK)
    if start < 0 or not data.endswith(END_BLOCK):
        raise MllpProtocolError("an answer without an MLLP frame")
    return data[start + 1 : -len(END_BLOCK)]


def parse_ack(payload: bytes) -> Ack:
    """The MSA of an ACK (v2.x, any separators its MSH declares)."""
    text = payload.decode("utf-8", errors="replace")
    segments = [s for s in text.replace("\n", "\r").split("\r") if s]
    if not segments or not segments[0].startswith("MSH") or len(segments[0]) < 8:
        raise MllpProtocolError("an answer that is no HL7 message")
    separator = segments[0][3]
    msa = next((s.split(separator) for s in segments if s.startswith("MSA")), None)
    if msa is None or len(msa) < 3:
        raise MllpProtocolError("an answer without MSA-1 and MSA-2")
    err = next((s.split(separator) for s in segments if s.startswith("ERR")), None)
    detail = msa[3] if len(msa) > 3 else ""
    if err is not None and len(err) > 8 and err[8]:
        detail = f"{detail} {err[8]}".strip()
    code = msa[1].strip().upper()
    if code not in ("AA", "AE", "AR", "CA", "CE", "CR"):
        raise MllpProtocolError(f"an ACK with MSA-1 {code[:10]!r}")
    return Ack(code=code, control_id=msa[2].strip(), text=detail[:500])


class MllpConnection:
    """One TCP connection to an endpoint, opened when first needed and again after a failure."""

    def __init__(self, host: str, port: int, *, connect_timeout: float, ack_timeout: float) -> None:
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.ack_timeout = ack_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def exchange(self, er7: str) -> Ack:
        """Sends one message and reads its ACK; `MllpUnavailable` closes the connection."""
        try:
            reader, writer = await self._open()
            writer.write(frame(er7))
            await writer.drain()
            data = await asyncio.wait_for(reader.readuntil(END_BLOCK), self.ack_timeout)
            return parse_ack(unframe(data))
        except MllpUnavailable:
            await self.close()
            raise
        except asyncio.LimitOverrunError as exc:
            await self.close()
            raise MllpProtocolError("an answer larger than any ACK") from exc
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise MllpUnavailable(_describe(exc)) from exc

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is not None and self._writer is not None and not self._writer.is_closing():
            return self._reader, self._writer
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, limit=MAX_ACK_BYTES),
            self.connect_timeout,
        )
        self._reader, self._writer = reader, writer
        return reader, writer


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the endpoint closed the connection before its ACK"
    if isinstance(exc, TimeoutError):
        return "the endpoint did not answer in time"
    return f"the endpoint could not be reached: {exc.__class__.__name__}: {exc}"[:500]
