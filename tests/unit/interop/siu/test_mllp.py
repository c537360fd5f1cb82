"""Reading MLLP frames and ACKs: what counts as an answer, and what does not."""

from __future__ import annotations

import pytest
from interop_service.siu.mllp import Ack, MllpProtocolError, frame, parse_ack, unframe


def ack(msa: str, *more: str) -> bytes:
    return "\r".join(
        ("MSH|^~\\&|RECV|FAC|ORSCHED|HOSPITAL|20261203||ACK^S12^ACK|A1|P|2.5", msa, *more)
    ).encode()


def test_a_message_is_framed_with_the_start_and_end_blocks() -> None:
    assert frame("MSH|x\r") == b"\x0bMSH|x\r\x1c\x0d"
    assert unframe(b"noise\x0bMSH|x\r\x1c\x0d") == b"MSH|x\r"


@pytest.mark.parametrize(
    ("msa", "accepted", "rejected"),
    [
        ("MSA|AA|CTL1", True, False),
        ("MSA|CA|CTL1", True, False),
        ("MSA|AE|CTL1|busy", False, False),
        ("MSA|AR|CTL1", False, True),
    ],
)
def test_the_acknowledgment_code_and_control_id_are_read_from_msa(
    msa: str, accepted: bool, rejected: bool
) -> None:
    answer = parse_ack(ack(msa))
    assert (answer.accepted, answer.rejected, answer.control_id) == (accepted, rejected, "CTL1")


def test_an_error_segment_adds_its_text_to_the_reason() -> None:
    err = "ERR||||E||||unknown room"  # ERR-8, the user message
    assert parse_ack(ack("MSA|AR|CTL1|rejected", err)) == Ack("AR", "CTL1", "rejected unknown room")


@pytest.mark.parametrize(
    "payload",
    [b"", b"hello", ack("MSA|ZZ|CTL1"), ack("NTE|1"), "\r".join(("MSH|^~\\&", "MSA|AA")).encode()],
)
def test_an_answer_that_is_no_ack_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(MllpProtocolError):
        parse_ack(payload)


def test_an_answer_without_its_end_block_is_a_protocol_error() -> None:
    with pytest.raises(MllpProtocolError):
        unframe(b"\x0bMSH|x\r")
