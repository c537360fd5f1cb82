"""Who sees which case through FHIR, and with its patient: scheduling's rules, from its roles."""

from __future__ import annotations

import uuid

import pytest
from interop_service.domain.fhir_cases_access import (
    CaseTies,
    Reader,
    Sight,
    appointment_sight,
    order_sight,
)

SURGEON, REQUESTER, NURSE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TIES = CaseTies(SURGEON, REQUESTER, frozenset({NURSE}))


def reader(*roles: str, staff: uuid.UUID | None = None, user: uuid.UUID | None = None) -> Reader:
    linked = frozenset({staff}) if staff else frozenset()
    return Reader(user or uuid.uuid4(), frozenset(roles), linked)


@pytest.mark.parametrize(
    ("who", "appointment", "order"),
    [
        (reader("coordinator"), Sight.FULL, Sight.FULL),
        (reader("admin"), Sight.FULL, Sight.FULL),
        (reader("viewer"), Sight.MASKED, Sight.MASKED),
        (reader("surgeon"), Sight.MASKED, Sight.HIDDEN),
        (reader("surgeon", staff=SURGEON), Sight.FULL, Sight.FULL),
        (reader("nurse", staff=NURSE), Sight.FULL, Sight.FULL),
        (reader("surgeon", user=REQUESTER), Sight.FULL, Sight.FULL),
        (reader("nurse", "viewer"), Sight.MASKED, Sight.MASKED),
        (reader(), Sight.HIDDEN, Sight.HIDDEN),
    ],
)
def test_a_reader_sees_a_case_as_scheduling_would_show_it(
    who: Reader, appointment: Sight, order: Sight
) -> None:
    assert (appointment_sight(who, TIES), order_sight(who, TIES)) == (appointment, order)
