"""The lifecycle of a case, without I/O: every move it allows and every one it refuses."""

from __future__ import annotations

import pytest
from scheduling_service.domain.lifecycle import (
    BOOKED,
    FINAL,
    HOLDING,
    MOVES,
    WAITING,
    Status,
    TransitionRefused,
    next_status,
)

ALLOWED = [
    ("requested", "book", "scheduled"),
    ("postponed", "book", "scheduled"),
    ("scheduled", "reschedule", "scheduled"),
    ("confirmed", "reschedule", "scheduled"),
    ("scheduled", "confirm", "confirmed"),
    ("scheduled", "wheels_in", "in_room"),
    ("confirmed", "wheels_in", "in_room"),
    ("in_room", "wheels_out", "completed"),
    ("scheduled", "postpone", "postponed"),
    ("confirmed", "postpone", "postponed"),
    ("requested", "cancel", "cancelled"),
    ("postponed", "cancel", "cancelled"),
    ("scheduled", "cancel", "cancelled"),
    ("confirmed", "cancel", "cancelled"),
]
REFUSED = [
    (status.value, action)
    for status in Status
    for action in MOVES
    if (status.value, action) not in {(s, a) for s, a, _ in ALLOWED}
]


@pytest.mark.parametrize(("current", "action", "target"), ALLOWED)
def test_allows_each_move_of_the_lifecycle(current: str, action: str, target: str) -> None:
    assert next_status(current, action) == Status(target)


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_refuses_every_other_move_saying_which_statuses_could(current: str, action: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_status(current, action)
    message = str(refused.value)
    assert message.startswith(f"A case that is {current} cannot {action.replace('_', ' ')}")
    for status in MOVES[action][0]:
        assert status.value in message


def test_confirming_a_requested_case_is_refused_with_a_sentence_a_coordinator_reads() -> None:
    with pytest.raises(TransitionRefused, match="requested cannot confirm; only a case that is"):
        next_status(Status.REQUESTED, "confirm")


def test_completed_and_cancelled_cases_are_final() -> None:
    for status in FINAL:
        assert not [action for action, (allowed, _) in MOVES.items() if status in allowed]


def test_a_postponed_case_is_back_on_the_waiting_list_without_a_booking() -> None:
    assert next_status("confirmed", "postpone") in WAITING
    assert Status.POSTPONED not in HOLDING


def test_only_booked_statuses_and_those_after_them_hold_a_booking() -> None:
    assert BOOKED <= HOLDING
    assert not WAITING & HOLDING
    assert Status.CANCELLED not in HOLDING


def test_an_unknown_status_is_not_a_status() -> None:
    with pytest.raises(ValueError):
        next_status("lost", "cancel")
